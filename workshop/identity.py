"""Who is asking: the participant behind a long-lived cookie, or a signed-in facilitator.

Shared by HTTP views and Socket.IO handlers (a socket's `request` is its handshake, which
carries the same cookies)."""

from __future__ import annotations

from flask import request
from flask_login import current_user

from . import participants, workshops
from .extensions import db
from .models import Participant, Workshop


def participant_cookie(workshop: Workshop) -> str:
    return f"wsp_{workshop.id}"


def current_participant(workshop: Workshop) -> Participant | None:
    return participants.find_by_token(
        db.session, workshop, request.cookies.get(participant_cookie(workshop))
    )


def current_facilitator_id() -> int | None:
    return current_user.id if current_user.is_authenticated else None


def facilitates(workshop: Workshop) -> bool:
    return workshops.is_facilitator_of(db.session, workshop, current_facilitator_id())
