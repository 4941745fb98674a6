"""Accessibility (WCAG 2.1 AA), checked in a real browser against the real server.

axe-core runs on every page a person meets: the participant's pages on a phone (join by code,
join, answer, vote, a theme's answers) and the facilitators' and the room's pages on a laptop
(console, themes board, projector, results), in English and in Spanish, and must find nothing.
Beyond what axe can see, the same pages are checked for what a person needs: the page says
its language; headings and landmarks give it a structure; touch targets are at least 44 px;
text doubled in size is never clipped and never needs sideways scrolling; the timer's warning
colours keep their contrast; live regions announce a new segment politely, never the seconds
ticking; and a reader who asks for less motion gets none.

Then a crawl: one signed-in browser follows every link a facilitator meets and goes through
the states forms lead to (errors included), in both languages, with axe on each page; it
fails when a page of the app is never reached. Its pictures go to screenshots/a11y-crawl/.

One server and a few sessions, built over HTTP, serve the whole module.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests
from browser_support import PHONE, LiveServer, Visitor, screenshot
from conftest import PASSWORD, skip_or_fail

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
AXE_FILES = [ROOT / "static" / "vendor" / "axe.min.js", ROOT / "node_modules/axe-core/axe.min.js"]
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
# Rules axe leaves out of the WCAG tags (best practice, or experimental) that check what WCAG
# 1.3.1, 2.4.1, 2.4.6 and 2.5.3 ask of these pages: headings in order, landmarks, and a
# control's spoken name containing the words it shows.
STRUCTURE_RULES = [
    "label-content-name-mismatch",
    "heading-order",
    "empty-heading",
    "page-has-heading-one",
    "landmark-one-main",
    "landmark-no-duplicate-main",
    "landmark-main-is-top-level",
    "landmark-banner-is-top-level",
    "landmark-no-duplicate-banner",
    "landmark-unique",
    "region",
    "skip-link",
]
LAPTOP = {"viewport": {"width": 1280, "height": 900}}
ON_PHONES = ("stranger", "phone")  # who looks at a page on a phone; the others use a laptop
EMAIL = "a11y@example.org"
AGENDA = "thrive-srt-retrospective"
LANGUAGES = ["en", "es"]


# -- the room, built over HTTP ----------------------------------------------------------------


@dataclass
class Session:
    """One live session: its console, join code and projector, as the facilitator sees them."""

    console: str
    code: str
    projector: str
    themes: dict[str, int] = field(default_factory=dict)

    @property
    def workshop_id(self) -> int:
        return int(self.console.rstrip("/").rsplit("/", 1)[-1])


class Facilitator(Visitor):
    def __init__(self, base: str):
        super().__init__(base)
        self.post("/auth/login", "/auth/login", {"email": EMAIL, "password": PASSWORD})

    def start(self) -> Session:
        reply = self.post("/facilitator/", f"/facilitator/agendas/{AGENDA}/start", {})
        code = re.search(r'<strong class="code">(\w+)</strong>', reply.text).group(1)
        projector = re.search(r'href="(/screen/[^"]+)"', reply.text).group(1)
        return Session(reply.url.removeprefix(self.base), code, projector)

    def act(self, session: Session, path: str, data: dict) -> requests.Response:
        return self.post(session.console, session.console + path, data)

    def control(self, session: Session, *actions: str) -> None:
        for action in actions:
            self.act(session, "/control", {"action": action})

    def answer_ids(self, session: Session) -> dict[str, int]:
        """The board's answers by their text."""
        page = self.get(session.console + "/board/").text
        cards = re.findall(
            r'data-response-id="(\d+)">.*?<span data-text>(.*?)</span>', page, flags=re.S
        )
        return {text: int(number) for number, text in cards}

    def make_theme(self, session: Session, title: str, answers: list[str]) -> None:
        ids = self.answer_ids(session)
        data = {"op": "create", "new_title": title, "response_ids": [ids[a] for a in answers]}
        self.act(session, "/board/", data)
        page = self.get(session.console + "/board/").text
        found = re.search(rf'<option value="(\d+)">{re.escape(title)}</option>', page)
        session.themes[title] = int(found.group(1))


