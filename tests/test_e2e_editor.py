"""The agenda editor end to end, in a real browser against the real server.

A facilitator copies the Thrive agenda, changes a duration and a question, adds a strategy by
pasting an outline, saves, and starts a session from the copy; a participant on a
phone-sized page sees the changed question. The editor in Spanish fits a laptop's screen.
Screenshots go to the git-ignored screenshots/ folder (or $WORKSHOP_SCREENSHOTS) for a person
to look at.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from browser_support import PHONE, SCREENSHOTS, LiveServer, screenshot
from conftest import PASSWORD

pytestmark = pytest.mark.browser
LAPTOP = {"viewport": {"width": 1366, "height": 768}}
FACILITATOR = "editor@example.org"
CHANGED_QUESTION = "What worked best in our subregional table this year?"
OUTLINE = """### Quality Job Access Strategies

* **Clean energy careers \\-** Connect residents to solar, storage and grid jobs
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e-editor"))
    live.prepare(FACILITATOR, PASSWORD)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


def sign_in(page, base: str) -> None:
    page.goto(base + "/auth/login")
    page.get_by_label("E-mail").fill(FACILITATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def edit_the_copy(page) -> None:
    retrospective = page.get_by_role("group", name="Segment 2: Retrospective Questions")
    retrospective.get_by_label("Planned minutes").fill("12-20")
    first_question = retrospective.get_by_role("group", name="Question 1")
    first_question.get_by_label("Question", exact=True).fill(CHANGED_QUESTION)


def paste_outline(page) -> None:
    page.get_by_label("Paste an outline").fill(OUTLINE)
    page.get_by_label("Add it to").select_option(
        label="Regional Economic Development Plan: Industries and Strategies"
    )
    page.get_by_role("button", name="Read the outline").click()


def join(page, base: str, code: str) -> None:
    page.goto(base + "/")
    page.get_by_label("Session code").fill(code)
    page.get_by_role("button", name="Join").click()
    page.get_by_label("SRT member").check()
    page.get_by_role("button", name="Join the session").click()
    page.get_by_role("heading", name="You're in").wait_for()


def test_copy_edit_paste_save_and_run(server, browser):
    from playwright.sync_api import expect

    desk = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    sign_in(desk, server.url)
    desk.get_by_role(
        "button", name="Copy: Thrive Inland SoCal Subregional Table Retrospective - September 2024"
    ).click()
    expect(desk.get_by_role("heading", name="Edit agenda")).to_be_visible()

    edit_the_copy(desk)
    paste_outline(desk)
    expect(desk.get_by_role("status")).to_contain_text("Read 1 pillar, 1 strategy and 0 examples")
    expect(desk.get_by_role("group", name="Strategy 6: Clean energy careers")).to_be_visible()
    # the typed changes survived the outline's round trip through the server
    expect(desk.get_by_label("Planned minutes").nth(1)).to_have_value("12-20")

    desk.get_by_role("button", name="Save").first.click()
    expect(desk.get_by_role("status")).to_contain_text("Saved.")
    expect(desk.get_by_text("Retrospective Questions (prompts, 12–20 min)")).to_be_visible()
    expect(desk.locator("main")).to_contain_text("Clean energy careers")

    desk.get_by_role("button", name="Start a session").click()
    code = desk.locator("strong.code").inner_text()
    phone = browser.new_context(**PHONE).new_page()
    join(phone, server.url, code)
    desk.get_by_role("button", name="Start", exact=True).click()
    desk.get_by_role("button", name="Next", exact=True).click()
    expect(phone.get_by_role("heading", name=CHANGED_QUESTION)).to_be_visible()


DOUBTFUL_OUTLINE = """GOAL 2
Strengthen our export-oriented industry clusters
  • LA BioMed opens a bioscience incubator
Port of Los Angeles
  • AltaSea breaks ground on a blue economy hub
"""


def shot(page, name: str, full_page: bool = False) -> None:
    folder = Path(os.environ.get("WORKSHOP_SCREENSHOTS") or SCREENSHOTS)
    screenshot(page, folder / f"{name}.png", full_page=full_page)


def test_a_doubtful_outline_is_checked_before_it_is_added(server, browser):
    """The facilitator sees what a loosely shaped plan was read as, with the reasons to look,
    and the keyboard is taken there; adding it makes a framework of it."""
    from playwright.sync_api import expect

    desk = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    sign_in(desk, server.url)
    desk.get_by_role("link", name="New agenda").first.click()
    desk.get_by_label("Title", exact=True).fill("Cluster review")
    desk.get_by_label("Paste an outline").fill(DOUBTFUL_OUTLINE)
    desk.get_by_role("button", name="Read the outline").click()
    preview = desk.get_by_role("region", name="Check what was read")
    expect(preview).to_be_focused()
    expect(preview).to_contain_text("Text between the strategies")
    expect(preview).to_contain_text("LA BioMed opens a bioscience incubator")
    shot(desk, "editor-outline-preview")
    expect(desk.get_by_role("group", name="Framework 1: Reference framework")).to_have_count(0)
    desk.get_by_role("button", name="Add what was read").click()
    expect(desk.get_by_role("status")).to_contain_text("Read 1 pillar, 2 strategies")
    expect(desk.get_by_label("Title", exact=True)).to_have_value("Cluster review")
    expect(preview).to_have_count(0)


def test_a_plan_too_large_to_send_is_stopped_with_the_reason(server, browser):
    """Over the size limit (1 MB), the browser does not send the form: the outline field says
    how large it is and what the limit is, and everything typed stays on the page."""
    from playwright.sync_api import expect

    desk = browser.new_context(viewport={"width": 1366, "height": 768}).new_page()
    sign_in(desk, server.url)
    desk.get_by_role("link", name="New agenda").first.click()
    desk.get_by_label("Title", exact=True).fill("Kept title")
    outline = desk.get_by_label("Paste an outline")
    outline.evaluate("(box) => { box.value = '- A strategy: described\\n'.repeat(50000); }")
    sent = []
    desk.on("request", lambda request: sent.append(request) if request.method == "POST" else None)
    desk.get_by_role("button", name="Read the outline").click()
    expect(desk.locator("#outline-error")).to_contain_text(
        re.compile(
            r"This is 1\.\d MB, more than the editor takes at once \(1 MB for the whole form\)"
        )
    )
    expect(outline).to_be_focused()
    expect(outline).to_have_attribute("aria-invalid", "true")
    expect(desk.get_by_label("Title", exact=True)).to_have_value("Kept title")
    shot(desk, "editor-outline-too-large")
    assert sent == []


# Longer Spanish words must not push the page sideways or spill out of a control.
SPILLS_JS = """
() => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.scrollingElement.scrollWidth > width + 1) {
    problems.push('the page scrolls sideways: ' + document.scrollingElement.scrollWidth + ' px');
  }
  document.querySelectorAll('button, .button, summary, label, legend, h1, h2, select').forEach((el) => {
    if (el.getClientRects().length && el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
      problems.push(el.tagName + ' "' + el.textContent.trim().slice(0, 40) + '": ' +
        el.scrollWidth + ' px in ' + el.clientWidth);
    }
  });
  return problems;
}
"""


def test_the_editor_in_spanish_fits_a_laptop(server, browser):
    """A Spanish-speaking facilitator copies an agenda and edits it in Spanish, at 1366×768:
    labels, buttons and a mistake's explanation are Spanish, and nothing overflows."""
    from playwright.sync_api import expect

    desk = browser.new_context(**LAPTOP).new_page()
    sign_in(desk, server.url)
    desk.goto(server.url + "/facilitator/?lang=es")
    # The shared agenda: listed after the facilitator's own (an earlier test's copy among them).
    desk.get_by_role(
        "button", name="Copiar: Retrospectiva de la Mesa Subregional de Thrive Inland SoCal"
    ).last.click()
    expect(desk.get_by_role("heading", name="Editar la agenda")).to_be_visible()
    segment = desk.get_by_role("group", name="Segmento 2: Retrospective Questions")
    expect(segment.get_by_label("Minutos previstos")).to_have_value("10-15")
    expect(segment.get_by_role("button", name="Bajar: segmento 2")).to_be_visible()
    assert desk.evaluate(SPILLS_JS) == []
    shot(desk, "editor-es-1366")
    segment.get_by_role("button", name="Agregar pregunta").scroll_into_view_if_needed()
    shot(desk, "editor-es-1366-segment")
    pillar = desk.locator("details[id^=frameworks-0-pillars-]").first
    pillar.locator("summary").click()  # a pillar's strategies, with their buttons
    pillar.get_by_role(
        "button", name="Agregar un dato de referencia"
    ).first.scroll_into_view_if_needed()
    assert desk.evaluate(SPILLS_JS) == []
    shot(desk, "editor-es-1366-strategy")
    segment.get_by_role("group", name="Pregunta 1").get_by_label("Pregunta", exact=True).fill("")
    desk.get_by_role("button", name="Guardar").first.click()
    expect(desk.get_by_role("alert")).to_contain_text("1 cosa por corregir antes de guardar")
    expect(desk.get_by_role("alert")).to_contain_text("Este campo no puede estar vacío.")
    assert desk.evaluate(SPILLS_JS) == []
    shot(desk, "editor-es-1366-mistake")
