"""Facilitator pages: the agenda library, starting a session, and its console."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required

from workshop import clock, themes
from workshop.agenda.library import current_library, find_agenda
from workshop.agenda.model import Agenda
from workshop.extensions import db
from workshop.ids import as_id, ids_from
from workshop.live import timing, workshops
from workshop.messages import N_, ActionError
from workshop.models import Workshop
from workshop.web import actions, broadcast, i18n, payloads
from workshop.web.access import join_url, own_workshop
from workshop.web.facilitator_turns import takes_turn
from workshop.web.forms import EmptyForm
from workshop.web.rendering import render_page

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")
EXTEND_CHOICES = {"60": 60, "300": 300}


@bp.get("/")
@login_required
def dashboard():
    library = current_library(current_app, reload=True)
    running = workshops.workshops_of(db.session, current_user.id)
    lang = i18n.current_language()
    return render_template(
        "facilitator/dashboard.html",
        library=library,
        shared_agendas=[agenda.localized(lang) for agenda in library.agendas.values()],
        workshops=running,
        form=EmptyForm(),
    )


def _agenda_or_404(agenda_id: str) -> Agenda:
    """An agenda this facilitator may use: from the shared library or their own."""
    agenda = find_agenda(current_app, agenda_id, db.session, current_user.id)
    if agenda is None:
        abort(404, description=gettext("No agenda with that id in the library."))
    return agenda


@bp.get("/agendas/<agenda_id>")
@login_required
def agenda_detail(agenda_id: str):
    agenda = _agenda_or_404(agenda_id).localized(i18n.current_language())  # for display only
    return render_template("facilitator/agenda.html", agenda=agenda, form=EmptyForm())


@bp.post("/agendas/<agenda_id>/start")
@login_required
def start(agenda_id: str):
    agenda = _agenda_or_404(agenda_id)
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    workshop = workshops.start_workshop(db.session, current_user, agenda)
    db.session.commit()
    return redirect(url_for("facilitator.console", workshop_id=workshop.id))


@bp.get("/w/<int:workshop_id>")
@login_required
@takes_turn
def console(workshop_id: int):
    workshop = own_workshop(workshop_id)
    actions.refresh(workshop)
    agenda = workshops.agenda_of(workshop, i18n.current_language())  # for display only
    by_prompt: dict[str, list[dict]] = {}
    for item in payloads.facilitator_responses(workshop):
        by_prompt.setdefault(item["prompt_id"], []).append(item)
    state = payloads.state_payload(workshop, clock.now())
    return render_page(
        "facilitator/console.html",
        workshop=workshop,
        agenda=agenda,
        state=state,
        controls=timing.enabled_controls(
            state["status"], workshop.segment_index, state["segment_count"]
        ),
        counts=payloads.counts_payload(workshop.id),
        by_prompt=by_prompt,
        strategies={s.id: s.name for f in agenda.frameworks for s in f.strategies()},
        join_url=join_url(workshop),
        hide_url_prefix=hide_url_prefix(workshop),
        **{
            k: v
            for k, v in vote_context(workshop).items()
            if k not in ("workshop", "agenda", "form")
        },
        form=EmptyForm(),
    )


@bp.post("/w/<int:workshop_id>/control")
@login_required
@takes_turn
def control(workshop_id: int):
    workshop = own_workshop(workshop_id)
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    if request.form.get("action") == "confirm-end":  # the End button asks first
        return redirect(url_for("facilitator.confirm_end", workshop_id=workshop.id))
    action, _, amount = request.form.get("action", "").partition("-")
    seconds = EXTEND_CHOICES.get(amount, 0)
    try:
        actions.control(workshop, action, seconds)
    except ActionError as error:
        db.session.rollback()
        flash(control_failed(action, error) + ".")
    return redirect(url_for("facilitator.console", workshop_id=workshop.id))


@bp.get("/w/<int:workshop_id>/end")
@login_required
def confirm_end(workshop_id: int):
    """Ending asks first (the console opens the same form in a dialog when it can)."""
    workshop = own_workshop(workshop_id)
    return render_template("facilitator/end.html", workshop=workshop, form=EmptyForm())


@bp.post("/w/<int:workshop_id>/responses/<int:response_id>/hide")
@login_required
def hide_response(workshop_id: int, response_id: int):
    workshop = own_workshop(workshop_id)
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    try:
        actions.hide_response(workshop, response_id, request.form.get("hidden", "1") == "1")
    except ActionError as error:
        db.session.rollback()
        flash(i18n.error_text(error))
    return redirect(url_for("facilitator.console", workshop_id=workshop.id, _anchor="responses"))


def hide_url_prefix(workshop: Workshop) -> str:
    """Where an answer's hide form posts, up to its number: the console lists thousands of
    answers, and url_for for each one took a tenth of the page's time."""
    sample = url_for("facilitator.hide_response", workshop_id=workshop.id, response_id=0)
    return sample.removesuffix("0/hide")


