"""A participant's phone running the shipped participant page, as a program: it makes the HTTP
requests and sends the Socket.IO events that `static/js/participant.js` and `live.js` make, at
the same moments, in reply to the same server events.

Used by `workshop rehearse` (a facilitator's rehearsal with a full room) and by the load bench
(`bench/load_bench.py`; other benches reuse it: a phone needs a server URL and a join code).
`tests/test_e2e_phone_model.py` runs the page in Chromium and this model side by side through a
whole session and fails when their traffic differs, so when the page changes, change this too.

What the page does, and so this model:
- opening a page: the document, then its stylesheet and scripts (a browser cache: revalidated
  when the server says `no-cache`, not asked for while fresh); joining: the join form, its
  post, the redirect to the live page;
- the socket (`phone_socket`): the query names the code and the page's language; `sync` on
  every connect and 2 s later;
- a snapshot: whatever is unconfirmed is sent again (answers queued, the pending ballot);
- an answer: queued, sent with a 6 s timeout; no reply or a server fault: sent again 1-3 s later;
- a ballot: one in flight; no reply or a server fault: again 3 s later;
- `state`, `segment`, `themes`, `own`: drawn on the page, nothing asked of the server.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from functools import partial
from html import unescape
from typing import Any

from workshop.live.phone_browser import Browser
from workshop.live.phone_socket import PhoneSocket, Trace

REPLY_WAIT = 6.0  # participant.js: a reply missing this long was lost
RESEND_AFTER = (1.0, 3.0)  # scheduleResend: 1 s plus up to 2 s
BALLOT_RETRY = 3.0
SYNC_AGAIN = 2.0  # live.js syncs the clock on connect and again 2 s later
NEVER = 120.0  # a person waits this long at most for an answer or a ballot to be confirmed

CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
RADIO = re.compile(r'<input type="radio" name="([^"]+)" value="([^"]*)"')
INITIAL = re.compile(r'<script type="application/json" id="initial-state">(.*?)</script>', re.S)
ROUND = re.compile(r'name="round_id" value="(\d+)"')
CHOICE = re.compile(r'<option value="(\d+)"|<input type="checkbox" name="pick" value="(\d+)"')
PICKS = re.compile(r'name="pick-(\d+)"')


@dataclass
class Timings:
    """What a room of phones measured, in seconds, and what went wrong."""

    join: list[float] = field(default_factory=list)  # opening the page until the snapshot
    respond: list[float] = field(default_factory=list)  # an answer sent until confirmed
    ballot: list[float] = field(default_factory=list)  # a ballot sent until confirmed
    errors: list[str] = field(default_factory=list)
    accepted: Counter[str] = field(default_factory=Counter)  # confirmed and stored, by event
    resent: Counter[str] = field(default_factory=Counter)  # sent again: no reply in time
    traffic: Counter[str] = field(default_factory=Counter)  # what the phones asked, by kind
    # (event, wall-clock time sent, seconds until confirmed): to line up with a server trace
    sent: list[tuple[str, float, float]] = field(default_factory=list)


class SimulatedPhone:
    """One participant's phone running the participant page; `base_url` and `code` say where."""

    def __init__(
        self,
        base_url: str,
        code: str,
        rng: random.Random,
        timings: Timings,
        lang: str = "en",
        trace: Trace | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.code = code
        self.rng = rng
        self.timings = timings
        self.lang = lang
        self.trace: Trace = trace or (lambda kind, what: None)
        self.browser: Browser | None = None
        self.socket: PhoneSocket | None = None
        self.initial: dict[str, Any] = {}
        # what the page holds from the socket
        self.state: dict[str, Any] | None = None
        self.view: dict[str, Any] | None = None
        self.mine: dict[int, dict[str, Any]] = {}
        self.my_ballot: dict[str, Any] | None = None
        self.themes: list[dict[str, Any]] = []
        self.views: list[tuple[float, str]] = []  # (perf_counter, key) as each view arrived
        self.changed = asyncio.Event()
        self.snapshots = 0
        # what the page keeps in local storage and in flight
        self.queue: list[dict[str, Any]] = []
        self.in_flight: set[str] = set()
        self.pending_ballot: dict[str, Any] | None = None
        self.ballot_in_flight = False
        self.waiting: dict[str, tuple[asyncio.Future, float, float]] = {}
        self.opened: asyncio.Future | None = None
        self.resend_timer: asyncio.TimerHandle | None = None

    # -- pages -----------------------------------------------------------------------------

    async def join(self) -> None:
        """Open the join page, answer its questions, land on the live page and connect."""
        started = time.perf_counter()
        self.browser = Browser(self.base_url, self.lang, self.trace)
        html = await self.browser.open(f"/w/{self.code}")
        form = {"csrf_token": unescape(m.group(1))} if (m := CSRF.search(html)) else {}
        choices: dict[str, list[str]] = {}
        for name, value in RADIO.findall(html):
            choices.setdefault(name, []).append(unescape(value))
        form.update({name: self.rng.choice(values) for name, values in choices.items()})
        await self._live_page(await self.browser.post_form(f"/w/{self.code}/join", form))
        self.timings.join.append(time.perf_counter() - started)

    async def reload(self, lang: str | None = None) -> None:
        """The person reloads the page, or picks a language in the switch (a link to the same
        page with `?lang=`): the page goes, with its socket; the new one connects."""
        self.lang = lang or self.lang
        query = f"?lang={lang}" if lang else ""
        await self._live_page(f"/w/{self.code}{query}")

    def go_away(self) -> None:
        """The screen locks and the phone drops off the wifi: the connection is gone and
        nothing is retried until `come_back`."""
        self.socket.close()

    async def come_back(self) -> None:
        """The phone wakes up: the page's client connects again; returns at the snapshot."""
        self.opened = asyncio.get_running_loop().create_future()
        self.socket.reconnect()
        await asyncio.wait_for(asyncio.shield(self.opened), 60)

    async def _live_page(self, path: str) -> None:
        if self.socket is not None:
            self.socket.close()
        html = await self.browser.open(path)
        found = INITIAL.search(html)
        if found is None:
            raise RuntimeError(f"{path} is not the live page")
        self.initial = json.loads(found.group(1))
        self.lang = self.initial.get("lang", self.lang)
        self.state = self.initial.get("state")
        self.view = None
        self.opened = asyncio.get_running_loop().create_future()
        self._connect()
        try:
            await asyncio.wait_for(asyncio.shield(self.opened), 60)
        except TimeoutError:
            raise RuntimeError("no snapshot within a minute of opening the page") from None

    # -- the socket ------------------------------------------------------------------------

    def _connect(self) -> None:
        handlers = {
            "connect": self._on_connect,
            "snapshot": self._on_snapshot,
            "state": self._on_state,
            "segment": self._on_segment,
            "themes": self._on_themes,
            "own": self._on_own,
        }
        # A new page starts with a new client: it remembers no WebSocket that worked before.
        self.socket = PhoneSocket(
            self.base_url,
            "/participant",
            {"code": self.code, "lang": self.lang},
            self.browser.http,
            handlers,
            self.rng,
            self.trace,
        )
        self.socket.connect()

    def _on_connect(self) -> None:
        self._sync()
        asyncio.get_running_loop().call_later(SYNC_AGAIN, self._sync)

    def _sync(self) -> None:
        if self.socket is not None and self.socket.connected:
            self.socket.emit("sync", {}, lambda error, ack: None, 5.0)

    def _on_snapshot(self, snapshot: dict[str, Any]) -> None:
        self.in_flight.clear()
        self.ballot_in_flight = False
        self.mine = {r["id"]: r for r in snapshot.get("responses", [])}
        self.my_ballot = snapshot.get("ballot")
        self.themes = snapshot.get("themes", [])
        self.state = snapshot["state"]
        self._show(snapshot.get("segment"))
        self.snapshots += 1
        if not self.opened.done():
            self.opened.set_result(None)
        self.send_queue()
        self.send_ballot()

    def _on_state(self, state: dict[str, Any]) -> None:
        self.state = state
        self.changed.set()

    def _on_segment(self, view: dict[str, Any]) -> None:
        self._show(view)

    def _show(self, view: dict[str, Any] | None) -> None:
        if view is not None:
            self.view = view
            self.views.append((time.perf_counter(), view["key"]))
        self.changed.set()

    def _on_themes(self, message: dict[str, Any]) -> None:
        self.themes = message["themes"]

    def _on_own(self, message: dict[str, Any]) -> None:
        answer = message["response"]
        if message["action"] == "deleted":
            self.mine.pop(answer["id"], None)
            return
        self.mine[answer["id"]] = answer
        if message["action"] == "created":  # stored: a queued copy need not go again
            self.queue = [i for i in self.queue if i["client_id"] != answer["client_id"]]
            self._confirmed("respond", answer["client_id"], {"ok": True, "response": answer})

    # -- what the person does --------------------------------------------------------------

    async def respond(
        self, prompt_id: str, text: str, strategy_id: str | None = None
    ) -> dict[str, Any] | None:
        """Type an answer and press Send; returns the acknowledgement once it is confirmed
        (resent as the page resends), or None when it never was."""
        item = {
            "client_id": uuid.uuid4().hex,
            "prompt_id": prompt_id,
            "text": text,
            "strategy_id": strategy_id,
        }
        waiter = self._wait_for("respond", item["client_id"])
        self.queue.append(item)
        self.send_queue()
        return await waiter

    async def cast_ballot(self, round_id: int, picks: list[int]) -> dict[str, Any] | None:
        """Choose and press Send my vote; returns the acknowledgement once it came."""
        ballot = {"round_id": round_id, "picks": picks, "client_id": uuid.uuid4().hex}
        waiter = self._wait_for("ballot", ballot["client_id"])
        if self.pending_ballot is not None:  # replaced before it went: no reply will say so
            self._confirmed("ballot", self.pending_ballot["client_id"], None)
        self.pending_ballot = ballot
        self.send_ballot()
        return await waiter

    def _wait_for(self, event: str, client_id: str):
        future = asyncio.get_running_loop().create_future()
        self.waiting[client_id] = (future, time.perf_counter(), time.time())

        async def confirmed() -> dict[str, Any] | None:
            try:
                return await asyncio.wait_for(asyncio.shield(future), NEVER)
            except TimeoutError:
                self.timings.errors.append(f"{event}: never acknowledged")
                self.waiting.pop(client_id, None)
                return None

        return confirmed()

    def _confirmed(self, event: str, client_id: str, ack: dict[str, Any] | None) -> None:
        future, started, sent_at = self.waiting.pop(client_id, (None, 0.0, 0.0))
        if future is None or future.done():
            return
        if ack is not None:
            seconds = time.perf_counter() - started
            getattr(self.timings, event).append(seconds)
            self.timings.sent.append((event, sent_at, seconds))
            if ack.get("ok"):
                self.timings.accepted[event] += 1
            else:
                self.timings.errors.append(f"{event}: {ack.get('code')}: {ack.get('error')}")
        future.set_result(ack)

    # -- what the page sends ---------------------------------------------------------------

    def send_queue(self) -> None:
        """participant.js sendQueue: every queued answer not already in flight."""
        if self.socket is None or not self.socket.connected:
            return
        for item in list(self.queue):
            if item["client_id"] in self.in_flight:
                continue
            self.in_flight.add(item["client_id"])
            self.socket.emit("respond", item, partial(self._respond_reply, item), REPLY_WAIT)

    def _respond_reply(self, item: dict[str, Any], error, ack) -> None:
        if error is not None or (not ack.get("ok") and ack.get("code") == "server"):
            self.in_flight.discard(item["client_id"])
            self.timings.resent["respond"] += 1
            self._schedule_resend()
            return
        self.in_flight.discard(item["client_id"])
        self.queue = [i for i in self.queue if i["client_id"] != item["client_id"]]
        if ack.get("ok"):
            self.mine[ack["response"]["id"]] = ack["response"]
        self._confirmed("respond", item["client_id"], ack)

    def _schedule_resend(self) -> None:
        if self.resend_timer is not None:
            self.resend_timer.cancel()
        low, high = RESEND_AFTER
        delay = low + self.rng.random() * (high - low)
        self.resend_timer = asyncio.get_running_loop().call_later(delay, self.send_queue)

    def send_ballot(self) -> None:
        """participant.js sendBallot: the latest ballot, one at a time."""
        ballot = self.pending_ballot
        if ballot is None or self.ballot_in_flight:
            return
        if self.socket is None or not self.socket.connected:
            return
        self.ballot_in_flight = True
        self.socket.emit("ballot", ballot, partial(self._ballot_reply, ballot), REPLY_WAIT)

    def _ballot_reply(self, ballot: dict[str, Any], error, ack) -> None:
        self.ballot_in_flight = False
        if error is not None or (not ack.get("ok") and ack.get("code") == "server"):
            self.timings.resent["ballot"] += 1
            asyncio.get_running_loop().call_later(BALLOT_RETRY, self.send_ballot)
            return
        if self.pending_ballot and self.pending_ballot["client_id"] == ballot["client_id"]:
            self.pending_ballot = None
        if ack.get("ok"):
            self.my_ballot = ack["ballot"]
        self._confirmed("ballot", ballot["client_id"], ack)
        self.send_ballot()  # a newer ballot may have been queued meanwhile

    # -- what the page shows ---------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.socket is not None and self.socket.connected

    def segment_index(self) -> int | None:
        """The segment the page shows (None in the lobby)."""
        key = (self.view or {}).get("key", "")
        index = key.split(".", 1)[0]
        return int(index) if index.lstrip("-").isdigit() and int(index) >= 0 else None

    def ballot_form(self) -> tuple[int, list[int], int] | None:
        """The open vote the page shows: (round id, candidate ids, how many to pick)."""
        html = (self.view or {}).get("html", "")
        if "data-ballot-form" not in html:
            return None
        form = html[html.index("data-ballot-form") :]
        round_id = ROUND.search(form)
        candidates = list(dict.fromkeys(int(a or b) for a, b in CHOICE.findall(form)))
        picks = len(set(PICKS.findall(form))) or len(candidates)
        return (int(round_id.group(1)), candidates, picks) if round_id else None

    def random_picks(self) -> tuple[int, list[int]] | None:
        """A ballot as a person might fill in the form on screen, or None without one."""
        form = self.ballot_form()
        if form is None or not form[1]:
            return None
        round_id, candidates, picks = form
        count = self.rng.randint(1, min(picks, len(candidates)))
        return round_id, self.rng.sample(candidates, k=count)

    async def close(self) -> None:
        if self.socket is not None:
            self.socket.close()
            await self.socket.wait_closed()
        if self.browser is not None:
            await self.browser.close()
