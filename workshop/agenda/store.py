"""Facilitators' own agendas: stored as TOML text, one row per agenda, ids unique per owner.

Domain functions take a SQLAlchemy session and `now`; they add and flush, the caller commits.
An agenda is always validated (`parse_agenda`) before it is stored, and stored as the text
`agenda_toml.to_toml` writes, so a saved agenda downloads as a file `workshop check` accepts.
"""

from __future__ import annotations

import tomllib
from dataclasses import replace
from datetime import datetime
from functools import lru_cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.agenda.model import Agenda, AgendaError, Duration, Prompt, Segment, VoteSettings
from workshop.agenda.parse import parse_agenda
from workshop.agenda.toml_writer import to_toml
from workshop.messages import N_, Message
from workshop.models import SavedAgenda

MAX_SAVED_PER_FACILITATOR = 200
ID_LENGTH = 64


@lru_cache(maxsize=256)
def _parse(toml_text: str) -> Agenda:
    return parse_agenda(tomllib.loads(toml_text))


def agenda_of(saved: SavedAgenda) -> Agenda:
    """The stored agenda; it was valid when stored, so it parses (cached by its text)."""
    return _parse(saved.toml_text)


def saved_agendas(db: Session, owner_id: int) -> list[SavedAgenda]:
    query = select(SavedAgenda).where(SavedAgenda.owner_id == owner_id)
    return list(db.scalars(query.order_by(SavedAgenda.updated_at.desc(), SavedAgenda.id)))


def find_saved(db: Session, owner_id: int | None, agenda_id: str) -> SavedAgenda | None:
    """One of this facilitator's agendas; another facilitator's is never found."""
    if owner_id is None:
        return None
    query = select(SavedAgenda).where(
        SavedAgenda.owner_id == owner_id, SavedAgenda.agenda_id == agenda_id
    )
    return db.scalars(query).first()


def unique_id(base: str, taken: set[str]) -> str:
    """`base`, or `base-2`, `base-3`… : the first id not in `taken`, at most 64 characters."""
    candidate, number = base[:ID_LENGTH], 2
    while candidate in taken:
        suffix = f"-{number}"
        candidate, number = base[: ID_LENGTH - len(suffix)] + suffix, number + 1
    return candidate


def _own_ids(db: Session, owner_id: int) -> set[str]:
    query = select(SavedAgenda.agenda_id).where(SavedAgenda.owner_id == owner_id)
    return set(db.scalars(query))


def save_agenda(
    db: Session,
    owner_id: int,
    agenda: Agenda,
    now: datetime,
    *,
    library_ids: set[str],
    existing: SavedAgenda | None = None,
) -> SavedAgenda:
    """Store a new agenda, or replace `existing` (which may be renamed). Raises AgendaError
    on the `id` field when the id is taken by the shared library or another own agenda."""
    taken = _own_ids(db, owner_id) - ({existing.agenda_id} if existing else set())
    if agenda.id in library_ids:
        message = N_("an agenda in the shared library already has the id '{id}'; choose another")
        raise AgendaError([("id", Message(message, id=agenda.id))])
    if agenda.id in taken:
        message = N_("you already have another agenda with the id '{id}'; choose another")
        raise AgendaError([("id", Message(message, id=agenda.id))])
    if existing is None and len(taken) >= MAX_SAVED_PER_FACILITATOR:
        message = N_("you can keep at most {limit} agendas")
        raise AgendaError([("", Message(message, limit=MAX_SAVED_PER_FACILITATOR))])
    saved = existing or SavedAgenda(owner_id=owner_id, created_at=now)
    saved.agenda_id = agenda.id
    saved.toml_text = to_toml(agenda)
    saved.updated_at = now
    db.add(saved)
    db.flush()
    return saved


def free_id(db: Session, owner_id: int, base: str, library_ids: set[str]) -> str:
    return unique_id(base, _own_ids(db, owner_id) | library_ids)


def copy_agenda(
    db: Session,
    owner_id: int,
    agenda: Agenda,
    now: datetime,
    *,
    library_ids: set[str],
    marker: str = "(copy)",
) -> SavedAgenda:
    """An editable copy under a free id (`<id>-copy`, `<id>-copy-2`…), its title marked as a
    copy (`marker`, in the facilitator's language) unless it already is."""
    copy_id = free_id(db, owner_id, agenda.id[: ID_LENGTH - 5] + "-copy", library_ids)
    title = agenda.title if agenda.title.endswith(marker) else f"{agenda.title} {marker}"
    copied = replace(agenda, id=copy_id, title=title[:200])
    return save_agenda(db, owner_id, copied, now, library_ids=library_ids)


def add_uploaded(
    db: Session,
    owner_id: int,
    agenda: Agenda,
    now: datetime,
    *,
    library_ids: set[str],
    replace_own: bool = False,
) -> SavedAgenda:
    """Store an uploaded agenda: over the owner's agenda of the same id when `replace_own`,
    otherwise under a free id (the file's id, or `<id>-2`…)."""
    existing = find_saved(db, owner_id, agenda.id) if replace_own else None
    if existing is None:
        agenda = replace(agenda, id=free_id(db, owner_id, agenda.id, library_ids))
    return save_agenda(db, owner_id, agenda, now, library_ids=library_ids, existing=existing)


def delete_saved(db: Session, saved: SavedAgenda) -> None:
    db.delete(saved)
    db.flush()


def blank_agenda(agenda_id: str = "new-agenda") -> Agenda:
    """What "New agenda" starts from: the shape of a retrospective and prioritization
    session (overview, look back, look forward, vote on the themes), to fill in."""
    segments = (
        Segment("overview", "overview", "Overview & introduction", Duration(5, 5)),
        Segment(
            "retrospective",
            "prompts",
            "Retrospective",
            Duration(10, 15),
            prompts=(
                Prompt("worked_well", "What worked well?"),
                Prompt("do_differently", "What should we do differently?"),
            ),
        ),
        Segment(
            "forward-planning",
            "prompts",
            "Forward planning",
            Duration(10, 15),
            prompts=(Prompt("next_steps", "What should we do next?"),),
        ),
        Segment("prioritizing", "vote", "Prioritizing", Duration(5, 10), vote=VoteSettings()),
    )
    return Agenda(
        id=agenda_id,
        title="New agenda",
        segments=segments,
        purpose="What this session is for, in a few sentences.",
        community_agreements=("One voice at a time.", "Assume good intent."),
    )
