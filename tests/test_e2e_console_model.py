"""The rooms bench's facilitator does what the shipped board and console pages do.

A real facilitator's laptop (the themes board and the console with their own scripts, in
Chromium) and the bench's model of one (`workshop.live.console_page.SimulatedConsole`) each
run a room of their own on one server, signed in as its facilitator, and go through the same
steps side by side: the board open while the phones' answers arrive, a co-facilitator's theme,
two themes made on the board, the console, Next twice, Open voting and the ballots coming in.
(Two rooms, not one: in one room each would receive the other's changes, at moments that
depend on timing, and a second Next would move the room on twice.) Every HTTP request and
every Socket.IO event each of them makes or receives is recorded the way
`test_e2e_phone_model` records a phone's; after each step the two records must be the same, in
the same order relative to the server's events. When a page changes what it asks of the
server, this fails until the model follows.

The server's suggestion encoders are loaded before the steps begin, so the board's link hints
are ready at every fetch on both sides: a board drawn while they load asks again after 2 s, 4 s
and 8 s, and which fetch first finds them loaded is a matter of timing, not of behaviour.
"""

from __future__ import annotations

import asyncio
import random
import re
import threading
import time
import uuid

import pytest
from browser_support import SCREENSHOTS, LiveServer, screenshot
from projector_support import PASSWORD, Room
from test_e2e_phone_model import PageRecord, SideBySide, connected, normalized

from workshop.live.console_page import SimulatedConsole

pytestmark = pytest.mark.browser
EMAIL = "console-model@example.org"
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
ANSWERS = [
    "Monthly meetings built trust",
    "Peer networking across sectors",
    "The shared calendar kept everyone informed",
]
VOTING = "Prioritizing Key Themes"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # Counts and tallies come 0.5 s after a change: well after the pages' own 100-150 ms
    # (a fetch's place among the server's events is then the pages' doing, not the clock's).
    live = LiveServer(
        tmp_path_factory.mktemp("console-model"), env={"WORKSHOP_BROADCAST_INTERVAL": "0.5"}
    )
    live.prepare(EMAIL, PASSWORD)
    live.start()
    load_the_encoders(live)
    yield live
    live.stop()


def load_the_encoders(server: LiveServer, timeout: float = 90) -> None:
    """Open a board with a theme on it (which starts the encoders) until it has its hints."""
    room = Room(server.url, EMAIL)
    room.join(1)
    room.control("start")
    room.control("next")
    room.answers_to("worked_well", ANSWERS[:1])
    room.make_themes(["Warming up"])
    board = room.host.get(room.console + "/board/").text
    deadline = time.monotonic() + timeout
    while "data-hints-pending" in board:
        assert time.monotonic() < deadline, "the suggestion encoders never loaded"
        time.sleep(0.5)
        board = room.host.get(room.console + "/board/fragment").text


# -- the model, in an event loop of its own --------------------------------------------------


class ConsoleModel:
    """The bench's facilitator's laptop, driven from the test's thread."""

    def __init__(self, base: str, room: Room):
        self.entries: list[tuple[str, str]] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        workshop_id = int(room.console.rstrip("/").rsplit("/", 1)[1])
        cookies = {cookie.name: cookie.value for cookie in room.host.http.cookies}

        async def build() -> SimulatedConsole:
            trace = lambda kind, what: self.entries.append((kind, what))  # noqa: E731
            return SimulatedConsole(base, workshop_id, cookies, random.Random(7), trace=trace)

        self.laptop = self.run(build())

    def run(self, coroutine, timeout: float = 60):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def stop(self) -> None:
        self.run(self.laptop.close())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class Records(SideBySide):
    """Each side's own session named the same: /facilitator/w/{id}/…."""

    def normalized(self, entries: list[tuple[str, str]]) -> list[str]:
        lines = normalized(entries, "\0")  # (no join code in a facilitator's traffic)
        return acks_after_their_sends([re.sub(r"/w/\d+(?=/|$)", "/w/{id}", line) for line in lines])

    def page_since(self, mark: int) -> list[str]:
        return self.normalized(self.page.entries[mark:])


def acks_after_their_sends(lines: list[str]) -> list[str]:
    """A control's acknowledgement written right after the control: when it arrives beside
    the client's own requests depends on when the server answers (a control's turn gives way
    to phones before its acknowledgement), not on what the client does."""
    ordered: list[str] = []
    for line in lines:
        if line == "ack control" and "send control" in ordered:
            ordered.insert(len(ordered) - ordered[::-1].index("send control"), line)
        else:
            ordered.append(line)
    return ordered


def prepared_room(server: LiveServer) -> Room:
    """A Thrive session on its retrospective questions, three phones in, two answers given."""
    room = Room(server.url, EMAIL)
    room.join(3)
    room.control("start")
    room.control("next")
    room.answers_to("worked_well", ANSWERS[:2])
    return room


