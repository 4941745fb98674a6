"""The one module that knows room names and payload shapes.

Each audience gets what it needs and no more: phones get the session state and their own
answers; facilitators get the state, every answer (with participant numbers, and names when
the agenda asked for them) and the counts; the projector gets the state and the counts.
Counts are coalesced: at most one update per `BROADCAST_INTERVAL` seconds per workshop.
"""

from __future__ import annotations

import threading
from datetime import datetime
from functools import wraps
from typing import Any

from flask import current_app
from sqlalchemy import select

from . import participants, responses, timing, workshops
from .agenda import Agenda
from .extensions import db, socketio
from .models import Participant, Response, Workshop

PARTICIPANTS, FACILITATORS, SCREENS = "participants", "facilitators", "screens"
NAMESPACES = {PARTICIPANTS: "/participant", FACILITATORS: "/facilitator", SCREENS: "/screen"}

_pending_counts: set[int] = set()
_pending_lock = threading.Lock()


def room(workshop_id: int, audience: str) -> str:
    return f"w{workshop_id}:{audience}"


def participant_room(participant_id: int) -> str:
    return f"p{participant_id}"


def epoch_ms(moment: datetime | None) -> int | None:
    return round(moment.timestamp() * 1000) if moment is not None else None


def state_payload(workshop: Workshop, now: datetime) -> dict[str, Any]:
    """Where the session is and how its timer stands, as every audience may see it."""
    agenda = workshops.agenda_of(workshop)
    timer = timing.view(workshop, agenda, now)
    segment = timing.current_segment(workshop, agenda)
    return {
        "code": workshop.code,
        "version": workshop.version,
        "status": timer.status,
        "segment": _segment_summary(segment, workshop.segment_index) if segment else None,
        "segment_count": len(agenda.segments),
        "timer": {
            "running": timer.status == "running",
            "remaining": timer.remaining_seconds,
            "ends_at": epoch_ms(timer.ends_at),
            "grace": timer.grace_seconds,
            "phase": timer.phase,
        },
        "server_now": epoch_ms(now),
    }


def _segment_summary(segment, index: int) -> dict[str, Any]:
    return {
        "index": index,
        "id": segment.id,
        "kind": segment.kind,
        "title": segment.title,
        "planned": segment.duration.planned_seconds,
        "limit": segment.duration.limit_seconds,
    }


def counts_payload(workshop_id: int) -> dict[str, Any]:
    return {
        "participants": workshops.participant_count(db.session, workshop_id),
        "responses": workshops.response_counts(db.session, workshop_id),
    }


def own_response_payload(response: Response) -> dict[str, Any]:
    return {
        "id": response.id,
        "client_id": response.client_id,
        "prompt_id": response.prompt_id,
        "text": response.text,
        "strategy_id": response.strategy_id,
    }


def facilitator_response_payload(
    response: Response, participant: Participant, agenda: Agenda
) -> dict[str, Any]:
    asks_names = any(q.id == "name" for q in agenda.join_questions)
    return {
        **own_response_payload(response),
        "segment_id": response.segment_id,
        "hidden": response.hidden,
        "deleted": response.deleted_at is not None,
        "participant": participants.display_label(participant, with_name=asks_names),
        "created_at": epoch_ms(response.created_at),
    }


def facilitator_responses(workshop: Workshop) -> list[dict[str, Any]]:
    """Every answer in the workshop as facilitators see it, oldest first."""
    agenda = workshops.agenda_of(workshop)
    query = select(Participant).where(Participant.workshop_id == workshop.id)
    by_id = {p.id: p for p in db.session.scalars(query)}
    return [
        facilitator_response_payload(response, by_id[response.participant_id], agenda)
        for response in responses.workshop_responses(db.session, workshop)
    ]


def best_effort(emitter):
    """A broadcast runs after the commit: if it fails, the write still stands and the sender
    must not be told otherwise. Clients catch up from the snapshot on their next connect."""

    @wraps(emitter)
    def wrapper(*args, **kwargs):
        try:
            emitter(*args, **kwargs)
        except Exception:  # noqa: BLE001
            current_app.logger.exception("broadcast %s failed", emitter.__name__)

    return wrapper


@best_effort
def emit_state(workshop: Workshop, now: datetime) -> None:
    payload = state_payload(workshop, now)
    for audience, namespace in NAMESPACES.items():
        socketio.emit("state", payload, to=room(workshop.id, audience), namespace=namespace)


@best_effort
def emit_response(
    workshop: Workshop, response: Response, participant: Participant, action: str
) -> None:
    """Tell facilitators about a new, changed, deleted or hidden answer; recount for the room;
    and tell the participant's other tabs or devices that their own answers changed."""
    payload = facilitator_response_payload(response, participant, workshops.agenda_of(workshop))
    socketio.emit(
        "response",
        {"action": action, "response": payload},
        to=room(workshop.id, FACILITATORS),
        namespace=NAMESPACES[FACILITATORS],
    )
    if action in ("created", "edited", "deleted"):
        socketio.emit(
            "own",
            {"action": action, "response": own_response_payload(response)},
            to=participant_room(participant.id),
            namespace=NAMESPACES[PARTICIPANTS],
        )
    counts_changed(workshop.id)


@best_effort
def counts_changed(workshop_id: int) -> None:
    """Schedule one counts update for screens and facilitators, coalescing bursts."""
    interval = current_app.config.get("BROADCAST_INTERVAL", 0.25)
    if interval <= 0:
        _emit_counts(workshop_id)
        return
    with _pending_lock:
        if workshop_id in _pending_counts:
            return
        _pending_counts.add(workshop_id)
    socketio.start_background_task(
        _flush_counts, current_app._get_current_object(), workshop_id, interval
    )


def _flush_counts(app, workshop_id: int, interval: float) -> None:
    socketio.sleep(interval)
    with _pending_lock:
        _pending_counts.discard(workshop_id)
    with app.app_context():
        try:
            _emit_counts(workshop_id)
        finally:
            db.session.remove()


def _emit_counts(workshop_id: int) -> None:
    payload = counts_payload(workshop_id)
    for audience in (FACILITATORS, SCREENS):
        socketio.emit(
            "counts", payload, to=room(workshop_id, audience), namespace=NAMESPACES[audience]
        )
