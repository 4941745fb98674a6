"""A facilitator's laptop running the shipped themes board and console pages, as a program: it
makes the HTTP requests and sends the Socket.IO events that `static/js/board.js`,
`facilitator.js` and `live.js` make, at the same moments, in reply to the same server events.

Used by the rooms bench (`bench/rooms_bench.py`): on a regional day forty facilitators run
their rooms on one server, and what their pages ask of it counts as much as the phones.
`tests/test_e2e_console_model.py` runs the pages in Chromium and this model side by side and
fails when their traffic differs, so when a page changes, change this too.

What the pages do, and so this model:
- opening a page: the document, then its stylesheet and scripts (`phone_browser.Browser`); the
  socket on `/facilitator` with the session in its query, `sync` on connect and 2 s later;
- the board: a `board` event, or an answer edited, hidden or deleted, brings the board's
  fragment once 150 ms pass without another such event, and at the latest 2 s (or ten times as
  long as the last fetch took) after the first; one fetch at a time, the next after it; a board
  still waiting for its link hints asks again after 2 s, 4 s, 8 s, then every 15 s, 30 times at
  most; a new answer is drawn without asking;
- a theme made: the board form posted in the background (JSON), then a refresh as above;
- the console: a `vote` event, or a new segment when it or the one before is a vote segment,
  brings the voting panel 100 ms later (a burst, one fetch); a `tally` is drawn from the event
  unless it is of a round or candidate the panel does not show, which brings the panel;
  answers, counts and the theme summary are drawn from their events;
- a timer control: the `control` event, acknowledged within 10 s; the acknowledgement's state
  is applied as a `state` event's (whichever comes first brings the panel);
- opening the vote: the panel's form posted in the background (JSON), then the panel.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import time
from collections.abc import Callable
from html import unescape
from typing import Any

from yarl import URL

from workshop.live.phone_browser import Browser
from workshop.live.phone_page import INITIAL, SYNC_AGAIN
from workshop.live.phone_socket import PhoneSocket, Trace

BOARD_QUIET, BOARD_MAX_WAIT = 0.15, 2.0  # board.js refresh()
HINT_FIRST, HINT_LONGEST, HINT_TRIES = 2.0, 15.0, 30  # board.js askForHints()
PANEL_DELAY = 0.1  # facilitator.js refreshVotePanel()
CONTROL_WAIT = 10.0  # facilitator.js sendControl()
BUTTON_WAIT = 60.0  # how long a person waits for a button to appear (not the page's)
HTML, JSON_REPLY = "text/html", "application/json"

FRAGMENT = re.compile(r'<div id="(?:board|vote-box)" data-fragment="([^"]+)"')
BOARD_FORM = re.compile(r'<form method="post" action="([^"]+)"[^>]*data-board-form')
VOTE_FORM = re.compile(
    r'<form method="post" action="([^"]+)"[^>]*data-vote-form>(.*?)</form>', re.S
)
INPUT = re.compile(r"<input([^>]*)>")
ATTRIBUTE = re.compile(r'([\w-]+)(?:="([^"]*)")?')
ROUND_SHOWN = re.compile(r'data-tally-rows data-round-id="(\d*)"')
CANDIDATE_SHOWN = re.compile(r'data-candidate-id="(\d+)"')


def form_fields(form_html: str) -> dict[str, str]:
    """What `new FormData(form)` holds: hidden and text fields, ticked boxes and radios."""
    fields: dict[str, str] = {}
    for attributes in INPUT.findall(form_html):
        found = {name: unescape(value) for name, value in ATTRIBUTE.findall(attributes)}
        kind = found.get("type", "text")
        if "name" not in found or (kind in ("radio", "checkbox") and "checked" not in found):
            continue
        fields.setdefault(found["name"], found.get("value", "on" if kind != "text" else ""))
    return fields


class SimulatedConsole:
    """One facilitator's browser tab, signed in with `cookies`, on session `workshop_id`."""

    def __init__(
        self,
        base_url: str,
        workshop_id: int,
        cookies: dict[str, str],
        rng: random.Random,
        lang: str = "en",
        trace: Trace | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.workshop_id = workshop_id
        self.rng = rng
        self.trace: Trace = trace or (lambda kind, what: None)
        self.browser = Browser(self.base_url, lang, self.trace)
        self.browser.http.cookie_jar.update_cookies(cookies, URL(self.base_url))
        self.socket: PhoneSocket | None = None
        self.timers: dict[str, asyncio.TimerHandle] = {}
        self.tasks: set[asyncio.Task] = set()
        self.tallies: list[tuple[float, int]] = []  # (perf_counter, ballots) as each arrived
        self._reset_page()

    def _reset_page(self) -> None:
        self.fragment_url = ""
        self.fragment_html = ""
        # the board
        self.first_pending = 0.0
        self.last_fetch_took = 0.0
        self.fetching = self.again = False
        self.hint_tries = 0
        # the console
        self.shown_segment = -1
        self.shown_voting = False

    # -- pages -----------------------------------------------------------------------------

    async def open_board(self) -> str:
        handlers = {"board": self._refresh_board, "response": self._on_board_response}
        html = await self._open(f"/facilitator/w/{self.workshop_id}/board/", handlers)
        self._ask_for_hints()
        return html

    async def open_console(self) -> None:
        handlers = {
            "snapshot": lambda snapshot: self._apply_state(snapshot["state"]),
            "state": self._apply_state,
            "vote": lambda _vote: self._refresh_panel(),
            "tally": self._on_tally,
        }
        await self._open(f"/facilitator/w/{self.workshop_id}", handlers, self._initial_segment)

    def _initial_segment(self, html: str) -> None:
        """The segment the page was drawn for, known before its socket's snapshot arrives
        (the snapshot's state, the same segment, brings no panel)."""
        state = json.loads(INITIAL.search(html).group(1))["state"]
        self.shown_segment = _segment_index(state)
        self.shown_voting = _voting(state)

    async def _open(
        self,
        path: str,
        handlers: dict[str, Callable[..., Any]],
        read_page: Callable[[str], None] = lambda html: None,
    ) -> str:
        """Leave the page that was open (its socket, timers and fetches go with it); open
        `path`, read what its script reads at start (`read_page`), and connect its socket."""
        self.leave()
        html = await self.browser.open(path)
        self.fragment_url = unescape(FRAGMENT.search(html).group(1))
        self.fragment_html = html
        read_page(html)
        connected = asyncio.get_running_loop().create_future()

        def on_connect() -> None:
            self._sync()
            asyncio.get_running_loop().call_later(SYNC_AGAIN, self._sync)
            if not connected.done():
                connected.set_result(None)

        self.socket = PhoneSocket(
            self.base_url,
            "/facilitator",
            {"workshop": str(self.workshop_id)},
            self.browser.http,
            {"connect": on_connect, **handlers},
            self.rng,
            self.trace,
        )
        self.socket.connect()
        await asyncio.wait_for(connected, 60)
        return html

    def leave(self) -> None:
        if self.socket is not None:
            self.socket.close()
            self.socket = None
        for timer in self.timers.values():
            timer.cancel()
        self.timers.clear()
        for task in self.tasks:
            task.cancel()
        self._reset_page()

    async def close(self) -> None:
        self.leave()
        await self.browser.close()

    def _sync(self) -> None:
        if self.socket is not None and self.socket.connected:
            self.socket.emit("sync", {}, lambda error, ack: None, 5.0)

    def _later(self, name: str, delay: float, action: Callable[[], Any]) -> None:
        """`clearTimeout(timer); timer = setTimeout(action, delay)`."""
        if (timer := self.timers.pop(name, None)) is not None:
            timer.cancel()
        self.timers[name] = asyncio.get_running_loop().call_later(max(0.0, delay), action)

    def _spawn(self, work) -> asyncio.Task:
        task = asyncio.ensure_future(work)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)
        return task

    # -- the board -------------------------------------------------------------------------

    async def create_theme(self, title: str) -> dict[str, Any]:
        """Type a title and press Create theme (nothing ticked)."""
        action = unescape(BOARD_FORM.search(self.fragment_html).group(1))
        csrf = form_fields(self.fragment_html)["csrf_token"]
        form = {"move_to": "", "new_title": title, "op": "create", "csrf_token": csrf}
        status, reply = await self.browser.fetch(action, JSON_REPLY, form)
        self._refresh_board()
        return json.loads(reply) if status < 500 else {"ok": False, "error": f"HTTP {status}"}

    def _on_board_response(self, message: dict[str, Any]) -> None:
        if message.get("action") != "created":
            self._refresh_board()

    def _refresh_board(self, *_event: Any) -> None:
        now = time.monotonic()
        if not self.first_pending:
            self.first_pending = now
        latest = self.first_pending + max(BOARD_MAX_WAIT, 10 * self.last_fetch_took)
        due = min(now + BOARD_QUIET, latest)
        self._later("refresh", due - now, self._fetch_board)

    def _fetch_board(self) -> None:
        if self.fetching:
            self.again = True
            return
        self.first_pending = 0.0
        self.fetching = True
        self._spawn(self._board_fetch())

    async def _board_fetch(self) -> None:
        began = time.monotonic()
        try:
            status, html = await self.browser.fetch(self.fragment_url, HTML)
            if status == 200:
                self.fragment_html = html
                self._ask_for_hints()
        except Exception:  # noqa: BLE001 - offline for a moment: the next change refreshes
            pass
        finally:
            self.last_fetch_took = time.monotonic() - began
            self.fetching = False
            if self.again:
                self.again = False
                self._refresh_board()

    def _ask_for_hints(self) -> None:
        if (timer := self.timers.pop("hints", None)) is not None:
            timer.cancel()
        if "data-hints-pending" not in self.fragment_html:
            self.hint_tries = 0
            return
        if self.hint_tries >= HINT_TRIES:
            return
        wait = min(HINT_FIRST * 2**self.hint_tries, HINT_LONGEST)
        self.hint_tries += 1
        self._later("hints", wait, self._refresh_board)

    # -- the console -----------------------------------------------------------------------

    async def control(self, action: str, seconds: int = 0) -> dict[str, Any] | None:
        """Press a timer control; returns its acknowledgement (None: none within 10 s)."""
        replied = asyncio.get_running_loop().create_future()

        def on_ack(error, ack) -> None:
            if not error and ack.get("ok") and self.socket is not None:
                self._apply_state(ack["state"])  # as the `state` event: the first one counts
            if not replied.done():
                replied.set_result(None if error else ack)

        self.socket.emit("control", {"action": action, "seconds": seconds}, on_ack, CONTROL_WAIT)
        return await replied

    async def vote_form_shown(self) -> None:
        """Wait until the panel shows the Open voting form (a person waits for the button)."""
        deadline = time.monotonic() + BUTTON_WAIT
        while self._open_vote_form() is None and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        if self._open_vote_form() is None:
            raise RuntimeError("the console never showed the Open voting form")

    async def open_vote(self) -> dict[str, Any]:
        """Press Open voting with the panel's form as it stands (all themes), once the panel
        shows it."""
        await self.vote_form_shown()
        action, fields = self._open_vote_form()
        status, reply = await self.browser.fetch(action, JSON_REPLY, {**fields, "op": "open"})
        self._refresh_panel()
        return json.loads(reply) if status < 500 else {"ok": False, "error": f"HTTP {status}"}

    def _open_vote_form(self) -> tuple[str, dict[str, str]] | None:
        return next(
            (
                (unescape(action), form_fields(body))
                for action, body in VOTE_FORM.findall(self.fragment_html)
                if 'value="open"' in body
            ),
            None,
        )

    def _apply_state(self, state: dict[str, Any]) -> None:
        index = _segment_index(state)
        if index != self.shown_segment:  # the panel changes only in or out of a vote segment
            voting = _voting(state)
            if voting or self.shown_voting:
                self._refresh_panel()
            self.shown_segment, self.shown_voting = index, voting

    def _on_tally(self, tally: dict[str, Any]) -> None:
        self.tallies.append((time.perf_counter(), tally.get("ballots", 0)))
        shown_round = ROUND_SHOWN.search(self.fragment_html)
        shown = set(CANDIDATE_SHOWN.findall(self.fragment_html))
        rows = tally.get("rows")
        if (
            rows is None
            or shown_round is None
            or shown_round.group(1) != str(tally.get("round_id"))
            or any(str(row["candidate_id"]) not in shown for row in rows)
        ):
            self._refresh_panel()

    def _refresh_panel(self) -> None:
        self._later("panel", PANEL_DELAY, lambda: self._spawn(self._panel_fetch()))

    async def _panel_fetch(self) -> None:
        status, html = await self.browser.fetch(self.fragment_url, HTML)
        if status == 200:
            self.fragment_html = html

    def complete_at(self, expected: int) -> float | None:
        """When the console first held a tally counting `expected` ballots."""
        return next((at for at, count in self.tallies if count >= expected), None)


def _segment_index(state: dict[str, Any] | None) -> int:
    segment = (state or {}).get("segment")
    return segment["index"] if segment else -1


def _voting(state: dict[str, Any] | None) -> bool:
    segment = (state or {}).get("segment")
    return bool(segment) and segment.get("kind") == "vote"
