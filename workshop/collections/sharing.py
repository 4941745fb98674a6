"""Read-only share links to a collection's roll-up, with a session's link's guarantees: a
random 256-bit token shown once (only its SHA-256 is stored), an optional expiry, revocable,
and a roll-up that never holds a name or a hidden answer. The token rules are
`results.sharing`'s. Domain functions add and flush; the caller commits."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.collections.records import Collection, CollectionShareLink
from workshop.messages import N_, ActionError
from workshop.results.sharing import (
    EXPIRY_DAYS,
    MAX_TOKEN_LENGTH,
    is_active,
    new_link_fields,
    token_hash,
)

__all__ = ["EXPIRY_DAYS", "create_link", "find_active", "is_active", "links_of", "revoke"]


def create_link(
    db: Session,
    collection: Collection,
    facilitator_id: int,
    now: datetime,
    expires_in_days: int = 0,
    label: str = "",
) -> tuple[CollectionShareLink, str]:
    """A new link and its token. The token is not stored: show it now or never."""
    token, fields = new_link_fields(now, expires_in_days, label)
    link = CollectionShareLink(collection_id=collection.id, created_by=facilitator_id, **fields)
    db.add(link)
    db.flush()
    return link, token


def find_active(db: Session, token: str | None, now: datetime) -> CollectionShareLink | None:
    """The link a token opens, if it still works. Unknown, revoked and expired look alike."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    query = select(CollectionShareLink).where(CollectionShareLink.token_hash == token_hash(token))
    link = db.scalars(query).first()
    return link if link is not None and is_active(link, now) else None


def links_of(db: Session, collection: Collection) -> list[CollectionShareLink]:
    query = select(CollectionShareLink).where(CollectionShareLink.collection_id == collection.id)
    order = (CollectionShareLink.created_at.desc(), CollectionShareLink.id.desc())
    return list(db.scalars(query.order_by(*order)))


def revoke(db: Session, collection: Collection, link_id: int, now: datetime) -> CollectionShareLink:
    link = db.get(CollectionShareLink, link_id)
    if link is None or link.collection_id != collection.id:
        raise ActionError(N_("no such share link"), "not_found")
    if link.revoked_at is None:
        link.revoked_at = now
        db.flush()
    return link
