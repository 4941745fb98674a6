"""The projector as the back of the room sees it, in a real browser against the real server.

The Thrive session is walked from the lobby to the end with 8 and with 12 themes, and the
answers wall is filled with 60 answers of realistic length. At 1920x1080, 1280x720 and
1024x768 (one page per language, resized rather than reopened), in English and in Spanish:
every tally row, the timer, the join bar and the segment's title lie inside the viewport and
inside every box that could clip them, and nothing scrolls. axe-core finds no WCAG 2.1 A/AA
violation on each view. A Spanish projector names each theme by the Spanish title given on the
board (in the themes, the live tally and the final ranking), by its title when it has none.
Screenshots go to screenshots/ for a person to look at.
"""

from __future__ import annotations

import pytest
from browser_support import SCREENSHOTS, LiveServer, free_port, screenshot
from projector_support import PASSWORD, Room, realistic_answers
from test_e2e_a11y import WCAG_TAGS, run_axe

pytestmark = pytest.mark.browser

EMAIL = "projector@example.org"
SIZES = [(1920, 1080), (1280, 720), (1024, 768)]
LANGUAGES = ["en", "es"]
THEMES = [
    "Clear agendas and notes sent ahead of every meeting",
    "Breakout groups by sector so smaller organizations are heard",
    "Spanish interpretation and materials for community groups",
    "Working groups per plan strategy, each with a lead and a timeline",
    "Rotate meetings across the subregion, including the high desert and Coachella Valley",
    "Data dashboards on jobs and wages to see whether the plan moves the numbers",
    "Stipends for community members whose time is not paid for",
    "Connect with the other subregional tables twice a year",
    "Invite K-12 districts and adult schools",
    "Evening sessions for small business owners",
    "Networking time before the formal agenda",
    "One-page summaries of decisions",
]
# The Spanish titles a facilitator gave the themes on the board; the stipends have none, so
# a Spanish projector names them in English.
SPANISH = {
    THEMES[0]: "Agendas claras y notas enviadas antes de cada reunión",
    THEMES[1]: "Grupos por sector para que se escuche a las organizaciones más pequeñas",
    THEMES[2]: "Interpretación al español y materiales para los grupos comunitarios",
    THEMES[3]: "Grupos de trabajo por estrategia del plan, cada uno con responsable y calendario",
    THEMES[
        4
    ]: "Rotar las reuniones por la subregión, incluidos el alto desierto y el Valle de Coachella",
    THEMES[5]: "Tableros de datos sobre empleos y salarios para ver si el plan mueve las cifras",
    THEMES[7]: "Conectar con las demás mesas subregionales dos veces al año",
    THEMES[8]: "Invitar a los distritos escolares K-12 y a las escuelas para personas adultas",
    THEMES[9]: "Sesiones por la tarde para dueños de pequeñas empresas",
    THEMES[10]: "Tiempo para conocerse antes de la agenda formal",
    THEMES[11]: "Resúmenes de una página con las decisiones",
}
# What each view must keep on screen (name → selector); `stage` views have the bar below.
STAGE = {
    "segment title": ".screen-segment h1",
    "timer": ".status-bar [data-timer]",
    "join bar": "[data-join-bar]",
}
JOIN = {
    "title": ".join-title",
    "code": "[data-code]",
    "QR code": ".qr-large svg",
    "address": ".join-url",
}

