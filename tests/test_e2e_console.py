"""The facilitator's console in a real browser on a 1366x768 laptop against the real server:
a long answer stream in a line or two per answer while the timer and its controls stay in
view; only the controls that fit the session's state enabled, by the same rule as the
server's; ending asked first and an ended session reopened, with a phone and the projector
following; moments in the facilitator's own time zone; axe-core finds nothing in English
and Spanish. Screenshots go to the git-ignored screenshots/ folder for a person to look at.

One server serves the module; each test starts the sessions it needs over HTTP.
"""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from browser_support import PHONE, SCREENSHOTS, LiveServer, Visitor, screenshot
from conftest import PASSWORD
from projector_support import Room as ThriveRoom
from test_e2e_a11y import describe, structure_violations, wcag_violations

from workshop.live import timing

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
ZONE = "America/Los_Angeles"
EMAIL = "console@example.org"
AGENDA = "thrive-srt-retrospective"
THOUGHTS = [
    "Monthly meetings built trust between partners",
    "Networking across sectors",
    "The shared calendar of events kept everyone informed, and people from the smaller towns "
    "said for the first time they knew what was happening in the bigger cities nearby",
    "More time in small groups",
    "Invite employers earlier",
    "Childcare near training sites",
]


class Facilitator(Visitor):
    def __init__(self, base: str):
        super().__init__(base)
        self.post("/auth/login", "/auth/login", {"email": EMAIL, "password": PASSWORD})

    def start(self, *actions: str) -> dict:
        reply = self.post("/facilitator/", f"/facilitator/agendas/{AGENDA}/start", {})
        session = {
            "console": reply.url.removeprefix(self.base),
            "code": re.search(r'<strong class="code">(\w+)</strong>', reply.text).group(1),
            "projector": re.search(r'href="(/screen/[^"]+)"', reply.text).group(1),
        }
        self.control(session, *actions)
        return session

    def control(self, session: dict, *actions: str) -> None:
        for action in actions:
            self.post(session["console"], session["console"] + "/control", {"action": action})


def join_and_answer(base: str, session: dict, answers: list[str]) -> Visitor:
    phone = Visitor(base)
    page = f"/w/{session['code']}"
    phone.post(page, page + "/join", {"name": "", "role": "SRT member"})
    for n, text in enumerate(answers):
        prompt = ("worked_well", "do_differently")[n % 2]
        data = {"prompt_id": prompt, "client_id": uuid.uuid4().hex, "text": text}
        phone.post(page, page + "/responses", data)
    return phone


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(
        tmp_path_factory.mktemp("console"), env={"WORKSHOP_BROADCAST_INTERVAL": "0.2"}
    )
    live.prepare(EMAIL, PASSWORD)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def host(server):
    return Facilitator(server.url)


@pytest.fixture(scope="module")
def crowded(server, host):
    """A session on its retrospective questions with 60 answers from 20 phones."""
    session = host.start("start", "next")
    texts = itertools.cycle(THOUGHTS)
    for person in range(20):
        join_and_answer(server.url, session, [f"{next(texts)} ({person + 1})" for _ in range(3)])
    return session


@pytest.fixture
def laptop(chromium, host):
    """The facilitator's laptop: 1366x768, in Los Angeles (axe is injected as an inline
    script, which the pages' CSP rightly refuses: bypass_csp)."""
    context = chromium.new_context(**LAPTOP, timezone_id=ZONE, locale="en-US", bypass_csp=True)
    context.add_cookies(host.cookies())
    yield context
    context.close()


def open_console(context, server, session: dict, lang: str = "en"):
    page = context.new_page()
    page.goto(f"{server.url}{session['console']}?lang={lang}")
    page.wait_for_load_state("networkidle")  # the socket's snapshot has redrawn the stream
    return page


def in_view(page, locator) -> bool:
    box = locator.bounding_box()
    size = page.viewport_size
    return box is not None and box["y"] >= 0 and box["y"] + box["height"] <= size["height"]


def shot(page, name: str, full_page: bool = False) -> None:
    screenshot(page, SCREENSHOTS / f"{name}.png", full_page=full_page)


