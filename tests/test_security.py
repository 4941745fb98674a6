"""Security headers on every page, and the rate limits that stop guessing and flooding."""

from __future__ import annotations

import pytest
from conftest import make_app
from room import Room


@pytest.mark.parametrize(
    "path", ["/", "/auth/login", "/healthz", "/no/such/page", "/join?code=ZZZZZZ"]
)
def test_every_response_carries_a_csp_without_inline_script(client, path):
    response = client.get(path)
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    assert "frame-ancestors 'none'" in policy and "object-src 'none'" in policy
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_pages_have_no_inline_script(auth, client):
    auth.create()
    auth.login()
    page = client.get("/facilitator/").get_data(as_text=True) + client.get("/").get_data(
        as_text=True
    )
    for tag in page.split("<script")[1:]:
        head = tag.split(">", 1)[0]
        assert "src=" in head or 'type="application/json"' in head, head


def test_repeated_failed_sign_ins_are_slowed_down(auth, client):
    auth.create()
    for _ in range(5):
        assert auth.login(password="wrong password!").status_code == 400
    blocked = auth.login()  # even the right password waits now
    assert blocked.status_code == 429
    assert b"Too many failed attempts" in blocked.data


def test_guessing_join_codes_is_slowed_down(tmp_path):
    app = make_app(tmp_path, WRONG_CODES_PER_MINUTE=3)
    client = app.test_client()
    for _ in range(3):
        assert client.get("/join?code=ZZZZZZ").status_code == 404
    assert client.get("/join?code=YYYYYY").status_code == 429
    assert client.get("/w/YYYYYY").status_code == 429


def test_a_flooding_phone_is_refused_without_affecting_others(tmp_path):
    app = make_app(tmp_path, SOCKET_EVENTS_PER_10S=5, BROADCAST_INTERVAL=0)
    room = Room(app)
    session = room.facilitator().start()
    flooder, neighbour = room.phone(session).socket(), room.phone(session).socket()
    replies = [flooder.emit("sync", {}) for _ in range(8)]
    assert [r["ok"] for r in replies[:5]] == [True] * 5
    assert replies[-1]["code"] == "rate_limited" and "too many messages" in replies[-1]["error"]
    assert neighbour.emit("sync", {})["ok"]
