"""What the projector shows beyond the segment, as the facilitators chose it: the full join
screen brought back for latecomers, and the answers to some prompts as a wall.

The wall is off by default and chosen per prompt (a segment's button turns on all of its
prompts). It shows a prompt's answers only while that prompt's segment is on, anonymous and
visible ones only: a hidden or deleted answer leaves the wall with its next update.
Domain functions add and flush; the caller commits.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop.agenda.model import Agenda, Segment
from workshop.messages import N_, ActionError
from workshop.models import Response, ScreenView, Workshop

# The newest answers the wall is sent; the projector shows as many as fit.
WALL_LIMIT = 120


@dataclass(frozen=True)
class ScreenChoices:
    show_join: bool = False
    wall_prompts: tuple[str, ...] = ()


@dataclass(frozen=True)
class WallAnswer:
    id: int
    prompt_id: str
    text: str


def choices(db: Session, workshop_id: int) -> ScreenChoices:
    row = db.get(ScreenView, workshop_id)
    if row is None:
        return ScreenChoices()
    return ScreenChoices(row.show_join, tuple(json.loads(row.wall_prompts or "[]")))


def _row(db: Session, workshop: Workshop) -> ScreenView:
    row = db.get(ScreenView, workshop.id)
    if row is None:
        row = ScreenView(workshop_id=workshop.id, show_join=False, wall_prompts="[]")
        db.add(row)
    return row


def show_join(db: Session, workshop: Workshop, shown: bool) -> ScreenChoices:
    _row(db, workshop).show_join = shown
    db.flush()
    return choices(db, workshop.id)


def set_wall(
    db: Session, workshop: Workshop, agenda: Agenda, prompt_ids: list[str], shown: bool
) -> ScreenChoices:
    """Put these prompts' answers on the wall, or take them off. Unknown prompts refuse it."""
    known = {prompt.id for _segment, prompt in agenda.prompts()}
    if not prompt_ids or any(prompt_id not in known for prompt_id in prompt_ids):
        raise ActionError(N_("no such question"), "not_found")
    row = _row(db, workshop)
    current = list(json.loads(row.wall_prompts or "[]"))
    if shown:
        current += [prompt_id for prompt_id in prompt_ids if prompt_id not in current]
    else:
        current = [prompt_id for prompt_id in current if prompt_id not in prompt_ids]
    row.wall_prompts = json.dumps(current)
    db.flush()
    return choices(db, workshop.id)


def wall_prompts_now(chosen: ScreenChoices, segment: Segment | None) -> list[str]:
    """The chosen prompts of the segment that is on, in the agenda's order."""
    if segment is None:
        return []
    return [prompt.id for prompt in segment.prompts if prompt.id in chosen.wall_prompts]


def wall_answers(
    db: Session, workshop_id: int, prompt_ids: list[str], limit: int = WALL_LIMIT
) -> tuple[list[WallAnswer], int]:
    """The newest visible answers to these prompts (newest first), and how many there are."""
    if not prompt_ids:
        return [], 0
    visible = (
        Response.workshop_id == workshop_id,
        Response.prompt_id.in_(prompt_ids),
        Response.deleted_at.is_(None),
        Response.hidden.is_(False),
    )
    rows = db.execute(
        select(Response.id, Response.prompt_id, Response.text)
        .where(*visible)
        .order_by(Response.created_at.desc(), Response.id.desc())
        .limit(limit)
    )
    total = db.scalar(select(func.count()).select_from(Response).where(*visible)) or 0
    return [WallAnswer(*row) for row in rows], total
