"""Regional themes as stored: proposals replaced by a new run, confirmed by an owner, split,
renamed, and themes moved between them by hand.

A table's theme is in at most one regional theme. A theme an owner split off (or whose
proposal they rejected) is kept apart as a confirmed group of one, so the next run of
proposals leaves it alone; only groups of two or more themes are regional themes in the
roll-up. Domain functions add and flush; the caller commits.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workshop.collections.records import (
    CONFIRMED,
    PROPOSED,
    Collection,
    CollectionMember,
    RegionalTheme,
    RegionalThemeMember,
)
from workshop.collections.rollup import RegionalGroup
from workshop.collections.store import clean_name
from workshop.ids import is_id
from workshop.messages import N_, ActionError

MAX_TITLE = 120
ThemeRef = tuple[int, int]  # (member id, theme id in that session's results)


@dataclass(frozen=True)
class Proposal:
    title: str
    themes: tuple[ThemeRef, ...]


@dataclass(frozen=True)
class StoredGroup:
    id: int
    title: str
    status: str
    themes: tuple[ThemeRef, ...]


def stored_groups(db: Session, collection: Collection) -> list[StoredGroup]:
    """Every regional theme of the collection (proposed and confirmed, groups of one too)."""
    rows = db.execute(
        select(RegionalTheme, RegionalThemeMember.member_id, RegionalThemeMember.theme_id)
        .outerjoin(RegionalThemeMember)
        .where(RegionalTheme.collection_id == collection.id)
        .order_by(RegionalTheme.position, RegionalTheme.id)
    )
    found: dict[int, tuple[RegionalTheme, list[ThemeRef]]] = {}
    for regional, member_id, theme_id in rows:
        entry = found.setdefault(regional.id, (regional, []))
        if member_id is not None:
            entry[1].append((member_id, theme_id))
    return [StoredGroup(r.id, r.title, r.status, tuple(sorted(refs))) for r, refs in found.values()]


def confirmed_groups(groups: Iterable[StoredGroup]) -> list[RegionalGroup]:
    """What the roll-up ranks: confirmed regional themes of two themes or more."""
    return [
        RegionalGroup(g.id, g.title, g.themes)
        for g in groups
        if g.status == CONFIRMED and len(g.themes) > 1
    ]


def replace_proposals(
    db: Session, collection: Collection, proposals: Sequence[Proposal], now: datetime
) -> int:
    """The proposals of a new run replace the previous ones; themes already confirmed (or
    kept apart) stay where they are. Returns how many proposals were kept."""
    db.execute(
        delete(RegionalTheme).where(
            RegionalTheme.collection_id == collection.id, RegionalTheme.status == PROPOSED
        )
    )
    db.flush()
    taken = {ref for group in stored_groups(db, collection) for ref in group.themes}
    existing = _existing_members(db, collection)
    kept = 0
    for proposal in proposals:
        refs = [ref for ref in proposal.themes if ref not in taken and ref[0] in existing]
        if len({member for member, _ in refs}) < 2:
            continue
        _new_group(db, collection, proposal.title, PROPOSED, refs, now)
        taken.update(refs)
        kept += 1
    db.flush()
    return kept


def _existing_members(db: Session, collection: Collection) -> set[int]:
    query = select(CollectionMember.id).where(CollectionMember.collection_id == collection.id)
    return set(db.scalars(query))


def _new_group(
    db: Session,
    collection: Collection,
    title: str,
    status: str,
    refs: Iterable[ThemeRef],
    now: datetime,
) -> RegionalTheme:
    position = db.scalar(
        select(func.coalesce(func.max(RegionalTheme.position), 0)).where(
            RegionalTheme.collection_id == collection.id
        )
    )
    regional = RegionalTheme(
        collection_id=collection.id,
        title=clean_name(title or "?", MAX_TITLE),
        status=status,
        position=position + 1,
        created_at=now,
    )
    db.add(regional)
    db.flush()
    for member_id, theme_id in refs:
        db.add(
            RegionalThemeMember(
                regional_theme_id=regional.id, member_id=member_id, theme_id=theme_id
            )
        )
    return regional


def _group(db: Session, collection: Collection, regional_id: object) -> RegionalTheme:
    regional = db.get(RegionalTheme, regional_id) if is_id(regional_id) else None
    if regional is None or regional.collection_id != collection.id:
        raise ActionError(N_("no such regional theme"), "not_found")
    return regional


def confirm(db: Session, collection: Collection, regional_id: object, title: object) -> None:
    regional = _group(db, collection, regional_id)
    regional.title = clean_name(title, MAX_TITLE) if title else regional.title
    regional.status = CONFIRMED
    db.flush()


def rename(db: Session, collection: Collection, regional_id: object, title: object) -> None:
    _group(db, collection, regional_id).title = clean_name(title, MAX_TITLE)
    db.flush()


def split(
    db: Session, collection: Collection, regional_id: object, refs: Sequence[ThemeRef], now
) -> None:
    """The chosen themes leave the regional theme and are kept apart, each on its own; if
    fewer than two themes are left, the regional theme is undone and they are kept apart too.
    Rejecting a proposal is splitting off all of its themes."""
    regional = _group(db, collection, regional_id)
    group = next(g for g in stored_groups(db, collection) if g.id == regional.id)
    leaving = [ref for ref in group.themes if ref in set(refs)]
    if not leaving:
        raise ActionError(N_("choose the themes to split off"), "empty")
    staying = [ref for ref in group.themes if ref not in set(leaving)]
    if len({member for member, _ in staying}) < 2:
        leaving, staying = list(group.themes), []
    _remove(db, regional.id, leaving)
    for ref in leaving:  # a group of one is shown by its theme's own title, never by this one
        _new_group(db, collection, regional.title, CONFIRMED, [ref], now)
    if not staying:
        db.delete(regional)
    db.flush()


def reject(db: Session, collection: Collection, regional_id: object, now: datetime) -> None:
    """Not one theme: every theme of it is kept apart."""
    regional = _group(db, collection, regional_id)
    group = next(g for g in stored_groups(db, collection) if g.id == regional.id)
    split(db, collection, regional.id, group.themes, now)


def _remove(db: Session, regional_id: int, refs: Iterable[ThemeRef]) -> None:
    for member_id, theme_id in refs:
        db.execute(
            delete(RegionalThemeMember).where(
                RegionalThemeMember.regional_theme_id == regional_id,
                RegionalThemeMember.member_id == member_id,
                RegionalThemeMember.theme_id == theme_id,
            )
        )


def join(
    db: Session,
    collection: Collection,
    regional_id: object,
    refs: Sequence[ThemeRef],
    known: set[ThemeRef],
) -> None:
    """Put tables' themes (of `known`, the collection's themes) in a regional theme, taking
    them out of any other; a group left with no theme goes."""
    target = _group(db, collection, regional_id)
    _take_out(db, collection, refs, known, keep=target.id)
    held = next(g for g in stored_groups(db, collection) if g.id == target.id).themes
    for member_id, theme_id in refs:
        if (member_id, theme_id) not in held:
            db.add(
                RegionalThemeMember(
                    regional_theme_id=target.id, member_id=member_id, theme_id=theme_id
                )
            )
    target.status = CONFIRMED
    db.flush()


def make_group(
    db: Session,
    collection: Collection,
    refs: Sequence[ThemeRef],
    title: object,
    known: set[ThemeRef],
    now: datetime,
) -> RegionalTheme:
    """A regional theme an owner makes from themes of two tables or more."""
    refs = list(dict.fromkeys(refs))
    if len({member for member, _ in refs}) < 2:
        raise ActionError(N_("choose themes of at least two tables"), "too_few")
    title = clean_name(title, MAX_TITLE)
    _take_out(db, collection, refs, known, keep=None)
    regional = _new_group(db, collection, title, CONFIRMED, refs, now)
    db.flush()
    return regional


def _take_out(
    db: Session, collection: Collection, refs: Sequence[ThemeRef], known: set, keep: int | None
) -> None:
    if not refs:
        raise ActionError(N_("choose at least one theme"), "empty")
    if any(ref not in known for ref in refs):
        raise ActionError(N_("no such theme in this collection"), "not_found")
    for group in stored_groups(db, collection):
        moving = [ref for ref in group.themes if ref in set(refs)]
        if group.id == keep or not moving:
            continue
        _remove(db, group.id, moving)
        if len(group.themes) - len(moving) == 0:
            db.delete(db.get(RegionalTheme, group.id))
    db.flush()
    prune(db, collection)


def prune(db: Session, collection: Collection) -> None:
    """After a table left: regional themes with no theme go, proposals of one theme too."""
    for group in stored_groups(db, collection):
        if not group.themes or (group.status == PROPOSED and len(group.themes) < 2):
            db.delete(db.get(RegionalTheme, group.id))
    db.flush()
