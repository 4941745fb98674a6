"""What the regional roll-up's handlers share (`views/collections.py` stays a list of thin
routes): who may open a collection, running a change with its commit and message, the
uploads of results exports, downloads, and what a share link opens."""

from __future__ import annotations

from collections.abc import Callable

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import format_percent, gettext, ngettext
from flask_login import current_user

from workshop import clock
from workshop.collections import build, exports, members, regional, rule, sharing, store
from workshop.collections.model import EQUAL, WEIGHTINGS, Rollup
from workshop.collections.records import Collection
from workshop.extensions import csrf, db
from workshop.messages import N_, ActionError
from workshop.web import i18n
from workshop.web.forms import EmptyForm

INVALID_LINK = N_("This share link does not work: it may have expired or been revoked.")


def owned(collection_id: int) -> Collection:
    """The collection, for one of its owners; a 404 for anyone else, as for no collection."""
    try:
        return store.owned(db.session, collection_id, current_user.id)
    except ActionError:
        abort(404, description=gettext("No collection of yours has that number."))


def checked() -> None:
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))


def act(
    collection: Collection,
    work: Callable[[], object],
    done: str,
    anchor: str = "",
    page: str = "collections.tables",
):
    """Run a change, commit it and say so; on a refusal roll back and say why. Either way,
    back to `page`."""
    try:
        work()
    except ActionError as error:
        db.session.rollback()
        flash(gettext("Not done: %(error)s.", error=i18n.error_text(error)))
    else:
        collection.updated_at = clock.now()
        db.session.commit()
        if done:
            flash(done)
    return redirect(url_for(page, collection_id=collection.id, _anchor=anchor or None))


def upload_allowed(limit: int):
    """For a view that takes more than the app's 1 MiB (exempt from the app-wide CSRF check,
    which reads the body first): raise the limit, then check the CSRF token and the sign-in,
    in that order, as for every form. None when allowed, else the response to give."""
    request.max_content_length = limit
    if current_app.config["WTF_CSRF_ENABLED"]:
        csrf.protect()  # a CSRFError: the app's "Form expired" page
    if not current_user.is_authenticated:
        return current_app.login_manager.unauthorized()
    return None


def weighting() -> str:
    chosen = request.args.get("weight", EQUAL)
    return chosen if chosen in WEIGHTINGS else EQUAL


def download(rollup: Rollup, fmt: str):
    if fmt not in exports.RENDERERS:
        abort(404, description=gettext("No download in that format."))
    if fmt == "pdf":  # the printable roll-up reads like the page it is downloaded from
        body = exports.to_pdf(rollup, i18n.language())
    else:
        body = exports.RENDERERS[fmt](rollup)
    response = current_app.response_class(body, mimetype=exports.FORMATS[fmt][0])
    name = exports.filename(rollup, fmt)
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


DETAILS_FOR_ONE = N_(
    "A name, date and place describe one table: import one file with them, or name the "
    "tables once they are in."
)


def table_details(form) -> members.TableDetails | None:
    """The name, date and place the import form gives, or None when it gives none."""
    name, place = (form.table_name.data or "").strip(), (form.place.data or "").strip()
    if not (name or form.held_on.data or place):
        return None
    return members.TableDetails(name, form.held_on.data, place)


def import_uploads(collection: Collection, files: list, details: members.TableDetails) -> list:
    """Import each file, each in its own transaction: a bad file is reported by name and
    changes nothing; the others go in. Returns the problems, in the reader's language."""
    problems, added, replaced = [], 0, 0
    for file in files:
        try:
            result = members.import_export(
                db.session, collection, file.read(), file.filename, clock.now(), details
            )
        except ActionError as error:
            db.session.rollback()
            problems.append(i18n.error_text(error))
            continue
        db.session.commit()
        added, replaced = added + (not result.replaced), replaced + result.replaced
    if added:
        flash(ngettext("Imported %(num)s session.", "Imported %(num)s sessions.", added))
    if replaced:
        flash(
            ngettext(
                "%(num)s session was already in the collection: its results were replaced.",
                "%(num)s sessions were already in the collection: their results were replaced.",
                replaced,
            )
        )
    return problems


def create_share_link(collection: Collection) -> str | None:
    """A new share link from the settings form; its token, or None (and why, flashed)."""
    days = request.form.get("expires_in_days", "")
    expiry = int(days) if days.isascii() and days.isdecimal() and len(days) <= 6 else -1
    try:
        _, token = sharing.create_link(
            db.session,
            collection,
            current_user.id,
            clock.now(),
            expiry,
            request.form.get("label", ""),
        )
    except ActionError as error:
        db.session.rollback()
        flash(gettext("Could not create the link: %(error)s.", error=i18n.error_text(error)))
        return None
    db.session.commit()
    return token


def save_tables(collection: Collection) -> None:
    """Every table's name, date and place from one form (name-<id>, date-<id>, place-<id>)."""
    listed = store.members_of(db.session, collection)
    for member in listed:  # free every name first, so two tables can swap names
        member.table_key = f"#{member.id}"
    db.session.flush()
    form = request.form
    for member in listed:
        store.rename_table(
            db.session,
            collection,
            member,
            form.get(f"name-{member.id}", member.table_name),
            store.parse_day(form.get(f"date-{member.id}", "")),
            form.get(f"place-{member.id}", member.place),
        )


def store_proposals(collection: Collection, run) -> None:
    """A finished run of proposals replaces the previous proposals."""
    if run.error is not None:
        error = run.error
        said = i18n.error_text(error) if isinstance(error, ActionError) else str(error)
        flash(gettext("The proposals failed: %(error)s", error=said))
        return
    kept = regional.replace_proposals(
        db.session, collection, run.suggestions.proposals, clock.now()
    )
    db.session.commit()
    flash(ngettext("%(num)s regional theme proposed.", "%(num)s regional themes proposed.", kept))
    if run.suggestions.unavailable:
        flash(
            gettext(
                "The sentence encoders are not available here (%(reason)s): only themes with "
                "the same title were proposed together.",
                reason=run.suggestions.unavailable,
            )
        )


def shared_rollup(token: str, chosen: str = EQUAL) -> Rollup:
    """The roll-up a share link opens, if the link still works (a 404 otherwise)."""
    link = sharing.find_active(db.session, token, clock.now())
    if link is None:
        abort(404, description=gettext(INVALID_LINK))
    collection = db.session.get(Collection, link.collection_id)
    return build.build_rollup(db.session, collection, clock.now(), chosen)


def rule_paragraphs(weighting: str) -> list[str]:
    """The ranking rule in the reader's language."""
    return [gettext(text) for text in rule.paragraphs(weighting)]


def share_text(value) -> str:
    """A share or score as the reader writes percentages: "28.3%", "28,3 %"."""
    return format_percent(float(value), "#,##0.0%")


def private(response):
    """Roll-ups are not for caches or search engines; a share link must not leak through the
    Referer header."""
    if request.path.startswith(("/shared/rollup/", "/api/share/rollup/")):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    return response
