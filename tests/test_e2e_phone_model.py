"""The load bench's phones do what the shipped phone page does.

A real phone (the participant page's own scripts in Chromium) and the bench's phone model
(`workshop.live.phone_page.SimulatedPhone`) join the same Thrive session and go through all of
it side by side: join, every segment, answers (one typed while the server was down and sent
when it came back), a step back to answers already given, themes forming, the vote, a change
of language, the results and the end. Every HTTP request and every Socket.IO event each of them
makes or receives is recorded (the page's through Playwright: its requests, its long-polling
bodies and its WebSocket frames); after each step the two records must be the same, in the same
order relative to the server's events. When the page changes what it asks of the server, this
fails until the model follows.

Along the way the page must show what its person needs (their own answers after the segment
comes back, their vote, Spanish once chosen), drawn from the view the server shares with the
whole room; the pictures go to `screenshots/` for a person to look at.
"""

from __future__ import annotations

import asyncio
import json
import random
import re
import threading
import time

import pytest
from browser_support import PHONE, SCREENSHOTS, LiveServer, screenshot
from test_e2e_a11y import Facilitator, prepare_database

from workshop.live.phone_page import SimulatedPhone, Timings

pytestmark = pytest.mark.browser
RETRO_QUESTION = "Looking back on the past year of our subregional table, what worked well?"
FORWARD_QUESTION = (
    "How can SRT activities over the next 2 years best move us toward the plan's vision?"
)
# Engine.IO's own traffic inside one connection: how many polls it takes depends on timing.
TRANSPORT_DETAIL = {
    "socket websocket",
    "socket connected",
    "socket closed",
    "socket connect failed",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("model"), env={"WORKSHOP_BROADCAST_INTERVAL": "0.2"})
    prepare_database(live)
    live.start()
    yield live
    live.stop()


# -- the page's traffic, as Playwright sees it -----------------------------------------------


class PageRecord:
    """What the page asks for and receives, in the model's words (`kind`, `what`): its HTTP
    requests (Chromium's, through the DevTools protocol: Playwright reports a stylesheet or
    script taken from the cache as a request too, and the model asks nothing then) and the Socket.IO packets its client sends and
    receives, over long-polling or the WebSocket. The packets are taken inside the page, where
    the client's XMLHttpRequests and WebSocket pass them, and handed to the test in the order
    they happened (a bound function): long-polling bodies read from Playwright's responses
    arrive out of order. Playwright's synchronous API hands events over only while the test
    calls into it, so the test waits with `pause`."""

    def __init__(self, context, page, base: str):
        self.base = base
        self.browser_page = page
        self.entries: list[tuple[str, str]] = []
        self.acks: dict[int, str] = {}
        context.expose_function("__recordSocket", self._socket)
        context.add_init_script(SOCKET_TAP)
        self.http: dict[str, int] = {}  # the DevTools request id → its entry
        self.cdp = context.new_cdp_session(page)
        self.cdp.on("Network.requestWillBeSent", self._request)
        self.cdp.on("Network.requestServedFromCache", self._from_cache)
        self.cdp.send("Network.enable")

    def pause(self, seconds: float) -> None:
        self.browser_page.wait_for_timeout(seconds * 1000)

    def _request(self, event: dict) -> None:
        path = event["request"]["url"].removeprefix(self.base)
        method = event["request"]["method"]
        if path.startswith("ws://") or event.get("type") == "WebSocket":
            return
        if not path.startswith("/socket.io/"):
            self.http[event["requestId"]] = len(self.entries)
            self.entries.append(("http", f"{method} {path}"))
            return
        if "transport=polling" in path and "sid=" not in path:
            self.entries.append(("socket", "open polling"))
        self.entries.append(("http", f"{method} /socket.io/ polling"))

    def _from_cache(self, event: dict) -> None:
        """Fresh in the cache: nothing went over the network."""
        if event["requestId"] in self.http:
            at = self.http[event["requestId"]]
            self.entries[at] = ("cache", self.entries[at][1])

    def _socket(self, direction: str, data: str) -> None:
        if direction == "ws":
            self.entries.append(("socket", "websocket" if "sid=" in data else "open websocket"))
            return
        for packet in data.split("\x1e"):
            self._packet(packet, sent=direction == "out")

    def _packet(self, packet: str, sent: bool) -> None:
        """An Engine.IO packet; only Socket.IO events and acknowledgements are recorded."""
        found = re.match(r"4(\d)(/[^,]*,)?(\d*)(.*)$", packet, re.S)
        if found is None:
            return
        kind, ack_id, body = found.group(1), found.group(3), found.group(4)
        if kind == "2":
            name = json.loads(body)[0]
            if sent and ack_id:
                self.acks[int(ack_id)] = name
            self.entries.append(("send" if sent else "recv", name))
        elif kind == "3" and not sent:
            self.entries.append(("ack", self.acks.get(int(ack_id), "?")))


