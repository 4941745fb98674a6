"""A collection's roll-up read from the database: its tables' kept results, its confirmed
regional themes and, when it names one, the earlier round it is compared with."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy.orm import Session, undefer

from workshop.collections import regional, store
from workshop.collections.model import EQUAL, Rollup, Table
from workshop.collections.over_time import over_time
from workshop.collections.records import PROPOSED, Collection, CollectionMember
from workshop.collections.rollup import compute_rollup
from workshop.collections.snapshot import snapshot_of


def tables_of(db: Session, collection: Collection) -> list[Table]:
    """The collection's tables in page order (date, then name), with their results."""
    members = db.scalars(
        store.members_query(collection).options(undefer(CollectionMember.results_json))
    )
    return [
        Table(
            member.id,
            member.table_name,
            member.held_on,
            member.place,
            member.origin,
            snapshot_of(member.results_json),
        )
        for member in sorted(members, key=store.table_order)
    ]


def build_rollup(
    db: Session, collection: Collection, now: datetime, weighting: str = EQUAL
) -> Rollup:
    tables = tables_of(db, collection)
    stored = regional.stored_groups(db, collection)
    groups = regional.confirmed_groups(stored)
    rollup = compute_rollup(
        collection.id,
        collection.name,
        tables,
        groups,
        now,
        weighting,
        proposed_count=sum(1 for group in stored if group.status == PROPOSED),
    )
    earlier = db.get(Collection, collection.earlier_id) if collection.earlier_id else None
    if earlier is None:
        return rollup
    moved = over_time(
        tables,
        groups,
        earlier.id,
        earlier.name,
        tables_of(db, earlier),
        regional.confirmed_groups(regional.stored_groups(db, earlier)),
        weighting,
    )
    return replace(rollup, over_time=moved)
