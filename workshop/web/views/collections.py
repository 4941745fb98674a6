"""Regional roll-ups: collections of sessions, their tables (sessions of this server and
imported results exports), regional themes, the roll-up page, its downloads and JSON, and
read-only share links to it. The handlers' shared steps are in `web.collection_actions`.

Every collection route needs a signed-in owner of the collection; anyone else gets the same
404 as for a number that does not exist. A share link opens one roll-up read-only and sets no
cookie, as a session's share link does.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, session
from flask import url_for as url
from flask_babel import gettext, ngettext
from flask_login import current_user, login_required

from workshop import clock
from workshop.collections import build, exports, members, regional, review, sharing, store
from workshop.collections.snapshot import MAX_BYTES
from workshop.collections.tables import heat_level
from workshop.extensions import csrf, db
from workshop.ids import as_id, ids_from
from workshop.messages import N_, ActionError
from workshop.themes import suggestion_runs
from workshop.web import collection_actions as do
from workshop.web import i18n
from workshop.web.collection_forms import CollectionForm, ImportForm, OwnerForm
from workshop.web.forms import EmptyForm
from workshop.web.rendering import render_page

bp = Blueprint("collections", __name__)
bp.after_request(do.private)
bp.add_app_template_filter(do.share_text, "share")
bp.add_app_template_filter(heat_level, "heat")
bp.add_app_template_global(do.rule_paragraphs, "rule_paragraphs")
NEW_LINK_KEY = "new_rollup_link"
PREFIX = "/facilitator/collections"
ONE = f"{PREFIX}/<int:collection_id>"


# -- the list and the roll-up page --------------------------------------------------------


@bp.route(f"{PREFIX}/", methods=["GET", "POST"])
@login_required
def index():
    form = CollectionForm()
    if form.validate_on_submit():
        created = store.create_collection(
            db.session, current_user.id, form.name.data, clock.now(), form.description.data
        )
        db.session.commit()
        return redirect(url(".tables", collection_id=created.id))
    found = store.collections_of(db.session, current_user.id)
    status = 400 if form.errors else 200
    return render_template("collections/index.html", collections=found, form=form), status


@bp.get(f"{ONE}/")
@login_required
def show(collection_id: int):
    collection = do.owned(collection_id)
    rollup = build.build_rollup(db.session, collection, clock.now(), do.weighting())
    return render_page(
        "collections/rollup.html",
        collection=collection,
        rollup=rollup,
        downloads={
            f: url(".download", collection_id=collection.id, fmt=f) for f in exports.FORMATS
        },
    )


@bp.get(f"{ONE}/download/<fmt>")
@login_required
def download(collection_id: int, fmt: str):
    return do.download(build.build_rollup(db.session, do.owned(collection_id), clock.now()), fmt)


@bp.get("/api/collections/<int:collection_id>/rollup")
def api(collection_id: int):
    """For scripts: a 401 instead of the sign-in page's redirect."""
    if not current_user.is_authenticated:
        abort(
            401, description=gettext("Sign in as an owner of this collection, or use a share link.")
        )
    rollup = build.build_rollup(db.session, do.owned(collection_id), clock.now())
    return jsonify(exports.to_dict(rollup))


# -- tables: import, add, name, remove ------------------------------------------------------


@bp.get(f"{ONE}/tables")
@login_required
def tables(collection_id: int, form: ImportForm | None = None):
    collection = do.owned(collection_id)
    return render_template(
        "collections/tables.html",
        collection=collection,
        tables=build.tables_of(db.session, collection),
        local=members.local_candidates(db.session, collection, current_user.id),
        form=form or ImportForm(),
        empty_form=EmptyForm(),
    )


@bp.post(f"{ONE}/import")
def import_files(collection_id: int):
    refused = do.upload_allowed(4 * MAX_BYTES)  # exempt below: it checks CSRF itself
    if refused is not None:
        return refused
    collection, form = do.owned(collection_id), ImportForm()
    files = [f for f in (form.files.data or []) if f and f.filename]
    if not form.validate_on_submit() or not files:
        if not files:
            form.files.errors = [gettext("Choose one or more results export files (.json).")]
        return tables(collection.id, form), 400
    details = do.table_details(form)
    if details is not None and len(files) > 1:  # refused rather than dropped without a word
        form.table_name.errors = [gettext(do.DETAILS_FOR_ONE)]
        return tables(collection.id, form), 400
    problems = do.import_uploads(collection, files, details or members.TableDetails("", None, ""))
    if problems:
        form.files.errors = problems
        return tables(collection.id, form), 400
    return redirect(url(".tables", collection_id=collection.id))


