"""Helpers for the themes-board and voting tests that read like the room: facilitators start a
session and sort answers into themes, phones answer and vote, a projector watches, and the
database says what was stored.

Every actor has its own HTTP test client (its own cookies); socket clients share those cookies
through `flask_test_client`, the way a browser's socket shares the page's cookies. Broadcasts
are immediate (BROADCAST_INTERVAL=0), so an event is in a socket's queue as soon as the
operation that caused it has returned."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import count
from pathlib import Path
from typing import Any

from conftest import AGENDA_FIXTURES, BUNDLED_AGENDAS, PASSWORD, make_app
from sqlalchemy import select
from werkzeug.security import generate_password_hash

from workshop.extensions import db, socketio
from workshop.live.participants import token_hash
from workshop.models import (
    Ballot,
    BallotPick,
    Candidate,
    Participant,
    Response,
    Theme,
    ThemeStrategy,
    VoteRound,
    Workshop,
    WorkshopFacilitator,
)
from workshop.models import Facilitator as FacilitatorRow

THRIVE = "thrive-srt-retrospective"  # framework "rep"; vote: 3 ranked picks on the themes
DOTS = "dots"  # tests/data/agendas/dots.toml: 2 unranked picks on a fixed list, tally hidden
# Segments of the Thrive agenda.
OVERVIEW, RETRO, PLANNING, VOTE = range(4)
RETRO_PROMPT = "worked_well"
ROLE = "SRT member"


def new_client_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Session:
    """A live workshop as its people know it: console id, join code, projector token."""

    id: int
    code: str
    token: str


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

    def last(self, name: str) -> Any:
        """The latest payload of one event since the last read (the others are dropped)."""
        found = self.payloads(name)
        assert found, f"no '{name}' event arrived on {self.namespace}"
        return found[-1]


class Actor:
    """Anyone with a browser: a test client with its own cookies."""

    def __init__(self, room: Room):
        self.room = room
        self.http = room.app.test_client()

    def get(self, path: str, **kwargs):
        return self.http.get(path, **kwargs)

    def page(self, path: str) -> str:
        return self.http.get(path).get_data(as_text=True)

    def post(self, path: str, data: dict | None = None, **kwargs):
        return self.http.post(path, data=data or {}, **kwargs)

    def connect(self, namespace: str, query: str) -> Socket:
        """Open a socket with this browser's cookies."""
        return Socket(self.room.app, namespace, query, self.http)


class Facilitator(Actor):
    def __init__(self, room: Room, email: str):
        super().__init__(room)
        self.email = email
        with room.app.app_context():
            # A cheap hash keeps these tests quick; the sign-in form below is the real one.
            cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1")
            row = FacilitatorRow(email=email, password_hash=cheap)
            db.session.add(row)
            db.session.commit()
            self.id = row.id
        response = self.post("/auth/login", {"email": email, "password": PASSWORD})
        assert response.status_code == 302

    def start(self, agenda_id: str = THRIVE) -> Session:
        response = self.post(f"/facilitator/agendas/{agenda_id}/start")
        assert response.status_code == 302, response.get_data(as_text=True)
        return self.room.session(int(response.headers["Location"].rstrip("/").split("/")[-1]))

    def control(self, session: Session, action: str):
        return self.post(f"/facilitator/w/{session.id}/control", {"action": action})

    def go_to(self, session: Session, segment_index: int) -> None:
        """Start the session (if needed) and press Next until that segment is on screen."""
        while self.room.segment_index(session) < segment_index:
            action = "start" if self.room.segment_index(session) < 0 else "next"
            assert self.control(session, action).status_code == 302
        assert self.room.segment_index(session) == segment_index

    def socket(self, session: Session, query: str | None = None) -> Socket:
        return self.connect("/facilitator", f"workshop={session.id}" if query is None else query)

    def board(self, session: Session, op: str, **fields):
        """Press a button of the board form (a plain post, as with JavaScript off)."""
        return self.post(f"/facilitator/w/{session.id}/board/", {"op": op, **fields})

    def vote(self, session: Session, op: str, **fields):
        """Press a button of the console's voting panel."""
        return self.post(f"/facilitator/w/{session.id}/vote", {"op": op, **fields})


class Phone(Actor):
    """A participant's phone, joined to one session."""

    def join(self, session: Session, name: str = "", role: str = ROLE) -> Phone:
        self.session = session
        response = self.post(f"/w/{session.code}/join", {"name": name, "role": role})
        assert response.status_code == 302
        return self

    def answer(self, text: str, prompt_id: str = RETRO_PROMPT) -> int:
        """Send an answer with the page's form; returns the stored answer's id."""
        client_id = new_client_id()
        data = {"prompt_id": prompt_id, "text": text, "client_id": client_id}
        assert self.post(f"/w/{self.session.code}/responses", data).status_code == 302
        with self.room.app.app_context():
            return db.session.scalar(select(Response.id).where(Response.client_id == client_id))

    def socket(self, session: Session | None = None, query: str | None = None) -> Socket:
        query = f"code={(session or self.session).code}" if query is None else query
        return self.connect("/participant", query)

    def ballot(self, round_id: int, *ranked: int, client_id: str | None = None, **fields):
        """Send the ballot form: ranked picks as pick-1, pick-2, ... (`fields` add or override)."""
        data = {"round_id": str(round_id), "client_id": client_id or new_client_id()}
        data.update({f"pick-{n}": str(pick) for n, pick in enumerate(ranked, start=1)})
        data.update(fields)
        return self.post(f"/w/{self.session.code}/ballot", data)

    def live(self, query: str = "") -> str:
        """The live page, e.g. `live("voted=1")` after the ballot form redirected there."""
        return self.page(f"/w/{self.session.code}" + (f"?{query}" if query else ""))

    @property
    def participant_id(self) -> int:
        cookie = self.http.get_cookie(f"wsp_{self.session.id}")
        with self.room.app.app_context():
            return db.session.scalar(
                select(Participant.id).where(Participant.token_hash == token_hash(cookie.value))
            )