# Runs in every page before its scripts: passes each Engine.IO payload the page's Socket.IO
# client sends or receives, and each WebSocket it opens, to `__recordSocket`.
SOCKET_TAP = """
(() => {
  const record = (direction, data) => { window.__recordSocket(direction, String(data)); };
  const NativeSocket = window.WebSocket;
  function TappedSocket(url, protocols) {
    record("ws", url);
    const ws = protocols === undefined ? new NativeSocket(url) : new NativeSocket(url, protocols);
    ws.addEventListener("message", (event) => record("in", event.data));
    const send = ws.send.bind(ws);
    ws.send = (data) => { record("out", data); return send(data); };
    return ws;
  }
  TappedSocket.prototype = NativeSocket.prototype;
  ["CONNECTING", "OPEN", "CLOSING", "CLOSED"].forEach((k) => { TappedSocket[k] = NativeSocket[k]; });
  window.WebSocket = TappedSocket;
  const open = XMLHttpRequest.prototype.open;
  XMLHttpRequest.prototype.open = function (method, url) {
    if (String(url).indexOf("/socket.io/") !== -1) {
      this.__tapped = method;
      this.addEventListener("readystatechange", () => {
        if (this.readyState === 4 && method === "GET" && this.status === 200) { record("in", this.responseText); }
      });
    }
    return open.apply(this, arguments);
  };
  const send = XMLHttpRequest.prototype.send;
  XMLHttpRequest.prototype.send = function (body) {
    if (this.__tapped === "POST") { record("out", body); }
    return send.apply(this, arguments);
  };
})();
"""


# -- the model, in an event loop of its own --------------------------------------------------


class Model:
    """The bench's phone model, driven from the test's thread."""

    def __init__(self, base: str, code: str):
        self.entries: list[tuple[str, str]] = []
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.timings = Timings()

        async def build() -> SimulatedPhone:
            trace = lambda kind, what: self.entries.append((kind, what))  # noqa: E731
            return SimulatedPhone(base, code, random.Random(7), self.timings, trace=trace)

        self.phone = self.run(build())

    @staticmethod
    async def _cancel_the_rest() -> None:
        """Timers the page had set (a resend, a sync) end with it."""
        others = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for task in others:
            task.cancel()
        await asyncio.gather(*others, return_exceptions=True)

    def run(self, coroutine, timeout: float = 90):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout)

    def start(self, coroutine):
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop)

    def stop(self) -> None:
        self.run(self.phone.close())
        self.run(self._cancel_the_rest())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


# -- comparing -------------------------------------------------------------------------------


def normalized(entries: list[tuple[str, str]], code: str) -> list[str]:
    """The record as compared: the join code as {code}; files taken from the cache, Engine.IO's
    polls inside one connection and connection attempts that failed (their number depends on
    timing) left out."""
    lines = [f"{kind} {what}".replace(code, "{code}") for kind, what in entries]
    lines = [line for line in lines if line.split(":")[0] not in TRANSPORT_DETAIL]
    lines = [line for line in lines if not line.startswith("cache ")]
    lines = [line for line in lines if not line.startswith("http ") or "/socket.io/" not in line]
    kept: list[str] = []
    for line in lines:
        if line == "socket websocket":  # the upgrade of the connection opened last
            opened = [i for i, earlier in enumerate(kept) if earlier.startswith("socket open")]
            if opened:
                kept[opened[-1]] = kept[opened[-1]].replace(
                    "open polling", "open polling, upgraded"
                )
            else:
                kept.append("socket upgraded")
        elif kept and line.startswith("socket open") and kept[-1].startswith("socket open"):
            kept[-1] = line  # the earlier attempt failed: only the one that worked counts
        else:
            kept.append(line)
    return kept


