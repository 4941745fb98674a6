"""The themes board on a facilitator's laptop (1366x768), in a real browser against the real
server, with a room of sixty phones: 180 answers fit in three screen heights, sorted or not;
the toolbar and the unsorted pile stay in view; answers are grouped by dragging, by keyboard
alone and by tapping, each checked in the database; axe finds nothing in either language. A
Spanish title reaches a Spanish phone's ballot and its results.

Pictures of the board go to the git-ignored screenshots/ folder, for a person to look at.
"""

from __future__ import annotations

import csv
import re
import sqlite3
import uuid
from pathlib import Path

import pytest
from browser_support import CSRF_FIELD as CSRF
from browser_support import PHONE, SCREENSHOTS, LiveServer, screenshot
from test_e2e_a11y import (
    Facilitator,
    Participant,
    Session,
    describe,
    prepare_database,
    structure_violations,
    wcag_violations,
)

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
PEOPLE = 60
# A few words more or fewer, so 180 answers are 180 different texts of the lengths phones send.
ENDINGS = ["", " this year", " at every table", " across the region", " for small towns", ""]


def answer_texts() -> list[str]:
    with (ROOT / "tests/data/suggest/seeded_themes.csv").open() as labelled:
        texts = [row["text"] for row in csv.DictReader(labelled)]
    return [texts[n % len(texts)] + ENDINGS[n // len(texts) % len(ENDINGS)] for n in range(180)]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("board"), env={"WORKSHOP_BROADCAST_INTERVAL": "0.2"})
    prepare_database(live)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def room(server):
    """Sixty phones, three answers each: two to the retrospective's questions, one to
    forward planning's first."""
    facilitator = Facilitator(server.url)
    session = facilitator.start()
    facilitator.control(session, "start", "next")
    texts = iter(answer_texts())
    phones = [Participant(server.url).join(session) for _ in range(PEOPLE)]
    for phone in phones:
        answer(phone, session, "worked_well", next(texts))
        answer(phone, session, "do_differently", next(texts))
    facilitator.control(session, "next")
    for phone in phones:
        answer(phone, session, "success_looks_like", next(texts))
    return facilitator, session


def answer(phone: Participant, session: Session, prompt_id: str, text: str) -> None:
    """The answer form, posted with the token of the page the phone already holds."""
    page = f"/w/{session.code}"
    if not hasattr(phone, "token"):
        phone.token = CSRF.search(phone.get(page).text).group(1)
    data = {"prompt_id": prompt_id, "client_id": uuid.uuid4().hex, "text": text}
    reply = phone.http.post(
        phone.base + page + "/responses", data={**data, "csrf_token": phone.token}
    )
    reply.raise_for_status()


@pytest.fixture(scope="module")
def desk(chromium, room):
    facilitator, _ = room
    context = chromium.new_context(**LAPTOP)
    context.add_cookies(facilitator.cookies())
    yield context
    context.close()


def database(server: LiveServer) -> sqlite3.Connection:
    return sqlite3.connect(server.instance / "workshop.sqlite")


def placement(server: LiveServer, session: Session) -> dict[str, str | None]:
    """Answer text → the title of the theme the database has it in (None: unsorted)."""
    with database(server) as db:
        rows = db.execute(
            "SELECT response.text, theme.title FROM response LEFT JOIN theme"
            " ON theme.id = response.theme_id WHERE response.workshop_id = ?",
            (session.workshop_id,),
        ).fetchall()
    return dict(rows)


def shoot(page, name: str, full_page: bool = True) -> None:
    screenshot(page, SCREENSHOTS / f"{name}.png", full_page=full_page)


def page_height(page) -> int:
    return page.evaluate("document.scrollingElement.scrollHeight")


def in_view(page, selector: str) -> bool:
    return page.locator(selector).first.evaluate(
        "el => { const r = el.getBoundingClientRect();"
        " return r.top >= 0 && r.top < innerHeight && r.bottom > 0; }"
    )


def test_180_answers_fit_three_screens_unsorted_and_sorted(server, room, desk):
    from playwright.sync_api import expect

    facilitator, session = room
    board = desk.new_page()
    board.goto(f"{server.url}{session.console}/board/?lang=en")
    expect(board.locator(".answer-card")).to_have_count(180)
    assert page_height(board) <= 3 * 768, "all unsorted"
    first = board.locator(".answer-card").first
    assert first.locator("[data-where]").inner_text() == "Q1"  # the question as a short tag
    assert "what worked well" not in first.inner_text()
    shoot(board, "board-180-unsorted", full_page=False)

    # The facilitator sorts them into twelve themes of fifteen answers.
    ids = sorted(facilitator.answer_ids(session).values())
    for n in range(12):
        chunk = ids[n * 15 : (n + 1) * 15]
        data = {"op": "create", "new_title": f"Theme {n + 1} of the room", "response_ids": chunk}
        facilitator.act(session, "/board/", data)
    expect(board.locator(".theme-card")).to_have_count(12, timeout=10000)  # live, no reload
    expect(board.locator("[data-unsorted] .answer-card")).to_have_count(0)
    shoot(board, "board-180-sorted")
    shoot(board, "board-180-sorted-first-screen", full_page=False)
    height = page_height(board)
    assert height <= 3 * 768, f"sorted: {height} px"

    # Scrolled to the bottom, the toolbar and the unsorted pile are still in view.
    board.evaluate("window.scrollTo(0, document.scrollingElement.scrollHeight)")
    shoot(board, "board-180-sorted-scrolled", full_page=False)
    assert in_view(board, ".board-toolbar") and in_view(board, "#pile")
    expect(board.get_by_label("Move selected answers to")).to_be_in_viewport()

    # Search and the question filter still narrow the board.
    question = "Q2 · What should we do differently or add in future work?"
    board.get_by_label("Question").select_option(label=question)
    board.get_by_role("button", name="Filter").click()
    expect(board.locator(".answer-card")).to_have_count(60)
    assert set(board.locator(".answer-card [data-where]").all_inner_texts()) == {"Q2"}
    board.get_by_label("Search").fill("childcare")
    board.get_by_role("button", name="Filter").click()
    shown = board.locator(".answer-card [data-text]").all_inner_texts()
    assert shown and all("childcare" in text.lower() for text in shown)
    board.close()


# -- grouping: by dragging, by keyboard alone, by tapping ---------------------------------------

SMALL = [
    "Buses that reach the warehouses",
    "Vanpools for early shifts",
    "Childcare during meetings",
    "Daycare open at 5am",
    "Evening meetings for people who work days",
]


def small_board(server: LiveServer, themes: tuple[str, ...] = ("Transit", "Childcare")):
    """A session of its own: five unsorted answers and two empty themes."""
    facilitator = Facilitator(server.url)
    session = facilitator.start()
    facilitator.control(session, "start", "next")
    phone = Participant(server.url).join(session)
    for text in SMALL:
        phone.answer(session, "worked_well", text)
    for title in themes:
        facilitator.act(session, "/board/", {"op": "create", "new_title": title})
    return facilitator, session


def card(board, text: str):
    return board.locator(".answer-card", has_text=text)


def theme(board, title: str):
    named = board.locator("[data-theme-title]", has_text=re.compile(f"^{re.escape(title)}$"))
    return board.locator(".theme-card").filter(has=named)


def test_grouping_by_dragging_a_card_or_several(server, desk):
    from playwright.sync_api import expect

    _, session = small_board(server)
    board = desk.new_page()
    board.goto(f"{server.url}{session.console}/board/?lang=en")
    card(board, "Buses that reach").drag_to(theme(board, "Transit"))  # the card, not a handle
    expect(theme(board, "Transit").locator(".answer-card")).to_have_count(1)
    expect(theme(board, "Transit").locator("[data-theme-count]")).to_have_text("(1)")
    # two ticked answers go together when one of them is dragged
    card(board, "Childcare during").get_by_role("checkbox").check()
    card(board, "Daycare open").get_by_role("checkbox").check()
    expect(board.locator("[data-selected-count]")).to_have_text("2 selected")
    card(board, "Daycare open").drag_to(theme(board, "Childcare"))
    expect(theme(board, "Childcare").locator(".answer-card")).to_have_count(2)
    expect(board.locator("[data-board-status]")).to_contain_text("Moved 2 answers to Childcare")
    expect(board.locator("[data-unsorted] .answer-card")).to_have_count(2)
    wait_stored(server, session, "Daycare open at 5am", "Childcare")
    assert placement(server, session) == {
        "Buses that reach the warehouses": "Transit",
        "Vanpools for early shifts": None,
        "Childcare during meetings": "Childcare",
        "Daycare open at 5am": "Childcare",
        "Evening meetings for people who work days": None,
    }
    board.close()


def wait_stored(server, session, text: str, title: str | None, tries: int = 50) -> None:
    """The page moves a card at once; the database has it once the post came back."""
    import time

    for _ in range(tries):
        if placement(server, session)[text] == title:
            return
        time.sleep(0.1)


def test_a_box_ticked_while_the_board_refreshes_stays_ticked(server, desk):
    """The board redraws itself after every move. A tick made while that redraw is on its way
    is the person's next move: it must survive the redraw (it used to be lost, and a drag then
    moved one answer of the two ticked)."""
    from playwright.sync_api import expect

    _, session = small_board(server)
    board = desk.new_page()
    board.goto(f"{server.url}{session.console}/board/?lang=en")
    fragment = board.locator("#board").get_attribute("data-fragment")
    held = []

    def hold(route):  # the first redraw waits until let go
        if held:
            route.continue_()
        else:
            held.append(route)

    board.route(f"**{fragment}*", hold)
    card(board, "Buses that reach").drag_to(theme(board, "Transit"))
    for _ in range(100):
        if held:
            break
        board.wait_for_timeout(50)
    assert held, "the board asked for no redraw after a move"
    card(board, "Childcare during").get_by_role("checkbox").check()
    board.evaluate("document.querySelector('#board .answer-card').dataset.before = 'yes'")
    held[0].continue_()
    expect(board.locator("#board [data-before]")).to_have_count(0)  # the new board is in
    expect(card(board, "Childcare during").get_by_role("checkbox")).to_be_checked()
    expect(board.locator("[data-selected-count]")).to_have_text("1 selected")
    card(board, "Daycare open").get_by_role("checkbox").check()
    card(board, "Daycare open").drag_to(theme(board, "Childcare"))
    expect(theme(board, "Childcare").locator(".answer-card")).to_have_count(2)
    wait_stored(server, session, "Childcare during meetings", "Childcare")
    wait_stored(server, session, "Daycare open at 5am", "Childcare")
    board.close()


def test_grouping_by_keyboard_alone(server, desk):
    from playwright.sync_api import expect
    from test_e2e_keyboard import expect_focus_visible, tab_to

    _, session = small_board(server)
    board = desk.new_page()
    board.goto(f"{server.url}{session.console}/board/?lang=en")
    first = card(board, "Buses that reach").get_by_role("checkbox")
    tab_to(board, first)
    expect_focus_visible(board)
    board.keyboard.press("Space")
    board.keyboard.press("Tab")  # on to the next answer
    expect(card(board, "Vanpools").get_by_role("checkbox")).to_be_focused()
    board.keyboard.press("Space")
    board.keyboard.press("1")  # theme 1, Transit: the two ticked answers go
    expect(theme(board, "Transit").locator(".answer-card")).to_have_count(2)
    # focus stays in the pile, on the next answer, for the next keystroke
    expect(card(board, "Childcare during").get_by_role("checkbox")).to_be_focused()
    board.keyboard.press("2")  # nothing ticked: the focused answer alone goes to Childcare
    expect(theme(board, "Childcare").locator(".answer-card")).to_have_count(1)
    wait_stored(server, session, "Childcare during meetings", "Childcare")
    # and back: 0 on an answer in a theme sends it to the unsorted pile
    tab_to(board, card(board, "Vanpools").get_by_role("checkbox"))
    board.keyboard.press("0")
    expect(board.locator("[data-unsorted]")).to_contain_text("Vanpools")
    wait_stored(server, session, "Vanpools for early shifts", None)
    assert placement(server, session) == {
        "Buses that reach the warehouses": "Transit",
        "Vanpools for early shifts": None,
        "Childcare during meetings": "Childcare",
        "Daycare open at 5am": None,
        "Evening meetings for people who work days": None,
    }
    board.close()


def test_grouping_by_tapping(server, chromium, room):
    from playwright.sync_api import expect

    facilitator, _ = room
    _, session = small_board(server)
    tablet = chromium.new_context(viewport={"width": 1024, "height": 768}, has_touch=True)
    tablet.add_cookies(Facilitator(server.url).cookies())
    board = tablet.new_page()
    board.goto(f"{server.url}{session.console}/board/?lang=en")
    card(board, "Childcare during").locator("label").tap()
    card(board, "Daycare open").locator("label").tap()
    expect(card(board, "Daycare open").get_by_role("checkbox")).to_be_checked()
    theme(board, "Childcare").get_by_role("button", name=re.compile("^Move here")).tap()
    expect(theme(board, "Childcare").locator(".answer-card")).to_have_count(2)
    expect(board.locator("[data-selection]")).to_be_hidden()  # done with that selection
    wait_stored(server, session, "Daycare open at 5am", "Childcare")
    placed = placement(server, session)
    assert placed["Childcare during meetings"] == placed["Daycare open at 5am"] == "Childcare"
    assert placed["Buses that reach the warehouses"] is None
    tablet.close()


def test_a_theme_button_moves_answers_without_javascript(server, chromium):
    """The same "Move here" posts the board form and comes back to the board."""
    facilitator, session = small_board(server)
    plain = chromium.new_context(java_script_enabled=False, **LAPTOP)
    plain.add_cookies(facilitator.cookies())
    board = plain.new_page()
    board.goto(f"{server.url}{session.console}/board/?lang=en")
    card(board, "Evening meetings").get_by_role("checkbox").check()
    theme(board, "Transit").get_by_role("button", name=re.compile("^Move here")).click()
    assert placement(server, session)["Evening meetings for people who work days"] == "Transit"
    plain.close()


def test_link_hints_arrive_without_a_reload(server, desk):
    """A board drawn while the suggestion encoders were still loading says so, and draws
    itself again a moment later with no change on the board to prompt it."""
    _, session = small_board(server)
    board = desk.new_page()
    address = f"{server.url}{session.console}/board/?lang=en"

    def still_loading(route) -> None:  # as the server answers before its encoders are ready
        page = route.fetch()
        body = page.text().replace("data-board-form", "data-board-form data-hints-pending", 1)
        route.fulfill(response=page, body=body)

    board.route(address, still_loading)
    with board.expect_request("**/board/fragment*", timeout=10000):
        board.goto(address)
    board.close()


# -- a theme's Spanish title, from the board to a Spanish phone ---------------------------------


def test_a_spanish_title_given_on_the_board_reaches_a_spanish_phone(server, desk, chromium):
    from playwright.sync_api import expect

    facilitator, session = small_board(server, themes=())
    ids = facilitator.answer_ids(session)
    for title, answers in (("Transit", SMALL[:2]), ("Childcare", SMALL[2:4])):
        data = {"op": "create", "new_title": title, "response_ids": [ids[a] for a in answers]}
        facilitator.act(session, "/board/", data)
    board = desk.new_page()
    board.goto(f"{server.url}{session.console}/board/?lang=en")
    expect(board.locator("[data-no-spanish]")).to_have_count(2)  # the board shows what lacks one
    transit = theme(board, "Transit")
    transit.get_by_text("Edit").click()
    transit.get_by_label("Title in Spanish").fill("Transporte")
    transit.get_by_role("button", name="Save").click()
    expect(transit.locator("span[lang=es]")).to_have_text("Transporte")
    expect(board.locator("[data-no-spanish]")).to_have_count(1)
    with database(server) as db:
        stored = db.execute(
            "SELECT title, title_es FROM theme WHERE workshop_id = ? ORDER BY id",
            (session.workshop_id,),
        ).fetchall()
    assert stored == [("Transit", "Transporte"), ("Childcare", "")]
    board.close()

    spanish = Participant(server.url).join(session)
    phone = chromium.new_context(**PHONE).new_page()
    phone.context.add_cookies(spanish.cookies())
    phone.goto(f"{server.url}/w/{session.code}?lang=es")
    facilitator.control(session, "next", "next")  # on to the vote
    facilitator.act(session, "/vote", {"op": "open", "source": "themes"})
    ballot = phone.locator("#vote[data-vote-open=yes]")
    expect(ballot).to_contain_text("Transporte", timeout=10000)
    assert "Transit" not in ballot.inner_text() and "Childcare" in ballot.inner_text()
    shoot(phone, "phone-ballot-spanish-title")

    english = Participant(server.url).join(session)
    english.vote(session, "Transit", "Childcare")
    round_id = re.search(r'data-vote-round="(\d+)"', phone.content()).group(1)
    facilitator.act(session, "/vote", {"op": "close", "round_id": round_id})
    ranking = phone.locator(".ranking")
    expect(ranking).to_contain_text("Transporte", timeout=10000)
    assert ranking.locator("li").first.inner_text().startswith("Transporte")
    assert "Transit" not in ranking.inner_text()
    shoot(phone, "phone-results-spanish-title")
    phone.context.close()


# -- accessibility of the full board, in both languages ------------------------------------------


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_full_board_is_accessible(server, room, chromium, lang):
    facilitator, session = room
    context = chromium.new_context(bypass_csp=True, **LAPTOP)  # axe is added as a script
    context.add_cookies(facilitator.cookies())
    board = context.new_page()
    board.goto(f"{server.url}{session.console}/board/?lang={lang}")
    board.wait_for_load_state("networkidle")
    found = wcag_violations(board) + structure_violations(board)
    assert board.evaluate("document.documentElement.lang") == lang
    shoot(board, f"board-180-{lang}", full_page=False)
    context.close()
    assert not found, describe(found)
