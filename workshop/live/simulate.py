"""Simulated phones: real HTTP and Socket.IO clients that join a live session, answer its
questions and vote, the way people in the room do.

`workshop rehearse` uses them so a facilitator can rehearse with a full room before the real
day; the load benchmark (`bench/load_bench.py`) uses the same class to measure a room of
thousands. Every answer and ballot carries a client id and waits for the server's
acknowledgement, exactly as the participant page does.
"""

from __future__ import annotations

import asyncio
import random
import re
import time
import tomllib
import uuid
from collections import Counter
from dataclasses import dataclass, field
from html import unescape
from importlib import resources
from typing import Any

import aiohttp
import socketio

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RADIO = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]*)"')


def sample_answers() -> dict[str, Any]:
    """Realistic answers for the bundled agendas' questions, shipped with the package."""
    text = (
        resources.files("workshop").joinpath("data/sample_answers.toml").read_text(encoding="utf-8")
    )
    return tomllib.loads(text)


@dataclass
class Timings:
    """Acknowledgement latencies in seconds, and what went wrong."""

    join: list[float] = field(default_factory=list)
    respond: list[float] = field(default_factory=list)
    ballot: list[float] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    # acknowledged and stored, by event ("respond", "ballot")
    accepted: Counter[str] = field(default_factory=Counter)
    # (event, wall-clock time sent, seconds to the acknowledgement): when the slow ones
    # happened, for lining up with a server trace
    sent: list[tuple[str, float, float]] = field(default_factory=list)


class SimulatedPhone:
    """One participant: an HTTP join (with the page's CSRF token) and a Socket.IO connection
    that carries the participant cookie, like a browser's."""

    def __init__(
        self,
        base_url: str,
        code: str,
        rng: random.Random,
        timings: Timings,
        ack_timeout: float = 30,
    ):
        self.ack_timeout = ack_timeout
        self.base_url = base_url.rstrip("/")
        self.code = code
        self.rng = rng
        self.timings = timings
        self.http: aiohttp.ClientSession | None = None
        self.sio = socketio.AsyncClient()  # replaced in join(), once the cookie jar exists
        self.state: dict[str, Any] | None = None
        self.vote: dict[str, Any] | None = None
        self.changed = asyncio.Event()

    async def _on_snapshot(self, data: dict[str, Any]) -> None:
        self.state = data["state"]
        self.vote = data.get("vote")
        self.changed.set()

    async def _on_state(self, data: dict[str, Any]) -> None:
        self.state = data
        self.changed.set()

    async def _on_vote(self, data: dict[str, Any]) -> None:
        self.vote = data
        self.changed.set()

    async def join(self, transports: list[str] | None = None) -> None:
        started = time.perf_counter()
        self.http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        page_url = f"{self.base_url}/w/{self.code}"
        async with self.http.get(page_url) as page:
            html = await page.text()
        form: dict[str, str] = (
            {"csrf_token": unescape(CSRF.search(html).group(1))} if CSRF.search(html) else {}
        )
        choices: dict[str, list[str]] = {}
        for name, value in RADIO.findall(html):
            choices.setdefault(name, []).append(unescape(value))
        form.update({name: self.rng.choice(values) for name, values in choices.items()})
        async with self.http.post(f"{page_url}/join", data=form, allow_redirects=False) as joined:
            if joined.status != 302:
                raise RuntimeError(f"join refused with HTTP {joined.status}")
        # The socket shares the HTTP session's cookie jar, as a browser does, so every
        # reconnect carries the participant cookie.
        self.sio = socketio.AsyncClient(
            reconnection=True,
            reconnection_delay=0.5,
            reconnection_delay_max=5,
            http_session=self.http,
        )
        self.sio.on("snapshot", self._on_snapshot, namespace="/participant")
        self.sio.on("state", self._on_state, namespace="/participant")
        self.sio.on("vote", self._on_vote, namespace="/participant")
        await self.sio.connect(
            f"{self.base_url}?code={self.code}",
            namespaces=["/participant"],
            transports=transports or ["websocket"],
            wait_timeout=30,
        )
        self.timings.join.append(time.perf_counter() - started)

    async def call(
        self, event: str, data: dict[str, Any], record: list[float]
    ) -> dict[str, Any] | None:
        """Send until acknowledged: a timeout or a lost connection means send again with the
        same client id, which the server stores once."""
        for _attempt in range(60):
            started, sent_at = time.perf_counter(), time.time()
            try:
                ack = await self.sio.call(
                    event, data, namespace="/participant", timeout=self.ack_timeout
                )
            except (socketio.exceptions.SocketIOError, ConnectionError):
                await asyncio.sleep(0.5 + self.rng.random())
                continue
            record.append(time.perf_counter() - started)
            self.timings.sent.append((event, sent_at, record[-1]))
            if ack.get("ok"):
                self.timings.accepted[event] += 1
            else:
                self.timings.errors.append(f"{event}: {ack.get('code')}: {ack.get('error')}")
            return ack
        self.timings.errors.append(f"{event}: never acknowledged")
        return None

    async def respond(self, prompt_id: str, text: str) -> dict[str, Any] | None:
        data = {"prompt_id": prompt_id, "text": text, "client_id": uuid.uuid4().hex}
        return await self.call("respond", data, self.timings.respond)

    async def cast_ballot(self, round_id: int, picks: list[int]) -> dict[str, Any] | None:
        data = {"round_id": round_id, "picks": picks, "client_id": uuid.uuid4().hex}
        return await self.call("ballot", data, self.timings.ballot)

    def random_picks(self) -> tuple[int, list[int]] | None:
        body = (self.vote or {}).get("round")
        if not body or not body.get("is_open"):
            return None
        ids = [c["id"] for c in body["candidates"]]
        count = min(body["picks"], len(ids))
        return body["id"], self.rng.sample(ids, k=self.rng.randint(1, count))

    async def close(self) -> None:
        if self.sio.connected:
            await self.sio.disconnect()
        if self.http is not None:
            await self.http.close()


