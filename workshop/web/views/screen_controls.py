"""The facilitators' controls of the projector: bring the full join screen back, put a
prompt's (or a segment's) answers on the wall. Facilitators of the session only; the
projector itself only reads."""

from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, request, url_for
from flask_babel import gettext
from flask_login import login_required

from workshop.extensions import db
from workshop.live import screen, workshops
from workshop.messages import N_, ActionError
from workshop.web import broadcast, i18n
from workshop.web.access import own_workshop
from workshop.web.forms import EmptyForm

bp = Blueprint("screen_controls", __name__, url_prefix="/facilitator/w/<int:workshop_id>/screen")


@bp.app_context_processor
def screen_choices_helper():
    """The console's projector panel reads the facilitators' current choices."""
    return {"screen_choices": lambda workshop: screen.choices(db.session, workshop.id)}


@bp.post("/")
@login_required
def choose(workshop_id: int):
    """`op` = `join` | `wall`; `shown` = `1` (show) or anything else (hide); `prompt_ids`
    (repeated) for the wall."""
    workshop = own_workshop(workshop_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    shown = request.form.get("shown") == "1"
    try:
        _apply(workshop, request.form.get("op", ""), shown, request.form.getlist("prompt_ids"))
    except ActionError as error:
        db.session.rollback()
        message = i18n.message(N_("Could not do that: {error}"), error=i18n.error_text(error))
        if wants_json:
            return jsonify({"ok": False, "error": message}), 400
        flash(message + ".")
    if wants_json:
        return jsonify({"ok": True})
    return redirect(url_for("facilitator.console", workshop_id=workshop.id, _anchor="projector"))


def _apply(workshop, op: str, shown: bool, prompt_ids: list[str]) -> None:
    if op == "join":
        screen.show_join(db.session, workshop, shown)
    elif op == "wall":
        screen.set_wall(db.session, workshop, workshops.agenda_of(workshop), prompt_ids, shown)
    else:
        raise ActionError(N_("unknown projector choice"), "invalid")
    db.session.commit()
    broadcast.emit_screen(workshop)