def control_failed(action: str, error: ActionError) -> str:
    template = i18n.CONTROL_FAILED.get(action, N_("Could not do that: {error}"))
    return i18n.message(template, error=i18n.error_text(error))


def vote_context(workshop: Workshop) -> dict:
    """The console's voting panel: the latest round with its full tally, and the themes."""
    agenda = workshops.agenda_of(workshop, i18n.current_language())  # for display only
    segment = timing.current_segment(workshop, agenda)
    payload = payloads.named_for_reader(  # themes by their Spanish titles in Spanish, as phones
        payloads.vote_payload(workshop, broadcast.FACILITATORS), agenda, i18n.current_language()
    )
    return {
        "workshop": workshop,
        "agenda": agenda,
        "segment": segment,
        "vote": payload["round"],
        "tally": payload.get("tally"),
        "themes": themes.summaries(db.session, workshop),
        "form": EmptyForm(),
    }


@bp.get("/w/<int:workshop_id>/vote")
@login_required
@takes_turn
def vote_panel(workshop_id: int):
    return render_template(
        "facilitator/_vote_panel.html", **vote_context(own_workshop(workshop_id))
    )


@bp.post("/w/<int:workshop_id>/vote")
@login_required
@takes_turn
def vote(workshop_id: int):
    """Open, close, reopen a vote, hide or show its tally, or run a second round."""
    workshop = own_workshop(workshop_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    op = request.form.get("op", "")
    data = {
        "source": request.form.get("source", "themes"),
        "round_id": _number(request.form.get("round_id")),
        "hidden": request.form.get("hidden") == "1",
        "top": _number(request.form.get("top")) or 3,
    }
    if request.form.get("source") == "chosen":
        chosen = ids_from(request.form.getlist("theme_ids"))
        if not chosen:
            return _vote_refused(wants_json, gettext("tick at least one theme to vote on"))
        data.update(source="themes", theme_ids=chosen)
    try:
        actions.vote(workshop, op, data)
    except ActionError as error:
        db.session.rollback()
        if wants_json:
            return jsonify({"ok": False, "error": i18n.error_text(error)}), 400
        flash(i18n.message(N_("Could not do that: {error}"), error=i18n.error_text(error)) + ".")
    if wants_json:
        return jsonify({"ok": True})
    return redirect(url_for("facilitator.console", workshop_id=workshop.id, _anchor="voting"))


def _vote_refused(wants_json: bool, message: str):
    if wants_json:
        return jsonify({"ok": False, "error": message}), 400
    flash(i18n.message(N_("Could not do that: {error}"), error=message) + ".")
    workshop_id = request.view_args["workshop_id"]
    return redirect(url_for("facilitator.console", workshop_id=workshop_id, _anchor="voting"))


def _number(value: str | None) -> int | None:
    return as_id(value) if value else None