class Participant(Visitor):
    def join(self, session: Session, role: str = "SRT member") -> Participant:
        page = f"/w/{session.code}"
        self.post(page, page + "/join", {"name": "", "role": role})
        return self

    def answer(self, session: Session, prompt_id: str, text: str) -> None:
        page = f"/w/{session.code}"
        data = {"prompt_id": prompt_id, "client_id": uuid.uuid4().hex, "text": text}
        self.post(page, page + "/responses", data)

    def vote(self, session: Session, *titles: str) -> None:
        page = f"/w/{session.code}"
        html = self.get(page).text
        round_id = re.search(r'name="round_id" value="(\d+)"', html).group(1)
        options = dict(
            (title, number)
            for number, title in re.findall(r'<option value="(\d+)"[^>]*>([^<]+)<', html)
        )
        data = {"round_id": round_id, "client_id": uuid.uuid4().hex}
        data.update({f"pick-{n}": options[title] for n, title in enumerate(titles, start=1)})
        self.post(page, page + "/ballot", data)


@dataclass
class Room:
    server: LiveServer
    facilitator: Facilitator
    phone: Participant  # the participant whose pages are checked
    answering: Session  # on Forward Planning: questions, a plan to read, themes forming
    voting: Session  # on the vote, open, one ballot in


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    server = LiveServer(tmp_path_factory.mktemp("a11y"), env={"WORKSHOP_BROADCAST_INTERVAL": "0.2"})
    prepare_database(server)
    server.start()
    try:
        yield build_room(server)
    finally:
        server.stop()


def prepare_database(server: LiveServer) -> None:
    server.prepare(EMAIL, PASSWORD)


def build_room(server: LiveServer) -> Room:
    facilitator = Facilitator(server.url)
    phone = Participant(server.url)
    neighbour = Participant(server.url)

    answering = facilitator.start()
    facilitator.control(answering, "start", "next")
    phone.join(answering)
    neighbour.join(answering, role="SRT chair")
    phone.answer(answering, "worked_well", "Monthly meetings built trust")
    neighbour.answer(answering, "worked_well", "Networking across sectors")
    neighbour.answer(answering, "do_differently", "More time in small groups")
    facilitator.control(answering, "next")
    phone.answer(answering, "srt_next_two_years", "Fund childcare near training sites")
    facilitator.make_theme(
        answering, "Relationships", ["Monthly meetings built trust", "Networking across sectors"]
    )
    facilitator.make_theme(answering, "Childcare", ["Fund childcare near training sites"])

    voting = facilitator.start()
    facilitator.control(voting, "start", "next")
    phone.join(voting)
    neighbour.join(voting, role="Backbone organization")
    neighbour.answer(voting, "worked_well", "Shared calendar of events")
    neighbour.answer(voting, "do_differently", "Invite employers earlier")
    facilitator.make_theme(voting, "Shared information", ["Shared calendar of events"])
    facilitator.make_theme(voting, "Employers", ["Invite employers earlier"])
    facilitator.make_theme(voting, "Funding", [])
    facilitator.control(voting, "next", "next")
    facilitator.act(voting, "/vote", {"op": "open", "source": "themes"})
    neighbour.vote(voting, "Employers", "Shared information")
    return Room(server, facilitator, phone, answering, voting)


# -- pages ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    """A page to check: who looks at it, on what, and how to reach it in a room."""

    name: str
    who: str  # "stranger", "phone" (a participant), "desk" (a facilitator), "wall" (projector)
    address: Callable[[Room], str]
    redraws: bool = False  # its script redraws lists when the live connection's snapshot lands

    @property
    def device(self) -> dict:
        return PHONE if self.who in ON_PHONES else LAPTOP


PAGES = [
    Page("home", "stranger", lambda room: "/"),
    Page("join", "stranger", lambda room: f"/w/{room.answering.code}"),
    Page("answer", "phone", lambda room: f"/w/{room.answering.code}"),
    Page("vote", "phone", lambda room: f"/w/{room.voting.code}"),
    Page(
        "theme",
        "phone",
        lambda room: f"/w/{room.answering.code}/themes/{room.answering.themes['Relationships']}",
    ),
    Page("results", "desk", lambda room: f"/facilitator/w/{room.voting.workshop_id}/results"),
    Page("projector-answers", "wall", lambda room: room.answering.projector),
    Page("projector-vote", "wall", lambda room: room.voting.projector),
    Page("console-answers", "desk", lambda room: room.answering.console, redraws=True),
    Page("console-vote", "desk", lambda room: room.voting.console, redraws=True),
    Page("console-end", "desk", lambda room: room.answering.console + "/end"),
    Page("board", "desk", lambda room: room.answering.console + "/board/"),
]
PAGE_IDS = [page.name for page in PAGES]