# -- the voting panel ---------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_tally_follows_the_ballots_without_asking_the_server(server, laptop, lang):
    """While ballots arrive the console draws each tally from the socket's rows: counts and
    ranks as the server counted them, titles as the panel named them (a Spanish console names
    themes by their Spanish titles, as Spanish phones and the results page do),
    and no request for the panel (forty rooms voting at once would each have asked for it
    four times a second). The themes summary names them the same way, also when a change
    on the board redraws it."""
    from playwright.sync_api import expect

    room = ThriveRoom(server.url, EMAIL)
    room.join(3)
    room.control("start")
    room.control("next")
    room.answers_to("worked_well", THOUGHTS[:3])
    room.make_themes(["Meetings", "Data", "Funding"])
    room.name_in_spanish({"Meetings": "Reuniones", "Data": "Datos", "Funding": "Financiación"})
    room.control("next")
    room.control("next")
    room.vote("open", source="themes")
    page = open_console(laptop, server, {"console": room.console}, lang)
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    room.ballots([[0, 1, 2]])  # one ballot: each figure in the singular where it is 1
    page.locator("[data-vote-panel] [data-ballots]").filter(has_text="1").wait_for()
    one = {"en": ("3 pts · 1 first · 1 ballot", ": 1 point"), "es": ("1 boleta", ": 1 punto")}
    expect(page.locator("[data-tally-rows] li .tally-figures").first).to_have_text(
        re.compile(re.escape(one[lang][0]) + "$")
    )
    expect(page.locator("[data-tally-rows] li meter").nth(2)).to_have_attribute(
        "aria-label", re.compile(re.escape(one[lang][1]) + "$")
    )
    room.ballots([[0, 1, 2], [1, 0, 2], [0, 2, 1]])  # the first phone's again, and two more
    page.locator("[data-vote-panel] [data-ballots]").filter(has_text="3").wait_for()
    page.wait_for_function(
        "() => document.querySelector('[data-tally-rows] li .tally-figures')"
        ".textContent.startsWith('8')"
    )
    rows = [
        " ".join(text.split()) for text in page.locator("[data-tally-rows] li").all_inner_texts()
    ]
    first, second, third = (
        ("Reuniones", "Datos", "Financiación") if lang == "es" else ("Meetings", "Data", "Funding")
    )
    # 3 picks ranked: 3, 2, 1 points. Meetings 3+2+3 = 8, Data 2+3+1 = 6, Funding 1+1+2 = 4.
    expected_figures = {
        "en": [
            "8 pts · 2 first · 3 ballots",
            "6 pts · 1 first · 3 ballots",
            "4 pts · 0 first · 3 ballots",
        ],
        "es": [
            "8 pts · 2 en primer lugar · 3 boletas",
            "6 pts · 1 en primer lugar · 3 boletas",
            "4 pts · 0 en primer lugar · 3 boletas",
        ],
    }[lang]
    for row, title, figures in zip(rows, (first, second, third), expected_figures, strict=True):
        assert title in row, rows
        assert figures in row, rows
    assert [r.split(".")[0] for r in rows] == ["1", "2", "3"], rows
    meter = page.locator("[data-tally-rows] li meter").first
    assert meter.get_attribute("aria-label") == (
        "Reuniones: 8 puntos" if lang == "es" else "Meetings: 8 points"
    )
    assert not [url for url in asked if url.endswith("/vote")], asked
    summary = page.locator("[data-theme-summary] li")
    assert summary.first.inner_text().startswith(first), summary.all_inner_texts()
    room.name_in_spanish({"Funding": "Fondos"})  # the board changed: the summary is redrawn
    expect(summary.nth(2)).to_contain_text("Fondos" if lang == "es" else "Funding")
    expect(summary.first).to_contain_text(first)
    page.locator("[data-vote-panel]").scroll_into_view_if_needed()
    shot(page, f"console-tally-{lang}")


def test_the_voting_panel_is_fetched_only_in_and_out_of_a_vote_segment(server, laptop):
    """Moving on between two segments without a vote leaves the panel as it is (no request:
    forty rooms moving on at once would each have asked for it); moving into the vote segment
    brings its Open voting form."""
    from playwright.sync_api import expect

    room = ThriveRoom(server.url, EMAIL)
    room.join(2)
    room.control("start")
    room.control("next")  # the first questions
    page = open_console(laptop, server, {"console": room.console})
    asked = []
    page.on("request", lambda request: asked.append(request.url))
    title = page.locator("[data-current-title]")
    before = title.inner_text()
    page.locator("[data-controls] [data-control=next]").click()  # more questions
    expect(title).not_to_have_text(before)
    page.wait_for_timeout(500)  # the panel is asked for 100 ms after a new segment
    assert not [url for url in asked if url.endswith("/vote")], asked
    expect(page.get_by_role("button", name="Open voting")).to_have_count(0)
    page.locator("[data-controls] [data-control=next]").click()  # the vote
    expect(page.get_by_role("button", name="Open voting")).to_be_visible()
    assert len([url for url in asked if url.endswith("/vote")]) == 1, asked


# -- the stream, the sticky bar, local time -------------------------------------------------


