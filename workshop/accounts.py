"""Facilitator accounts: creation and password checks. No Flask here."""

from __future__ import annotations

import re

from gevent import monkey
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash

from workshop.models import Facilitator

MIN_PASSWORD_LENGTH = 10
EMAIL_SHAPE = re.compile(r"^[^@\s]+@[^@\s]+$")
# Checked against when an e-mail is unknown, so a wrong address costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a real password")


class AccountError(ValueError):
    pass


def normalize_email(email: str) -> str:
    return email.strip().lower()


def create_facilitator(db: Session, email: str, password: str) -> Facilitator:
    email = normalize_email(email)
    if not EMAIL_SHAPE.match(email) or len(email) > 254:
        raise AccountError(f"'{email}' is not an e-mail address")
    if len(password) < MIN_PASSWORD_LENGTH:
        raise AccountError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    if find_facilitator(db, email) is not None:
        raise AccountError(f"a facilitator with e-mail {email} already exists")
    facilitator = Facilitator(
        email=email, password_hash=_beside_the_rooms(generate_password_hash, password)
    )
    db.add(facilitator)
    db.flush()
    return facilitator


def find_facilitator(db: Session, email: str) -> Facilitator | None:
    query = select(Facilitator).where(func.lower(Facilitator.email) == normalize_email(email))
    return db.scalars(query).first()


def authenticate(db: Session, email: str, password: str) -> Facilitator | None:
    facilitator = find_facilitator(db, email)
    if facilitator is None:
        password_matches(_DUMMY_HASH, password)
        return None
    return facilitator if password_matches(facilitator.password_hash, password) else None


def password_matches(password_hash: str, password: str) -> bool:
    return _beside_the_rooms(check_password_hash, password_hash, password)


def _beside_the_rooms(hashing, *args):
    """Password hashing is ~90 ms of scrypt, which releases the GIL. In the served app
    (gevent, one thread for every room) it runs on the hub's thread pool, so the phones'
    events go on meanwhile: forty facilitators signing in held every room for 90 ms each
    (gevent's blocking monitor during `python -m bench rooms`). Elsewhere it runs here."""
    if monkey.is_module_patched("threading"):
        from gevent import get_hub

        return get_hub().threadpool.apply(hashing, args)
    return hashing(*args)


def count_facilitators(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(Facilitator)) or 0
