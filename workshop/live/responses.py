"""Responses to prompts: submit (idempotent by client id), edit, delete, hide."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, insert, or_, select
from sqlalchemy.orm import Session

from workshop.agenda.model import Agenda, Prompt, Segment
from workshop.ids import as_id, is_id
from workshop.live import timing
from workshop.messages import N_, ActionError
from workshop.models import Participant, Response, Workshop

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")  # whole value: fullmatch (`$` allows a \n)


@dataclass(frozen=True)
class Submission:
    prompt_id: str
    text: str
    client_id: str
    strategy_id: str | None = None


def open_prompt(workshop: Workshop, agenda: Agenda, prompt_id: str) -> tuple[Segment, Prompt]:
    """The prompt, if it belongs to the segment on screen now; otherwise it is closed."""
    if workshop.ended_at is not None:
        raise ActionError(N_("this session has ended"), "closed")
    segment = timing.current_segment(workshop, agenda)
    prompt = next((p for p in segment.prompts if p.id == prompt_id), None) if segment else None
    if prompt is None:
        exists = agenda.prompt(prompt_id) is not None
        raise ActionError(
            N_("this question is closed") if exists else N_("no such question"), "closed"
        )
    return segment, prompt


def any_prompt(workshop: Workshop, agenda: Agenda, prompt_id: object) -> tuple[Segment, Prompt]:
    """Any question of the agenda, while the session has not ended (for paper cards)."""
    if workshop.ended_at is not None:
        raise ActionError(N_("this session has ended"), "closed")
    for segment, prompt in agenda.prompts():
        if prompt.id == prompt_id:
            return segment, prompt
    raise ActionError(N_("no such question"), "closed")


def clean_text(text: object, prompt: Prompt) -> str:
    if not isinstance(text, str) or not text.strip():
        raise ActionError(N_("write something first"), "empty")
    text = text.strip()
    if len(text) > prompt.max_length:
        raise ActionError(
            N_("too long: at most {limit} characters"), "too_long", limit=prompt.max_length
        )
    return text


def clean_strategy(strategy_id: object, segment: Segment, agenda: Agenda) -> str | None:
    if strategy_id in (None, ""):
        return None
    framework = agenda.framework(segment.framework) if segment.framework else None
    if (
        not isinstance(strategy_id, str)
        or framework is None
        or framework.strategy(strategy_id) is None
    ):
        raise ActionError(N_("no such strategy in this plan"), "strategy")
    return strategy_id


# The answer path's statements, built once: a room sends a hundred answers a second, and
# building a statement anew or inserting through the ORM's unit of work cost more CPU than
# SQLite's own work. The inserted answer comes back as a plain `Response` (not in the session)
# holding what was stored, for the acknowledgement and the broadcasts.
_NEW_RESPONSE = insert(Response).returning(Response.id)
_OWN_FOR = select(Response).where(
    Response.participant_id == bindparam("participant_id"),
    or_(
        Response.client_id == bindparam("own_client_id"), Response.prompt_id == bindparam("prompt")
    ),
)


def submit(
    db: Session,
    workshop: Workshop,
    agenda: Agenda,
    participant: Participant,
    submission: Submission,
    now: datetime,
) -> tuple[Response, bool]:
    """Store a response. A resend with the same client id returns the stored one, not a copy."""
    if not isinstance(submission.client_id, str) or not CLIENT_ID.fullmatch(submission.client_id):
        raise ActionError(N_("missing or malformed client id"), "client_id")
    own = _own_for(db, participant, submission)
    existing = next((r for r in own if r.client_id == submission.client_id), None)
    if existing is not None:
        return existing, False
    if participant.is_paper:  # cards are typed in when there is time, not only while on screen
        segment, prompt = any_prompt(workshop, agenda, submission.prompt_id)
    else:
        segment, prompt = open_prompt(workshop, agenda, submission.prompt_id)
    text = clean_text(submission.text, prompt)
    strategy_id = clean_strategy(submission.strategy_id, segment, agenda)
    answered = sum(1 for r in own if r.prompt_id == prompt.id and r.deleted_at is None)
    if answered >= prompt.max_responses:
        raise ActionError(
            N_("you have given {limit} answers to this question already"),
            "limit",
            limit=prompt.max_responses,
        )
    values = {
        "workshop_id": workshop.id,
        "participant_id": participant.id,
        "client_id": submission.client_id,
        "segment_id": segment.id,
        "prompt_id": prompt.id,
        "text": text,
        "strategy_id": strategy_id,
        "hidden": False,
        "created_at": now,
        "updated_at": now,
    }
    # A concurrent resend trips the unique (participant, client id): the caller retries.
    response_id = db.connection().execute(_NEW_RESPONSE, values).scalar_one()
    return Response(id=response_id, **values), True


def _own_for(db: Session, participant: Participant, submission: Submission) -> list[Response]:
    """The participant's answer with the submission's client id, if any, and their answers to
    its prompt: what a submission is checked against, in one query (built once) on the room's
    busiest path."""
    prompt_id = submission.prompt_id if isinstance(submission.prompt_id, str) else ""
    params = {
        "participant_id": participant.id,
        "own_client_id": submission.client_id,
        "prompt": prompt_id,
    }
    return list(db.scalars(_OWN_FOR, params))


def own_response(db: Session, participant: Participant, response_id: object) -> Response:
    response_id = as_id(response_id)  # the forms send text, the socket a number
    if response_id is None:
        raise ActionError(N_("no such answer"), "not_found")
    response = db.get(Response, response_id)
    if (
        response is None
        or response.participant_id != participant.id
        or response.deleted_at is not None
    ):
        raise ActionError(N_("no such answer"), "not_found")
    return response


def edit(
    db: Session,
    workshop: Workshop,
    agenda: Agenda,
    participant: Participant,
    response_id: object,
    text: object,
    strategy_id: object,
    now: datetime,
) -> Response:
    response = own_response(db, participant, response_id)
    segment, prompt = open_prompt(workshop, agenda, response.prompt_id)
    response.text = clean_text(text, prompt)
    response.strategy_id = clean_strategy(strategy_id, segment, agenda)
    response.updated_at = now
    db.flush()
    return response


def delete(
    db: Session,
    workshop: Workshop,
    agenda: Agenda,
    participant: Participant,
    response_id: object,
    now: datetime,
) -> Response:
    response = own_response(db, participant, response_id)
    open_prompt(workshop, agenda, response.prompt_id)
    response.deleted_at = now
    response.updated_at = now
    db.flush()
    return response


def set_hidden(
    db: Session, workshop: Workshop, response_id: object, hidden: bool, now: datetime
) -> Response:
    """A facilitator hides an inappropriate answer: kept and flagged, out of the room's view."""
    response = db.get(Response, response_id) if is_id(response_id) else None
    if response is None or response.workshop_id != workshop.id or response.deleted_at is not None:
        raise ActionError(N_("no such answer"), "not_found")
    response.hidden = bool(hidden)
    if response.hidden:
        response.theme_id = None  # hidden answers stay out of themes
    response.updated_at = now
    db.flush()
    return response


def own_responses(db: Session, participant: Participant) -> list[Response]:
    query = (
        select(Response)
        .where(Response.participant_id == participant.id, Response.deleted_at.is_(None))
        .order_by(Response.created_at, Response.id)
    )
    return list(db.scalars(query))