def test_a_long_stream_stays_compact_with_the_timer_in_view(server, crowded, laptop):
    from playwright.sync_api import expect

    page = open_console(laptop, server, crowded)
    items = page.locator("[data-stream] li.stream-item")
    expect(items).to_have_count(60)
    shot(page, "console-1366-top")
    heights = sorted(items.evaluate_all("(els) => els.map((el) => el.offsetHeight)"))
    line = page.locator(".stream-line").first.evaluate(
        "(el) => parseFloat(getComputedStyle(el).lineHeight)"
    )
    # Every answer takes one or two lines (the long one too, at this width).
    assert heights[-1] <= 2 * line + 8, f"answers {heights[-5:]} px tall; a line is {line} px"

    items.last.scroll_into_view_if_needed()
    assert page.evaluate("window.scrollY") > 768, "the stream did not need scrolling"
    for part in ("[data-timer]", "[data-controls] [data-control=pause]", "[data-current-title]"):
        assert in_view(page, page.locator(part)), f"{part} scrolled out of view"
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator("[data-timer-status]")).to_have_text("paused")
    bar = page.locator(".console-bar").bounding_box()
    last = items.last.bounding_box()
    assert bar["y"] == 0 and last["y"] >= bar["y"] + bar["height"], "the bar covers the answer"
    assert bar["height"] < 768 / 4, f"the sticky bar takes {bar['height']} px of 768"
    shot(page, "console-1366-scrolled")
    shot(page, "console-1366-full", full_page=True)
    page.get_by_role("button", name="Resume", exact=True).click()
    expect(page.locator("[data-timer-status]")).to_have_text("left")


def test_each_hide_button_names_its_answer(server, crowded, laptop):
    page = open_console(laptop, server, crowded)
    text = "Invite employers earlier (2)"
    button = page.get_by_role("button", name=f"Hide {text}", exact=True)
    assert button.count() == 1
    assert button.inner_text() == "Hide"
    # An answer arriving live gets the same name.
    join_and_answer(server.url, crowded, ["Arrived while the console was open"])
    page.get_by_role("button", name="Hide Arrived while the console was open").wait_for()


def local_hour(moment) -> str:
    """ "2:14 AM", the time of a <time datetime> in Los Angeles."""
    started = datetime.fromisoformat(moment.get_attribute("datetime")).astimezone(ZoneInfo(ZONE))
    return started.strftime("%I").lstrip("0") + started.strftime(":%M %p")


def test_moments_are_written_in_the_facilitators_time_zone(server, crowded, laptop):
    page = open_console(laptop, server, crowded)
    moment = page.locator("time[data-local-time]").first
    shown = moment.inner_text()
    assert local_hour(moment) in shown and re.search(r"P[SD]T", shown), shown
    assert "UTC" not in shown
    # The dashboard's list of sessions and the results page too.
    for path in ("/facilitator/", crowded["console"] + "/results"):
        page.goto(server.url + path)
        moment = page.locator("time[data-local-time]").first
        assert local_hour(moment) in moment.inner_text(), (path, moment.inner_text())
        assert re.search(r"P[SD]T", moment.inner_text()), (path, moment.inner_text())


# -- controls per state ---------------------------------------------------------------------


def buttons_on(page) -> set[str]:
    """The controls a person can press: shown and enabled."""
    return set(
        page.locator("[data-controls] [data-control]").evaluate_all(
            "(els) => els.filter((el) => !el.disabled && !el.hidden)"
            ".map((el) => el.getAttribute('data-control'))"
        )
    )


def allowed(status: str, index: int, count: int = 5) -> set[str]:
    return {a for a, ok in timing.enabled_controls(status, index, count).items() if ok}


def test_only_the_controls_that_fit_the_state_are_enabled(server, host, laptop):
    from playwright.sync_api import expect

    session = host.start()
    page = open_console(laptop, server, session)
    assert buttons_on(page) == allowed("lobby", -1)
    page.get_by_role("button", name="Start", exact=True).click()
    expect(page.locator("[data-control=pause]")).to_be_enabled()
    assert buttons_on(page) == allowed("running", 0)  # no Previous on the first segment
    page.get_by_role("button", name="Pause", exact=True).click()
    expect(page.locator("[data-control=resume]")).to_be_enabled()
    assert buttons_on(page) == allowed("paused", 0)
    assert page.evaluate("document.activeElement.getAttribute('data-control')") == "resume"
    # A change made elsewhere (another facilitator, a plain form) arrives as a state event.
    host.control(session, "resume", "next", "next", "next", "next")
    expect(page.locator("[data-control=next]")).to_be_disabled()
    assert buttons_on(page) == allowed("running", 4)  # no Next on the last segment
    # The script's rule is the server's, in every state the console can meet.
    states = [
        {"status": status, "segment": None if index < 0 else {"index": index}, "segment_count": 5}
        for status in ("lobby", "running", "paused", "ended")
        for index in range(-1, 5)
        if (status == "lobby") == (index < 0) or status == "ended"
    ]
    mirrored = page.evaluate("(states) => states.map(window.Console.enabledControls)", states)
    for state, by_script in zip(states, mirrored, strict=True):
        index = state["segment"]["index"] if state["segment"] else -1
        assert by_script == timing.enabled_controls(state["status"], index, 5), state