csrf.exempt(import_files)


@bp.post(f"{ONE}/add")
@login_required
def add_local(collection_id: int):
    collection, chosen = do.owned(collection_id), ids_from(request.form.getlist("workshop_id"))
    do.checked()

    def work() -> None:
        if not chosen:
            raise ActionError(N_("choose at least one session"), "empty")
        for workshop_id in chosen:
            members.add_local(db.session, collection, workshop_id, current_user.id, clock.now())

    done = ngettext("Added %(num)s session.", "Added %(num)s sessions.", len(chosen))
    return do.act(collection, work, done)


@bp.post(f"{ONE}/refresh")
@login_required
def refresh(collection_id: int):
    collection = do.owned(collection_id)
    do.checked()
    count = members.refresh_local(db.session, collection, clock.now())
    done = ngettext(
        "Read %(num)s session of this server again.",
        "Read %(num)s sessions of this server again.",
        count,
    )
    return do.act(collection, lambda: None, done)


@bp.post(f"{ONE}/tables")
@login_required
def save_tables(collection_id: int):
    collection = do.owned(collection_id)
    do.checked()
    done = gettext("Saved the tables' names, dates and places.")
    return do.act(collection, lambda: do.save_tables(collection), done)


@bp.post(f"{ONE}/tables/<int:member_id>/remove")
@login_required
def remove_table(collection_id: int, member_id: int):
    collection = do.owned(collection_id)
    do.checked()

    def work() -> None:
        store.remove_member(db.session, collection, member_id)
        regional.prune(db.session, collection)

    return do.act(collection, work, gettext("The session left the collection."))


# -- regional themes ------------------------------------------------------------------------


@bp.get(f"{ONE}/themes")
@login_required
def themes(collection_id: int):
    collection = do.owned(collection_id)
    groups = regional.stored_groups(db.session, collection)
    found = review.review(build.tables_of(db.session, collection), groups)
    return render_template(
        "collections/themes.html", collection=collection, review=found, form=EmptyForm()
    )


@bp.post(f"{ONE}/themes/propose")
@login_required
def propose(collection_id: int):
    collection = do.owned(collection_id)
    do.checked()
    compute = review.proposer_for(build.tables_of(db.session, collection))
    run = suggestion_runs.start(
        f"collection-{collection.id}", compute, db.engine, review.encode_proposals
    )
    return redirect(url(".proposal_run", collection_id=collection.id, run_id=run.id))


@bp.get(f"{ONE}/themes/run/<run_id>")
@login_required
def proposal_run(collection_id: int, run_id: str):
    """The run's progress (the page asks again until it is done), then its proposals
    stored."""
    collection = do.owned(collection_id)
    run = suggestion_runs.find(
        run_id, f"collection-{collection.id}", db.engine, review.decode_proposals
    )
    if request.accept_mimetypes.best == "application/json":  # the waiting page asks
        return jsonify(i18n.run_progress(run))
    if run is None:
        flash(gettext("Those proposals are no longer here (the server restarted). Ask again."))
    elif not run.done:
        return render_template("collections/proposing.html", collection=collection, run=run)
    else:
        do.store_proposals(collection, run)
    return redirect(url(".themes", collection_id=collection.id))


@bp.post(f"{ONE}/themes/<int:regional_id>")
@login_required
def change_regional(collection_id: int, regional_id: int):
    """A proposal's or regional theme's buttons: confirm, rename, split off, reject."""
    collection, form, now = do.owned(collection_id), request.form, clock.now()
    do.checked()
    refs = review.parse_refs(form.getlist("theme"))
    operations = {
        "confirm": lambda: regional.confirm(db.session, collection, regional_id, form.get("title")),
        "rename": lambda: regional.rename(db.session, collection, regional_id, form.get("title")),
        "split": lambda: regional.split(db.session, collection, regional_id, refs, now),
        "reject": lambda: regional.reject(db.session, collection, regional_id, now),
    }
    if form.get("op") not in operations:
        abort(400, description=gettext("Unknown action."))
    anchor = "" if form.get("op") == "reject" else f"rt-{regional_id}"
    return do.act(collection, operations[form["op"]], gettext("Done."), anchor, ".themes")


@bp.post(f"{ONE}/themes/group")
@login_required
def group_themes(collection_id: int):
    """Themes in no regional theme: make one of them, or add them to one."""
    collection = do.owned(collection_id)
    do.checked()
    refs = review.parse_refs(request.form.getlist("theme"))
    known = set(review.all_themes(build.tables_of(db.session, collection)))
    target = as_id(request.form.get("target", ""))

    def work() -> None:
        if request.form.get("op") == "join":
            regional.join(db.session, collection, target, refs, known)
        else:
            title = request.form.get("title", "")
            regional.make_group(db.session, collection, refs, title, known, clock.now())

    return do.act(collection, work, gettext("Done."), "single", ".themes")


