"""Themes in English and Spanish: a facilitator gives a theme a Spanish title on the board, and
Spanish-speaking phones read it on the theme's page, the ballot and the ranking; English phones
keep the title; exports carry both."""

from __future__ import annotations

import csv
import io
import json
import zipfile

import pytest
from room import RETRO, VOTE, open_room
from sqlalchemy import select

from workshop.extensions import db
from workshop.models import Theme


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as room:
        yield room


def spanish_title(room, theme_id: int) -> str:
    with room.app.app_context():
        return db.session.scalar(select(Theme.title_es).where(Theme.id == theme_id))


def make_theme(host, session, title: str, answers: list[int]) -> int:
    reply = host.board(session, "create", new_title=title, response_ids=[str(a) for a in answers])
    assert reply.status_code == 302
    (theme_id,) = [i for i, t in host.room.themes(session).items() if t["title"] == title]
    return theme_id


def name_in_spanish(host, session, theme_id: int, title: str, title_es: str):
    fields = {
        f"title-{theme_id}": title,
        f"description-{theme_id}": "",
        f"title_es-{theme_id}": title_es,
    }
    return host.board(session, f"update:{theme_id}", **fields)


def test_the_board_sets_keeps_and_clears_a_spanish_title(room):
    host = room.facilitator()
    session = host.start()
    phone = room.phone(session)
    host.go_to(session, RETRO)
    theme_id = make_theme(host, session, "Transit", [phone.answer("Buses to meetings")])
    board = host.page(f"/facilitator/w/{session.id}/board/")
    assert "No Spanish title" in board  # the board says which themes lack one

    assert name_in_spanish(host, session, theme_id, "Transit", "  Transporte  ").status_code == 302
    assert spanish_title(room, theme_id) == "Transporte"
    assert "No Spanish title" not in host.page(f"/facilitator/w/{session.id}/board/")

    # A client that knows nothing of Spanish titles (the socket's update without it) keeps it.
    console = host.socket(session)
    reply = console.emit("board", {"op": "update", "theme_id": theme_id, "title": "Transport"})
    assert reply["ok"] and spanish_title(room, theme_id) == "Transporte"
    assert console.last("board")["themes"][0]["title_es"] == "Transporte"
    # An empty one clears it; one too long is refused like a title.
    name_in_spanish(host, session, theme_id, "Transport", "")
    assert spanish_title(room, theme_id) == ""
    reply = console.emit(
        "board", {"op": "update", "theme_id": theme_id, "title": "Transport", "title_es": "x" * 121}
    )
    assert reply["ok"] is False and reply["code"] == "too_long"


def test_spanish_phones_read_the_spanish_title_on_the_theme_page_ballot_and_ranking(room):
    host = room.facilitator()
    session = host.start()
    ana, ines = room.phone(session), room.phone(session)
    host.go_to(session, RETRO)
    transit = make_theme(host, session, "Transit", [ana.answer("Buses to meetings")])
    make_theme(host, session, "Childcare", [ines.answer("Childcare during sessions")])
    name_in_spanish(host, session, transit, "Transit", "Transporte público")

    page = ines.page(f"/w/{session.code}/themes/{transit}?lang=es")
    assert "<h1>Transporte público</h1>" in page
    assert "<h1>Transit</h1>" in ana.page(f"/w/{session.code}/themes/{transit}?lang=en")
    # the room's themes as the page's script draws them carry both titles
    english, spanish = ana.socket(), ines.socket(query=f"code={session.code}&lang=es")
    (snapshot,) = spanish.payloads("snapshot")
    assert {t["title"]: t["title_es"] for t in snapshot["themes"]} == {
        "Transit": "Transporte público",
        "Childcare": "",
    }

    host.go_to(session, VOTE)
    round_id = host.socket(session).emit("vote", {"op": "open"})["round_id"]
    ballot_es, ballot_en = spanish.last("segment")["html"], english.last("segment")["html"]
    assert "Transporte público" in ballot_es and "Childcare" in ballot_es  # none: the title
    assert "Transporte público" not in ballot_en and "Transit" in ballot_en
    # renaming now changes nothing on this round's ballot: its candidates were fixed at opening
    name_in_spanish(host, session, transit, "Transit", "Autobuses")
    assert "Transporte público" in ines.page(f"/w/{session.code}?lang=es")

    ines.ballot(round_id, *candidate_ids(room, round_id))
    assert host.vote(session, "close", round_id=str(round_id)).status_code == 302
    ranking_es, ranking_en = spanish.last("segment")["html"], english.last("segment")["html"]
    assert 'class="ranking"' in ranking_es and "Transporte público" in ranking_es
    assert "Transit" in ranking_en and "Transporte" not in ranking_en


def candidate_ids(room, round_id: int) -> list[int]:
    from workshop.models import Candidate

    with room.app.app_context():
        query = select(Candidate.id).where(Candidate.round_id == round_id)
        return list(db.session.scalars(query.order_by(Candidate.position)))


def test_exports_carry_both_titles_and_the_spanish_results_page_shows_it(room):
    host = room.facilitator()
    session = host.start()
    phone = room.phone(session)
    host.go_to(session, RETRO)
    transit = make_theme(host, session, "Transit", [phone.answer("Buses to meetings")])
    make_theme(host, session, "Childcare", [phone.answer("Childcare during sessions")])
    name_in_spanish(host, session, transit, "Transit", "Transporte")

    base = f"/facilitator/w/{session.id}/results"
    data = json.loads(host.get(base + "/download/json").get_data())
    assert {t["title"]: t["title_es"] for t in data["themes"]} == {
        "Transit": "Transporte",
        "Childcare": None,
    }
    with zipfile.ZipFile(io.BytesIO(host.get(base + "/download/csv").get_data())) as archive:
        name = next(n for n in archive.namelist() if "themes" in n)
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
    assert {r["title"]: r["title (Spanish)"] for r in rows} == {
        "Transit": "Transporte",
        "Childcare": "",
    }
    assert "Transporte" in host.page(base + "?lang=es")
    assert "Transporte" not in host.page(base + "?lang=en")


def test_a_board_drawn_before_the_encoders_are_ready_says_its_hints_are_to_come(
    tmp_path, monkeypatch
):
    """The board's script asks again for a board whose form says `data-hints-pending`
    (tests/test_e2e_board.py); the server says so only while hints could still come."""
    from workshop.themes import suggestion_runs

    monkeypatch.setattr(suggestion_runs, "warm_session", lambda *args: None)
    with open_room(tmp_path, SUGGEST_AHEAD=True) as room:
        host = room.facilitator()
        session = host.start()
        phone = room.phone(session)
        host.go_to(session, RETRO)
        fragment = f"/facilitator/w/{session.id}/board/fragment"
        assert "data-hints-pending" not in host.page(fragment)  # no theme: no hint to wait for
        make_theme(host, session, "Transit", [phone.answer("Buses to meetings")])
        monkeypatch.setattr(suggestion_runs, "encoders_ready", lambda: False)
        assert "data-hints-pending" in host.page(fragment)
        monkeypatch.setattr(suggestion_runs, "encoders_ready", lambda: True)
        monkeypatch.setattr(suggestion_runs, "call", busy)
        assert "data-hints-pending" in host.page(fragment)  # the worker busy: ask again later
        monkeypatch.setattr(suggestion_runs, "call", lambda *args, **kw: {})
        assert "data-hints-pending" not in host.page(fragment)  # asked and answered: none


def busy(*args, **kwargs):
    raise TimeoutError
