"""The write path shared by HTTP views and socket handlers: domain call, commit, broadcast.

A reply (HTTP redirect or socket acknowledgement) is sent only after the commit, so anything
acknowledged is stored."""

from __future__ import annotations

from sqlalchemy.orm.exc import StaleDataError

from . import broadcast, clock, responses, timing, workshops
from .extensions import db, socketio
from .models import Participant, Response, Workshop
from .workshops import ActionError


def control(workshop: Workshop, action: str, seconds: float = 0) -> None:
    now = clock.now()
    try:
        workshops.control(db.session, workshop, action, now, seconds)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ActionError(
            "another facilitator changed the session at the same moment; check and try again",
            "conflict",
        ) from None
    broadcast.emit_state(workshop, now)
    schedule_auto_advance(workshop)


def refresh(workshop: Workshop) -> None:
    """Catch up on an `auto_advance` segment whose time ran out (e.g. while the server was down)."""
    now = clock.now()
    try:
        advanced = workshops.advance_if_due(db.session, workshop, now)
        if advanced:
            db.session.commit()
    except StaleDataError:  # someone else advanced it first
        db.session.rollback()
        db.session.refresh(workshop)
        return
    if advanced:
        broadcast.emit_state(workshop, now)
        schedule_auto_advance(workshop)


def schedule_auto_advance(workshop: Workshop) -> None:
    """One sleeping task per auto-advancing segment: not a per-second loop."""
    agenda = workshops.agenda_of(workshop)
    segment = timing.current_segment(workshop, agenda)
    if segment is None or not segment.auto_advance or not workshop.timer_running:
        return
    from flask import current_app

    delay = max((workshop.ends_at - clock.now()).total_seconds(), 0) + 0.05
    socketio.start_background_task(
        _advance_later, current_app._get_current_object(), workshop.id, delay
    )


def _advance_later(app, workshop_id: int, delay: float) -> None:
    socketio.sleep(delay)
    with app.app_context():
        try:
            workshop = db.session.get(Workshop, workshop_id)
            if workshop is not None:
                refresh(workshop)
        finally:
            db.session.remove()


def respond(
    workshop: Workshop, participant: Participant, submission: responses.Submission
) -> tuple[Response, bool]:
    agenda = workshops.agenda_of(workshop)
    response, created = responses.submit(
        db.session, workshop, agenda, participant, submission, clock.now()
    )
    db.session.commit()
    if created:
        broadcast.emit_response(workshop, response, participant, "created")
    return response, created


def edit_response(
    workshop: Workshop, participant: Participant, response_id, text, strategy_id
) -> Response:
    agenda = workshops.agenda_of(workshop)
    response = responses.edit(
        db.session, workshop, agenda, participant, response_id, text, strategy_id, clock.now()
    )
    db.session.commit()
    broadcast.emit_response(workshop, response, participant, "edited")
    return response


def delete_response(workshop: Workshop, participant: Participant, response_id) -> Response:
    agenda = workshops.agenda_of(workshop)
    response = responses.delete(db.session, workshop, agenda, participant, response_id, clock.now())
    db.session.commit()
    broadcast.emit_response(workshop, response, participant, "deleted")
    return response


def hide_response(workshop: Workshop, response_id, hidden: bool) -> Response:
    response = responses.set_hidden(db.session, workshop, response_id, hidden, clock.now())
    db.session.commit()
    participant = db.session.get(Participant, response.participant_id)
    broadcast.emit_response(workshop, response, participant, "hidden" if hidden else "shown")
    return response
