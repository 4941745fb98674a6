"""Shared helpers for the security tests (test_authorization.py, test_fuzz.py, test_xss.py).

A `World` is one session seen by every audience: its facilitator, a participant, the
projector and a share-link holder, plus a second session with its own facilitator and
participant, and a stranger with nothing. It holds an answer sorted into a theme, an open
vote on that theme, a paper participant, a share link and a saved agenda, and the session is
back on its first question segment, so every route and event has something to act on.

`snapshot` reads every table, so a test can show that a refused request changed nothing.
`AckSocket` is a Socket.IO test client that also keeps why a connection was refused (the
`connect_error` data, which Flask-SocketIO's own test client drops)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from flask_socketio.test_client import SocketIOTestClient
from room import RETRO, ROLE, THRIVE, VOTE, Actor, Facilitator, Phone, Room, Session
from socketio import packet
from sqlalchemy import func, literal_column, select

from workshop.extensions import Base, db, socketio
from workshop.models import Participant, ShareLink, Theme

# The audiences of docs/protocol.md §1, as the parametrized ids show them.
ANONYMOUS = "anonymous"
PARTICIPANT = "participant"
OTHER_PARTICIPANT = "participant-of-another-session"
OTHER_FACILITATOR = "facilitator-of-another-session"
FACILITATOR = "facilitator"
PROJECTOR = "projector"
SHARE_HOLDER = "share-link-holder"
AUDIENCES = (
    ANONYMOUS,
    PARTICIPANT,
    OTHER_PARTICIPANT,
    OTHER_FACILITATOR,
    FACILITATOR,
    PROJECTOR,
    SHARE_HOLDER,
)

# Well-formed tokens that open nothing: what an audience without the secret can send.
FORGED_SCREEN_TOKEN = "Zm9yZ2VkLXNjcmVlbi10b2tlbi0xMjM0"  # 32 URL-safe characters
FORGED_SHARE_TOKEN = "Zm9yZ2VkLXNoYXJlLWxpbmstdG9rZW4tMTIzNDU2Nzg5MGFi"


# -- the database -------------------------------------------------------------------------------


def table_marks(app) -> dict[str, int]:
    """The highest SQLite rowid of every table: rows after it are newer."""
    with app.app_context():
        return {
            table.name: db.session.scalar(
                select(func.max(literal_column("rowid"))).select_from(table)
            )
            or 0
            for table in Base.metadata.sorted_tables
        }


def snapshot(app, since: dict[str, int] | None = None) -> dict[str, list[tuple]]:
    """Every row of every table (or only those added after the `since` marks), in a stable
    order."""
    with app.app_context():
        listed = {}
        for table in Base.metadata.sorted_tables:
            query = select(table)
            if since is not None:
                query = query.where(literal_column("rowid") > since[table.name])
            listed[table.name] = sorted(map(tuple, db.session.execute(query)), key=repr)
        return listed


def changed_tables(before: dict, after: dict) -> list[str]:
    return [name for name in before if before[name] != after[name]]


# -- sockets ------------------------------------------------------------------------------------


class _RecordingClient(SocketIOTestClient):
    refusal: Any = None

    def connect(self, namespace=None, query_string=None, headers=None, auth=None):
        send = self.socketio.server._send_packet

        def record(eio_sid, pkt):
            if eio_sid == self.eio_sid and pkt.packet_type == packet.CONNECT_ERROR:
                self.refusal = pkt.data
            send(eio_sid, pkt)

        self.socketio.server._send_packet = record
        try:
            super().connect(namespace, query_string, headers, auth)
        finally:
            self.socketio.server._send_packet = send


class AckSocket:
    """One Socket.IO connection; `refusal` is the connect_error data when it was refused."""

    def __init__(self, app, namespace: str, query: str, http=None):
        self.namespace = namespace
        self.client = _RecordingClient(
            app, socketio, namespace=namespace, query_string=query, flask_test_client=http
        )

    @property
    def connected(self) -> bool:
        return self.client.is_connected(self.namespace)

    @property
    def refusal(self) -> Any:
        return self.client.refusal

    def emit(self, event: str, *args: Any) -> Any:
        return self.client.emit(event, *args, namespace=self.namespace, callback=True)

    def events(self) -> list[tuple[str, Any]]:
        received = self.client.get_received(self.namespace)
        return [(m["name"], m["args"][0] if m["args"] else None) for m in received]

    def close(self) -> None:
        if self.connected:
            self.client.disconnect(self.namespace)
        SocketIOTestClient.clients.pop(self.client.eio_sid, None)


def registered_events() -> dict[str, set[str]]:
    """The events each namespace handles, read from the Socket.IO server (connect and the
    catch-all `*` left out): a handler added in workshop/sockets.py shows up here."""
    return {
        namespace: {name for name in handlers if name not in ("connect", "disconnect", "*")}
        for namespace, handlers in socketio.server.handlers.items()
    }


# -- a world with every audience -----------------------------------------------------------------


@dataclass
class World:
    room: Room
    host: Facilitator  # facilitator of this session
    stranger: Facilitator  # facilitator of the other session only
    session: Session  # this session
    other: Session  # the other session
    phone: Phone  # participant of this session
    outsider: Phone  # participant of the other session
    response_id: int  # the phone's answer, in a theme
    theme_id: int
    round_id: int  # open, on that theme
    candidate_id: int
    paper_id: int  # a paper participant of this session
    share_token: str
    share_link_id: int
    agenda_id: str  # the host's own saved agenda
    marks: dict[str, int]
    # The host's collection (a regional roll-up) holding this session, and its share link.
    collection: dict[str, Any] = field(
        default_factory=dict
    )  # the tables' last rowids before this world was built
    foreign: dict[str, int] = field(default_factory=dict)  # the other session's ids, if asked

    @property
    def app(self):
        return self.room.app

    def snapshot(self) -> dict[str, list[tuple]]:
        """Every row this world added (and whatever was added since)."""
        return snapshot(self.app, since=self.marks)

    def browser(self, audience: str) -> Actor:
        """A new browser holding the audience's cookies (its identity), so that whatever a
        test does to its cookies, e.g. signing in, stays out of the world."""
        browser = self.room.anonymous()
        source = self.actor(audience).http
        names = ("session", "remember_token", f"wsp_{self.session.id}", f"wsp_{self.other.id}")
        for name in names:
            cookie = source.get_cookie(name)
            if cookie is not None:
                browser.http.set_cookie(name, cookie.value)
        return browser

    def actor(self, audience: str) -> Actor:
        """The browser of an audience: its cookies are its identity."""
        known = {
            PARTICIPANT: self.phone,
            OTHER_PARTICIPANT: self.outsider,
            OTHER_FACILITATOR: self.stranger,
            FACILITATOR: self.host,
        }
        return known.get(audience) or self.room.anonymous()

    def fields(self, audience: str) -> dict[str, Any]:
        """What goes into URLs and payloads. Join codes and ids are not secrets; the screen
        token and the share token are known only to the projector and the share-link holder:
        everyone else sends a well-formed token that is not one, since no cookie may stand in
        for them."""
        return {
            "id": self.session.id,
            "code": self.session.code,
            "token": self.session.token if audience == PROJECTOR else FORGED_SCREEN_TOKEN,
            "share": self.share_token if audience == SHARE_HOLDER else FORGED_SHARE_TOKEN,
            "rid": self.response_id,
            "tid": self.theme_id,
            "round": self.round_id,
            "cand": self.candidate_id,
            "pid": self.paper_id,
            "link": self.share_link_id,
            "agenda": self.agenda_id,
            "library": THRIVE,
            "other_id": self.other.id,
            "other_code": self.other.code,
            "cid": self.collection["id"],
            "mid": self.collection["member"],
            "rlink": self.collection["link"],
            "rollup_share": self.collection["token"]
            if audience == SHARE_HOLDER
            else FORGED_SHARE_TOKEN,
            "host_id": self.host.id,
            "stranger_email": self.stranger.email,
        }

    def socket(self, audience: str, namespace: str, *, own: bool = False) -> AckSocket:
        """A socket of that audience aimed at this session (or, `own=True`, at the session
        the audience belongs to), with the handshake query its namespace reads."""
        session = self.other if own else self.session
        fields = self.fields(audience)
        query = {
            "/participant": f"code={session.code}",
            "/facilitator": f"workshop={session.id}",
            "/screen": f"token={fields['token'] if not own else session.token}",
        }[namespace]
        return AckSocket(self.app, namespace, query, self.browser(audience).http)


def build_world(room: Room, *, foreign: bool = False) -> World:
    """`foreign=True` also gives the other session a theme and an open vote, whose ids
    `World.foreign` lists (`rid`, `tid`, `round`, `cand`)."""
    marks = table_marks(room.app)
    host, stranger = room.facilitator(), room.facilitator()
    session, other = host.start(), stranger.start()
    host.go_to(session, RETRO)
    stranger.go_to(other, RETRO)
    phone = room.phone(session, name="Ana")
    outsider = room.phone(other, name="Bo")
    elsewhere = {"rid": outsider.answer("An answer in the other session")}
    if foreign:
        elsewhere |= _theme_and_vote(room, stranger, other, elsewhere["rid"], "Elsewhere")
    response_id = phone.answer("Monthly meetings built trust")
    made = _theme_and_vote(room, host, session, response_id, "Trust")
    assert host.post(f"/facilitator/w/{session.id}/paper/", {"role": ROLE}).status_code == 302
    share = host.post(
        f"/facilitator/w/{session.id}/results/share", {"expires_in_days": "0", "label": "Shared"}
    )
    assert share.status_code == 302
    token = re.search(
        r"/shared/([A-Za-z0-9_-]+)", host.page(f"/facilitator/w/{session.id}/results")
    )
    copied = host.post(f"/facilitator/editor/copy/{THRIVE}")
    agenda_id = copied.headers["Location"].rsplit("/", 1)[-1]
    with room.app.app_context():
        paper_id = db.session.scalar(
            select(Participant.id).where(
                Participant.workshop_id == session.id, Participant.is_paper.is_(True)
            )
        )
        link_id = db.session.scalar(select(ShareLink.id).where(ShareLink.workshop_id == session.id))
    return World(
        room=room,
        host=host,
        stranger=stranger,
        session=session,
        other=other,
        phone=phone,
        outsider=outsider,
        response_id=response_id,
        theme_id=made["tid"],
        round_id=made["round"],
        candidate_id=made["cand"],
        paper_id=paper_id,
        share_token=token.group(1),
        share_link_id=link_id,
        agenda_id=agenda_id,
        marks=marks,
        foreign=elsewhere,
        collection=_collection(room, host, session),
    )


def _collection(room: Room, host: Facilitator, session: Session) -> dict[str, Any]:
    """A collection of the host's holding this session, with a share link to its roll-up."""
    created = host.post("/facilitator/collections/", {"name": "Region"})
    base = created.headers["Location"].removesuffix("tables")
    assert host.post(base + "add", {"workshop_id": str(session.id)}).status_code == 302
    assert host.post(base + "share", {"expires_in_days": "0"}).status_code == 302
    token = re.search(r"/shared/rollup/([A-Za-z0-9_-]+)", host.page(base + "settings"))
    with room.app.app_context():
        from workshop.collections.records import CollectionMember, CollectionShareLink

        member = db.session.scalar(
            select(CollectionMember).where(CollectionMember.workshop_id == session.id)
        )
        link = db.session.scalar(
            select(CollectionShareLink.id).where(
                CollectionShareLink.collection_id == member.collection_id
            )
        )
        return {"id": member.collection_id, "member": member.id, "link": link, "token": token[1]}


def _theme_and_vote(room: Room, host: Facilitator, session: Session, response_id: int, title: str):
    """A theme holding the answer and an open vote on it; then back to the first questions
    (the vote stays open)."""
    assert (
        host.board(session, "create", new_title=title, response_ids=[response_id]).status_code
        == 302
    )
    host.go_to(session, VOTE)
    assert host.vote(session, "open").status_code == 302
    (vote_round,) = room.rounds(session)
    for _ in range(VOTE - RETRO):
        assert host.control(session, "previous").status_code == 302
    assert room.segment_index(session) == RETRO
    with room.app.app_context():
        theme_id = db.session.scalar(select(Theme.id).where(Theme.workshop_id == session.id))
    return {
        "tid": theme_id,
        "round": vote_round["id"],
        "cand": next(iter(vote_round["candidates"].values())),
    }


class Worlds:
    """One world at a time for a test module: reused by the next test while nothing in it has
    changed, built anew after a test changed something (as every allowed write does)."""

    def __init__(self, room: Room):
        self.room = room
        self.world: World | None = None
        self.state: dict | None = None

    def clean(self) -> World:
        if self.world is None or self.world.snapshot() != self.state:
            self.world = build_world(self.room)
            self.state = self.world.snapshot()
        return self.world
