"""Paper cards and paper ballots: a facilitator (or a co-facilitator helping at a table) types
in what someone without a phone wrote, on behalf of "paper participant #n"."""

from __future__ import annotations

import uuid

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import login_required
from sqlalchemy import select

from workshop import voting
from workshop.extensions import db
from workshop.ids import as_id, ids_from
from workshop.live import participants, responses, workshops
from workshop.messages import N_, ActionError
from workshop.models import Participant, Workshop
from workshop.web import actions, broadcast, i18n, payloads
from workshop.web.access import own_workshop
from workshop.web.forms import EmptyForm

bp = Blueprint("paper", __name__, url_prefix="/facilitator/w/<int:workshop_id>/paper")


def paper_participants(workshop: Workshop) -> list[Participant]:
    query = select(Participant).where(
        Participant.workshop_id == workshop.id, Participant.is_paper.is_(True)
    )
    return list(db.session.scalars(query.order_by(Participant.number)))


@bp.get("/")
@login_required
def show(workshop_id: int):
    workshop = own_workshop(workshop_id)
    agenda = workshops.agenda_of(workshop, i18n.current_language())  # for display only
    people = paper_participants(workshop)
    vote = payloads.vote_payload(workshop, broadcast.FACILITATORS)["round"]
    ballots = {}
    if vote:
        vote_round = voting.get_round(db.session, workshop, vote["id"])
        for person in people:
            ballot = voting.ballot_of(db.session, vote_round, person)
            ballots[person.id] = voting.ballot_picks(db.session, ballot) if ballot else []
    answers = {p.id: [r for r in responses.own_responses(db.session, p)] for p in people}
    return render_template(
        "facilitator/paper.html",
        workshop=workshop,
        agenda=agenda,
        people=people,
        answers=answers,
        vote=vote,
        ballots=ballots,
        role_question=next((q for q in agenda.join_questions if q.kind == "choice"), None),
        uuid=lambda: uuid.uuid4().hex,
        form=EmptyForm(),
    )


def _checked(workshop_id: int) -> Workshop:
    workshop = own_workshop(workshop_id)
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    return workshop


def _paper_person(workshop: Workshop, participant_id: int) -> Participant:
    person = db.session.get(Participant, participant_id)
    if person is None or person.workshop_id != workshop.id or not person.is_paper:
        abort(404, description=gettext("No such paper participant in this session."))
    return person


def _not_saved(template: str, person: Participant, error: ActionError) -> str:
    return i18n.message(template, number=person.number, error=i18n.error_text(error))


def _back(workshop: Workshop, anchor: str = ""):
    return redirect(url_for("paper.show", workshop_id=workshop.id, _anchor=anchor or None))


@bp.post("/")
@login_required
def add(workshop_id: int):
    workshop = _checked(workshop_id)
    try:
        person = participants.add_paper_participant(
            db.session, workshop, workshops.agenda_of(workshop), request.form.get("role") or None
        )
        db.session.commit()
    except ActionError as error:
        db.session.rollback()
        flash(
            gettext("Could not add a paper participant: %(error)s.", error=i18n.error_text(error))
        )
        return _back(workshop)
    broadcast.counts_changed(workshop.id)
    flash(gettext("Added paper participant #%(number)s.", number=person.number))
    return _back(workshop, f"paper-{person.id}")


@bp.post("/<int:participant_id>/answers")
@login_required
def answer(workshop_id: int, participant_id: int):
    workshop = _checked(workshop_id)
    person = _paper_person(workshop, participant_id)
    submission = responses.Submission(
        prompt_id=request.form.get("prompt_id", ""),
        text=request.form.get("text", ""),
        client_id=request.form.get("client_id") or uuid.uuid4().hex,
        strategy_id=request.form.get("strategy_id") or None,
    )
    try:
        actions.respond(workshop, person, submission)
    except ActionError as error:
        db.session.rollback()
        flash(
            _not_saved(
                N_("Paper participant #{number}: the answer was not saved: {error}."), person, error
            )
        )
    return _back(workshop, f"paper-{person.id}")


@bp.post("/<int:participant_id>/ballot")
@login_required
def ballot(workshop_id: int, participant_id: int):
    workshop = _checked(workshop_id)
    person = _paper_person(workshop, participant_id)
    picks = ids_from(request.form.get(f"pick-{n}", "") for n in range(1, 11))
    picks += ids_from(request.form.getlist("pick"))
    round_id = request.form.get("round_id", "")
    try:
        actions.cast_ballot(
            workshop.id,
            person.id,
            as_id(round_id),
            picks,
            uuid.uuid4().hex,
        )
    except ActionError as error:
        db.session.rollback()
        flash(
            _not_saved(
                N_("Paper participant #{number}: the ballot was not saved: {error}."), person, error
            )
        )
        return _back(workshop, f"paper-{person.id}")
    flash(gettext("Paper participant #%(number)s's ballot is in.", number=person.number))
    return _back(workshop, f"paper-{person.id}")
