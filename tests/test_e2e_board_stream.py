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


def cards(page) -> list[tuple[str, str]]:
    """The unsorted pile as the facilitator sees it: (answer number, text), top to bottom."""
    return page.locator("[data-unsorted] .answer-card").evaluate_all(
        "cards => cards.map(c => [c.dataset.responseId, c.querySelector('[data-text]').textContent])"
    )


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
    other_question = desk.new_page()  # the same board filtered to the other question
    other_question.goto(server.url + session.console + "/board/?prompt=do_differently")
    expect(board.locator(".answer-card", has_text="before the board opens")).to_be_visible()
    early.answer(session, "worked_well", "An answer once the board is open")
    # the board's own socket is live
    expect(board.locator(".answer-card", has_text="once the board is open")).to_be_visible(
        timeout=10000
    )
    redraws = []
    board.on("request", lambda r: redraws.append(r.url) if "/board/fragment" in r.url else None)

    # each phone may give five answers to a question: forty phones make a long stream
    phones = [Participant(server.url).join(session) for _ in range(40)]
    sent = []

    def keep_answering() -> None:
        """Answers a few tens of milliseconds apart, from the phones in turn."""
        while len(sent) < 5 * len(phones):
            text = f"Answer {len(sent)} of a room that keeps <b>talking</b> & talking"
            phones[len(sent) % len(phones)].answer(session, "worked_well", text)
            sent.append(text)
            time.sleep(0.02)

    storm = threading.Thread(target=keep_answering, daemon=True)
    storm.start()
    streamed = board.locator("[data-unsorted] .answer-card", has_text="keeps <b>talking</b>")
    try:
        expect(streamed).not_to_have_count(0, timeout=15000)
        # shown while answers were still arriving, not after the room fell silent
        assert storm.is_alive()
    finally:
        storm.join(timeout=60)
    assert len(sent) == 5 * len(phones)

    # every answer once, as text, each added from its message: no redraw per answer
    expect(streamed).to_have_count(len(sent), timeout=15000)
    assert redraws == []
    assert board.locator("b").count() == 0
    expect(board.locator("[data-unsorted-count]")).to_have_text(f"({len(sent) + 2})")
    expect(other_question.locator(".answer-card", has_text="keeps")).to_have_count(0)

    # the cards the board made itself are the ones the server draws
    made_here = cards(board)
    board.reload()
    assert cards(board) == made_here

    # a change to an answer already on the board still redraws it
    number, text = made_here[-1]
    facilitator.act(session, f"/responses/{number}/hide", {"hidden": "1"})
    expect(board.locator(f'[data-unsorted] [data-response-id="{number}"]')).to_have_count(
        0, timeout=10000
    )
