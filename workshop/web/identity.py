"""Who is asking: the participant behind a long-lived cookie, or a signed-in facilitator.

Shared by HTTP views and Socket.IO handlers (a socket's `request` is its handshake, which
carries the same cookies)."""

from __future__ import annotations

from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from workshop.extensions import db
from workshop.live import participants, workshops
from workshop.models import Participant, Workshop


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


def remember_connection(**ids: int) -> None:
    """Keep who a socket connection is, checked once at connect. A socket's `request.environ`
    is its handshake's, kept for the connection's life (per namespace: several can share one
    connection), so this lives and dies with the connection, in the process that holds it."""
    request.environ.setdefault("workshop.identity", {})[request.namespace] = ids


def connection() -> dict:
    return request.environ.get("workshop.identity", {}).get(request.namespace, {})


class HandshakeSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session, opened once per request environ. A socket event runs in a
    request context built from its connection's handshake, and Flask would check the cookie's
    signature and decode it again for every answer and ballot; the handshake's cookies never
    change, so what the first event opened serves the connection's later ones (as before, a
    socket sees the session as it was when it connected). An HTTP request has its own environ
    and opens its session once, as usual."""

    def open_session(self, app, request):
        opened = request.environ.get("workshop.session")
        if opened is None:
            opened = super().open_session(app, request)
            request.environ["workshop.session"] = opened
        return opened