class Room:
    """The app and everyone in the room; reads what the database holds."""

    def __init__(self, app):
        self.app = app
        self._emails = count(1)

    def facilitator(self, email: str | None = None) -> Facilitator:
        return Facilitator(self, email or f"facilitator{next(self._emails)}@example.org")

    def co_facilitator(self, session: Session) -> Facilitator:
        """A second facilitator of the same session (as the owner would add them)."""
        other = self.facilitator()
        with self.app.app_context():
            db.session.add(WorkshopFacilitator(workshop_id=session.id, facilitator_id=other.id))
            db.session.commit()
        return other

    def phone(self, session: Session, name: str = "", role: str = ROLE) -> Phone:
        return Phone(self).join(session, name, role)

    def anonymous(self) -> Actor:
        return Actor(self)

    def screen(self, session: Session, token: str | None = None) -> Socket:
        return Socket(self.app, "/screen", f"token={session.token if token is None else token}")

    def session(self, workshop_id: int) -> Session:
        with self.app.app_context():
            workshop = db.session.get(Workshop, workshop_id)
            return Session(workshop.id, workshop.code, workshop.projector_token)

    def segment_index(self, session: Session) -> int:
        with self.app.app_context():
            return db.session.get(Workshop, session.id).segment_index

    # -- what the database holds ----------------------------------------------------------

    def placement(self, session: Session) -> dict[int, int | None]:
        """Where every (not deleted) answer sits: answer id → theme id, None when unsorted."""
        with self.app.app_context():
            query = select(Response.id, Response.theme_id).where(
                Response.workshop_id == session.id, Response.deleted_at.is_(None)
            )
            return {row.id: row.theme_id for row in db.session.execute(query)}

    def themes(self, session: Session) -> dict[int, dict[str, Any]]:
        """Every theme of the session: title, description, linked strategies and answers."""
        placement = self.placement(session)
        with self.app.app_context():
            query = select(Theme).where(Theme.workshop_id == session.id).order_by(Theme.id)
            listed = {}
            for theme in db.session.scalars(query):
                links = select(ThemeStrategy.strategy_id).where(ThemeStrategy.theme_id == theme.id)
                listed[theme.id] = {
                    "title": theme.title,
                    "description": theme.description,
                    "strategies": sorted(db.session.scalars(links)),
                    "answers": sorted(r for r, t in placement.items() if t == theme.id),
                }
            return listed

    def titles(self, session: Session) -> list[str]:
        return [theme["title"] for theme in self.themes(session).values()]

    def board_state(self, session: Session) -> tuple:
        """Everything a board operation could change, to check that a refused one did not."""
        return self.themes(session), self.placement(session)

    def hidden(self, session: Session) -> set[int]:
        with self.app.app_context():
            query = select(Response.id).where(
                Response.workshop_id == session.id, Response.hidden.is_(True)
            )
            return set(db.session.scalars(query))

    def rounds(self, session: Session) -> list[dict[str, Any]]:
        """Every vote round, oldest first, with its candidates' titles."""
        with self.app.app_context():
            query = select(VoteRound).where(VoteRound.workshop_id == session.id)
            rounds = []
            for vote_round in db.session.scalars(query.order_by(VoteRound.number)):
                listed = select(Candidate).where(Candidate.round_id == vote_round.id)
                rounds.append(
                    {
                        "id": vote_round.id,
                        "is_open": vote_round.is_open,
                        "hide_tally": vote_round.hide_tally,
                        "picks": vote_round.picks,
                        "ranked": vote_round.ranked,
                        "candidates": {
                            c.title: c.id
                            for c in db.session.scalars(listed.order_by(Candidate.position))
                        },
                    }
                )
            return rounds

    def ballots(self, round_id: int) -> list[dict[str, Any]]:
        """Stored ballots of a round: whose, which client id, picks in rank order."""
        with self.app.app_context():
            query = select(Ballot).where(Ballot.round_id == round_id).order_by(Ballot.id)
            stored = []
            for ballot in db.session.scalars(query):
                picks = select(BallotPick.candidate_id).where(BallotPick.ballot_id == ballot.id)
                stored.append(
                    {
                        "participant_id": ballot.participant_id,
                        "client_id": ballot.client_id,
                        "picks": list(db.session.scalars(picks.order_by(BallotPick.rank))),
                    }
                )
            return stored

    def vote_state(self, session: Session) -> tuple:
        """Everything a vote operation or a ballot could change."""
        rounds = self.rounds(session)
        return rounds, [self.ballots(r["id"]) for r in rounds]


def agenda_dir(tmp_path: Path) -> Path:
    """A library with the bundled Thrive agenda and the test agendas (e.g. dots.toml)."""
    folder = tmp_path / "agendas"
    folder.mkdir(exist_ok=True)
    shutil.copy(BUNDLED_AGENDAS / f"{THRIVE}.toml", folder)
    for path in AGENDA_FIXTURES.glob("*.toml"):
        shutil.copy(path, folder)
    return folder


@contextmanager
def open_room(tmp_path: Path, **config) -> Iterator[Room]:
    app = make_app(tmp_path, BROADCAST_INTERVAL=0, AGENDA_DIR=str(agenda_dir(tmp_path)), **config)
    try:
        yield Room(app)
    finally:
        with app.app_context():
            db.engine.dispose()
