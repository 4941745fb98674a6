"""The themes board keeps up with a room that never stops answering, in a real browser.

The board redraws itself from the server when answers arrive, waiting for a short lull so a
burst costs one redraw. In a big room answers arrive closer together than that lull all
through the question, and a board that only waited for one stayed as it was until the room
fell silent.
"""

from __future__ import annotations

import threading
import time

import pytest
from browser_support import LiveServer
from test_e2e_a11y import Facilitator, Participant, prepare_database

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("board-stream"))
    prepare_database(live)
    live.start()
    yield live
    live.stop()


def test_the_board_shows_new_answers_while_they_keep_arriving(server, chromium):
    from playwright.sync_api import expect

    facilitator = Facilitator(server.url)
    session = facilitator.start()
    facilitator.control(session, "start", "next")
    early = Participant(server.url).join(session)
    early.answer(session, "worked_well", "The first answer, before the board opens")

    desk = chromium.new_context()
    desk.add_cookies(facilitator.cookies())
    board = desk.new_page()
    board.goto(server.url + session.console + "/board/")
    expect(board.locator(".answer-card", has_text="before the board opens")).to_be_visible()
    early.answer(session, "worked_well", "An answer once the board is open")
    # the board's own socket is live: this one arrives by a redraw
    expect(board.locator(".answer-card", has_text="once the board is open")).to_be_visible(
        timeout=10000
    )

    # each phone may give five answers to a question: forty phones make a long stream
    phones = [Participant(server.url).join(session) for _ in range(40)]
    stop, sent = threading.Event(), []

    def keep_answering() -> None:
        """Answers a few tens of milliseconds apart, from the phones in turn, until told."""
        while not stop.is_set() and len(sent) < 5 * len(phones):
            text = f"Answer {len(sent)} of a room that keeps talking"
            phones[len(sent) % len(phones)].answer(session, "worked_well", text)
            sent.append(text)
            time.sleep(0.02)

    storm = threading.Thread(target=keep_answering, daemon=True)
    storm.start()
    try:
        expect(
            board.locator(".answer-card", has_text=" of a room that keeps talking")
        ).not_to_have_count(0, timeout=15000)
        # the redraw came while answers were still arriving, not after the room fell silent
        assert storm.is_alive()
    finally:
        stop.set()
        storm.join(timeout=30)
    assert len(sent) > 10
