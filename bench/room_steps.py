"""The facilitator's steps from the answers to the vote, and how long each took to reach every
phone: the segment-change latency a room feels (the target: every phone on the new segment
within 2 s of the click, p99).

The app's steps are the shipped console's buttons, pressed on a laptop that runs the board and
console pages as they run (`workshop.live.console_page.SimulatedConsole`, held to the pages in
Chromium by tests/test_e2e_console_model.py): five themes made on the board, then on the
console two segments on (the control over the socket) and Open voting (its form posted). The
bare stack's are its `POST /advance`, which sends the next segment to every phone the same
way. A step's latency to a phone runs from the moment the click is sent (for Open voting, once
the console shows the button) until the phone holds the new view (`SimulatedPhone.views`); the
next step waits until every phone has it, or 10 s."""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Awaitable, Callable

import requests

from bench.servers import FacilitatorDriver
from workshop.live.console_page import SimulatedConsole
from workshop.live.phone_page import SimulatedPhone

STEP_TIMEOUT = 10.0
THEMES = ("Meetings", "Relationships", "Communication", "Funding", "Data")

Step = Callable[[], Awaitable[object]]
# A person's pause before an action: "typing" (a theme's title) or "clicking" (a button).
Pause = Callable[[str], Awaitable[None]]


async def no_pause(_action: str) -> None:
    return None


class AppSteps:
    """The facilitator's laptop: themes made on the board, then next, next, Open voting on
    the console. Use it from the event loop that runs the phones. `pause` is awaited before
    each title typed and each button pressed (by `run`): none where the bench measures a
    step's latency, a person's where rooms run as a day would."""

    def __init__(self, laptop: SimulatedConsole, pause: Pause = no_pause):
        self.laptop, self.pause = laptop, pause

    @classmethod
    def of(cls, facilitator: FacilitatorDriver, seed: int = 0) -> AppSteps:
        """Steps on a laptop of its own, signed in as `facilitator`."""
        cookies = {cookie.name: cookie.value for cookie in facilitator.http.cookies}
        laptop = SimulatedConsole(
            facilitator.url, facilitator.workshop_id, cookies, random.Random(seed)
        )
        return cls(laptop)

    async def open_board(self) -> None:
        await self.laptop.open_board()

    async def prepare(self) -> None:
        if self.laptop.socket is None or "data-board-form" not in self.laptop.fragment_html:
            await self.laptop.open_board()
        for title in THEMES:
            await self.pause("typing")
            await self.laptop.create_theme(title)
        await self.laptop.open_console()

    async def run(self) -> None:
        """Prepare, then every step in turn, each button once it shows."""
        await self.prepare()
        for _name, ready, click in self.steps():
            await self.pause("clicking")
            if ready is not None:
                await ready()
            await click()

    def steps(self) -> list[tuple[str, Step | None, Step]]:
        """(name, what to wait for before the click, the click)."""

        async def next_segment() -> None:
            await self.laptop.control("next")

        async def open_vote() -> None:
            reply = await self.laptop.open_vote()
            if not reply.get("ok"):
                raise RuntimeError(f"Open voting failed: {reply}")

        return [
            ("next", None, next_segment),
            ("next", None, next_segment),
            ("open vote", self.laptop.vote_form_shown, open_vote),
        ]

    async def close(self) -> None:
        await self.laptop.close()


class BareSteps:
    """The bare stack: three times its next segment, the last one a ballot form."""

    def __init__(self, url: str):
        self.url = url

    async def prepare(self) -> None:
        pass

    def steps(self) -> list[tuple[str, Step | None, Step]]:
        async def advance() -> None:
            post = requests.post
            reply = await asyncio.get_running_loop().run_in_executor(
                None, lambda: post(self.url + "/advance", timeout=30)
            )
            reply.raise_for_status()

        return [("next", None, advance)] * 3

    async def close(self) -> None:
        pass


def view_key(phone: SimulatedPhone) -> str | None:
    return (phone.view or {}).get("key")


async def segment_change(
    phones: list[SimulatedPhone], step: Step, timeout: float = STEP_TIMEOUT
) -> tuple[list[float], int]:
    """Take one step; returns, for each connected phone that got the new view within
    `timeout`, the seconds from the click until it did, and how many phones did not."""
    watched = [phone for phone in phones if phone.connected]
    before = {id(phone): view_key(phone) for phone in watched}
    started = time.perf_counter()
    await step()
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
    await room.prepare()
    latencies: list[float] = []
    missed = 0
    for _name, ready, step in room.steps():
        if ready is not None:
            await ready()
        seconds, not_reached = await segment_change(phones, step)
        latencies += seconds
        missed += not_reached
    return {"latencies": latencies, "missed": missed}
