"""The segment a room of phones shares: rendered once per change and language, sent over the
socket to each phone in its page's language, with nothing of any one person in it; every
phone fills in its own part (tests/test_e2e_phone_model.py shows the page doing so)."""

from __future__ import annotations

import re
from contextlib import contextmanager

import pytest
from flask import template_rendered
from room import RETRO, RETRO_PROMPT, VOTE, open_room

SEGMENT = "participant/_segment.html"


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as room:
        yield room


@contextmanager
def renders(app):
    """The names of the templates rendered meanwhile."""
    seen: list[str] = []

    def record(sender, template, context, **extra):
        seen.append(template.name)

    template_rendered.connect(record, app)
    try:
        yield seen
    finally:
        template_rendered.disconnect(record, app)


def test_each_phone_gets_the_new_segment_in_its_language_with_nothing_of_anyone(room):
    host = room.facilitator()
    session = host.start()
    ana, ines = room.phone(session, name="Ana Lopez"), room.phone(session)
    english, spanish = ana.socket(), ines.socket(query=f"code={session.code}&lang=es")
    host.go_to(session, RETRO)
    ana.answer("Peer networking built trust")

    host.control(session, "next")
    english_view, spanish_view = english.last("segment"), spanish.last("segment")
    assert '<h1 id="segment-title">Forward Planning</h1>' in english_view["html"]
    assert '<h1 id="segment-title">Planificación a futuro</h1>' in spanish_view["html"]
    assert "Parte 3 de 4" in spanish_view["html"] and "Part 3 of 4" in english_view["html"]
    assert "Su respuesta" in spanish_view["html"]  # the page's own words, not only the agenda's
    assert english_view["key"].endswith(".en") and spanish_view["key"].endswith(".es")
    for view in (english_view, spanish_view):
        assert "Peer networking" not in view["html"] and "Ana" not in view["html"]
        assert re.findall(r'name="csrf_token" value="([^"]*)"', view["html"]) == [""] * 4
        assert "data-own-answer" in view["html"]  # each prompt's template for own answers

    # a phone connecting now gets the same view in its snapshot, its own answers beside it
    (snapshot,) = ana.socket().payloads("snapshot")
    assert snapshot["segment"] == english_view
    assert [r["text"] for r in snapshot["responses"]] == ["Peer networking built trust"]


def test_a_room_costs_one_render_per_language_per_change(room):
    host = room.facilitator()
    session = host.start()
    phones = [room.phone(session) for _ in range(12)]
    sockets = [phone.socket() for phone in phones]
    host.go_to(session, RETRO)
    with renders(room.app) as seen:
        host.control(session, "next")
        assert seen.count(SEGMENT) == 2  # English and Spanish, not one per phone
        keys = {socket.last("segment")["key"] for socket in sockets}
        assert len(keys) == 1

        seen.clear()
        reconnected = [phone.socket() for phone in phones]  # a room reconnecting at once
        assert seen.count(SEGMENT) == 0
        assert {s.last("snapshot")["segment"]["key"] for s in reconnected} == keys

        host.control(session, "extend-60")  # the view does not change: sent, not rendered
        assert seen.count(SEGMENT) == 0
        assert {socket.last("segment")["key"] for socket in sockets} == keys


def test_the_shared_view_follows_the_vote_it_shows(room):
    """Opening and closing a vote each give the room a new view (the closed one shows the
    ranking); reopening it brings back the open one."""
    host = room.facilitator()
    session = host.start()
    phone = room.phone(session)
    console = host.socket(session)
    host.go_to(session, VOTE)
    for title in ("Networking", "Childcare"):
        assert console.emit("board", {"op": "create", "title": title})["ok"]
    socket = phone.socket()
    waiting = socket.last("snapshot")["segment"]
    assert "Voting opens here when the facilitator starts it." in waiting["html"]

    round_id = console.emit("vote", {"op": "open"})["round_id"]
    opened = socket.last("segment")
    assert "data-ballot-form" in opened["html"] and "Networking" in opened["html"]
    assert console.emit("vote", {"op": "close", "round_id": round_id})["ok"]
    closed = socket.last("segment")
    assert "Voting is closed" in closed["html"] and 'class="ranking"' in closed["html"]
    assert "data-ballot-form" not in closed["html"]
    assert console.emit("vote", {"op": "reopen", "round_id": round_id})["ok"]
    reopened = socket.last("segment")
    assert len({waiting["key"], opened["key"], closed["key"]}) == 3
    assert reopened["key"] == opened["key"]  # open again, the same ballot form as before


def test_the_page_served_to_a_phone_names_the_view_it_shows(room):
    """The live page carries its view's key, so the script knows the view in the snapshot is
    the one on screen; it shows the phone's own answers, which the shared view leaves out."""
    host = room.facilitator()
    session = host.start()
    phone = room.phone(session)
    host.go_to(session, RETRO)
    phone.answer("Monthly meetings", RETRO_PROMPT)
    page = phone.live()
    key = phone.socket().last("snapshot")["segment"]["key"]
    assert f'data-view="{key}"' in page
    assert "Monthly meetings" in page and "data-own-answer" not in page


@contextmanager
def statements(app):
    """The SQL statements run meanwhile."""
    from sqlalchemy import event

    from workshop.extensions import db

    seen: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def test_a_room_reconnecting_at_once_reads_only_each_phones_own_part(room):
    """After a server fell behind, every phone reconnects and gets a snapshot: the room's
    themes, its vote and the vote's tally are read once, not once per phone; each phone's own
    answers and ballot are read for it."""
    # Themes are kept as long as broadcasts coalesce: 2 s, so that twelve reconnections on a
    # busy machine (the whole suite running) fall within one interval, as they do in 0.25 s
    # when the server is not shared with a test suite (it read them twice once, at 0.25 s).
    room.app.config["BROADCAST_INTERVAL"] = 2.0
    host = room.facilitator()
    session = host.start()
    phones = [room.phone(session) for _ in range(12)]
    console = host.socket(session)
    host.go_to(session, VOTE)
    for title in ("Networking", "Childcare"):
        assert console.emit("board", {"op": "create", "title": title})["ok"]
    round_id = console.emit("vote", {"op": "open"})["round_id"]
    first = phones[0].socket()
    candidate = first.last("snapshot")["vote"]["round"]["candidates"][0]["id"]
    ballot = {"round_id": round_id, "picks": [candidate], "client_id": "b" * 12}
    assert first.emit("ballot", ballot)["ok"]
    with statements(room.app) as seen:
        snapshots = [phone.socket().last("snapshot") for phone in phones]
    assert [s["themes"][0]["title"] for s in snapshots] == ["Networking"] * 12
    assert snapshots[0]["ballot"]["picks"] == [candidate]  # each phone's own ballot
    assert all(s["ballot"] is None for s in snapshots[1:])
    room_reads = [s for s in seen if "FROM theme" in s or "count(" in s.lower()]
    assert len(room_reads) <= 3, room_reads  # once for the room, not twelve times
