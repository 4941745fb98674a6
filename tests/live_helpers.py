"""Helpers for the live-session tests that read like the room: a facilitator starts a session
and moves through it, participants join from their phones and answer, a projector watches.

Every actor has its own HTTP test client (its own cookies); socket clients share those
cookies through `flask_test_client`, the way a browser's socket shares the page's cookies."""

from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from itertools import count
from typing import Any

from conftest import PASSWORD, csrf_token
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from workshop.extensions import db, socketio
from workshop.live import participants
from workshop.models import Facilitator as FacilitatorRow
from workshop.models import Participant, Response, Workshop

THRIVE = "thrive-srt-retrospective"
# Segments of the Thrive agenda: 0 overview, 1 retrospective, 2 forward-planning (framework
# "rep"), 3 prioritizing (vote).
RETRO_PROMPT = "worked_well"
OTHER_RETRO_PROMPT = "do_differently"
PLAN_PROMPT = "success_looks_like"
ROLE = "SRT member"
# The handshake query that names the session, per namespace (see docs/protocol.md §3.1).
PARTICIPANT_QUERY, FACILITATOR_QUERY, SCREEN_QUERY = "code", "workshop", "token"
CODE_SHAPE = re.compile(r"^[ABCDEFGHJKMNPQRSTUVWXYZ23456789]{6}$")


@dataclass(frozen=True)
class Session:
    """A live workshop as its people know it: console id, join code, projector token."""

    id: int
    code: str
    token: str


def new_client_id() -> str:
    return uuid.uuid4().hex


class Socket:
    """One Socket.IO connection on one audience's namespace."""

    def __init__(self, app, namespace: str, query: str, http=None):
        self.namespace = namespace
        self.client = socketio.test_client(
            app, namespace=namespace, query_string=query, flask_test_client=http
        )

    @property
    def connected(self) -> bool:
        return self.client.is_connected(self.namespace)

    def emit(self, event: str, *args: Any) -> Any:
        """Send an event and return the server's acknowledgement."""
        return self.client.emit(event, *args, namespace=self.namespace, callback=True)

    def events(self) -> list[tuple[str, Any]]:
        """Events received since the last call, as (name, payload)."""
        received = self.client.get_received(self.namespace)
        return [(m["name"], m["args"][0] if m["args"] else None) for m in received]

    def payloads(self, name: str) -> list[Any]:
        return [payload for event, payload in self.events() if event == name]


class Actor:
    """Anyone with a browser: a test client with its own cookies."""

    def __init__(self, room: Room):
        self.room = room
        self.http = room.app.test_client()

    def get(self, path: str, **kwargs):
        return self.http.get(path, **kwargs)

    def page(self, path: str) -> str:
        return self.http.get(path).get_data(as_text=True)

    def post(self, path: str, data: dict | None = None):
        return self.http.post(path, data=data or {})