async def rehearse(
    base_url: str, code: str, participants: int, seed: int = 0, log=print, pace: float = 1.0
) -> Timings:
    """Fill a live session with simulated phones that answer each open question and vote
    when voting opens, until the session ends. `pace` scales how long each one reads and
    types (1: like people; 0.1: ten times faster)."""
    rng = random.Random(seed)
    answers = sample_answers()
    timings = Timings()
    phones = [
        SimulatedPhone(base_url, code, random.Random(rng.random()), timings)
        for _ in range(participants)
    ]
    for start in range(0, participants, 20):
        await asyncio.gather(
            *(phone.join(["websocket", "polling"]) for phone in phones[start : start + 20])
        )
    log(f"{participants} simulated participants joined session {code}")
    try:
        await asyncio.gather(*(_follow(phone, answers, pace) for phone in phones))
    finally:
        await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)
    return timings


async def _follow(phone: SimulatedPhone, answers: dict[str, Any], pace: float) -> None:
    """React to the session like a person: answer a new question set, vote in a new round."""
    answered: set[str] = set()
    voted: set[int] = set()
    while phone.state is None or phone.state.get("status") != "ended":
        await phone.changed.wait()
        phone.changed.clear()
        await asyncio.sleep(pace * phone.rng.uniform(1, 8))  # people read before they type
        segment = (phone.state or {}).get("segment") or {}
        if segment.get("kind") == "prompts" and segment.get("id") not in answered:
            answered.add(segment["id"])
            for prompt_id in segment.get("prompt_ids", []):
                for text in phone.rng.sample(
                    _answers_for(answers, prompt_id), k=phone.rng.randint(1, 3)
                ):
                    await phone.respond(prompt_id, text)
                    await asyncio.sleep(pace * phone.rng.uniform(2, 10))
        picks = phone.random_picks()
        if picks and picks[0] not in voted:
            voted.add(picks[0])
            await phone.cast_ballot(*picks)


def _answers_for(answers: dict[str, Any], prompt_id: str) -> list[str]:
    return answers.get("prompts", {}).get(prompt_id) or answers["generic"]["answers"]
