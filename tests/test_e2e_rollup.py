"""The regional roll-up in a real browser against the real server: the roll-up page and its
heat map at 1366x768 (axe-core clean in English and Spanish, the matrix's numbers there for a
screen reader, the weighting switch), the collection's other pages, and importing an export
that a second server made from a session run there.

Screenshots go to the git-ignored screenshots/ folder, for a person to look at.
"""

from __future__ import annotations

import re

import pytest
from browser_support import CSRF_FIELD as CSRF
from browser_support import SCREENSHOTS, LiveServer, screenshot
from collections_support import TABLES, export_bytes
from test_e2e_a11y import (
    Facilitator,
    Participant,
    describe,
    prepare_database,
    structure_violations,
    wcag_violations,
)

pytestmark = pytest.mark.browser

LAPTOP = {"viewport": {"width": 1366, "height": 768}}
LANGUAGES = ["en", "es"]
THEME_BOX = re.compile(
    r'name="theme" value="(\d+:\d+)">\s*<span><strong>([^<]+)</strong>: ([^\n<]+)'
)


class Owner(Facilitator):
    """The backbone organization's facilitator, building a collection over HTTP."""

    def create(self, name: str) -> str:
        reply = self.post("/facilitator/collections/", "/facilitator/collections/", {"name": name})
        return reply.url.removeprefix(self.base).removesuffix("tables")

    def upload(self, collection: str, filename: str, data: bytes, **fields) -> str:
        page = collection + "tables"
        token = CSRF.search(self.get(page).text).group(1)
        reply = self.http.post(
            self.base + collection + "import",
            data={"csrf_token": token, **fields},
            files={"files": (filename, data, "application/json")},
        )
        return reply.text

    def themes(self, collection: str) -> dict[tuple[str, str], str]:
        page = self.get(collection + "themes").text
        return {(table, title.strip()): value for value, table, title in THEME_BOX.findall(page)}

    def group(self, collection: str, title: str, *keys: tuple[str, str]) -> None:
        values = self.themes(collection)
        data = {"op": "make", "title": title, "theme": [values[key] for key in keys]}
        self.post(collection + "themes", collection + "themes/group", data)


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    """A server with a collection of the six tables (tests/collections_support.py), two
    regional themes confirmed."""
    server = LiveServer(tmp_path_factory.mktemp("rollup"))
    prepare_database(server)
    server.start()
    try:
        owner = Owner(server.url)
        collection = owner.create("SRT retrospectives, September 2024")
        for number, spec in enumerate(TABLES, start=11):
            owner.upload(
                collection, f"{spec.name}.json", export_bytes(spec, number), table_name=spec.name
            )
        owner.group(collection, "Childcare", ("North", "Childcare"), ("South", "Cuidado infantil"),
                    ("West", "Childcare"), ("Desert", "Child care access"), ("East", "Childcare"))  # fmt: skip
        owner.group(collection, "Getting to work", ("North", "Transit"), ("West", "Transit"),
                    ("Desert", "Bus routes"))  # fmt: skip
        yield server, owner, collection
    finally:
        server.stop()


@pytest.fixture(scope="module")
def laptop(chromium, region):
    server, owner, _ = region
    context = chromium.new_context(**LAPTOP, bypass_csp=True)  # axe is injected inline
    context.add_cookies(owner.cookies())
    yield context
    context.close()