def ballot(room: Room, phone: int, picks: list[int]) -> None:
    round_id, candidates = room.round_and_candidates()
    data = {f"pick-{n + 1}": candidates[i] for n, i in enumerate(picks)}
    data.update(round_id=round_id, client_id=uuid.uuid4().hex)
    room.phones[phone].post(f"/w/{room.code}", f"/w/{room.code}/ballot", data)


def tallies(entries: list[tuple[str, str]]) -> int:
    return sum(1 for entry in entries if entry == ("recv", "tally"))


def shot(page, name: str) -> None:
    screenshot(page, SCREENSHOTS / f"console-model-{name}.png", full_page=True)


# -- the session -----------------------------------------------------------------------------


def test_the_bench_facilitator_does_what_the_pages_do(server, chromium):

    page_room, model_room = prepared_room(server), prepared_room(server)
    # The rooms' counts go out 0.5 s after their answers: before the pages open, or one side's
    # socket would get its room's counts and the other's not, as the rooms were made in turn.
    time.sleep(1.0)
    context = chromium.new_context(**LAPTOP)
    context.add_cookies(page_room.host.cookies())
    page = context.new_page()
    record = PageRecord(context, page, server.url)
    model = ConsoleModel(server.url, model_room)
    both = Records(record, model, "")
    try:
        on_the_board(server, page, model, both, (page_room, model_room))
        on_the_console(page, model, both, (page_room, model_room))
    finally:
        model.stop()
        context.close()
    both.compare()


def on_the_board(server, page, model: ConsoleModel, both: Records, rooms) -> None:
    from playwright.sync_api import expect

    page_room, model_room = rooms
    opened = model.start(model.laptop.open_board())
    page.goto(server.url + page_room.console + "/board/")
    opened.result(30)
    connected(both, 1)
    both.step("the board")

    for room in rooms:  # a phone's answer is drawn from its event: nothing asked
        room.answers_to("worked_well", ANSWERS[2:])
    expect(page.locator("[data-unsorted]")).to_contain_text(ANSWERS[2])
    both.step("an answer arrives")

    for room in rooms:  # a co-facilitator's change: the board's fragment, once
        room.make_themes(["Relationships"])
    expect(page.locator("#board")).to_contain_text("Relationships")
    both.step("a co-facilitator's theme")

    for room in rooms:  # an answer and a theme changed at once: one fetch for both
        room.hide(ANSWERS[1])
    expect(page.locator("[data-unsorted]")).not_to_contain_text(ANSWERS[1])
    both.step("a co-facilitator hides an answer")

    for title in ("Shared information", "Funding"):
        made = model.start(model.laptop.create_theme(title))
        page.locator("#new-title").fill(title)
        page.get_by_role("button", name="Create theme").click()
        assert made.result(30)["ok"] is True
        expect(page.locator("#board")).to_contain_text(title)
        both.step(f"theme {title} made")
    shot(page, "board")


def on_the_console(page, model: ConsoleModel, both: Records, rooms) -> None:
    from playwright.sync_api import expect

    opened = model.start(model.laptop.open_console())
    page.get_by_role("link", name="← Console").click()
    opened.result(30)
    connected(both, 2)
    both.step("the console")

    for _ in range(2):  # a new segment brings the voting panel
        pressed = model.start(model.laptop.control("next"))
        page.get_by_role("button", name="Next", exact=True).click()
        assert pressed.result(30)["ok"] is True
        both.step("next")
    expect(page.locator("[data-current-title]")).to_have_text(VOTING)

    opened = model.start(model.laptop.open_vote())
    page.get_by_role("button", name="Open voting").click()
    assert opened.result(30)["ok"] is True
    expect(page.locator("[data-tally-rows] li")).to_have_count(3)
    both.step("the vote opens")

    mark = len(both.page.entries)
    for phone, picks in enumerate([[0, 1, 2], [1, 0, 2], [0, 2, 1]]):
        counted = tallies(both.page.entries), tallies(model.entries)
        for room in rooms:  # one at a time: one tally each
            ballot(room, phone, picks)
        deadline = time.monotonic() + 10
        while tallies(both.page.entries) == counted[0] or tallies(model.entries) == counted[1]:
            assert time.monotonic() < deadline, "no tally came"
            both.page.pause(0.05)
        expect(page.locator("[data-vote-panel] [data-ballots]")).to_have_text(str(phone + 1))
        both.step(f"ballot {phone + 1}")
    # The page itself: a tally of the round it shows is drawn from the event.
    assert not [line for line in both.page_since(mark) if line.startswith("http ")]
    shot(page, "console")

    for room in rooms:  # a co-facilitator closes the vote: the `vote` event brings the panel
        room.vote("close", round_id=room.round_and_candidates()[0])
    expect(page.get_by_role("button", name="Reopen voting")).to_be_visible()
    both.step("a co-facilitator closes the vote")