MEASURE = """(wanted) => {
  const width = innerWidth, height = innerHeight, problems = [];
  const inside = (r, box) => r.left >= box.left - 1 && r.top >= box.top - 1 &&
    r.right <= box.right + 1 && r.bottom <= box.bottom + 1;
  for (const [name, selector] of Object.entries(wanted)) {
    const shown = [...document.querySelectorAll(selector)].filter((el) => el.getClientRects().length);
    if (!shown.length) { problems.push(`${name}: not shown`); }
    for (const el of shown) {
      const r = el.getBoundingClientRect();
      if (el.clientHeight && el.clientHeight < 0.9 * parseFloat(getComputedStyle(el).lineHeight)) {
        problems.push(`${name} "${el.textContent.trim().slice(0, 30)}" squeezed under one line`);
      }
      if (!inside(r, {left: 0, top: 0, right: width, bottom: height})) {
        problems.push(`${name} "${el.textContent.trim().slice(0, 30)}" outside the viewport`);
      }
      for (let box = el.parentElement; box; box = box.parentElement) {
        if (getComputedStyle(box).overflow !== "visible" && !inside(r, box.getBoundingClientRect())) {
          problems.push(`${name} "${el.textContent.trim().slice(0, 30)}" cut off by .${box.className}`);
          break;
        }
      }
    }
  }
  const page = document.documentElement;
  if (page.scrollHeight > height + 1 || page.scrollWidth > width + 1) { problems.push("the page scrolls"); }
  return problems;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    # Served at its own address, as in a room: no "phones cannot open 127.0.0.1" notice.
    port = free_port()
    public = {"WORKSHOP_PUBLIC_URL": f"http://127.0.0.1:{port}"}
    server = LiveServer(tmp_path_factory.mktemp("projector"), env=public, port=port)
    server.prepare(EMAIL, PASSWORD)
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def screens(chromium, server):
    """A browser per language, as two projectors (axe is injected as an inline script,
    which the page's CSP rightly refuses)."""
    made = {
        lang: chromium.new_context(viewport={"width": 1920, "height": 1080}, bypass_csp=True)
        for lang in LANGUAGES
    }
    yield made
    for context in made.values():
        context.close()


def open_screens(screens, room: Room) -> dict:
    pages = {}
    for lang in LANGUAGES:
        page = screens[lang].new_page()
        page.goto(f"{room.base}{room.projector}?lang={lang}")
        pages[lang] = page
    return pages


def wait_for(pages: dict, selector: str) -> None:
    for page in pages.values():
        page.locator(selector).first.wait_for(state="attached")


def check_view(pages: dict, view: str, wanted: dict, shots: bool = True, axe: bool = True) -> list:
    """The view at every size in both languages: what is wanted is on screen, uncut."""
    problems = []
    for lang, page in pages.items():
        for width, height in SIZES:
            page.set_viewport_size({"width": width, "height": height})
            page.evaluate("() => window.dispatchEvent(new Event('resize'))")
            found = page.evaluate(MEASURE, wanted)
            problems += [f"{view} {lang} {width}x{height}: {p}" for p in found]
            if shots:
                screenshot(page, SCREENSHOTS / f"projector-{view}-{lang}-{width}x{height}.png")
        if axe:
            page.set_viewport_size({"width": 1280, "height": 720})
            found = run_axe(page, {"runOnly": {"type": "tag", "values": WCAG_TAGS}})
            problems += [f"{view} {lang} axe: {v['id']}: {v['help']}" for v in found]
    return problems


def in_language(lang: str, titles: list[str]) -> list[str]:
    return [SPANISH.get(title, title) if lang == "es" else title for title in titles]


def check_names(pages: dict, selector: str, titles: list[str]) -> None:
    """Every theme named in the page's language: the Spanish title where it has one."""
    for lang, page in pages.items():
        shown = page.eval_on_selector_all(selector, "(els) => els.map((el) => el.textContent)")
        assert sorted(shown) == sorted(in_language(lang, titles)), f"{lang}: {shown}"


def seen(pages: dict, index: int, status: str = "running") -> None:
    wait_for(pages, f'.screen-segment[data-index="{index}"][data-status="{status}"]')


@pytest.mark.parametrize("theme_count", [8, 12])
def test_every_view_of_the_thrive_session_fits_the_projector(server, screens, theme_count):
    room = Room(server.url, EMAIL)
    pages = open_screens(screens, room)
    shots = theme_count == 12  # the same views as with 8 themes, fuller: axe and pictures once
    problems = check_view(pages, f"lobby-{theme_count}", JOIN, shots, axe=shots)
    for page in pages.values():
        width = page.evaluate(
            "() => document.querySelector('.qr-large svg').getBoundingClientRect().width"
        )
        assert width >= page.viewport_size["width"] / 4, (
            "the QR code is under a quarter of the width"
        )

    room.join(6)
    room.control("start")
    seen(pages, 0)
    overview = {
        **STAGE,
        "agreement": ".overview-columns ul li",
        "agenda": ".overview-columns ol li",
    }
    problems += check_view(pages, f"overview-{theme_count}", overview, shots, axe=shots)

    room.control("next")
    room.answers_to("worked_well", realistic_answers(theme_count))
    room.make_themes(THEMES[:theme_count])
    room.name_in_spanish(SPANISH)
    seen(pages, 1)
    wait_for(pages, f"[data-screen-themes] li:nth-child({theme_count})")
    last = SPANISH[THEMES[theme_count - 1]]  # the last named: the themes update has them all
    pages["es"].locator(".theme-title").filter(has_text=last).wait_for()
    check_names(pages, ".theme-title", THEMES[:theme_count])
    themes = {**STAGE, "theme": "[data-screen-themes] li", "question": ".prompt-line"}
    problems += check_view(pages, f"retrospective-{theme_count}", themes, shots, axe=shots)

    room.control("next")
    seen(pages, 2)
    plan = {**themes, "strategy": ".pillar li"}
    problems += check_view(pages, f"forward-planning-{theme_count}", plan, shots, axe=shots)
    room.control("pause")
    wait_for(pages, "[data-paused]:not([hidden])")
    problems += check_view(
        pages, f"paused-{theme_count}", {**plan, "paused": "[data-paused] p"}, shots
    )
    room.control("resume")

    room.control("next")
    room.vote("open", source="themes")
    wait_for(pages, "[data-tally-rows] li")
    # Candidates 2 and 3 tie on everything; 4 and 5 on points, 4 ahead on first choices.
    room.ballots([[0, 1, 2], [1, 0, 2], [0, 2, 1], [3, 4, 5], [5, 6, 4], [2, 0, 1]])
    for page in pages.values():
        page.locator("[data-ballots]").filter(has_text="6").wait_for()
    tally = {**STAGE, "tally row": "[data-tally-rows] li"}
    problems += check_view(pages, f"vote-open-{theme_count}", tally, shots, axe=shots)
    ties = {
        "en": ("Tied: same points", "ahead on first choices (1 to 0)"),
        "es": ("Empate: mismos puntos", "delante por primeras opciones (1 a 0)"),
    }
    check_names(pages, ".tally-name", THEMES[:theme_count])
    for lang, page in pages.items():
        assert page.locator("[data-tally-rows] li").count() == theme_count
        rows = page.locator("[data-tally-rows]").inner_text()
        assert all(words in rows for words in ties[lang]), rows
        assert (
            "points" in page.locator("[data-tally-rows] li").first.inner_text()
            or "puntos" in page.locator("[data-tally-rows] li").first.inner_text()
        )

    room.vote("close", round_id=room.round_id)
    wait_for(pages, "[data-screen-vote]:has-text('Final'), [data-screen-vote]:has-text('final')")
    problems += check_view(pages, f"vote-closed-{theme_count}", tally, shots, axe=shots)
    check_names(pages, ".tally-name", THEMES[:theme_count])

    room.control("end")
    seen(pages, 3, "ended")
    ended = {"title": ".screen-segment h1", "tally row": "[data-tally-rows] li"}
    problems += check_view(pages, f"ended-{theme_count}", ended, shots, axe=shots)
    check_names(pages, ".tally-name", THEMES[:theme_count])
    for page in pages.values():
        assert page.locator("[data-tally-rows] li.top").count() == 3
        page.close()
    assert problems == []


WALL = {**STAGE, "answer": ".wall-card", "question": ".wall h2"}


def visible_cards(page, prompt_id: str) -> list[str]:
    selector = f'[data-wall-cards="{prompt_id}"] .wall-card:not([hidden])'
    return page.eval_on_selector_all(selector, "(cards) => cards.map((c) => c.textContent)")


def test_the_answers_wall_shows_the_newest_answers_that_fit(server, screens):
    """60 answers of realistic length: off by default; on, each prompt shows its newest
    answers that fit at every size and says how many earlier ones wait; an answer hidden on
    the console leaves the wall at once; the facilitators (and key J) bring the full join
    screen back; beyond 12 candidates the tally shows the top 10 and how many more."""
    room = Room(server.url, EMAIL)
    room.join(12)
    room.control("start")
    room.control("next")
    pages = open_screens(screens, room)
    seen(pages, 1)
    texts = realistic_answers(60)
    room.answers_to("worked_well", texts[:30])
    room.answers_to("do_differently", texts[30:])
    for page in pages.values():
        page.locator('[data-prompt-count="do_differently"]').filter(has_text="30").wait_for()
        assert page.locator(".wall-card").count() == 0, (
            "the wall is off until a facilitator turns it on"
        )

    room.screen("wall", True, ("worked_well", "do_differently"))
    wait_for(pages, ".wall-card")
    problems = check_view(pages, "wall", WALL)
    for name, page in pages.items():
        for prompt_id, answers in (("worked_well", texts[:30]), ("do_differently", texts[30:])):
            shown = visible_cards(page, prompt_id)
            assert len(shown) >= 4, f"only {len(shown)} answers fit"
            assert shown == answers[::-1][: len(shown)], "the newest answers first"
            more = page.locator(f'[data-wall-more="{prompt_id}"]').inner_text()
            hidden = 30 - len(shown)
            assert str(hidden) in more
            if name == "en":
                assert more == (
                    "and 1 earlier answer" if hidden == 1 else f"and {hidden} earlier answers"
                )
    newest = texts[29]
    room.hide(newest)
    for page in pages.values():
        page.wait_for_function(
            "(text) => ![...document.querySelectorAll('.wall-card')].some((c) => c.textContent === text)",
            arg=newest,
        )
        assert visible_cards(page, "worked_well")[0] == texts[28]

    room.screen("join", True)
    wait_for(pages, "[data-join-screen]:not([hidden])")
    problems += check_view(pages, "join-again", {**JOIN, "timer": ".join-now [data-timer]"})
    page = pages["en"]
    page.keyboard.press("j")
    assert page.locator("[data-stage]").is_visible(), "J goes back to the segment"
    page.keyboard.press("j")
    assert page.locator("[data-join-screen]").is_visible(), "and J again to the join screen"
    room.screen("join", False)
    wait_for(pages, "[data-join-screen][hidden]")

    room.make_themes([f"{title} ({n})" for n in (1, 2) for title in THEMES[:7]])
    room.control("next")
    room.control("next")
    room.vote("open", source="themes")
    for page in pages.values():
        page.locator("[data-tally-more]:not([hidden])").wait_for()
        assert page.locator("[data-tally-rows] li").count() == 10
    problems += check_view(pages, "vote-14", {**STAGE, "tally row": "[data-tally-rows] li"})
    assert "4" in pages["en"].locator("[data-tally-more]").inner_text()
    round_id, _ = room.round_and_candidates()
    room.vote("hide_tally", round_id=round_id, hidden="1")
    for page in pages.values():  # hidden until the reveal: no row, the room is told why
        page.locator("[data-tally-hidden]:not([hidden])").wait_for()
        assert page.locator("[data-tally-rows] li").count() == 0
    room.vote("hide_tally", round_id=round_id, hidden="0")
    wait_for(pages, "[data-tally-rows] li")
    for page in pages.values():
        page.close()
    assert problems == []


def test_the_themes_and_results_segments_fit_too(server, screens):
    """The LA check-in has what Thrive has not: a themes segment and a results segment, and a
    plan of its own. Every view fits at every size, in both languages."""
    room = Room(server.url, EMAIL, agenda="la-transportation-logistics-checkin")
    room.join(4, role="Public agency")
    pages = open_screens(screens, room)
    room.control("start")
    room.control("next")
    room.answers_to("progress_made", realistic_answers(8))
    room.make_themes(THEMES[:8])
    problems = []
    wanted = {
        1: {**STAGE, "theme": "[data-screen-themes] li", "strategy": ".pillar li"},
        2: {**STAGE, "theme": "[data-screen-themes] li", "strategy": ".pillar li"},
        3: {**STAGE, "theme": "[data-screen-themes] li"},
        4: {**STAGE, "tally row": "[data-tally-rows] li"},
        5: {**STAGE, "tally row": "[data-tally-rows] li"},
    }
    for index in range(1, 6):
        if index > 1:
            room.control("next")
        if index == 4:
            room.vote("open", source="themes")
            room.ballots([[0, 1, 2], [1, 2, 3], [2, 3, 4], [3, 4, 5]])
            room.vote("close", round_id=room.round_id)
        seen(pages, index)
        wait_for(pages, "[data-screen-themes] li" if index < 4 else "[data-tally-rows] li")
        if index >= 4:  # the closed round's ranking, not the open round's tally
            wait_for(pages, "[data-screen-vote]:has-text('Final') [data-tally-rows] li")
        problems += check_view(pages, f"la-{index}", wanted[index], shots=index == 5, axe=False)
    for page in pages.values():
        page.close()
    assert problems == []


def test_a_spanish_projector_names_plan_strategies_in_spanish_as_votes_come_in(server, screens):
    """The live tally is one payload for every screen, in the words the round opened with: a
    Spanish projector keeps naming the plan's strategies as the agenda's translation does."""
    room = Room(server.url, EMAIL)
    room.join(2)
    room.control("start")
    for _ in range(3):
        room.control("next")
    pages = open_screens(screens, room)
    seen(pages, 3)
    room.vote("open", source="strategies")
    wait_for(pages, "[data-tally-rows] li")
    room.ballots([[0, 1, 2], [0, 2, 1]])
    names = {
        "en": "Clean economy innovation and adoption",
        "es": "Innovación y adopción de la economía limpia",
    }
    for lang, page in pages.items():
        page.locator("[data-ballots]").filter(has_text="2").wait_for()
        first = page.locator("[data-tally-rows] li .tally-name").first.inner_text()
        assert first == names[lang], f"{lang}: {first}"
        page.close()
