"""The facilitators' projector choices over HTTP and what screens receive over the socket:
the answers wall is off by default, shows only visible answers of the chosen prompts while
their segment is on, carries no names, drops a hidden answer with the next update; the full
join screen comes and goes; bad choices are refused with a message; only facilitators of
the session choose (the route is in tests/test_authorization.py's matrix too). A projector
in Spanish names each theme by its Spanish title where it has one."""

from __future__ import annotations

import json
import re

import pytest
from conftest import make_app
from live_helpers import OTHER_RETRO_PROMPT, PLAN_PROMPT, RETRO_PROMPT, Room
from room import RETRO, VOTE, open_room
from test_theme_titles import make_theme, name_in_spanish

from workshop.extensions import db


@pytest.fixture
def room(tmp_path):
    app = make_app(tmp_path, BROADCAST_INTERVAL=0)
    yield Room(app)
    with app.app_context():
        db.engine.dispose()


def choose(host, session, op: str, shown: bool, *prompt_ids: str):
    data = {"op": op, "shown": "1" if shown else "0", "prompt_ids": list(prompt_ids)}
    return host.post(f"/facilitator/w/{session.id}/screen/", data)


def walls(screen) -> list[dict]:
    return [payload["wall"] for payload in screen.payloads("screen")]


def test_the_wall_shows_the_chosen_prompts_visible_answers_without_names(room):
    host = room.facilitator()
    session = host.start()
    host.go_to(session, 1)
    phone = room.phone().joined(session, name="Ana")
    for text in ("Peer networking", "Shared minutes", "Secret"):
        phone.respond(session, RETRO_PROMPT, text)
    phone.respond(session, OTHER_RETRO_PROMPT, "More site visits")
    screen = room.screen(session)
    snapshot = screen.payloads("snapshot")[0]["screen"]
    assert snapshot == {"join": False, "wall": {"prompt_ids": [], "answers": [], "total": 0}}

    assert choose(host, session, "wall", True, RETRO_PROMPT).status_code == 302
    wall = walls(screen)[-1]
    assert wall["prompt_ids"] == [RETRO_PROMPT]
    assert [a["text"] for a in wall["answers"]] == ["Secret", "Shared minutes", "Peer networking"]
    assert wall["total"] == 3
    assert "Ana" not in str(wall) and all(
        set(a) == {"id", "prompt_id", "text"} for a in wall["answers"]
    )

    secret = wall["answers"][0]["id"]
    host.hide(session, secret)
    assert [a["text"] for a in walls(screen)[-1]["answers"]] == [
        "Shared minutes",
        "Peer networking",
    ]

    host.control(session, "next")  # Forward Planning: its prompts are not on the wall
    assert walls(screen)[-1] == {"prompt_ids": [], "answers": [], "total": 0}
    phone.respond(session, PLAN_PROMPT, "A shared dashboard")
    host.control(session, "previous")
    assert walls(screen)[-1]["total"] == 2, "back on the segment, the wall is back"
    assert 'data-wall-section="worked_well"' in room.phone().page(f"/screen/{session.token}")


def test_the_join_screen_and_refusals(room):
    host = room.facilitator()
    session = host.start()
    host.go_to(session, 1)
    screen = room.screen(session)
    choose(host, session, "join", True)
    assert screen.payloads("screen")[-1]["join"] is True
    page = room.phone().page(f"/screen/{session.token}")
    assert "data-join-screen aria-labelledby" in page and "data-join-screen" in page
    choose(host, session, "join", False)
    assert screen.payloads("screen")[-1]["join"] is False

    refused = choose(host, session, "wall", True, "no_such_prompt")
    assert refused.status_code == 302
    assert "no such question" in host.console(session)
    assert (
        "unknown projector choice"
        in (choose(host, session, "dance", True), host.console(session))[1]
    )
    stranger = room.facilitator()
    assert choose(stranger, session, "wall", True, RETRO_PROMPT).status_code == 404
    assert walls(screen) == [], "a refused choice changes nothing on the projector"
    assert screen.emit("screen", {"join": True})["code"] == "unknown_event"


def theme_titles(page: str) -> list[str]:
    return re.findall(r'<span class="theme-title">([^<]*)</span>', page)


def vote_json(page: str) -> dict:
    """What the projector's script draws the tally from: the rows and the candidates' names."""
    return json.loads(re.search(r"data-vote-json>(.*?)</script>", page).group(1))


def test_a_spanish_projector_names_themes_by_their_spanish_title_or_else_their_title(tmp_path):
    with open_room(tmp_path) as room:
        host = room.facilitator()
        session = host.start()
        phone = room.phone(session)
        host.go_to(session, RETRO)
        transit = make_theme(host, session, "Transit", [phone.answer("Buses to meetings")])
        make_theme(host, session, "Childcare", [phone.answer("Childcare during sessions")])
        name_in_spanish(host, session, transit, "Transit", "Transporte público")
        projector = f"/screen/{session.token}"
        spanish, english = ["Transporte público", "Childcare"], ["Transit", "Childcare"]
        viewer = room.anonymous()
        assert theme_titles(viewer.page(projector + "?lang=es")) == spanish
        assert theme_titles(viewer.page(projector)) == spanish, "the cookie keeps the choice"
        assert theme_titles(room.anonymous().page(projector + "?lang=en")) == english
        browser_es = room.anonymous().get(projector, headers={"Accept-Language": "es-MX,es"})
        assert theme_titles(browser_es.get_data(as_text=True)) == spanish
        assert '"lang": "es"' in browser_es.get_data(as_text=True)  # for the script's updates

        screen = room.screen(session)
        host.go_to(session, VOTE)
        round_id = host.socket(session).emit("vote", {"op": "open"})["round_id"]
        by_title = room.rounds(session)[-1]["candidates"]
        phone.ballot(round_id, by_title["Transit"], by_title["Childcare"])
        rows = screen.last("tally")["rows"]  # one tally for every screen: both titles in it
        assert {r["title"]: r["title_es"] for r in rows} == {
            "Transit": "Transporte público",
            "Childcare": "",
        }
        fragment = vote_json(viewer.page(projector + "/segment"))
        assert [r["title"] for r in fragment["tally"]["rows"]] == spanish
        assert sorted(fragment["names"].values()) == sorted(spanish)
        assert sorted(vote_json(viewer.page(projector + "/segment?lang=en"))["names"].values()) == (
            sorted(english)
        )

        host.vote(session, "close", round_id=str(round_id))
        host.control(session, "end")
        ended = viewer.page(projector + "?lang=es")  # the end screen's ranking
        assert 'data-status="ended"' in ended
        assert [r["title"] for r in vote_json(ended)["tally"]["rows"]] == spanish