def shoot(page, name: str) -> None:
    screenshot(page, SCREENSHOTS / f"{name}.png")
    screenshot(page, SCREENSHOTS / f"{name}-full.png", full_page=True)


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("view", ["", "tables", "themes", "settings"])
def test_collection_pages_are_accessible(region, laptop, view, lang):
    server, _, collection = region
    page = laptop.new_page()
    page.goto(f"{server.url}{collection}{view}?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    found = wcag_violations(page) + structure_violations(page)
    shoot(page, f"rollup-{view or 'page'}-{lang}")
    page.close()
    assert not found, describe(found)


def test_the_matrix_gives_every_number_to_a_screen_reader(region, laptop):
    server, _, collection = region
    page = laptop.new_page()
    page.goto(f"{server.url}{collection}?lang=en")
    matrix = page.locator("table[data-ranking]")
    headers = [" ".join(h.inner_text().split()) for h in matrix.locator("thead th").all()]
    assert headers == [
        "Strategy", "Score", "Desert", "East (no vote)", "Mountain", "North", "South", "West"
    ]  # fmt: skip
    row = matrix.get_by_role("row").filter(
        has=page.get_by_role("rowheader", name="Access to childcare")
    )
    cells = [c.text_content().strip() for c in row.get_by_role("cell").all()]
    # The region's score 34/120; Desert 5 of 12 (first, tied), East no vote, Mountain no
    # points, North 10 of 24, South 5 of 12, West 1 of 6: each number with its rank, in words
    # a screen reader speaks.
    assert cells == [
        "28.3%",
        "41.7% rank #1",
        "·no vote",
        "–no points",
        "41.7% rank #1",
        "41.7% rank #1",
        "16.7% rank #3",
    ]
    darkest = row.locator("td").nth(1)
    assert "heat-4" in darkest.get_attribute("class")  # over 30%, up to 45%: the fourth step
    # The heat map fits the laptop's width with six tables: nothing to scroll sideways.
    assert page.evaluate("document.scrollingElement.scrollWidth") <= 1366
    page.close()


def test_the_weighting_switch_reorders_the_ranking(region, laptop):
    server, _, collection = region
    page = laptop.new_page()
    page.goto(f"{server.url}{collection}?lang=en")
    ranking = page.locator("[data-ranking] .tally-title")
    assert ranking.first.inner_text().startswith("1. Access to childcare")
    page.get_by_role("link", name="Weighted by participants").click()
    assert ranking.first.inner_text().startswith("1. Employer support for affordable housing")
    assert (
        page.get_by_role("link", name="Weighted by participants").get_attribute("aria-current")
        == "true"
    )
    assert "weighted by each table's participants" in page.locator(".rule").inner_text()
    page.close()


def test_a_tie_is_explained_on_the_page(region, laptop):
    server, _, collection = region
    page = laptop.new_page()
    page.goto(f"{server.url}{collection}?lang=en")
    note = page.locator("[data-tie]").inner_text()
    assert "Same score (7.5%)" in note
    assert "ordered by the number of tables that gave each points (3, 2)" in note
    page.close()


# -- an export made by another server ------------------------------------------------------


@pytest.fixture(scope="module")
def other_server(tmp_path_factory):
    """A second app instance where a table met on its own facilitator's laptop."""
    server = LiveServer(tmp_path_factory.mktemp("elsewhere"))
    prepare_database(server)
    server.start()
    try:
        yield server
    finally:
        server.stop()


def run_a_table_elsewhere(server: LiveServer) -> bytes:
    """A session run on the other server: phones join and answer, the facilitator makes
    themes, the room votes; its results JSON as the results page downloads it."""
    host = Facilitator(server.url)
    session = host.start()
    host.control(session, "start", "next")
    phones = [Participant(server.url).join(session) for _ in range(3)]
    phones[0].answer(session, "worked_well", "Carpools to the training center")
    phones[1].answer(session, "worked_well", "Guardería en el colegio comunitario")
    host.make_theme(session, "Rides to training", ["Carpools to the training center"])
    host.make_theme(session, "Guardería", ["Guardería en el colegio comunitario"])
    host.control(session, "next", "next")
    host.act(session, "/vote", {"op": "open", "source": "themes"})
    phones[0].vote(session, "Guardería", "Rides to training")
    phones[1].vote(session, "Guardería")
    phones[2].vote(session, "Rides to training", "Guardería")
    return host.get(f"/facilitator/w/{session.workshop_id}/results/download/json").content


def test_importing_an_export_made_by_another_server(region, laptop, other_server, tmp_path):
    server, owner, _ = region
    collection = owner.create("Inland tables, October")
    export = tmp_path / "inland-results.json"
    export.write_bytes(run_a_table_elsewhere(other_server))
    page = laptop.new_page()
    page.goto(f"{server.url}{collection}tables?lang=en")
    page.get_by_label("Results exports (.json)").set_input_files(str(export))
    page.get_by_label("Table name (when you import one file)").fill("Inland")
    page.get_by_role("button", name="Import", exact=True).click()
    assert page.get_by_role("status").filter(has_text="Imported 1 session.").is_visible()
    assert page.get_by_label("Table name").first.input_value() == "Inland"
    # The same export again replaces it: still one table, still called Inland.
    page.get_by_label("Results exports (.json)").set_input_files(str(export))
    page.get_by_role("button", name="Import", exact=True).click()
    assert page.get_by_role("status").filter(has_text="its results were replaced").is_visible()
    assert page.get_by_role("heading", name="1 table", exact=True).is_visible()
    # A file that is not an export: a clear message by the field, nothing changed.
    not_export = tmp_path / "notes.json"
    not_export.write_text('{"title": "my notes"}')
    page.get_by_label("Results exports (.json)").set_input_files(str(not_export))
    page.get_by_role("button", name="Import", exact=True).click()
    assert page.get_by_text("notes.json is not a results export").is_visible()
    assert page.get_by_role("heading", name="1 table", exact=True).is_visible()
    shoot(page, "rollup-import-en")
    # The roll-up counts its vote (3 ranked picks): Guardería 3+3+2 = 8 of 13 points.
    page.get_by_role("link", name="Roll-up", exact=True).click()
    offplan = page.locator("section", has=page.get_by_role("heading", name="Not in the plan"))
    assert "Guardería" in offplan.inner_text() and "61.5%" in offplan.inner_text()
    page.close()


# The elements that reach past the right edge of the viewport, outermost first.
PAST_THE_EDGE = """() => {
  const width = document.documentElement.clientWidth;
  const out = [];
  document.querySelectorAll("body *").forEach((el) => {
    const box = el.getBoundingClientRect();
    const scrolled = el.closest(".matrix-scroll");  // a wide table scrolls in its own box
    if (box.width && box.right > width + 1 && !scrolled && !out.some((o) => o.contains(el))) out.push(el);
  });
  return out.map((el) => el.tagName.toLowerCase() + (el.className ? "." + el.className : "")
    + " " + Math.round(el.getBoundingClientRect().right) + "px");
}"""


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_collection_pages_fit_a_phone(region, chromium, lang):
    """A backbone staffer may open the roll-up on a phone (390 px): the page never scrolls
    sideways; a wide table scrolls inside its own box. The heat map's words for screen
    readers escaped that box and made the roll-up 1,129 px wide."""
    from browser_support import PHONE

    server, owner, collection = region
    context = chromium.new_context(**PHONE)
    context.add_cookies(owner.cookies())
    page = context.new_page()
    wide = {}
    for view in ("/facilitator/collections/", collection, collection + "tables", collection + "themes", collection + "settings"):  # fmt: skip
        page.goto(f"{server.url}{view}?lang={lang}")
        if page.evaluate("document.documentElement.scrollWidth") > 390:
            wide[view] = page.evaluate(PAST_THE_EDGE)
    screenshot(page, SCREENSHOTS / f"rollup-settings-phone-{lang}.png", full_page=True)
    page.goto(f"{server.url}{collection}?lang={lang}")
    screenshot(page, SCREENSHOTS / f"rollup-phone-{lang}.png", full_page=True)
    context.close()
    assert wide == {}
