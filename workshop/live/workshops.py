"""Live workshops: starting one from an agenda, finding it, running its timer, counting.

Domain functions add and flush; the caller (a view or socket handler) commits.
"""

from __future__ import annotations

import json
import re
import secrets
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from workshop.agenda.model import Agenda
from workshop.agenda.parse import agenda_to_dict, parse_agenda
from workshop.live import timing
from workshop.messages import N_, ActionError
from workshop.models import (
    Facilitator,
    Participant,
    Response,
    SegmentRun,
    VoteRound,
    Workshop,
    WorkshopFacilitator,
)

# Easy to read aloud and type on a phone: no 0/O, 1/I/L.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str:
    """What a person typed → a code: case, spaces and dashes do not matter."""
    return re.sub(r"[\s\-]", "", text or "").upper()[: CODE_LENGTH * 2]


def start_workshop(db: Session, owner: Facilitator, agenda: Agenda) -> Workshop:
    """Create a live session from an agenda; it keeps its own copy of the agenda."""
    snapshot = json.dumps(agenda_to_dict(agenda), ensure_ascii=False, sort_keys=True)
    for _ in range(10):
        workshop = Workshop(
            code=new_join_code(),
            projector_token=secrets.token_urlsafe(24),
            title=agenda.title,
            agenda_id=agenda.id,
            agenda_json=snapshot,
            owner_id=owner.id,
            segment_index=-1,
            timer_running=False,
            extra_seconds=0,
        )
        try:
            with db.begin_nested():
                db.add(workshop)
                db.flush()
        except IntegrityError:  # the code was taken: draw another
            continue
        db.add(WorkshopFacilitator(workshop_id=workshop.id, facilitator_id=owner.id))
        db.flush()
        return workshop
    raise ActionError(N_("could not find a free join code; try again"), "busy")


_agendas: dict[tuple[int, str, str], Agenda] = {}


def agenda_of(workshop: Workshop, lang: str = "") -> Agenda:
    """A workshop's agenda snapshot never changes, so it is parsed once per process (keyed by
    the workshop and its creation time, which no other workshop shares). With `lang`, the
    agenda as a reader of that language sees it (`Agenda.localized`), kept the same way."""
    key = (workshop.id, workshop.created_at.isoformat(), lang)
    agenda = _agendas.get(key)
    if agenda is None:
        if len(_agendas) > 256:
            _agendas.clear()
        agenda = (
            agenda_of(workshop).localized(lang)
            if lang
            else parse_agenda(json.loads(workshop.agenda_json))
        )
        _agendas[key] = agenda
    return agenda


def find_by_code(db: Session, code: str) -> Workshop | None:
    normalized = normalize_code(code)
    if len(normalized) != CODE_LENGTH:
        return None
    return db.scalars(select(Workshop).where(Workshop.code == normalized)).first()


def find_by_projector_token(db: Session, token: str) -> Workshop | None:
    if not token or len(token) > 64:
        return None
    return db.scalars(select(Workshop).where(Workshop.projector_token == token)).first()


def is_facilitator_of(db: Session, workshop: Workshop, facilitator_id: int | None) -> bool:
    if facilitator_id is None:
        return False
    query = select(WorkshopFacilitator).where(
        WorkshopFacilitator.workshop_id == workshop.id,
        WorkshopFacilitator.facilitator_id == facilitator_id,
    )
    return db.scalars(query).first() is not None


def workshops_of(db: Session, facilitator_id: int) -> list[Workshop]:
    query = (
        select(Workshop)
        .join(WorkshopFacilitator)
        .where(WorkshopFacilitator.facilitator_id == facilitator_id)
        .order_by(Workshop.created_at.desc())
    )
    return list(db.scalars(query))


def control(
    db: Session, workshop: Workshop, action: str, now: datetime, seconds: float = 0
) -> None:
    """Apply a facilitator's timer control and record when segments actually ran."""
    agenda = agenda_of(workshop)
    try:
        new_runs = timing.apply_control(workshop, agenda, action, now, seconds=seconds)
    except timing.TimerError as error:
        raise ActionError(error.template, "state", **error.params) from None
    if new_runs or action == "end":
        db.execute(
            update(SegmentRun)
            .where(SegmentRun.workshop_id == workshop.id, SegmentRun.ended_at.is_(None))
            .values(ended_at=now)
        )
    if action == "end":  # an ended session takes no more ballots
        db.execute(
            update(VoteRound)
            .where(VoteRound.workshop_id == workshop.id, VoteRound.is_open.is_(True))
            .values(is_open=False, closed_at=now)
        )
    db.add_all(new_runs)
    db.flush()


def advance_if_due(db: Session, workshop: Workshop, now: datetime) -> bool:
    """Move past a segment marked `auto_advance` once its time is up (or end at the last)."""
    agenda = agenda_of(workshop)
    if not timing.due_for_auto_advance(workshop, agenda, now):
        return False
    last = workshop.segment_index >= len(agenda.segments) - 1
    control(db, workshop, "end" if last else "next", now)
    return True


def participant_count(db: Session, workshop_id: int) -> int:
    query = (
        select(func.count()).select_from(Participant).where(Participant.workshop_id == workshop_id)
    )
    return db.scalar(query) or 0


def response_counts(db: Session, workshop_id: int) -> dict[str, int]:
    """Visible responses per prompt id (hidden and deleted ones are not the room's)."""
    query = (
        select(Response.prompt_id, func.count())
        .where(
            Response.workshop_id == workshop_id,
            Response.deleted_at.is_(None),
            Response.hidden.is_(False),
        )
        .group_by(Response.prompt_id)
    )
    return {prompt_id: count for prompt_id, count in db.execute(query)}
