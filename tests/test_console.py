"""The facilitator's console through the real app: its controls enabled by the session's
state, ending asked first (also without JavaScript), reopening an ended session with
everything kept while phones and the projector follow, and downloads named after the session.
The browser's side of the same is in tests/test_e2e_console.py."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from conftest import csrf_token, make_app
from live_helpers import RETRO_PROMPT, Room

from workshop.live import timing
from workshop.results import exports
from workshop.web.views.results import attachment

RETRO = 1
BUTTON = re.compile(r"<button[^>]*data-control=\"(\w+)\"[^>]*>")


@pytest.fixture
def room(tmp_path):
    app = make_app(tmp_path, BROADCAST_INTERVAL=0)
    yield Room(app)


@pytest.fixture
def host(room):
    return room.facilitator()


@pytest.fixture
def session(host):
    return host.start()


def console_controls(html: str) -> dict[str, str]:
    """Each control button on the rendered console: "on", "disabled" or "hidden"."""
    found = {}
    for match in BUTTON.finditer(html):
        tag, action = match.group(0), match.group(1)
        state = "hidden" if " hidden" in tag else "disabled" if " disabled" in tag else "on"
        found.setdefault(action, set()).add(state)
    return {action: states.pop() for action, states in found.items() if len(states) == 1}


def expected(status: str, index: int, count: int = 5) -> dict[str, str]:
    off = {"end": "hidden", "reopen": "hidden"}
    return {
        action: "on" if allowed else off.get(action, "disabled")
        for action, allowed in timing.enabled_controls(status, index, count).items()
    }


def test_the_console_enables_only_the_controls_that_fit_the_state(room, host, session):
    assert console_controls(host.console(session)) == expected("lobby", -1)
    host.go_to(session, RETRO)
    assert console_controls(host.console(session)) == expected("running", RETRO)
    host.control(session, "pause")
    assert console_controls(host.console(session)) == expected("paused", RETRO)
    host.control(session, "end")
    assert console_controls(host.console(session)) == expected("ended", RETRO)
    on = {action for action, state in console_controls(host.console(session)).items()}
    assert on == set(timing.CONTROL_ACTIONS)  # every control is on the page


def test_a_control_that_does_not_fit_is_refused_with_its_reason(room, host, session):
    host.go_to(session, RETRO)
    host.control(session, "pause")
    before = room.workshop(session)
    assert host.control(session, "pause").status_code == 302
    assert host.control(session, "reopen").status_code == 302
    page = host.console(session)
    assert "Could not pause: the timer is not running." in page
    assert "Could not reopen the session: this session has not ended." in page
    assert room.workshop(session) == before
    ack = host.socket(session).emit("control", {"action": "resume", "seconds": 0})
    assert ack["ok"] is True
    ack = host.socket(session).emit("control", {"action": "resume", "seconds": 0})
    assert ack == {"ok": False, "error": "the timer is not paused", "code": "state"}


def test_the_end_button_asks_first_and_ends_nothing(room, host, session):
    host.go_to(session, RETRO)
    asked = host.control(session, "confirm-end")
    assert asked.status_code == 302
    assert asked.headers["Location"].endswith(f"/facilitator/w/{session.id}/end")
    assert room.workshop(session)["ended_at"] is None
    page = host.page(f"/facilitator/w/{session.id}/end")
    assert "End this session?" in page
    assert "answers, themes and ballots are kept" in page
    assert re.search(r'<button type="submit" name="action" value="end"', page)
    assert f'href="/facilitator/w/{session.id}"' in page  # "Keep it running" goes back
    assert host.control(session, "end").status_code == 302  # the confirm page's button
    assert room.workshop(session)["ended_at"] is not None
    assert "This session has already ended." in host.page(f"/facilitator/w/{session.id}/end")


def test_reopening_an_ended_session_keeps_everything_and_the_room_follows(room, host, session):
    phone = room.phone().joined(session)
    host.go_to(session, RETRO)
    assert phone.respond(session, RETRO_PROMPT, "Monthly meetings built trust").status_code == 302
    phone_socket, screen = phone.socket(session), room.screen(session)
    host.control(session, "end")
    assert "This session has ended" in phone.live(session)
    assert phone.respond(session, RETRO_PROMPT, "Too late").status_code == 400
    phone_socket.events(), screen.events()

    assert host.control(session, "reopen").status_code == 302
    state = room.workshop(session)
    assert (state["ended_at"], state["segment_index"], state["timer_running"]) == (
        None,
        RETRO,
        False,
    )
    (shown,) = screen.payloads("state")
    assert (shown["status"], shown["segment"]["index"]) == ("paused", RETRO)
    phone_events = dict(phone_socket.events())
    assert phone_events["state"]["status"] == "paused"
    assert ".paused." in phone_events["segment"]["key"]
    assert room.texts(session) == ["Monthly meetings built trust"]
    assert phone.respond(session, RETRO_PROMPT, "Back again").status_code == 302
    assert room.texts(session) == ["Monthly meetings built trust", "Back again"]


def test_only_the_sessions_facilitators_may_end_or_reopen_it(room, host, session):
    participant = room.phone().joined(session)  # a participant of this very session
    host.go_to(session, RETRO)
    host.control(session, "end")
    other = room.facilitator()
    assert other.control(session, "reopen").status_code == 404
    assert other.get(f"/facilitator/w/{session.id}/end").status_code == 404
    signed_out = participant.post(f"/facilitator/w/{session.id}/control", {"action": "reopen"})
    assert signed_out.status_code == 302 and "/auth/login" in signed_out.headers["Location"]
    assert room.workshop(session)["ended_at"] is not None


def test_reopen_needs_the_forms_csrf_token(tmp_path):
    room = Room(make_app(tmp_path, BROADCAST_INTERVAL=0, WTF_CSRF_ENABLED=True))
    host = room.facilitator()
    session = host.start()
    token = csrf_token(host.console(session))
    host.control(session, "end", csrf_token=token)
    assert room.workshop(session)["ended_at"] is not None
    assert host.control(session, "reopen").status_code == 400
    assert room.workshop(session)["ended_at"] is not None
    assert host.control(session, "reopen", csrf_token=token).status_code == 302
    assert room.workshop(session)["ended_at"] is None


# -- download names ---------------------------------------------------------------------------


def results_named(title: str) -> SimpleNamespace:
    moment = datetime(2026, 12, 7, 17, 30, tzinfo=UTC)
    return SimpleNamespace(title=title, started_at=moment, created_at=moment, workshop_id=7)


@pytest.mark.parametrize(
    ("title", "ascii_name", "full_name"),
    [
        (
            "Thrive Inland SoCal: SRT Retrospective",
            "thrive-inland-socal-srt-retrospective-2026-12-07-results.zip",
            "thrive-inland-socal-srt-retrospective-2026-12-07-results.zip",
        ),
        (
            "Sesión de otoño: ¿qué sigue? / Año 2",
            "sesion-de-otono-que-sigue-ano-2-2026-12-07-results.zip",
            "sesión-de-otoño-qué-sigue-año-2-2026-12-07-results.zip",
        ),
        ('../../etc/passwd"; x=\r\n', "etc-passwd-x-2026-12-07-results.zip", None),
        ("会议", "session-7-2026-12-07-results.zip", "会议-2026-12-07-results.zip"),
    ],
)
def test_a_download_is_named_after_the_title_and_date_in_safe_characters(
    title, ascii_name, full_name
):
    results = results_named(title)
    assert exports.filename(results, "csv") == ascii_name
    assert exports.filename(results, "csv", ascii_only=False) == (full_name or ascii_name)


def test_a_long_title_is_cut_between_words():
    name = exports.filename(results_named("Regional " * 30), "pdf")
    assert name == "-".join(["regional"] * 9) + "-2026-12-07-results.pdf"  # 80 characters


def test_the_header_gives_an_ascii_name_and_the_title_in_utf8():
    results = results_named("Sesión de otoño")
    header = attachment(
        exports.filename(results, "xlsx"), exports.filename(results, "xlsx", ascii_only=False)
    )
    assert header == (
        'attachment; filename="sesion-de-otono-2026-12-07-results.xlsx"; '
        "filename*=UTF-8''sesi%C3%B3n-de-oto%C3%B1o-2026-12-07-results.xlsx"
    )
    assert header.isascii()
    plain = results_named("Plain title")
    name = exports.filename(plain, "json")
    assert attachment(name, name) == f'attachment; filename="{name}"'


def test_the_results_download_is_named_after_the_session(room, host, session):
    reply = host.get(f"/facilitator/w/{session.id}/results/download/csv")
    day = datetime.now(UTC).date().isoformat()
    assert reply.headers["Content-Disposition"] == (
        'attachment; filename="thrive-inland-socal-subregional-table-retrospective-september-'
        f'2024-{day}-results.zip"'
    )