class SideBySide:
    """Both records, cut into steps at moments when neither is doing anything."""

    def __init__(self, page: PageRecord, model: Model, code: str):
        self.page, self.model, self.code = page, model, code
        self.steps: list[tuple[str, int, int]] = []

    def settle(self, quiet: float = 1.2, longest: float = 30) -> None:
        deadline = time.monotonic() + longest
        last = (-1, -1)
        still_since = time.monotonic()
        while time.monotonic() < deadline:
            now = (len(self.page.entries), len(self.model.entries))
            if now != last:
                last, still_since = now, time.monotonic()
            elif time.monotonic() - still_since >= quiet:
                return
            self.page.pause(0.1)

    def step(self, name: str) -> None:
        """Everything since the last step belongs to `name`."""
        self.settle()
        self.steps.append((name, len(self.page.entries), len(self.model.entries)))

    def normalized(self, entries: list[tuple[str, str]]) -> list[str]:
        return normalized(entries, self.code)

    def compare(self) -> None:
        page_from = model_from = 0
        for name, page_to, model_to in self.steps:
            page = self.normalized(self.page.entries[page_from:page_to])
            model = self.normalized(self.model.entries[model_from:model_to])
            assert page == model, (
                f"step '{name}': the model's traffic differs from the page's\n"
                f"page:  {page}\nmodel: {model}\n"
                f"as recorded: page {self.page.entries[page_from:page_to]}\n"
                f"model {self.model.entries[model_from:model_to]}"
            )
            page_from, model_from = page_to, model_to


def connected(both: SideBySide, times: int, timeout: float = 20) -> None:
    """Wait until both have connected `times` times in all and synced their clocks twice on
    each connection (on connect and 2 s later)."""
    deadline = time.monotonic() + timeout
    for entries in (both.page.entries, both.model.entries):
        while sum(1 for entry in entries if entry == ("ack", "sync")) < 2 * times:
            assert time.monotonic() < deadline, f"not connected {times} times: {entries}"
            both.page.pause(0.05)


def failed_to_reconnect(both: SideBySide, page_mark: int, model_mark: int) -> None:
    """Wait until the page and the model have each tried to reconnect, and failed, since the
    marks (socket.io-client waits 0.5-1.5 s before its first attempt)."""
    deadline = time.monotonic() + 20
    page_failed = ("socket", "open websocket")  # with no server, a WebSocket never opens
    while page_failed not in both.page.entries[page_mark:] or (
        ("socket", "connect failed") not in both.model.entries[model_mark:]
    ):
        assert time.monotonic() < deadline, "the page or the model never tried to reconnect"
        both.page.pause(0.05)


def shot(page, name: str) -> None:
    screenshot(page, SCREENSHOTS / f"phone-model-{name}.png", full_page=True)


# -- the session -----------------------------------------------------------------------------


def answer(page, question: str, text: str, strategy: str | None = None) -> None:
    section = page.locator("section.prompt", has=page.get_by_role("heading", name=question))
    section.get_by_label("Your answer", exact=True).fill(text)
    if strategy:
        section.get_by_label("Which strategy does it serve?").select_option(label=strategy)
    section.get_by_role("button", name="Send answer").click()


def test_the_bench_phone_does_what_the_page_does_through_a_whole_session(server, chromium):
    from playwright.sync_api import expect

    facilitator = Facilitator(server.url)
    session = facilitator.start()
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    record = PageRecord(context, page, server.url)
    model = Model(server.url, session.code)
    phone = model.phone
    both = SideBySide(record, model, session.code)
    try:
        page.goto(f"{server.url}/w/{session.code}")
        page.get_by_label("SRT member").check()
        page.get_by_role("button", name="Join the session").click()
        expect(page.get_by_role("heading", name="You're in")).to_be_visible()
        model.run(phone.join())
        connected(both, 1)
        both.step("join")

        facilitator.control(session, "start")
        expect(page.get_by_role("heading", name="Overview & Introduction")).to_be_visible()
        both.step("start")
        facilitator.control(session, "next")
        expect(page.get_by_role("heading", name=RETRO_QUESTION)).to_be_visible()
        both.step("the retrospective questions")

        answer(page, RETRO_QUESTION, "Monthly meetings built trust")
        model.run(phone.respond("worked_well", "Peer networking across sectors"))
        expect(page.get_by_label("Edit your answer 1")).to_have_value(
            "Monthly meetings built trust"
        )
        both.step("an answer")

        answer_while_the_server_restarts(server, page, model, both)

        facilitator.control(session, "next")
        expect(page.get_by_role("heading", name=FORWARD_QUESTION)).to_be_visible()
        both.step("forward planning")
        answer(page, FORWARD_QUESTION, "Fund childcare near training sites", "Access to childcare")
        model.run(phone.respond("srt_next_two_years", "Childcare hubs", "access-childcare"))
        expect(page.get_by_label("Edit your answer 1")).to_have_value(
            "Fund childcare near training sites"
        )
        both.step("an answer with a strategy")

        back_to_answers_given(facilitator, session, page, both)
        themes_and_the_vote(facilitator, session, page, model, both)
        results_in_spanish_and_the_end(facilitator, session, page, model, both)
    finally:
        model.stop()
        context.close()
    both.compare()
    assert model.timings.errors == []


