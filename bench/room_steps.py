"""The facilitator's steps from the answers to the vote, and how long each took to reach every
phone: the segment-change latency a room feels (the target: every phone on the new segment
within 2 s of the click, p99).

The app's steps are the console's buttons (two segments on, then the vote opens); the bare
stack's are its `POST /advance`, which sends the next segment to every phone the same way.
A step's latency to a phone runs from the moment the click is sent until the phone holds the
new view (`SimulatedPhone.views`); the next step waits until every phone has it, or 10 s."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import requests

from bench.servers import FacilitatorDriver
from workshop.live.phone_page import SimulatedPhone

STEP_TIMEOUT = 10.0
THEMES = ("Meetings", "Relationships", "Communication", "Funding", "Data")


class AppSteps:
    """The facilitator's console: themes made on the board, then next, next, open the vote."""

    def __init__(self, facilitator: FacilitatorDriver):
        self.facilitator = facilitator

    def prepare(self) -> None:
        for title in THEMES:
            self.facilitator.post(
                "/board/", {"op": "create", "new_title": title}
            ).raise_for_status()

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        def open_vote() -> None:
            self.facilitator.post("/vote", {"op": "open", "source": "themes"}).raise_for_status()

        def next_segment() -> None:
            self.facilitator.control("next")

        return [("next", next_segment), ("next", next_segment), ("open vote", open_vote)]


class BareSteps:
    """The bare stack: three times its next segment, the last one a ballot form."""

    def __init__(self, url: str):
        self.url = url

    def prepare(self) -> None:
        pass

    def steps(self) -> list[tuple[str, Callable[[], None]]]:
        def advance() -> None:
            requests.post(self.url + "/advance", timeout=30).raise_for_status()

        return [("next", advance)] * 3


def view_key(phone: SimulatedPhone) -> str | None:
    return (phone.view or {}).get("key")


async def segment_change(
    phones: list[SimulatedPhone], step: Callable[[], None], timeout: float = STEP_TIMEOUT
) -> tuple[list[float], int]:
    """Take one step; returns, for each connected phone that got the new view within
    `timeout`, the seconds from the click until it did, and how many phones did not."""
    watched = [phone for phone in phones if phone.connected]
    before = {id(phone): view_key(phone) for phone in watched}
    started = time.perf_counter()
    await asyncio.get_running_loop().run_in_executor(None, step)
    deadline = started + timeout
    while time.perf_counter() < deadline:
        if all(view_key(phone) != before[id(phone)] for phone in watched):
            break
        await asyncio.sleep(0.05)
    latencies, missed = [], 0
    for phone in watched:
        arrival = next(
            (at for at, key in phone.views if at >= started and key != before[id(phone)]), None
        )
        if arrival is None:
            missed += 1
        else:
            latencies.append(arrival - started)
    return latencies, missed


async def take_steps(room: AppSteps | BareSteps, phones: list[SimulatedPhone]) -> dict:
    """Prepare the vote and take every step; the latencies of all steps together."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, room.prepare)
    latencies: list[float] = []
    missed = 0
    for _name, step in room.steps():
        seconds, not_reached = await segment_change(phones, step)
        latencies += seconds
        missed += not_reached
    return {"latencies": latencies, "missed": missed}