class Facilitator(Actor):
    def __init__(self, room: Room, email: str):
        super().__init__(room)
        self.email = email

    def sign_in(self) -> Facilitator:
        with self.room.app.app_context():
            # A cheap hash keeps these tests quick; the sign-in form below is the real one.
            cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
            db.session.add(FacilitatorRow(email=self.email, password_hash=cheap))
            db.session.commit()
        data = {"email": self.email, "password": PASSWORD}
        if self.room.csrf:
            data["csrf_token"] = csrf_token(self.page("/auth/login"))
        assert self.http.post("/auth/login", data=data).status_code == 302
        return self

    def start(self, agenda_id: str = THRIVE) -> Session:
        data = {}
        if self.room.csrf:
            data["csrf_token"] = csrf_token(self.page("/facilitator/"))
        response = self.post(f"/facilitator/agendas/{agenda_id}/start", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        workshop_id = int(response.headers["Location"].rstrip("/").split("/")[-1])
        return self.room.session(workshop_id)

    def console(self, session: Session) -> str:
        return self.page(f"/facilitator/w/{session.id}")

    def control(self, session: Session, action: str, **extra):
        """Press a console button (a plain form post, as with JavaScript off)."""
        return self.post(f"/facilitator/w/{session.id}/control", {"action": action, **extra})

    def go_to(self, session: Session, segment_index: int) -> None:
        """Start the session and press Next until the given segment is on screen."""
        assert self.control(session, "start").status_code == 302
        for _ in range(segment_index):
            assert self.control(session, "next").status_code == 302
        assert self.room.workshop(session)["segment_index"] == segment_index

    def hide(self, session: Session, response_id: int, hidden: bool = True, **extra):
        path = f"/facilitator/w/{session.id}/responses/{response_id}/hide"
        return self.post(path, {"hidden": "1" if hidden else "0", **extra})

    def socket(self, session: Session | None, query: str | None = None) -> Socket:
        query = query if query is not None else f"{FACILITATOR_QUERY}={session.id}"
        return Socket(self.room.app, "/facilitator", query, self.http)


class Phone(Actor):
    """A participant's phone."""

    def join(self, session: Session, role: str | None = ROLE, name: str = "", **answers):
        data = {"name": name, **answers}
        if role is not None:
            data["role"] = role
        return self.post(f"/w/{session.code}/join", data)

    def joined(self, session: Session, **kwargs) -> Phone:
        assert self.join(session, **kwargs).status_code == 302
        return self

    def token(self, session: Session) -> str | None:
        cookie = self.http.get_cookie(f"wsp_{session.id}")
        return cookie.value if cookie else None

    def live(self, session: Session) -> str:
        return self.page(f"/w/{session.code}")

    def respond(self, session: Session, prompt_id: str, text: str, **extra):
        """Send an answer with the page's form (post, redirect)."""
        data = {"prompt_id": prompt_id, "text": text, "client_id": new_client_id(), **extra}
        return self.post(f"/w/{session.code}/responses", data)

    def edit(self, session: Session, response_id: int, text: str, **extra):
        return self.post(f"/w/{session.code}/responses/{response_id}/edit", {"text": text, **extra})

    def delete(self, session: Session, response_id: int, **extra):
        return self.post(f"/w/{session.code}/responses/{response_id}/delete", extra)

    def socket(self, session: Session | None, query: str | None = None) -> Socket:
        query = query if query is not None else f"{PARTICIPANT_QUERY}={session.code}"
        return Socket(self.room.app, "/participant", query, self.http)


class Room:
    """The app and everyone in the room; reads what the database holds."""

    def __init__(self, app):
        self.app = app
        self.csrf = bool(app.config.get("WTF_CSRF_ENABLED"))
        self._emails = count(1)

    def facilitator(self, email: str | None = None) -> Facilitator:
        email = email or f"facilitator{next(self._emails)}@example.org"
        return Facilitator(self, email).sign_in()

    def phone(self) -> Phone:
        return Phone(self)

    def screen(self, session: Session, token: str | None = None) -> Socket:
        token = session.token if token is None else token
        return Socket(self.app, "/screen", f"{SCREEN_QUERY}={token}")

    def session(self, workshop_id: int) -> Session:
        with self.app.app_context():
            workshop = db.session.get(Workshop, workshop_id)
            return Session(workshop.id, workshop.code, workshop.projector_token)

    def workshop(self, session: Session) -> dict[str, Any]:
        with self.app.app_context():
            workshop = db.session.get(Workshop, session.id)
            fields = ("segment_index", "timer_running", "ends_at", "remaining_seconds", "ended_at")
            return {name: getattr(workshop, name) for name in fields}

    def participants(self, session: Session) -> list[dict[str, Any]]:
        with self.app.app_context():
            query = (
                select(Participant)
                .where(Participant.workshop_id == session.id)
                .order_by(Participant.number)
            )
            return [
                {
                    "number": p.number,
                    "name": p.name,
                    "role": p.role,
                    "token_hash": p.token_hash,
                    "answers": json.loads(p.answers_json),
                }
                for p in db.session.scalars(query)
            ]

    def participant_number(self, session: Session, phone: Phone) -> int:
        wanted = participants.token_hash(phone.token(session))
        (number,) = [p["number"] for p in self.participants(session) if p["token_hash"] == wanted]
        return number

    def responses(self, session: Session, *, deleted: bool = False) -> list[dict[str, Any]]:
        """Stored answers, oldest first; deleted ones only when asked for."""
        with self.app.app_context():
            query = select(Response).where(Response.workshop_id == session.id)
            if not deleted:
                query = query.where(Response.deleted_at.is_(None))
            rows = db.session.scalars(query.order_by(Response.id))
            return [
                {
                    "id": r.id,
                    "prompt_id": r.prompt_id,
                    "segment_id": r.segment_id,
                    "text": r.text,
                    "client_id": r.client_id,
                    "strategy_id": r.strategy_id,
                    "hidden": r.hidden,
                    "deleted": r.deleted_at is not None,
                    "participant_id": r.participant_id,
                }
                for r in rows
            ]

    def texts(self, session: Session) -> list[str]:
        return [row["text"] for row in self.responses(session)]


def answer_over_socket(socket: Socket, prompt_id: str, text: str, **extra) -> dict[str, Any]:
    payload = {"prompt_id": prompt_id, "text": text, "client_id": new_client_id(), **extra}
    return socket.emit("respond", payload)