# -- settings: name, earlier round, owners, share links, deletion -------------------------


@bp.get(f"{ONE}/settings")
@login_required
def settings(collection_id: int, owner_form: OwnerForm | None = None):
    collection = do.owned(collection_id)
    return render_template(
        "collections/settings.html",
        collection=collection,
        others=store.earlier_choices(db.session, collection, current_user.id),
        owners=store.owners_of(db.session, collection),
        owner_form=owner_form or OwnerForm(),
        links=sharing.links_of(db.session, collection),
        new_link=session.pop(NEW_LINK_KEY, None),
        expiry_days=sharing.EXPIRY_DAYS,
        now=clock.now(),
        form=EmptyForm(),
    )


@bp.post(f"{ONE}/settings")
@login_required
def save_settings(collection_id: int):
    collection, form = do.owned(collection_id), request.form
    do.checked()

    def work() -> None:
        name, description = form.get("name"), form.get("description", "")
        store.update_collection(db.session, collection, name, description, clock.now())
        earlier = as_id(form["earlier"]) if form.get("earlier") else None
        store.set_earlier(db.session, collection, earlier, current_user.id)

    return do.act(collection, work, gettext("Saved."), "", ".settings")


@bp.post(f"{ONE}/owners")
@login_required
def add_owner(collection_id: int):
    collection, form = do.owned(collection_id), OwnerForm()
    if not form.validate_on_submit():
        return settings(collection.id, form), 400
    try:
        store.add_owner(db.session, collection, form.email.data)
    except ActionError as error:
        db.session.rollback()
        form.email.errors = [*form.email.errors, i18n.error_text(error)]
        return settings(collection.id, form), 400
    db.session.commit()
    flash(gettext("%(email)s is now a co-owner.", email=form.email.data))
    return redirect(url(".settings", collection_id=collection.id, _anchor="owners"))


@bp.post(f"{ONE}/owners/<int:facilitator_id>/remove")
@login_required
def remove_owner(collection_id: int, facilitator_id: int):
    collection = do.owned(collection_id)
    do.checked()

    def work() -> None:
        store.remove_owner(db.session, collection, facilitator_id)

    response = do.act(collection, work, gettext("Removed."), "owners", ".settings")
    if not store.is_owner(db.session, collection, current_user.id):
        return redirect(url(".index"))  # they removed themselves
    return response


@bp.post(f"{ONE}/delete")
@login_required
def delete(collection_id: int):
    collection = do.owned(collection_id)
    do.checked()
    if request.form.get("sure") != "1":
        flash(gettext("Check the box to confirm, then delete."))
        return redirect(url(".settings", collection_id=collection.id))
    store.delete_collection(db.session, collection)
    db.session.commit()
    flash(gettext("The collection was deleted; the sessions themselves are untouched."))
    return redirect(url(".index"))


@bp.post(f"{ONE}/share")
@login_required
def create_link(collection_id: int):
    collection = do.owned(collection_id)
    do.checked()
    token = do.create_share_link(collection)
    if token:  # shown once, on the next page: only the token's hash is stored
        session[NEW_LINK_KEY] = url(".shared_page", token=token, _external=True)
    return redirect(url(".settings", collection_id=collection.id, _anchor="sharing"))


@bp.post(f"{ONE}/share/<int:link_id>/revoke")
@login_required
def revoke_link(collection_id: int, link_id: int):
    collection = do.owned(collection_id)
    do.checked()

    def work() -> None:
        sharing.revoke(db.session, collection, link_id, clock.now())

    done = gettext("The share link no longer works.")
    return do.act(collection, work, done, "sharing", ".settings")


# -- share-link holders ---------------------------------------------------------------------


@bp.get("/shared/rollup/<token>")
def shared_page(token: str):
    rollup = do.shared_rollup(token, do.weighting())
    downloads = {f: url(".shared_download", token=token, fmt=f) for f in exports.FORMATS}
    return render_page(
        "collections/rollup.html", collection=None, rollup=rollup, downloads=downloads
    )


@bp.get("/shared/rollup/<token>/download/<fmt>")
def shared_download(token: str, fmt: str):
    return do.download(do.shared_rollup(token), fmt)


@bp.get("/api/share/rollup/<token>")
def shared_api(token: str):
    return jsonify(exports.to_dict(do.shared_rollup(token)))
