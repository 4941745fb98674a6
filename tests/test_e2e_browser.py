"""The reference session, end to end, in a real browser against the real server.

A facilitator signs in and starts the Thrive retrospective; three participants on phone-sized
pages (one with JavaScript off) join by code; the facilitator advances through overview,
retrospective and forward planning; the answers reach the console and the projector; a
reload loses nothing; the server is killed and restarted mid-segment and the session, the
timer and every answer are still there.
"""

from __future__ import annotations

import os
import re

import pytest
from browser_support import PHONE, LiveServer, screenshot
from conftest import PASSWORD

pytestmark = pytest.mark.browser
FACILITATOR = "chair@example.org"
RETRO_QUESTION = "Looking back on the past year of our subregional table, what worked well?"
FORWARD_QUESTION = (
    "How can SRT activities over the next 2 years best move us toward the plan's vision?"
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e"), env={"WORKSHOP_BROADCAST_INTERVAL": "0.2"})
    live.prepare(FACILITATOR, PASSWORD)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


def shot(page, name: str) -> None:
    """With WORKSHOP_SCREENSHOTS=DIR, keep a picture of the page for a person to look at."""
    folder = os.environ.get("WORKSHOP_SCREENSHOTS")
    if folder:
        screenshot(page, f"{folder}/{name}.png", full_page=True)


def sign_in_and_start(page, base: str) -> tuple[str, str]:
    page.goto(base + "/auth/login")
    page.get_by_label("E-mail").fill(FACILITATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("button", name=re.compile("Start a session: Thrive")).click()
    code = page.locator("strong.code").inner_text()
    projector = page.get_by_role("link", name="Open the projector view").get_attribute("href")
    return code, projector


def join(page, base: str, code: str, role: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Session code").fill(code.lower())
    page.get_by_role("button", name="Join").click()
    page.get_by_label(role).check()
    page.get_by_role("button", name="Join the session").click()
    page.get_by_role("heading", name="You're in").wait_for()


def control(console, name: str) -> None:
    console.get_by_role("button", name=name, exact=True).click()


def answer(page, question: str, text: str, strategy: str | None = None) -> None:
    section = page.locator("section.prompt", has=page.get_by_role("heading", name=question))
    section.get_by_label("Your answer", exact=True).fill(text)
    if strategy:
        section.get_by_label("Which strategy does it serve?").select_option(label=strategy)
    section.get_by_role("button", name="Send answer").click()


def expect_text(locator, text: str) -> None:
    from playwright.sync_api import expect

    expect(locator).to_contain_text(text)


def seconds_shown(page) -> int:
    text = page.locator("[data-timer]").first.inner_text()
    minutes, seconds = text.lstrip("+").split(":")
    return int(minutes) * 60 + int(seconds)


def test_reference_session_end_to_end(server, browser):
    from playwright.sync_api import expect

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    console = desk.new_page()
    code, projector_path = sign_in_and_start(console, server.url)
    screen = browser.new_context(viewport={"width": 1600, "height": 900}).new_page()
    screen.goto(server.url + projector_path)
    expect(screen.locator("[data-code]")).to_have_text(code)

    phones = [browser.new_context(**PHONE).new_page() for _ in range(2)]
    no_js = browser.new_context(**PHONE, java_script_enabled=False).new_page()
    for page, role in zip(
        [*phones, no_js], ["SRT chair", "SRT member", "Backbone organization"], strict=True
    ):
        join(page, server.url, code, role)
    expect_text(screen.locator("[data-count-participants]"), "3")

    control(console, "Start")
    expect(phones[0].get_by_role("heading", name="Overview & Introduction")).to_be_visible()
    expect(phones[0].get_by_role("heading", name="Community agreements")).to_be_visible()
    control(console, "Next")
    expect(phones[1].get_by_role("heading", name=RETRO_QUESTION)).to_be_visible()
    no_js.reload()

    answers_line = screen.locator("[data-count-responses-line]")
    expect(answers_line).to_have_text("0 answers")
    answer(phones[0], RETRO_QUESTION, "Monthly meetings built trust <script>alert(1)</script>")
    expect(screen.locator('[data-prompt-count="worked_well"]')).to_have_text("1")
    expect(answers_line).to_have_text("1 answer")  # counted live, in the singular
    expect(screen.locator('[data-prompt-count-line="worked_well"]')).to_have_text("1 answer")
    expect(screen.locator('[data-prompt-count-line="do_differently"]')).to_have_text("0 answers")
    answer(phones[1], RETRO_QUESTION, "Networking across sectors")
    answer(no_js, RETRO_QUESTION, "Sharing catalyst project updates")
    stream = console.locator('[data-stream="worked_well"]')
    for text in [
        "Monthly meetings built trust <script>",
        "Networking across sectors",
        "Sharing catalyst",
    ]:
        expect_text(stream, text)
    expect_text(screen.locator('[data-prompt-count="worked_well"]'), "3")
    expect(answers_line).to_have_text("3 answers")
    shot(phones[0], "phone-answers")
    shot(screen, "projector-answers")
    shot(console, "console-answers")
    expect_text(
        phones[0].locator('[data-prompt="worked_well"] [data-answers]'),
        "Monthly meetings built trust",
    )

    # a reload loses nothing
    phones[1].reload()
    expect(phones[1].get_by_label("Edit your answer 1")).to_have_value("Networking across sectors")

    # every screen counts down from the same end time
    assert abs(seconds_shown(screen) - seconds_shown(phones[0])) <= 1
    remaining_before = seconds_shown(console)

    # the server dies mid-segment and comes back on the same database
    server.restart()
    # The phone keeps the answer until its socket is back; the console reconnects too.
    answer(phones[1], RETRO_QUESTION, "Written after the restart")
    expect(stream).to_contain_text("Written after the restart", timeout=20000)
    console.reload()
    expect(console.locator("[data-current-title]")).to_have_text("Retrospective Questions")
    assert abs(seconds_shown(console) - remaining_before) <= 30  # the timer kept its end time
    for text in ["Monthly meetings built trust", "Networking across sectors", "Sharing catalyst"]:
        expect_text(stream, text)

    control(console, "Next")
    expect(phones[0].get_by_role("heading", name=FORWARD_QUESTION)).to_be_visible()
    phones[0].get_by_text("Regional Economic Development Plan").first.click()  # the plan, collapsed
    answer(
        phones[0],
        FORWARD_QUESTION,
        "Fund childcare near training sites",
        strategy="Access to childcare",
    )
    expect_text(console.locator('[data-stream="srt_next_two_years"]'), "Access to childcare")
    expect_text(screen.locator("#segment h1"), "Forward Planning")
    assert "<script>alert(1)</script>" not in screen.content()

    cluster_into_themes(console, screen)
    vote_and_close(console, screen, phones, no_js)


def cluster_into_themes(console, screen) -> None:
    """The facilitator asks for suggestions and keeps one, then groups answers on the board by
    keyboard selection and by dragging, and links a theme to a plan strategy; the projector
    shows the themes as they form."""

    board = console.context.new_page()
    board.goto(console.url + "/board/")
    accept_one_suggestion(board)
    card = board.locator(".answer-card", has_text="Networking across sectors")
    card.get_by_role("checkbox").check()
    board.get_by_label("or make a new theme from them:").fill("Relationships")
    board.get_by_role("button", name="Create theme").click()
    expect_text(board.locator(".theme-card", has_text="Relationships"), "Networking across sectors")

    board.get_by_label("or make a new theme from them:").fill("Shared information")
    board.get_by_role("button", name="Create theme").click()
    target = board.locator(".theme-card", has_text="Shared information")
    target.wait_for()
    # keyboard path: select with the space bar, choose the theme, press Move
    checkbox = board.locator(".answer-card", has_text="Sharing catalyst").get_by_role("checkbox")
    checkbox.focus()
    board.keyboard.press("Space")
    board.get_by_label("Move selected answers to").select_option(label="Shared information")
    board.get_by_role("button", name="Move", exact=True).focus()
    board.keyboard.press("Enter")
    expect_text(target, "Sharing catalyst")

    # drag and drop, as with a mouse or a finger
    handle = board.locator(".answer-card", has_text="Monthly meetings").locator(".drag-handle")
    handle.drag_to(board.locator(".theme-card", has_text="Relationships"))
    expect_text(board.locator(".theme-card", has_text="Relationships"), "Monthly meetings")

    theme = board.locator(".theme-card", has_text="Shared information")
    theme.get_by_text("Edit theme").click()
    theme.get_by_label("Link to a plan strategy").select_option(label="Cybersecurity")
    theme.get_by_role("button", name="Link strategy").click()
    expect_text(board.locator(".theme-card", has_text="Shared information"), "Cybersecurity")
    expect_text(screen.locator("[data-screen-themes]"), "Relationships")
    expect_text(screen.locator("[data-screen-themes]"), "Shared information")
    shot(board, "board")
    board.close()


def accept_one_suggestion(board) -> None:
    """Suggest themes (the server's encoders; the page follows the run), keep the first
    suggestion under a new name, discard the others."""
    from playwright.sync_api import expect

    board.get_by_role("button", name="Suggest themes").click()
    expect(board.get_by_role("heading", name="Suggested themes")).to_be_visible(timeout=90000)
    suggestions = board.locator("fieldset.suggestion")
    assert suggestions.count() >= 1
    kept_answers = suggestions.first.locator("li").all_inner_texts()
    assert kept_answers
    for index in range(1, suggestions.count()):
        suggestions.nth(index).get_by_label("Keep this suggestion").uncheck()
    suggestions.first.get_by_label("Theme title").fill("Kept from the suggestions")
    shot(board, "suggestions")
    board.get_by_role("button", name="Accept the kept suggestions").click()
    kept = board.locator(".theme-card", has_text="Kept from the suggestions")
    for text in kept_answers:
        expect_text(kept, text[:20])
    assert board.locator(".theme-card").count() == 1  # the discarded ones made nothing


def vote_and_close(console, screen, phones, no_js) -> None:
    """The room votes its top priorities; the projector shows the tally; closing reveals the
    ranking on every screen."""
    from playwright.sync_api import expect

    control(console, "Next")
    expect(phones[0].get_by_role("heading", name="Prioritizing Key Themes")).to_be_visible()
    console.get_by_role("button", name="Open voting").click()
    expect_text(screen.locator("[data-screen-vote]"), "Vote now")

    ballots = [
        (phones[0], ["Relationships", "Shared information"]),
        (phones[1], ["Relationships"]),
        (no_js, ["Shared information", "Relationships"]),
    ]
    for page, picks in ballots:
        page.reload()
        for position, title in enumerate(picks, start=1):
            if page is no_js:  # the form without script: a select per place
                label = ["First choice", "Second choice", "Third choice"][position - 1]
                page.get_by_label(label).select_option(label=title)
            else:  # tap the choices in order
                page.locator("[data-choose]", has_text=title).click()
        page.get_by_role("button", name="Send my vote").click()
        expect(page.get_by_text("Your vote is in")).to_be_visible()
    expect_text(screen.locator("[data-ballots]"), "3")
    shot(phones[1], "phone-vote")
    shot(screen, "projector-tally")
    # Relationships: 3 + 3 + 2 = 8 points; Shared information: 2 + 3 = 5
    expect_text(screen.locator("[data-tally-rows] li").first, "Relationships")

    console.get_by_role("button", name="Close voting and reveal").click()
    expect_text(screen.locator("[data-screen-vote]"), "Final ranking")
    ranking = phones[1].locator(".ranking li")
    expect(ranking.first).to_contain_text("Relationships")
    expect(ranking.first).to_contain_text("8 points")
    expect(ranking.nth(1)).to_contain_text("Shared information")
    expect(ranking.nth(1)).to_contain_text("5 points")
    shot(phones[1], "phone-ranking")
    shot(console, "console-closed")


def test_a_spanish_console_labels_arriving_answers_in_spanish(server, browser):
    """An answer that arrives while the Spanish console is open is labelled by its script
    "Participante 1 (Ana)", as the server writes the ones already there."""
    from playwright.sync_api import expect

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    console = desk.new_page()
    code, _ = sign_in_and_start(console, server.url)
    console.goto(console.url + "?lang=es")
    console.get_by_role("button", name="Iniciar", exact=True).click()
    console.get_by_role("button", name="Siguiente", exact=True).click()
    phone = browser.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/w/{code}?lang=es")
    phone.get_by_label("Nombre").fill("Ana")
    phone.get_by_label("Integrante de la SRT").check()
    phone.get_by_role("button", name="Unirme a la sesión").click()
    question = re.compile("qué funcionó bien")
    section = phone.locator("section.prompt", has=phone.get_by_role("heading", name=question))
    section.get_by_label("Su respuesta", exact=True).fill("Reuniones mensuales")
    section.get_by_role("button", name="Enviar respuesta").click()
    item = console.locator('[data-stream="worked_well"] li', has_text="Reuniones mensuales")
    expect(item.locator("[data-who]")).to_have_text("Participante 1 (Ana)")
    shot(console, "console-spanish-labels")
    desk.close()
    phone.context.close()