@pytest.fixture(scope="module")
def contexts(chromium, room):
    """One browser context per person and device, reused by every test of the module."""
    made: dict[str, object] = {}

    def context(who: str):
        if who not in made:
            device = PHONE if who in ON_PHONES else LAPTOP
            # axe is injected as an inline script, which the pages' CSP rightly refuses.
            made[who] = chromium.new_context(**device, bypass_csp=True)
            person = {"phone": room.phone, "desk": room.facilitator}.get(who)
            if person:
                made[who].add_cookies(person.cookies())
        return made[who]

    yield context
    for made_context in made.values():
        made_context.close()


def axe_file() -> Path:
    for path in AXE_FILES:
        if path.exists():
            return path
    skip_or_fail("axe-core is not installed (make setup copies it to static/vendor/)")


def open_page(contexts, room: Room, page: Page, lang: str):
    browser_page = contexts(page.who).new_page()
    path = page.address(room)
    browser_page.goto(f"{room.server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
    if page.redraws:
        browser_page.wait_for_load_state("networkidle")
    return browser_page


def run_axe(page, options: dict) -> list[dict]:
    if not page.evaluate("typeof window.axe === 'object'"):
        page.add_script_tag(path=str(axe_file()))
    return page.evaluate(
        "(options) => axe.run(document, options).then((result) => result.violations)", options
    )


def wcag_violations(page) -> list[dict]:
    return run_axe(page, {"runOnly": {"type": "tag", "values": WCAG_TAGS}})


def structure_violations(page) -> list[dict]:
    return run_axe(page, {"runOnly": {"type": "rule", "values": STRUCTURE_RULES}})


def describe(violations: list[dict]) -> str:
    """Violations as a person reads them: the rule, its impact, and where."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:8]:
            summary = " ".join(node.get("failureSummary", "").split())
            lines.append(f"    at {' '.join(map(str, node['target']))}: {summary[:300]}")
        if len(violation["nodes"]) > 8:
            lines.append(f"    … and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


# -- what the pages are checked for -----------------------------------------------------------

# Controls a finger must hit. A link inside a sentence is exempt (WCAG's "inline" exception);
# a check box or radio button counts with its label, which is where a finger taps.
SMALL_TARGETS_JS = """
(minimum) => {
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    ' "' + (el.innerText || el.value || el.getAttribute('aria-label') || '').trim().slice(0, 40) + '"';
  const shown = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden' &&
    !el.closest('[hidden], .visually-hidden, .skip-link, details:not([open]) > :not(summary)');
  const inSentence = (link) => getComputedStyle(link).display === 'inline' &&
    Array.from(link.parentElement.childNodes).some((n) => n !== link && /[A-Za-zÀ-ÿ]/.test(n.textContent));
  const small = [];
  document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary').forEach((el) => {
    const target = el.matches('input[type=checkbox], input[type=radio]') ? el.closest('label') || el : el;
    if (!shown(target) || (el.tagName === 'A' && inSentence(el))) { return; }
    const box = target.getBoundingClientRect();
    if (box.width < minimum - 0.5 || box.height < minimum - 0.5) {
      small.push(describe(el) + ' is ' + Math.round(box.width) + '×' + Math.round(box.height) + ' px');
    }
  });
  return small;
}
"""

# Enlarged text stays readable: nothing clipped by a box that hides its overflow, no control
# whose words spill out of it, and no sideways scrolling.
CLIPPED_JS = """
() => {
  const describe = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
    (typeof el.className === 'string' && el.className.trim() ? '.' + el.className.trim().split(/\\s+/).join('.') : '');
  const problems = [];
  const skip = (el) => el.closest('.visually-hidden, .skip-link, [hidden], template, script, svg, select, textarea');
  const width = document.documentElement.clientWidth;
  if (document.scrollingElement.scrollWidth > width + 1) {
    const wide = Array.from(document.querySelectorAll('body *'))
      .filter((el) => !skip(el) && el.getClientRects().length && (el.getBoundingClientRect().right > width + 1 ||
        el.getBoundingClientRect().left + el.scrollWidth > width + 1))
      .slice(-4).map((el) => describe(el) + ' reaches ' + Math.round(el.getBoundingClientRect().left + el.scrollWidth) + ' px');
    problems.push('the page scrolls sideways (' + document.scrollingElement.scrollWidth + ' px wide in ' + width + ' px: ' + wide.join(', ') + ')');
  }
  document.querySelectorAll('body *').forEach((el) => {
    if (skip(el) || !el.getClientRects().length) { return; }
    const style = getComputedStyle(el);
    const clips = /hidden|clip/.test(style.overflowX + style.overflowY);
    const control = el.matches('button, .button, summary, label');
    const tall = el.scrollHeight > el.clientHeight + 1 && clips;
    const wide = el.scrollWidth > el.clientWidth + 1 && (clips || control) && el.clientWidth > 0;
    if (tall || wide) {
      problems.push(describe(el) + ' clips its content (' + el.scrollWidth + '×' + el.scrollHeight + ' px in ' + el.clientWidth + '×' + el.clientHeight + ')');
    }
  });
  return problems;
}
"""

# Every element with words of its own, with its font size in CSS pixels, kept on the page so a
# second measurement compares the same elements.
MEASURE_TEXT_JS = """
() => {
  window.__textSizes = new Map();
  document.querySelectorAll('body *').forEach((el) => {
    const words = Array.from(el.childNodes).some((n) => n.nodeType === 3 && n.textContent.trim());
    if (words && el.getClientRects().length && !el.closest('.visually-hidden, .skip-link, [hidden]')) {
      window.__textSizes.set(el, parseFloat(getComputedStyle(el).fontSize));
    }
  });
  return window.__textSizes.size;
}
"""
# Elements whose text grew less than `factor` times since MEASURE_TEXT_JS.
TEXT_GREW_JS = """
(factor) => {
  const failed = [];
  window.__textSizes.forEach((before, el) => {
    const after = parseFloat(getComputedStyle(el).fontSize);
    if (el.isConnected && after < before * factor - 0.01) {
      failed.push(el.tagName.toLowerCase() + (el.className ? '.' + String(el.className).trim().split(/\\s+/).join('.') : '') +
        ' "' + el.textContent.trim().slice(0, 30) + '": ' + before + ' px became ' + after + ' px');
    }
  });
  return failed.slice(0, 12);
}
"""

# The words a page shows in its main region, without the clock.
MAIN_TEXT_JS = """
() => {
  const main = document.querySelector('main').cloneNode(true);
  main.querySelectorAll('[data-timer], [data-timer-status], script, template, noscript').forEach((el) => el.remove());
  return main.textContent.replace(/\\s+/g, ' ').trim();
}
"""

# The contrast of each timer's text, in each warning state, against what is really behind it.
TIMER_CONTRAST_JS = """
(states) => {
  const rgba = (value) => (value.match(/[\\d.]+/g) || []).map(Number).concat([1]).slice(0, 4);
  const luminance = ([r, g, b]) => [r, g, b].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); })
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const behind = (el) => {
    for (let node = el; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) { return colour; }
    }
    return [255, 255, 255, 1];
  };
  const results = [];
  document.querySelectorAll('[data-timer]').forEach((timer, n) => {
    states.forEach((state) => {
      const probe = timer.cloneNode(true);
      probe.removeAttribute('data-timer');
      probe.setAttribute('data-state', state);
      probe.textContent = '+1:23';
      timer.after(probe);
      const [a, b] = [luminance(rgba(getComputedStyle(probe).color)), luminance(behind(probe))].sort((x, y) => y - x);
      results.push({timer: n, state: state, colour: getComputedStyle(probe).color, ratio: (a + 0.05) / (b + 0.05),
        words: Boolean(timer.parentElement.parentElement.querySelector('[data-timer-status]'))});
      probe.remove();
    });
  });
  return results;
}
"""


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("view", PAGES, ids=PAGE_IDS)
def test_page_is_accessible(room, contexts, view, lang):
    """One page in one language: axe finds no WCAG 2.1 A/AA violation and no broken structure;
    the page says its language; on a phone every control is a 44 px target and text at 200%
    is neither clipped nor scrolled sideways; on a laptop, zoomed to 200%, no text shrinks and
    nothing is clipped."""
    page = view
    browser_page = open_page(contexts, room, page, lang)
    problems: list[str] = []
    try:
        found = wcag_violations(browser_page)
        if found:
            problems.append("axe, WCAG 2.1 A and AA:\n" + describe(found))
        found = structure_violations(browser_page)
        if found:
            problems.append("axe, headings, landmarks and names:\n" + describe(found))
        said = browser_page.evaluate("document.documentElement.lang")
        if said != lang:
            problems.append(f'<html lang="{said}"> on a page asked for in {lang!r}')
        if lang == "en":
            _english[page.name] = browser_page.evaluate(MAIN_TEXT_JS)
        elif browser_page.evaluate(MAIN_TEXT_JS) == english_text(contexts, room, page):
            problems.append(f"the page asked for in {lang!r} shows the same words as in English")
        if page.device is PHONE:
            problems += phone_checks(browser_page)
        elif page.who != "wall":
            # The projector is a display for the whole room, not a reader's own page: its
            # type is sized to the screen so that every view fits without scrolling (a
            # smaller viewport is a smaller screen); tests/test_e2e_projector.py checks it.
            problems += zoom_checks(browser_page)
    finally:
        browser_page.close()
    assert not problems, f"{page.name} ({lang}):\n" + "\n\n".join(problems)


_english: dict[str, str] = {}


def english_text(contexts, room: Room, page: Page) -> str:
    if page.name not in _english:
        english_page = open_page(contexts, room, page, "en")
        _english[page.name] = english_page.evaluate(MAIN_TEXT_JS)
        english_page.close()
    return _english[page.name]


def phone_checks(browser_page) -> list[str]:
    problems = []
    small = browser_page.evaluate(SMALL_TARGETS_JS, 44)
    if small:
        problems.append("touch targets under 44 px:\n    " + "\n    ".join(small))
    # What a phone's "larger text" setting does: the root font size doubles.
    browser_page.evaluate(MEASURE_TEXT_JS)
    browser_page.evaluate("document.documentElement.style.fontSize = '200%'")
    stuck = browser_page.evaluate(TEXT_GREW_JS, 2)
    if stuck:
        problems.append("text that does not grow to 200%:\n    " + "\n    ".join(stuck))
    clipped = browser_page.evaluate(CLIPPED_JS)
    if clipped:
        problems.append("with text at 200%:\n    " + "\n    ".join(clipped))
    return problems


def zoom_checks(browser_page) -> list[str]:
    """Browser zoom at 200% is a viewport half as wide, each CSS pixel drawn twice as large:
    text zooms fully when no element's CSS font size shrinks at half the width."""
    problems = []
    size = browser_page.viewport_size
    browser_page.evaluate(MEASURE_TEXT_JS)
    browser_page.set_viewport_size({"width": size["width"] // 2, "height": size["height"] // 2})
    shrunk = browser_page.evaluate(TEXT_GREW_JS, 1)
    if shrunk:
        problems.append(
            "text that does not zoom to 200% (sized by the viewport):\n    " + "\n    ".join(shrunk)
        )
    clipped = browser_page.evaluate(CLIPPED_JS)
    if clipped:
        problems.append("zoomed to 200%:\n    " + "\n    ".join(clipped))
    browser_page.set_viewport_size(size)
    return problems


@pytest.mark.parametrize("name", ["answer", "console-answers", "projector-answers"])
def test_timer_warnings_keep_their_contrast_and_their_words(room, contexts, name):
    """The amber "over the planned time" and red "overtime" timers reach 4.5:1 wherever a timer
    is shown, and each timer has its state in words beside it, not in colour alone."""
    page = next(page for page in PAGES if page.name == name)
    browser_page = open_page(contexts, room, page, "en")
    try:
        results = browser_page.evaluate(TIMER_CONTRAST_JS, ["on-time", "over-planned", "overtime"])
        words = browser_page.locator("[data-timer-status]").first.inner_text()
    finally:
        browser_page.close()
    assert results, f"{name}: no timer on the page"
    weak = [r for r in results if r["ratio"] < 4.5]
    assert not weak, f"{name}: timer colours under 4.5:1: {weak}"
    assert all(r["words"] for r in results), f"{name}: a timer without its state in words"
    assert words.strip(), f"{name}: the timer's words are empty while the session runs"


# Every change to what a live region holds, recorded from now on.
WATCH_LIVE_REGIONS_JS = """
() => {
  window.__spoken = [];
  const regions = document.querySelectorAll('[aria-live]:not([aria-live=off]), [role=status], [role=alert], [role=log]');
  regions.forEach((region) => new MutationObserver(() => {
    window.__spoken.push((region.getAttribute('aria-live') || region.getAttribute('role')) + ': ' + region.textContent.trim());
  }).observe(region, {childList: true, subtree: true, characterData: true}));
  return Array.from(regions).filter((region) => region.querySelector('[data-timer], [data-timer-status]')).length;
}
"""


def test_a_new_segment_is_announced_politely_and_the_seconds_never(room, chromium):
    """Phone, console and projector each have a polite live region that says a new segment
    once; the ticking countdown is in no live region, so nothing speaks every second."""
    from playwright.sync_api import expect

    session = room.facilitator.start()
    room.phone.join(session)
    watched = {}
    contexts = []
    for name, device, person, path in [
        ("phone", PHONE, room.phone, f"/w/{session.code}"),
        ("console", LAPTOP, room.facilitator, session.console),
        ("projector", LAPTOP, None, session.projector),
    ]:
        context = chromium.new_context(**device)
        contexts.append(context)
        if person:
            context.add_cookies(person.cookies())
        page = context.new_page()
        page.goto(f"{room.server.url}{path}?lang=en")
        page.wait_for_load_state("networkidle")
        assert page.locator("[data-announcer][aria-live=polite]").count() == 1, name
        ticking = page.evaluate(WATCH_LIVE_REGIONS_JS)
        assert ticking == 0, f"{name}: the countdown sits in a live region"
        watched[name] = page
    try:
        room.facilitator.control(session, "start")
        for name, page in watched.items():
            expect(page.locator("[data-announcer]"), name).to_contain_text(
                "Overview & Introduction"
            )
        for page in watched.values():
            page.evaluate("window.__spoken = []")
        watched["phone"].wait_for_timeout(2500)  # the countdown ticks twice or thrice
        for name, page in watched.items():
            spoken = page.evaluate("window.__spoken")
            assert spoken == [], f"{name}: live regions changed while nothing happened: {spoken}"
        room.facilitator.control(session, "next")
        for name, page in watched.items():
            expect(page.locator("[data-announcer]"), name).to_contain_text(
                "Retrospective Questions"
            )
            said = [line for line in page.evaluate("window.__spoken") if "Retrospective" in line]
            assert len(set(said)) == 1, f"{name}: the new segment was said {said}"
    finally:
        for context in contexts:
            context.close()


MOTION_JS = """
() => Array.from(document.querySelectorAll('*')).map((el) => {
  const style = getComputedStyle(el);
  const moving = style.transitionDuration.split(',').some((d) => parseFloat(d) > 0) ||
    (style.animationName !== 'none' && style.animationDuration.split(',').some((d) => parseFloat(d) > 0)) ||
    style.scrollBehavior === 'smooth';
  return moving ? el.tagName.toLowerCase() + '.' + el.className : null;
}).filter(Boolean)
"""


@pytest.mark.parametrize("name", ["answer", "board", "projector-vote"])
def test_a_reader_who_asks_for_less_motion_gets_none(room, contexts, name):
    view = next(page for page in PAGES if page.name == name)
    browser_page = contexts(view.who).new_page()
    browser_page.emulate_media(reduced_motion="reduce")
    browser_page.goto(room.server.url + view.address(room) + "?lang=en")
    moving = browser_page.evaluate(MOTION_JS)
    browser_page.close()
    assert moving == [], f"{name}: still moving with prefers-reduced-motion: {moving[:10]}"


# -- every page an account reaches, in both languages -----------------------------------------

# Addresses that are no page: downloads, the API, fragments the scripts fetch, static files.
NOT_PAGES = re.compile(
    r"/download/|\.toml$|^/api/|/fragment$|/segment$|/vote$|^/static/|^/healthz$|^/socket\.io/"
)
# A participant's pages, checked on a phone by test_page_is_accessible (a facilitator's
# browser is no participant: it is sent to the join page).
ON_PHONES_ONLY = {"participant.theme_page"}
# Pages test_page_is_accessible checks in both languages, with more than axe (zoom, targets):
# reached by the crawl's links, not checked twice (their states after a form still are).
CHECKED_ON_THEIR_OWN = {
    "participant.home",
    "participant.workshop_page",
    "facilitator.console",
    "board.show",
    "results.page",
    "screen.projector",
}
CRAWL_SHOTS = ROOT / "screenshots" / "a11y-crawl"


class Crawl:
    """One signed-in browser context going through the facilitator's pages, in one language:
    each page (and each state a form leads to) checked by axe for WCAG 2.1 A/AA and structure,
    for the language it says, and for words in the language asked for."""

    def __init__(self, room: Room, context, lang: str, english: dict[str, str]):
        from workshop import create_app

        self.room, self.context, self.lang, self.english = room, context, lang, english
        self.routes = create_app({"INSTANCE_PATH": str(room.server.instance)}).url_map.bind("x")
        self.page = context.new_page()
        self.page.goto(f"{room.server.url}/?lang={lang}")  # the language cookie, for every page
        self.problems: list[str] = []
        self.reached: set[str] = set()

    def endpoint(self, url: str) -> str | None:
        from werkzeug.exceptions import HTTPException

        path = url.removeprefix(self.room.server.url).split("#")[0].split("?")[0]
        try:
            return self.routes.match(path, method="GET")[0]
        except HTTPException:
            return None

    def check(self, name: str) -> None:
        """The page as it is now."""
        page = self.page
        page.wait_for_load_state("load")
        endpoint = self.endpoint(page.url) or name
        self.reached.add(endpoint)
        if name in CHECKED_ON_THEIR_OWN:
            return
        screenshot(page, CRAWL_SHOTS / f"{name}-{self.lang}.png")
        found = run_axe(page, AXE_OPTIONS)
        if found:
            self.problems.append(f"{name} ({self.lang}, {page.url}):\n{describe(found)}")
        said = page.evaluate("document.documentElement.lang")
        if said != self.lang:
            self.problems.append(f'{name} ({self.lang}): <html lang="{said}">')
        words = page.evaluate(MAIN_TEXT_JS)
        if self.lang == "en":
            self.english[name] = words
        elif words == self.english.get(name):
            self.problems.append(
                f"{name} ({self.lang}): the same words as in English: {words[:200]}"
            )

    def go(self, path: str) -> None:
        self.page.goto(self.room.server.url + path)

    def visit(self, name: str, path: str) -> None:
        self.go(path)
        self.check(name)

    def links(self) -> list[str]:
        origin = self.room.server.url
        hrefs = self.page.evaluate("() => Array.from(document.links, (a) => a.href)")
        paths = {h.removeprefix(origin).split("#")[0] for h in hrefs if h.startswith(origin + "/")}
        return sorted(p for p in paths if not NOT_PAGES.search(p.split("?")[0]))

    def follow_links(self, start: list[str]) -> None:
        """Every page the links lead to, one of each kind (one console, one board...)."""
        queue, seen = list(start), set()
        while queue:
            path = queue.pop(0)
            endpoint = self.endpoint(path)
            if endpoint is None or endpoint in seen:
                continue
            seen.add(endpoint)
            self.visit(endpoint, path)
            queue += self.links()

    @contextmanager
    def waiting(self, address: str):
        """A page that waits for work holds still meanwhile: its script's questions to the
        server (fetch) fail, so it neither moves on nor reloads while it is checked."""

        def hold(route) -> None:
            if route.request.resource_type == "fetch":
                route.abort()
            else:
                route.continue_()

        self.page.route(address, hold)
        try:
            yield
        finally:
            self.page.unroute(address, hold)

    def submit(self, form: str) -> None:
        """Press the first submit button of the form matching `form`; wait for the page."""
        with self.page.expect_navigation():
            self.page.locator(form).locator("button[type=submit]").first.click()


AXE_OPTIONS = {
    "runOnly": {"type": "tag", "values": WCAG_TAGS},
    "rules": {rule: {"enabled": True} for rule in STRUCTURE_RULES},
}

# A plan whose shape leaves room for doubt: the editor shows what it read before adding it.
DOUBTFUL_OUTLINE = "Goal 1: Housing\n1.1 More homes near jobs\n2.1 Buses that run at shift times"


def test_every_page_a_facilitator_reaches_is_accessible(room, chromium):
    """Every page a facilitator's links lead to, and the states forms lead to (sign-in with
    errors, the editor's new, edit, edit-with-errors, pasted plan, upload with errors and
    preview, ending a session (it asks first), suggestions being made and to review, a new share link and the shared pages, a
    collection's pages and its proposals, error pages), in English and Spanish: axe finds no
    WCAG 2.1 A/AA violation and no broken structure, and each page says its language. Every
    page of the app is reached (a new page is crawled or this fails)."""
    facilitator = room.facilitator
    agenda = facilitator.post("/facilitator/", f"/facilitator/editor/copy/{AGENDA}", {})
    collection = (
        facilitator.post(
            "/facilitator/collections/", "/facilitator/collections/", {"name": "Inland tables"}
        )
        .url.removeprefix(facilitator.base)
        .removesuffix("tables")
    )
    facilitator.post(
        collection + "tables", collection + "add", {"workshop_id": room.voting.workshop_id}
    )
    english: dict[str, str] = {}
    problems, reached = [], set()
    for lang in LANGUAGES:
        context = chromium.new_context(**LAPTOP, bypass_csp=True)  # axe is injected inline
        signed_out = Crawl(room, context, lang, english)
        signed_out.visit("sign-in", "/auth/login")
        signed_out.page.fill("input[name=email]", EMAIL)
        signed_out.page.fill("input[name=password]", "not the password")
        signed_out.submit("form")
        signed_out.check("sign-in-with-errors")
        context.add_cookies(facilitator.cookies())
        crawl = Crawl(room, context, lang, english)
        crawl.follow_links(["/facilitator/", "/facilitator/collections/", room.voting.console])
        crawl_states(crawl, agenda.url.removeprefix(facilitator.base), collection)
        problems += signed_out.problems + crawl.problems
        reached |= signed_out.reached | crawl.reached
        context.close()
    assert not problems, "\n\n".join(problems)
    pages = {
        rule.endpoint
        for rule in crawl.routes.map.iter_rules()
        if "GET" in rule.methods and not NOT_PAGES.search(rule.rule)
    }
    reached |= ON_PHONES_ONLY  # test_page_is_accessible, with a participant's cookie
    assert pages <= reached, f"pages the crawl never reached: {sorted(pages - reached)}"


def crawl_states(crawl: Crawl, edit: str, collection: str) -> None:
    """The states a facilitator reaches through forms, each checked."""
    room, page = crawl.room, crawl.page
    editor_states(crawl, edit)
    crawl.go(room.answering.console + "/board/")
    with crawl.waiting("**/board/suggest/*"):
        crawl.submit("form[data-suggest-form]")
        if page.locator("progress[data-progress]").count():
            crawl.check("suggestions-being-made")
    page.locator("fieldset.suggestion").first.wait_for(timeout=120_000)
    crawl.check("suggestions-to-review")

    crawl.go(f"/facilitator/w/{room.voting.workshop_id}/results")
    crawl.submit("form[action$='/results/share']")
    crawl.check("results-with-a-new-share-link")
    shared = re.search(r"/shared/[A-Za-z0-9_-]{43}", page.content()).group(0)
    crawl.visit("shared-results", shared)

    crawl.go(collection + "settings")
    crawl.submit("form[action$='/share']")
    crawl.check("collection-with-a-new-share-link")
    shared = re.search(r"/shared/rollup/[A-Za-z0-9_-]{43}", page.content()).group(0)
    crawl.visit("shared-rollup", shared)
    crawl.go(collection + "themes")
    with crawl.waiting("**/themes/run/*"):
        crawl.submit("form[action$='/themes/propose']")
        if page.locator("progress[data-progress]").count():
            crawl.check("regional-themes-being-proposed")
    page.wait_for_url(re.compile(r"/themes$"), timeout=120_000)
    crawl.check("regional-themes-proposed")

    crawl.visit("end-the-session", f"/facilitator/w/{room.voting.workshop_id}/end")  # asks first
    crawl.visit("participant.home", "/")  # no facilitator's page links to it
    crawl.visit("join-with-a-wrong-code", "/join?code=ZZZZZZ")
    crawl.visit("not-found", "/no-such-page")
    crawl.visit("not-yours", "/facilitator/w/999999999")
    crawl.visit("method-not-allowed", "/auth/logout")
    crawl.go("/facilitator/")
    with page.expect_navigation():
        page.evaluate(
            "() => { const form = document.querySelector('form[action$=\"/start\"]');"
            " form.querySelector('[name=csrf_token]').remove(); form.submit(); }"
        )
    crawl.check("form-expired")


def editor_states(crawl: Crawl, edit: str) -> None:
    page = crawl.page
    crawl.go(edit)
    page.fill("#title", "")
    crawl.submit("form[data-editor]")
    assert page.locator("#problems").count() == 1
    crawl.check("editor-edit-with-errors")
    crawl.go(edit)
    page.fill("#outline", DOUBTFUL_OUTLINE)
    with page.expect_navigation():
        page.locator("button[value=outline]").click()
    assert page.locator(".outline-preview").count() == 1
    crawl.check("editor-pasted-plan")
    crawl.go("/facilitator/editor/upload")
    page.set_input_files("input[type=file]", files=[{"name": "plan.toml", "mimeType": "text/plain", "buffer": b"title = "}])  # fmt: skip
    crawl.submit("form[enctype]")
    crawl.check("editor-upload-with-errors")
