"""Big pages render in pieces, letting waiting work (other rooms' ballots) run in between, and
come out exactly as rendered in one go."""

from __future__ import annotations

import re

import pytest
from flask import render_template
from room import RETRO, open_room

from workshop.extensions import db
from workshop.models import Workshop
from workshop.web import rendering
from workshop.web.views.board import board_context

TOKEN = re.compile(r'name="csrf_token" type="hidden" value="[^"]*"')


@pytest.fixture
def board(tmp_path):
    """A facilitator's board of 60 answers in three themes, as the script fetches it."""
    with open_room(tmp_path) as room:
        host = room.facilitator()
        session = host.start()
        host.go_to(session, RETRO)
        for person in range(20):
            phone = room.phone(session)
            for n in range(3):
                phone.answer(f"Idea {n} of person {person}: meet in the evenings <b>too</b>")
        for title in ("Meetings", "Partners", "Data"):
            host.board(session, "create", new_title=title)
        yield room, host, session


def test_the_board_renders_the_same_in_pieces_as_in_one_go(board, monkeypatch):
    room, host, session = board
    turns = []
    monkeypatch.setattr(rendering, "SLICE", 0.0)  # a turn for waiting work after every piece
    monkeypatch.setattr(rendering, "after_phones", lambda: turns.append("phones went first"))
    in_pieces = host.get(f"/facilitator/w/{session.id}/board/fragment").get_data(as_text=True)
    assert len(turns) > 10, "waiting work got no turn while the board rendered"
    with room.app.test_request_context():
        context = board_context(db.session.get(Workshop, session.id), {"prompt": "", "q": ""})
        at_once = render_template("facilitator/_board.html", **context)
    assert TOKEN.sub("", in_pieces) == TOKEN.sub("", at_once)
    assert "Idea 2 of person 19" in in_pieces
    assert "&lt;b&gt;too&lt;/b&gt;" in in_pieces and "<b>too</b>" not in in_pieces
