"""The benchmarks' facilitator takes the shipped pages' steps, in the order a person does:
`bench.room_steps.AppSteps` on a `SimulatedConsole` (itself held to the board and console
pages in Chromium by tests/test_e2e_console_model.py) makes five themes on the board, then
presses next, next and Open voting on the console, pausing before each title and click as
`python -m bench rooms` asks. Against a real server: the session ends up voting on the five
themes. And the rooms report reads its figures right."""

from __future__ import annotations

import asyncio
import sqlite3

import pytest
from browser_support import LiveServer

from bench.load_bench import prepare_app_session
from bench.room_steps import THEMES, AppSteps
from bench.rooms_bench import worst_tally
from bench.servers import EMAIL, PASSWORD


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("bench-steps")
    live = LiveServer(folder, env={"WORKSHOP_SUGGEST_AHEAD": "0"}).prepare(EMAIL, PASSWORD)
    yield live.start()
    live.stop()


def stored(server: LiveServer, query: str, *args) -> list[tuple]:
    database = next(server.instance.glob("*.sqlite"))
    with sqlite3.connect(database) as connection:
        return connection.execute(query, args).fetchall()


def test_the_steps_make_the_themes_and_open_the_vote_pausing_as_a_person(server):
    facilitator = prepare_app_session(server.url)  # on the retrospective questions
    paused: list[str] = []

    async def pause(action: str) -> None:
        paused.append(action)

    async def run() -> None:
        steps = AppSteps.of(facilitator)
        steps.pause = pause
        await steps.laptop.open_console()
        try:
            await steps.run()
        finally:
            await steps.close()

    asyncio.run(run())
    assert paused == ["typing"] * len(THEMES) + ["clicking"] * 3
    workshop = facilitator.workshop_id
    titles = stored(server, "SELECT title FROM theme WHERE workshop_id = ? ORDER BY id", workshop)
    assert [title for (title,) in titles] == list(THEMES)
    rounds = stored(server, "SELECT id, closed_at FROM vote_round WHERE workshop_id = ?", workshop)
    assert len(rounds) == 1 and rounds[0][1] is None  # open
    candidates = stored(server, "SELECT title FROM candidate WHERE round_id = ?", rounds[0][0])
    assert sorted(title for (title,) in candidates) == sorted(THEMES)


def test_the_rooms_worst_tally_counts_a_tally_with_the_last_ballot_as_on_time():
    """A room's projector can hold the complete tally as its last ballot's acknowledgement
    comes back (0.0 s): that is the best case, not a room without a tally (which the
    report showed as "inf s" beside "40 of 40" rooms holding every target)."""
    rooms = [{"tally_s": 0.0}, {"tally_s": 0.504}]
    assert worst_tally(rooms) == 0.504
    assert worst_tally([*rooms, {"tally_s": None}]) == float("inf")
