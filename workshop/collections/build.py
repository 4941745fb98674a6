"""A collection's roll-up read from the database: its tables' kept results, its confirmed
regional themes and, when it names one, the earlier round it is compared with."""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.collections import regional, store
from workshop.collections.model import EQUAL, Rollup, Snapshot, Table
from workshop.collections.over_time import over_time
from workshop.collections.records import PROPOSED, Collection, CollectionMember
from workshop.collections.rollup import compute_rollup
from workshop.collections.snapshot import snapshot_of

_SNAPSHOTS: OrderedDict[tuple, Snapshot] = OrderedDict()
_SNAPSHOTS_LOCK = threading.Lock()
SNAPSHOTS_KEPT = 1000  # tables' results kept parsed in this process (a few MB per hundred)


def tables_of(db: Session, collection: Collection) -> list[Table]:
    """The collection's tables in page order (date, then name), with their results. A table's
    kept results change only when they are stored again (`updated_at`), so they are parsed
    once per process and version: a roll-up of 50 tables and 10,000 answers spends most of
    its time reading them."""
    members = sorted(db.scalars(store.members_query(collection)), key=store.table_order)
    keys = {m.id: (m.id, m.updated_at.isoformat(), m.source_key) for m in members}
    with _SNAPSHOTS_LOCK:
        found = {m.id: _SNAPSHOTS.get(keys[m.id]) for m in members}
    missing = [member_id for member_id, snapshot in found.items() if snapshot is None]
    if missing:
        query = select(CollectionMember.id, CollectionMember.results_json).where(
            CollectionMember.id.in_(missing)
        )
        for member_id, text in db.execute(query):
            found[member_id] = _remember(keys[member_id], snapshot_of(text))
    return [Table(m.id, m.table_name, m.held_on, m.place, m.origin, found[m.id]) for m in members]


def _remember(key: tuple, snapshot: Snapshot) -> Snapshot:
    with _SNAPSHOTS_LOCK:
        _SNAPSHOTS[key] = snapshot
        while len(_SNAPSHOTS) > SNAPSHOTS_KEPT:
            _SNAPSHOTS.popitem(last=False)
    return snapshot


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
