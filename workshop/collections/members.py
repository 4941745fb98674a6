"""Putting sessions in a collection: a session of this server, or a results export made
anywhere (the browser's upload and `workshop import`).

A session is known by its export's identity (`Snapshot.source_key`: server id, session number,
start time), so the same session added twice, as a local session or as an export, replaces
what the collection held for it and never makes a second table. What is kept is the export
as a share link shows it: no hidden answers, no names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.collections import store
from workshop.collections.model import Snapshot, fold
from workshop.collections.records import IMPORTED, LOCAL, Collection, CollectionMember
from workshop.collections.snapshot import private_parts_removed, read_export, snapshot_of
from workshop.live import workshops
from workshop.messages import N_, ActionError
from workshop.models import Workshop
from workshop.results import exports
from workshop.results.build import build_results
from workshop.results.model import SHARED


@dataclass(frozen=True)
class Added:
    member: CollectionMember
    replaced: bool  # the collection already held this session: its results were replaced


@dataclass(frozen=True)
class TableDetails:
    """What an owner may say about a table when adding it (blank: keep or make a default)."""

    name: str = ""
    held_on: date | None = None
    place: str = ""


def import_export(
    db: Session,
    collection: Collection,
    data: bytes,
    filename: str,
    now: datetime,
    details: TableDetails = TableDetails(),
) -> Added:
    """Add (or replace) the session of a results export file. A file that is not a results
    export of a schema this server reads raises ExportFileError and changes nothing."""
    document, snapshot = read_export(data, filename)
    return _keep(db, collection, document, snapshot, IMPORTED, None, now, details)


def add_local(
    db: Session,
    collection: Collection,
    workshop_id: object,
    facilitator_id: int,
    now: datetime,
    details: TableDetails = TableDetails(),
) -> Added:
    """Add (or update) a session of this server that this facilitator runs."""
    workshop = db.get(Workshop, workshop_id) if isinstance(workshop_id, int) else None
    if workshop is None or not workshops.is_facilitator_of(db, workshop, facilitator_id):
        raise ActionError(N_("no session of yours has that number"), "not_found")
    document = local_export(db, workshop, now)
    snapshot = snapshot_of(json.dumps(document))
    return _keep(db, collection, document, snapshot, LOCAL, workshop.id, now, details)


def local_export(db: Session, workshop: Workshop, now: datetime) -> dict[str, Any]:
    """A session's results as its share link would give them, in the export's shape."""
    return private_parts_removed(exports.to_dict(build_results(db, workshop, now, SHARED)))


def refresh_local(db: Session, collection: Collection, now: datetime) -> int:
    """Read every session of this server in the collection again; returns how many."""
    count = 0
    for member in store.members_of(db, collection):
        workshop = db.get(Workshop, member.workshop_id) if member.workshop_id else None
        if member.origin == LOCAL and workshop is not None:
            document = local_export(db, workshop, now)
            _store_results(member, document, snapshot_of(json.dumps(document)), now)
            count += 1
    db.flush()
    return count


def _keep(
    db: Session,
    collection: Collection,
    document: dict[str, Any],
    snapshot: Snapshot,
    origin: str,
    workshop_id: int | None,
    now: datetime,
    details: TableDetails,
) -> Added:
    member = db.scalars(
        select(CollectionMember).where(
            CollectionMember.collection_id == collection.id,
            CollectionMember.source_key == snapshot.source_key,
        )
    ).first()
    replaced = member is not None
    if member is None:
        name = store.free_table_name(db, collection, details.name or snapshot.title)
        member = CollectionMember(
            collection_id=collection.id,
            source_key=snapshot.source_key,
            table_name=name,
            table_key=fold(name),
            held_on=(snapshot.started_at or snapshot.created_at).date(),
            place="",
            added_at=now,
        )
        db.add(member)
    # The latest way the session came in wins: an export replaces a local session's link.
    member.origin, member.workshop_id = origin, workshop_id
    _store_results(member, document, snapshot, now)
    db.flush()
    if details.name or details.held_on or details.place:
        store.rename_table(
            db,
            collection,
            member,
            details.name or member.table_name,
            details.held_on or member.held_on,
            details.place or member.place,
        )
    collection.updated_at = now
    return Added(member, replaced)


def _store_results(
    member: CollectionMember, document: dict[str, Any], snapshot: Snapshot, now: datetime
) -> None:
    member.results_json = json.dumps(document, ensure_ascii=False, separators=(",", ":"))
    member.results_as_of = snapshot.generated_at
    member.session_title = snapshot.title[:200]
    member.updated_at = now


def local_candidates(db: Session, collection: Collection, facilitator_id: int) -> list[Workshop]:
    """This facilitator's sessions on this server that the collection does not hold yet."""
    held = set(
        db.scalars(
            select(CollectionMember.workshop_id).where(
                CollectionMember.collection_id == collection.id,
                CollectionMember.workshop_id.is_not(None),
            )
        )
    )
    return [w for w in workshops.workshops_of(db, facilitator_id) if w.id not in held]
