"""Results: the page, downloads and JSON API, for a workshop's facilitators and for holders of a
share link; and the share links themselves.

A share link opens one workshop's results read-only, and nothing else: its token is checked
on each of its own routes only, and it sets no cookie. Facilitator routes need the sign-in and
a workshop of theirs, as the console does.
"""

from __future__ import annotations

from datetime import UTC, datetime
from urllib.parse import quote

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    request,
    session,
    url_for,
)
from flask_babel import format_date, format_time, gettext
from flask_login import current_user, login_required

from workshop import clock
from workshop.extensions import db
from workshop.messages import N_, ActionError
from workshop.models import Workshop
from workshop.results import exports, sharing
from workshop.results.build import build_results
from workshop.results.model import FACILITATOR, SHARED, Results
from workshop.web import i18n
from workshop.web.access import join_url, own_workshop
from workshop.web.forms import EmptyForm
from workshop.web.rendering import render_page

bp = Blueprint("results", __name__)
NEW_LINK_KEY = "new_share_link"
INVALID_LINK = N_("This share link does not work: it may have expired or been revoked.")
RENDERERS = exports.RENDERERS


@bp.app_template_filter("utc_time")
def utc_time(moment: datetime | None, date_only: bool = False) -> str:
    """A moment in UTC, written the reader's way: "Nov 22, 2026, 3:31 AM UTC" in English,
    "22 nov 2026, 3:31 UTC" in Spanish."""
    if moment is None:
        return ""
    moment = moment.astimezone(UTC)
    if date_only:
        return format_date(moment, "long")
    return gettext(
        "%(date)s, %(time)s UTC",
        date=format_date(moment, "medium"),
        time=format_time(moment, "short"),
    )


def _results(workshop: Workshop, audience: str, *, page: bool = False) -> Results:
    """Results for a download in the agenda's own words, or for a page in the reader's."""
    lang = i18n.current_language() if page else ""
    return build_results(db.session, workshop, clock.now(), audience, lang)


def _download(workshop: Workshop, audience: str, fmt: str):
    if fmt not in RENDERERS:
        abort(404, description=gettext("No download in that format."))
    if fmt == "pdf":  # the printable report reads like the page it is downloaded from
        results = _results(workshop, audience, page=True)
        body = exports.to_pdf(results, i18n.language())
    else:
        results = _results(workshop, audience)
        body = RENDERERS[fmt](results)
    response = current_app.response_class(body, mimetype=exports.FORMATS[fmt][0])
    response.headers["Content-Disposition"] = attachment(
        exports.filename(results, fmt), exports.filename(results, fmt, ascii_only=False)
    )
    return response


def attachment(ascii_name: str, full_name: str) -> str:
    """A download's Content-Disposition: an ASCII `filename` every browser reads, and the
    title in its own letters as `filename*` (RFC 6266) when it has other ones."""
    value = f'attachment; filename="{ascii_name}"'
    if full_name != ascii_name:
        value += f"; filename*=UTF-8''{quote(full_name, safe='')}"
    return value


# -- facilitators ---------------------------------------------------------------------------


@bp.get("/facilitator/w/<int:workshop_id>/results")
@login_required
def page(workshop_id: int):
    workshop = own_workshop(workshop_id)
    return render_page(
        "results/page.html",
        results=_results(workshop, FACILITATOR, page=True),
        downloads={
            fmt: url_for(".download", workshop_id=workshop.id, fmt=fmt) for fmt in RENDERERS
        },
        links=sharing.links_of(db.session, workshop),
        new_link=session.pop(NEW_LINK_KEY, None),
        now=clock.now(),
        expiry_days=sharing.EXPIRY_DAYS,
        form=EmptyForm(),
    )


@bp.get("/facilitator/w/<int:workshop_id>/results/download/<fmt>")
@login_required
def download(workshop_id: int, fmt: str):
    return _download(own_workshop(workshop_id), FACILITATOR, fmt)


@bp.get("/api/workshops/<int:workshop_id>/results")
def api(workshop_id: int):
    """For scripts: a 401 instead of the sign-in page's redirect."""
    if not current_user.is_authenticated:
        abort(
            401,
            description=gettext("Sign in as a facilitator of this session, or use a share link."),
        )
    return jsonify(exports.to_dict(_results(own_workshop(workshop_id), FACILITATOR)))