# -- ending and reopening -------------------------------------------------------------------


def test_ending_asks_first_and_reopening_brings_the_room_back(server, host, laptop, chromium):
    from playwright.sync_api import expect

    session = host.start("start", "next")
    phone_person = join_and_answer(server.url, session, ["Monthly meetings built trust"])
    phone_context = chromium.new_context(**PHONE)
    phone_context.add_cookies(phone_person.cookies())
    try:
        phone = phone_context.new_page()
        phone.goto(f"{server.url}/w/{session['code']}")
        wall = laptop.new_page()
        wall.goto(server.url + session["projector"])
        console = open_console(laptop, server, session)
        phone.wait_for_load_state("networkidle")
        wall.wait_for_load_state("networkidle")

        console.get_by_role("button", name="End session").click()
        dialog = console.get_by_role("dialog", name="End this session?")
        expect(dialog).to_be_visible()
        expect(dialog).to_contain_text("answers, themes and ballots are kept")
        keep = dialog.get_by_role("button", name="Keep it running")
        expect(keep).to_be_focused()  # Enter does not end the session
        shot(console, "console-1366-end-dialog")
        console.keyboard.press("Enter")
        expect(dialog).to_be_hidden()
        expect(console.get_by_role("button", name="End session")).to_be_focused()
        expect(console.locator("[data-timer-status]")).to_have_text("left")

        console.get_by_role("button", name="End session").click()
        dialog.get_by_role("button", name="End the session").click()
        expect(console.locator("[data-current-title]")).to_have_text("Ended")
        expect(phone.locator("#segment-title")).to_have_text("Thank you!")
        expect(wall.locator(".screen-segment")).to_have_attribute("data-status", "ended")
        reopen = console.get_by_role("button", name="Reopen session")
        expect(reopen).to_be_focused()  # where End was; End is gone
        expect(console.get_by_role("button", name="End session")).to_be_hidden()
        assert buttons_on(console) == {"reopen"}
        shot(console, "console-1366-ended")

        reopen.click()
        expect(console.locator("[data-current-title]")).to_have_text("Retrospective Questions")
        expect(console.locator("[data-timer-status]")).to_have_text("paused")
        expect(console.get_by_role("button", name="Resume", exact=True)).to_be_focused()
        expect(phone.locator("#segment-title")).to_have_text("Retrospective Questions")
        expect(phone.get_by_text("Monthly meetings built trust")).to_be_visible()
        expect(wall.locator(".screen-segment")).to_have_attribute("data-status", "paused")
        expect(
            console.get_by_role("button", name="Hide Monthly meetings built trust")
        ).to_have_count(1)
        assert buttons_on(console) == allowed("paused", 1)
    finally:
        phone_context.close()


def test_without_javascript_ending_asks_on_a_page_and_reopening_works(server, host, chromium):
    from playwright.sync_api import expect

    session = host.start("start", "next")
    context = chromium.new_context(**LAPTOP, java_script_enabled=False)
    context.add_cookies(host.cookies())
    try:
        page = context.new_page()
        page.goto(server.url + session["console"])
        assert page.locator("time[data-local-time]").first.inner_text().endswith(" UTC")
        page.get_by_role("button", name="End session").click()
        expect(page.get_by_role("heading", name="End this session?", level=1)).to_be_visible()
        page.get_by_role("link", name="Keep it running").click()
        expect(page.get_by_role("button", name="Pause", exact=True)).to_be_enabled()
        page.get_by_role("button", name="End session").click()
        page.get_by_role("button", name="End the session").click()
        expect(page.locator("[data-current-title]")).to_have_text("Ended")
        expect(page.get_by_role("button", name="End session")).to_be_hidden()
        expect(page.get_by_role("button", name="Pause", exact=True)).to_be_disabled()
        page.get_by_role("button", name="Reopen session").click()
        expect(page.locator("[data-current-title]")).to_have_text("Retrospective Questions")
        expect(page.get_by_role("button", name="Resume", exact=True)).to_be_enabled()
        expect(page.get_by_role("button", name="Pause", exact=True)).to_be_disabled()
        expect(page.get_by_role("button", name="Reopen session")).to_be_hidden()
    finally:
        context.close()


# -- accessibility --------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_console_with_a_long_stream_is_accessible(server, crowded, laptop, lang):
    page = open_console(laptop, server, crowded, lang)
    problems = wcag_violations(page) + structure_violations(page)
    page.get_by_role("button", name={"en": "End session", "es": "Terminar la sesión"}[lang]).click()
    page.locator("dialog[open]").wait_for()
    problems += wcag_violations(page)
    shot(page, f"console-1366-dialog-{lang}")
    assert not problems, describe(problems)
