"""The facilitators' projector choices over HTTP and what screens receive over the socket:
the answers wall is off by default, shows only visible answers of the chosen prompts while
their segment is on, carries no names, drops a hidden answer with the next update; the full
join screen comes and goes; bad choices are refused with a message; only facilitators of
the session choose (the route is in tests/test_authorization.py's matrix too)."""

from __future__ import annotations

import pytest
from conftest import make_app
from live_helpers import OTHER_RETRO_PROMPT, PLAN_PROMPT, RETRO_PROMPT, Room

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
