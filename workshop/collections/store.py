"""Collections and their owners, and the names, dates and places of their tables.

Only owners reach a collection: `owned` refuses anyone else exactly as it refuses a number that
does not exist, so a stranger learns nothing. Domain functions add and flush; the caller
commits.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from workshop import accounts
from workshop.collections.model import fold
from workshop.collections.records import (
    Collection,
    CollectionMember,
    CollectionOwner,
    RegionalTheme,
)
from workshop.ids import is_id
from workshop.messages import N_, ActionError
from workshop.models import Facilitator

MAX_NAME = 200
MAX_TABLE_NAME = 120
MAX_PLACE = 120
MAX_DESCRIPTION = 2000


@dataclass(frozen=True)
class CollectionSummary:
    id: int
    name: str
    tables: int
    updated_at: datetime


def clean_name(name: object, limit: int = MAX_NAME) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ActionError(N_("give it a name"), "empty")
    name = " ".join(name.split())
    if len(name) > limit:
        raise ActionError(N_("names have at most {limit} characters"), "too_long", limit=limit)
    return name


def create_collection(
    db: Session, facilitator_id: int, name: object, now: datetime, description: object = ""
) -> Collection:
    collection = Collection(
        name=clean_name(name),
        description=_description(description),
        created_by=facilitator_id,
        created_at=now,
        updated_at=now,
    )
    collection.owners.append(CollectionOwner(facilitator_id=facilitator_id))
    db.add(collection)
    db.flush()
    return collection


def _description(text: object) -> str:
    text = text.strip() if isinstance(text, str) else ""
    if len(text) > MAX_DESCRIPTION:
        raise ActionError(
            N_("the description has at most {limit} characters"),
            "too_long",
            limit=MAX_DESCRIPTION,
        )
    return text


def owned(db: Session, collection_id: object, facilitator_id: int | None) -> Collection:
    """The collection, if this facilitator owns it; otherwise "no such collection"."""
    collection = db.get(Collection, collection_id) if is_id(collection_id) else None
    if collection is None or facilitator_id is None or not is_owner(db, collection, facilitator_id):
        raise ActionError(N_("no collection of yours has that number"), "not_found")
    return collection


def is_owner(db: Session, collection: Collection, facilitator_id: int) -> bool:
    query = select(CollectionOwner).where(
        CollectionOwner.collection_id == collection.id,
        CollectionOwner.facilitator_id == facilitator_id,
    )
    return db.scalars(query).first() is not None


def collections_of(db: Session, facilitator_id: int) -> list[CollectionSummary]:
    tables = (
        select(func.count())
        .where(CollectionMember.collection_id == Collection.id)
        .scalar_subquery()
    )
    query = (
        select(Collection.id, Collection.name, tables, Collection.updated_at)
        .join(CollectionOwner, CollectionOwner.collection_id == Collection.id)
        .where(CollectionOwner.facilitator_id == facilitator_id)
        .order_by(Collection.updated_at.desc(), Collection.id.desc())
    )
    return [CollectionSummary(*row) for row in db.execute(query)]


def update_collection(
    db: Session, collection: Collection, name: object, description: object, now: datetime
) -> None:
    collection.name = clean_name(name)
    collection.description = _description(description)
    collection.updated_at = now
    db.flush()


def delete_collection(db: Session, collection: Collection) -> None:
    """The collection and everything in it (its tables' results copies, regional themes,
    share links); the sessions on this server are untouched."""
    db.execute(delete(RegionalTheme).where(RegionalTheme.collection_id == collection.id))
    db.execute(delete(CollectionMember).where(CollectionMember.collection_id == collection.id))
    db.delete(collection)
    db.flush()


# -- owners ---------------------------------------------------------------------------------


def owners_of(db: Session, collection: Collection) -> list[Facilitator]:
    query = (
        select(Facilitator)
        .join(CollectionOwner, CollectionOwner.facilitator_id == Facilitator.id)
        .where(CollectionOwner.collection_id == collection.id)
        .order_by(Facilitator.email)
    )
    return list(db.scalars(query))


def add_owner(db: Session, collection: Collection, email: object) -> Facilitator:
    """Another facilitator of this server becomes an owner (they need an account here)."""
    found = accounts.find_facilitator(db, email) if isinstance(email, str) else None
    if found is None:
        raise ActionError(
            N_("no facilitator of this server has that e-mail address"), "unknown_email"
        )
    if not is_owner(db, collection, found.id):
        db.add(CollectionOwner(collection_id=collection.id, facilitator_id=found.id))
        db.flush()
    return found


def remove_owner(db: Session, collection: Collection, facilitator_id: object) -> None:
    owners = owners_of(db, collection)
    if not any(owner.id == facilitator_id for owner in owners):
        raise ActionError(N_("that facilitator is not an owner"), "not_found")
    if len(owners) == 1:
        raise ActionError(N_("a collection keeps at least one owner"), "last_owner")
    db.execute(
        delete(CollectionOwner).where(
            CollectionOwner.collection_id == collection.id,
            CollectionOwner.facilitator_id == facilitator_id,
        )
    )
    db.flush()


def earlier_choices(db: Session, collection: Collection, facilitator_id: int) -> list[Collection]:
    """What the settings offer as the earlier round: this facilitator's other collections,
    and the one already chosen (another owner's choice stays on offer, and chosen)."""
    mine = [c for c in collections_of(db, facilitator_id) if c.id != collection.id]
    earlier = db.get(Collection, collection.earlier_id) if collection.earlier_id else None
    return mine + [earlier] if earlier is not None and earlier not in mine else mine


def set_earlier(
    db: Session, collection: Collection, earlier_id: object, facilitator_id: int
) -> None:
    """The collection of the round before (one this facilitator owns too), or none. The one
    already set stays whoever owns it: a co-owner saving the settings keeps another owner's
    choice."""
    if earlier_id in (None, ""):
        collection.earlier_id = None
    elif earlier_id != collection.earlier_id:
        earlier = owned(db, earlier_id, facilitator_id)
        if earlier.id == collection.id:
            raise ActionError(N_("choose another collection for the earlier round"), "invalid")
        collection.earlier_id = earlier.id
    db.flush()


# -- tables ---------------------------------------------------------------------------------


def members_query(collection: Collection):
    return select(CollectionMember).where(CollectionMember.collection_id == collection.id)


def members_of(db: Session, collection: Collection) -> list[CollectionMember]:
    return sorted(db.scalars(members_query(collection)), key=table_order)


def table_order(member: CollectionMember) -> tuple:
    return (member.held_on or date.max, member.table_key, member.id)


def member_of(db: Session, collection: Collection, member_id: object) -> CollectionMember:
    member = db.get(CollectionMember, member_id) if is_id(member_id) else None
    if member is None or member.collection_id != collection.id:
        raise ActionError(N_("no such session in this collection"), "not_found")
    return member


def rename_table(
    db: Session,
    collection: Collection,
    member: CollectionMember,
    name: object,
    held_on: date | None,
    place: object,
) -> None:
    name = clean_name(name, MAX_TABLE_NAME)
    if table_name_taken(db, collection, name, member.id):
        raise ActionError(
            N_("another session in this collection is already called “{name}”"),
            "duplicate",
            name=name,
        )
    member.table_name, member.table_key = name, fold(name)
    member.held_on = held_on
    place = " ".join(place.split()) if isinstance(place, str) else ""
    if len(place) > MAX_PLACE:
        raise ActionError(N_("places have at most {limit} characters"), "too_long", limit=MAX_PLACE)
    member.place = place
    db.flush()


def table_name_taken(
    db: Session, collection: Collection, name: str, except_id: int | None = None
) -> bool:
    query = select(CollectionMember.id).where(
        CollectionMember.collection_id == collection.id, CollectionMember.table_key == fold(name)
    )
    return any(found != except_id for found in db.scalars(query))


def free_table_name(db: Session, collection: Collection, wanted: str) -> str:
    """`wanted`, or "wanted (2)", "wanted (3)"... if another table already has it."""
    base = clean_name(wanted or "Table", MAX_TABLE_NAME - 6)
    name, number = base, 2
    while table_name_taken(db, collection, name):
        name, number = f"{base} ({number})", number + 1
    return name


def remove_member(db: Session, collection: Collection, member_id: object) -> CollectionMember:
    member = member_of(db, collection, member_id)
    db.delete(member)
    db.flush()
    return member


def parse_day(text: object) -> date | None:
    """A date typed in a form (YYYY-MM-DD), or None when left empty."""
    if text in (None, ""):
        return None
    try:
        return date.fromisoformat(str(text).strip())
    except ValueError:
        raise ActionError(N_("write the date as YYYY-MM-DD"), "invalid") from None
