"""Accepting suggested themes on a board that moved on since they were made.

Suggestions are computed from the board as it was at the click; a facilitator may review them
for minutes while a co-facilitator deletes a theme they would add to, phones delete their
answers and answers are hidden or sorted by hand. Accepting applies what still holds and never
undoes a newer decision:
- a suggestion for a theme that no longer exists makes a new theme with the title sent (the
  one it had), so its answers are not left behind;
- an answer deleted, hidden, or put in another theme since is left as it is and reported;
- a kept new theme with no answer left to put in it is not made.
Ids that never belonged to this session are refused as before (all or nothing).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.agenda.model import Agenda
from workshop.ids import is_id
from workshop.messages import N_, ActionError
from workshop.models import Response, Theme, Workshop
from workshop.themes.grouping import (
    MAX_THEMES,
    clean_response_ids,
    create_theme,
    link_strategy,
)


@dataclass
class Accepted:
    theme_ids: list[int | None] = field(default_factory=list)  # per group; None: nothing left
    skipped: list[int] = field(default_factory=list)  # answers left as they were


def still_unsorted(theme_id: int | None, hidden: bool, deleted: bool, target: int | None) -> bool:
    """Whether a suggested answer can still go where the suggestion puts it: not deleted or
    hidden since, and not sorted into another theme by hand (that decision is newer)."""
    return not deleted and not hidden and (theme_id is None or theme_id == target)


def _still_unsorted(row: Response, target: int | None) -> bool:
    return still_unsorted(row.theme_id, row.hidden, row.deleted_at is not None, target)


def accept_suggestions(
    db: Session, workshop: Workshop, agenda: Agenda, groups: object, now: datetime
) -> Accepted:
    """Turn the suggestions a facilitator kept (possibly renamed) into themes and moves."""
    if not isinstance(groups, list) or not groups or len(groups) > MAX_THEMES:
        raise ActionError(N_("choose at least one suggestion to accept"), "malformed")
    checked = [_checked_group(group) for group in groups]
    rows = _answers(db, workshop, [i for _, ids, _ in checked for i in ids])
    accepted = Accepted()
    for group, ids, strategy_ids in checked:
        theme = _existing_theme(db, workshop, group.get("theme_id"))
        target = theme.id if theme is not None else None
        pending = [rows[i] for i in ids if _still_unsorted(rows[i], target)]
        moving = {row.id for row in pending}
        accepted.skipped.extend(i for i in ids if i not in moving and i not in accepted.skipped)
        if theme is None and not pending:
            accepted.theme_ids.append(None)
            continue
        if theme is None:
            theme = create_theme(db, workshop, group.get("title"), now)
        for row in pending:
            row.theme_id = theme.id
        for strategy_id in strategy_ids:
            link_strategy(db, workshop, agenda, theme.id, strategy_id)
        accepted.theme_ids.append(theme.id)
    db.flush()
    return accepted


def _checked_group(group: object) -> tuple[dict, list[int], list]:
    if not isinstance(group, dict):
        raise ActionError(N_("each suggestion must be an object"), "malformed")
    strategy_ids = group.get("strategy_ids") or []
    if not isinstance(strategy_ids, list):
        raise ActionError(N_("strategy_ids must be a list"), "malformed")
    return group, clean_response_ids(group.get("response_ids")), strategy_ids


def _answers(db: Session, workshop: Workshop, ids: list[int]) -> dict[int, Response]:
    """This session's answers by id, deleted ones included; any other id is refused."""
    wanted = set(ids)
    rows = db.scalars(
        select(Response).where(Response.id.in_(wanted), Response.workshop_id == workshop.id)
    ).all()
    if len(rows) != len(wanted):
        raise ActionError(N_("some of those answers are not in this session"), "not_found")
    return {row.id: row for row in rows}


def _existing_theme(db: Session, workshop: Workshop, theme_id: object) -> Theme | None:
    """The theme a suggestion adds to; None for a new theme, or one deleted since (it is made
    again). Another session's theme is refused."""
    if theme_id is None:
        return None
    if not is_id(theme_id):
        raise ActionError(N_("no such theme"), "not_found")
    theme = db.get(Theme, theme_id)
    if theme is not None and theme.workshop_id != workshop.id:
        raise ActionError(N_("no such theme"), "not_found")
    return theme


def review(suggestions: list, summaries: list, listed: list[dict]) -> list[dict]:
    """Each suggestion against the board as it is now (it was made from the board as it was):
    the theme it adds to (None when new, or deleted since), and each answer with what became
    of it since, if anything (accepting leaves those as they are)."""
    by_id = {t.id: t for t in summaries}
    answers = {r["id"]: r for r in listed}  # deleted answers are not listed
    reviewed = []
    for group in suggestions:
        theme = by_id.get(group.theme_id) if group.theme_id is not None else None
        target = theme.id if theme is not None else None
        items = [_reviewed_answer(answers.get(i), target, by_id) for i in group.item_ids]
        reviewed.append(
            {
                "suggestion": group,
                "theme": theme,
                "theme_gone": group.theme_id is not None and theme is None,
                "answers": items,
                "pending": sum(1 for item in items if item["change"] is None),
            }
        )
    return reviewed


def _reviewed_answer(answer: dict | None, target: int | None, by_id: dict) -> dict:
    if answer is None:
        return {"text": "", "change": "deleted"}
    if still_unsorted(answer["theme_id"], answer["hidden"], False, target):
        return {"text": answer["text"], "change": None}
    if answer["hidden"]:
        return {"text": answer["text"], "change": "hidden"}
    theme = by_id.get(answer["theme_id"])
    return {"text": answer["text"], "change": "sorted", "theme": theme.title if theme else ""}