@bp.get("/api/workshops/<int:workshop_id>/links")
def links_api(workshop_id: int):
    """For scripts: the addresses a facilitator hands out (join, projector) and the session's
    share links with the ids a revoke needs (their tokens are not stored, so not listed)."""
    if not current_user.is_authenticated:
        abort(
            401,
            description=gettext("Sign in as a facilitator of this session, or use a share link."),
        )
    workshop = own_workshop(workshop_id)
    now = clock.now()
    return jsonify(
        {
            "join": {"code": workshop.code, "url": join_url(workshop)},
            "projector": {
                "token": workshop.projector_token,
                "url": url_for("screen.projector", token=workshop.projector_token, _external=True),
            },
            "share_links": [
                _share_link(workshop, link, now) for link in sharing.links_of(db.session, workshop)
            ],
        }
    )


def _share_link(workshop: Workshop, link, now: datetime) -> dict:
    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value is not None else None

    return {
        "id": link.id,
        "label": link.label,
        "created_at": moment(link.created_at),
        "expires_at": moment(link.expires_at),
        "revoked_at": moment(link.revoked_at),
        "active": sharing.is_active(link, now),
        "revoke_url": url_for(".revoke_link", workshop_id=workshop.id, link_id=link.id),
    }


@bp.post("/facilitator/w/<int:workshop_id>/results/share")
@login_required
def create_link(workshop_id: int):
    workshop = own_workshop(workshop_id)
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    days = request.form.get("expires_in_days", "")
    try:
        _, token = sharing.create_link(
            db.session,
            workshop,
            current_user.id,
            clock.now(),
            int(days) if days.isascii() and days.isdecimal() and len(days) <= 6 else -1,
            request.form.get("label", ""),
        )
    except ActionError as error:
        db.session.rollback()
        flash(gettext("Could not create the link: %(error)s.", error=i18n.error_text(error)))
        return redirect(url_for(".page", workshop_id=workshop.id, _anchor="sharing"))
    db.session.commit()
    # Shown once, on the next page: only the token's hash is stored.
    session[NEW_LINK_KEY] = url_for(".shared_page", token=token, _external=True)
    return redirect(url_for(".page", workshop_id=workshop.id, _anchor="sharing"))


@bp.post("/facilitator/w/<int:workshop_id>/results/share/<int:link_id>/revoke")
@login_required
def revoke_link(workshop_id: int, link_id: int):
    workshop = own_workshop(workshop_id)
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    try:
        sharing.revoke(db.session, workshop, link_id, clock.now())
        db.session.commit()
        flash(gettext("The share link no longer works."))
    except ActionError as error:
        db.session.rollback()
        flash(gettext("Could not revoke the link: %(error)s.", error=i18n.error_text(error)))
    return redirect(url_for(".page", workshop_id=workshop.id, _anchor="sharing"))


# -- share-link holders ---------------------------------------------------------------------


def _shared_workshop(token: str) -> Workshop:
    link = sharing.find_active(db.session, token, clock.now())
    if link is None:
        abort(404, description=gettext(INVALID_LINK))
    return db.session.get(Workshop, link.workshop_id)


def _shared_results(token: str, *, page: bool = False) -> Results:
    return _results(_shared_workshop(token), SHARED, page=page)


@bp.after_request
def private(response):
    """Results are not for caches or search engines, and a share link must not leak to other
    sites through the Referer header."""
    if request.path.startswith(("/shared/", "/api/share/")):
        response.headers["Referrer-Policy"] = "no-referrer"
        response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/shared/<token>")
def shared_page(token: str):
    return render_page(
        "results/page.html",
        results=_shared_results(token, page=True),
        downloads={fmt: url_for(".shared_download", token=token, fmt=fmt) for fmt in RENDERERS},
    )


@bp.get("/shared/<token>/download/<fmt>")
def shared_download(token: str, fmt: str):
    return _download(_shared_workshop(token), SHARED, fmt)


@bp.get("/api/share/<token>/results")
def shared_api(token: str):
    return jsonify(exports.to_dict(_shared_results(token)))