def answer_while_the_server_restarts(server: LiveServer, page, model: Model, both) -> None:
    """The server dies; an answer typed meanwhile waits on the phone and goes once the phone
    has reconnected (over a fresh long-polling handshake: the WebSocket that worked is gone)."""
    from playwright.sync_api import expect

    page_mark, model_mark = len(both.page.entries), len(model.entries)
    server.kill()
    expect(page.locator("[data-connection]")).to_be_visible()
    answer(page, RETRO_QUESTION, "Written while the server was down")
    pending = model.start(model.phone.respond("worked_well", "Typed during the outage"))
    # Both must have failed to reconnect once before the server comes back: a failed attempt
    # makes the next one long-poll, and which attempt first finds the server up is timing.
    failed_to_reconnect(both, page_mark, model_mark)
    server.start()
    expect(page.get_by_label("Edit your answer 2")).to_have_value(
        "Written while the server was down", timeout=30000
    )
    assert pending.result(60)["ok"] is True
    connected(both, 2)
    both.step("an answer while the server restarts")


def back_to_answers_given(facilitator, session, page, both) -> None:
    """The facilitator steps back: the phone draws its own answers into the view the whole
    room shares, editable, and counts on from them."""
    from playwright.sync_api import expect

    facilitator.control(session, "previous")
    expect(page.get_by_role("heading", name=RETRO_QUESTION)).to_be_visible()
    section = page.locator("section.prompt", has=page.get_by_role("heading", name=RETRO_QUESTION))
    expect(section.get_by_label("Edit your answer 1")).to_have_value("Monthly meetings built trust")
    expect(section.get_by_label("Edit your answer 2")).to_have_value(
        "Written while the server was down"
    )
    expect(section.locator("[data-counter]")).to_have_text(
        "Answer 3 of up to 5. Up to 280 characters."
    )
    assert section.locator("input[name=csrf_token]").first.input_value() != ""
    shot(page, "answers-drawn-again-en")
    both.step("back to the answers given")
    facilitator.control(session, "next")
    expect(page.get_by_role("heading", name=FORWARD_QUESTION)).to_be_visible()
    forward = page.locator("section.prompt", has=page.get_by_role("heading", name=FORWARD_QUESTION))
    expect(forward.get_by_label("Edit your answer 1")).to_have_value(
        "Fund childcare near training sites"
    )
    expect(forward.locator("[data-answers] select[name=strategy_id]")).to_have_value(
        "access-childcare"
    )
    both.step("forward again")


def themes_and_the_vote(facilitator, session, page, model: Model, both) -> None:
    from playwright.sync_api import expect

    facilitator.make_theme(
        session, "Relationships", ["Monthly meetings built trust", "Peer networking across sectors"]
    )
    facilitator.make_theme(
        session, "Shared information", ["Written while the server was down", "Childcare hubs"]
    )
    expect(page.locator(".themes-list")).to_contain_text("Shared information")
    both.step("themes")

    facilitator.control(session, "next")
    facilitator.act(session, "/vote", {"op": "open", "source": "themes"})
    expect(page.get_by_role("heading", name="Your ranking")).to_be_visible()
    both.step("the vote opens")
    page.locator("[data-choose]", has_text="Relationships").click()  # tapped in order
    page.locator("[data-choose]", has_text="Shared information").click()
    page.get_by_role("button", name="Send my vote").click()
    expect(page.get_by_text("Your vote is in")).to_be_visible()
    round_id, candidates, _picks = model.phone.ballot_form()
    assert model.run(model.phone.cast_ballot(round_id, candidates[::-1][:2]))["ok"] is True
    shot(page, "vote-en")
    both.step("a ballot")


def results_in_spanish_and_the_end(facilitator, session, page, model: Model, both) -> None:
    """The person switches to Spanish (a page of its own, a socket of its own); the results and
    the end arrive in Spanish."""
    from playwright.sync_api import expect

    round_id = page.locator("[name=round_id]").input_value()
    page.get_by_role("link", name="Español").click()
    expect(page.get_by_role("heading", name="Priorización de temas clave")).to_be_visible()
    model.run(model.phone.reload("es"))
    connected(both, 3)
    both.step("Spanish")

    facilitator.act(session, "/vote", {"op": "close", "round_id": round_id})
    expect(page.get_by_role("heading", name="La votación está cerrada")).to_be_visible()
    expect(page.locator(".ranking li").first).to_contain_text("Relationships")
    assert "Relationships" in model.phone.view["html"] and model.phone.view["key"].endswith("es")
    shot(page, "results-es")
    both.step("the results")
    facilitator.control(session, "end")
    expect(page.get_by_role("heading", name="¡Gracias!")).to_be_visible()
    shot(page, "ended-es")
    both.step("the end")
