"""Share links: read-only access to one workshop's results for people without an account.

A link is a random token (256 bits, `secrets.token_urlsafe(32)`) shown once, when it is made;
the database keeps only its SHA-256, as with participant cookies. A link can expire and can
be revoked; either way it stops working at once. Domain functions add and flush; the caller
commits.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.messages import N_, ActionError
from workshop.models import ShareLink, Workshop

EXPIRY_DAYS = (7, 30, 90, 365)  # what the form offers; 0 means the link never expires
MAX_LABEL = 120
MAX_TOKEN_LENGTH = 100


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_link(
    db: Session,
    workshop: Workshop,
    facilitator_id: int,
    now: datetime,
    expires_in_days: int = 0,
    label: str = "",
) -> tuple[ShareLink, str]:
    """A new link and its token. The token is not stored: show it now or never."""
    token, fields = new_link_fields(now, expires_in_days, label)
    link = ShareLink(workshop_id=workshop.id, created_by=facilitator_id, **fields)
    db.add(link)
    db.flush()
    return link, token


def new_link_fields(now: datetime, expires_in_days: int, label: str) -> tuple[str, dict]:
    """A fresh token and the columns a link row keeps of it (its hash, the note, when it was
    made and when it expires), after checking the expiry and the note."""
    if expires_in_days and expires_in_days not in EXPIRY_DAYS:
        raise ActionError(N_("choose one of the offered expiry periods"), "invalid")
    label = " ".join((label or "").split())
    if len(label) > MAX_LABEL:
        raise ActionError(
            N_("the note has at most {limit} characters"), "too_long", limit=MAX_LABEL
        )
    token = secrets.token_urlsafe(32)
    return token, {
        "token_hash": token_hash(token),
        "label": label,
        "created_at": now,
        "expires_at": now + timedelta(days=expires_in_days) if expires_in_days else None,
    }


def is_active(link: ShareLink, now: datetime) -> bool:
    if link.revoked_at is not None:
        return False
    return link.expires_at is None or now < link.expires_at


def find_active(db: Session, token: str | None, now: datetime) -> ShareLink | None:
    """The link a token opens, if it still works. Unknown, revoked and expired look alike."""
    if not token or len(token) > MAX_TOKEN_LENGTH:
        return None
    query = select(ShareLink).where(ShareLink.token_hash == token_hash(token))
    link = db.scalars(query).first()
    return link if link is not None and is_active(link, now) else None


def links_of(db: Session, workshop: Workshop) -> list[ShareLink]:
    query = select(ShareLink).where(ShareLink.workshop_id == workshop.id)
    return list(db.scalars(query.order_by(ShareLink.created_at.desc(), ShareLink.id.desc())))


def revoke(db: Session, workshop: Workshop, link_id: int, now: datetime) -> ShareLink:
    link = db.get(ShareLink, link_id)
    if link is None or link.workshop_id != workshop.id:
        raise ActionError(N_("no such share link"), "not_found")
    if link.revoked_at is None:
        link.revoked_at = now
        db.flush()
    return link
