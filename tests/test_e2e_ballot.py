"""The phone ballot in a real browser at 390×844: tap the choices in order, tap again to take
one back, the arrows to reorder, with a finger, a keyboard or a screen reader; what the
confirmation lists is what the database holds. Without JavaScript the form of selects still
votes; a dot vote still votes; when the session ends the phone keeps the room's ranking.
axe-core finds nothing on the ballot and the end screen, in English and Spanish. Pictures go
to `screenshots/ballot-*.png`.

One server, one ranked session (Thrive, five themes) and one dot vote serve the module; the
ranked session is ended by the last test.
"""

from __future__ import annotations

import re
import shutil
import sqlite3

import pytest
from browser_support import PHONE, SCREENSHOTS, LiveServer, screenshot
from conftest import AGENDA_FIXTURES, BUNDLED_AGENDAS
from test_e2e_a11y import (
    Facilitator,
    Participant,
    Session,
    describe,
    phone_checks,
    prepare_database,
    structure_violations,
    wcag_violations,
)

pytestmark = pytest.mark.browser
THEMES = {
    "Relationships": "Monthly meetings built trust",
    "Childcare": "Fund childcare near training sites",
    "Employers": "Invite employers earlier",
    "Funding": "Pool funding across counties",
    "Shared information": "A shared calendar of events",
}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("ballot")
    agendas = folder / "agendas"
    agendas.mkdir()
    shutil.copy(BUNDLED_AGENDAS / "thrive-srt-retrospective.toml", agendas)
    shutil.copy(AGENDA_FIXTURES / "dots.toml", agendas)
    live = LiveServer(
        folder / "instance",
        env={"WORKSHOP_BROADCAST_INTERVAL": "0.2", "WORKSHOP_AGENDA_DIR": str(agendas)},
    )
    prepare_database(live)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def facilitator(server):
    return Facilitator(server.url)


@pytest.fixture(scope="module")
def ranked(server, facilitator) -> Session:
    """Thrive on its vote, open on five themes (one with a description)."""
    session = facilitator.start()
    facilitator.control(session, "start", "next")
    voice = Participant(server.url).join(session)
    for text in THEMES.values():
        voice.answer(session, "worked_well", text)
    for title, text in THEMES.items():
        facilitator.make_theme(session, title, [text])
    theme = session.themes["Childcare"]
    facilitator.act(
        session,
        "/board/",
        {
            "op": f"update:{theme}",
            f"title-{theme}": "Childcare",
            f"description-{theme}": "Care for children while parents train",
        },
    )
    facilitator.control(session, "next", "next")
    facilitator.act(session, "/vote", {"op": "open", "source": "themes"})
    return session


@pytest.fixture(scope="module")
def dots(facilitator) -> Session:
    reply = facilitator.post("/facilitator/", "/facilitator/agendas/dots/start", {})
    code = re.search(r'<strong class="code">(\w+)</strong>', reply.text).group(1)
    projector = re.search(r'href="(/screen/[^"]+)"', reply.text).group(1)
    session = Session(reply.url.removeprefix(facilitator.base), code, projector)
    facilitator.control(session, "start", "next")
    facilitator.act(session, "/vote", {"op": "open", "source": "fixed"})
    return session


# -- helpers ----------------------------------------------------------------------------------


def phone(server, chromium, session: Session, role: str = "SRT member", **options):
    """A phone that has joined `session` (over HTTP, then its cookies in the browser), on
    the live page; returns (context, page, participant id)."""
    person = Participant(server.url)
    person.join(session, role=role)
    context = chromium.new_context(**PHONE, **options)
    context.add_cookies(person.cookies())
    page = context.new_page()
    page.goto(f"{server.url}/w/{session.code}")
    return context, page, newest_participant(server, session)


def database(server) -> sqlite3.Connection:
    return sqlite3.connect(server.instance / "workshop.sqlite")


def newest_participant(server, session: Session) -> int:
    with database(server) as db:
        return db.execute(
            "SELECT max(p.id) FROM participant p JOIN workshop w ON w.id = p.workshop_id"
            " WHERE w.code = ?",
            (session.code,),
        ).fetchone()[0]


def stored_ballot(server, participant_id: int) -> list[str]:
    """The titles of the participant's ballot in the latest round, in the stored rank order."""
    with database(server) as db:
        rows = db.execute(
            "SELECT c.title FROM ballot b JOIN ballot_pick p ON p.ballot_id = b.id"
            " JOIN candidate c ON c.id = p.candidate_id WHERE b.participant_id = ?"
            " AND b.round_id = (SELECT max(round_id) FROM ballot WHERE participant_id = ?)"
            " ORDER BY p.rank",
            (participant_id, participant_id),
        )
        return [title for (title,) in rows]


def choice(page, title: str):
    return page.locator(
        "[data-choose]", has=page.locator(f'[data-candidate-title]:text-is("{title}")')
    )


def ranking(page) -> list[str]:
    """The places as the page shows them, filled ones only."""
    return page.locator("[data-slot].filled [data-slot-title]").all_inner_texts()


def confirmed(page) -> list[str]:
    from playwright.sync_api import expect

    status = page.locator("[data-vote-status]")
    expect(status).to_contain_text("Your vote is in", timeout=10000)
    return status.locator(".picked li").all_inner_texts()


def shot(page, name: str) -> None:
    screenshot(page, SCREENSHOTS / f"ballot-{name}.png", full_page=True)


def axe_problems(page) -> list[str]:
    problems = []
    for kind, found in (
        ("WCAG 2.1 A and AA", wcag_violations(page)),
        ("headings, landmarks and names", structure_violations(page)),
    ):
        if found:
            problems.append(f"axe, {kind}:\n" + describe(found))
    return problems


# -- the ranked ballot ------------------------------------------------------------------------


# For each choice: whether its title starts on the line of its ring.
BESIDE_THE_RING = """() => Array.from(document.querySelectorAll(".choose"), (button) => {
  const ring = button.querySelector(".choice-place").getBoundingClientRect();
  const title = button.querySelector(".choice-title").getBoundingClientRect();
  return title.top < ring.bottom && title.left >= ring.right;
})"""


def test_a_long_choice_wraps_beside_its_ring_on_a_phone(server, chromium, ranked):
    """A title too long for one line (theme titles run to 80 characters) wraps beside its
    ring on a 390 px phone; it fell below the ring, which then stood alone on its line."""
    context, page, _ = phone(server, chromium, ranked)
    try:
        page.locator(".choice-title").first.evaluate(
            "(title) => { title.textContent = 'Comunicación y idioma para todas las familias de la región'; }"
        )
        assert page.evaluate(BESIDE_THE_RING) == [True] * len(THEMES)
    finally:
        context.close()


def test_tap_in_order_tap_again_to_clear_reorder_and_the_confirmation_is_what_is_stored(
    server, chromium, ranked
):
    from playwright.sync_api import expect

    context, page, me = phone(server, chromium, ranked)
    try:
        expect(page.get_by_role("heading", name="Your ranking")).to_be_visible()
        expect(page.get_by_label("First choice")).to_be_hidden()  # the selects give way
        choice(page, "Relationships").click()
        choice(page, "Childcare").click()
        choice(page, "Funding").click()
        assert ranking(page) == ["Relationships", "Childcare", "Funding"]
        expect(choice(page, "Childcare")).to_have_attribute("aria-pressed", "true")
        expect(choice(page, "Childcare")).to_contain_text("2nd")
        expect(page.locator("[data-announcer]")).to_have_text("Ranked 3rd: Funding")

        choice(page, "Childcare").click()  # tapped again: out, and Funding moves up
        assert ranking(page) == ["Relationships", "Funding"]
        expect(choice(page, "Childcare")).to_have_attribute("aria-pressed", "false")
        expect(choice(page, "Funding")).to_contain_text("2nd")
        choice(page, "Employers").click()
        page.get_by_role("button", name="Move Employers up").click()
        assert ranking(page) == ["Relationships", "Employers", "Funding"]
        expect(page.locator("[data-announcer]")).to_have_text("Employers is now 2nd")

        choice(page, "Shared information").click()  # three already: no fourth, no repeat
        assert ranking(page) == ["Relationships", "Employers", "Funding"]
        expect(page.locator("[data-ranker-full]")).to_be_visible()
        shot(page, "ranked-en")

        page.get_by_role("button", name="Send my vote").click()
        shown = confirmed(page)
        assert shown == ["Relationships", "Employers", "Funding"]
        assert stored_ballot(server, me) == shown
        shot(page, "confirmed-en")

        page.reload()  # the stored ballot is drawn back into the ranker
        expect(page.locator("[data-slot].filled")).to_have_count(3)
        assert ranking(page) == shown
    finally:
        context.close()


def test_the_meaning_of_a_choice_is_a_tap_away(server, chromium, ranked):
    from playwright.sync_api import expect

    context, page, _ = phone(server, chromium, ranked)
    try:
        card = page.locator(".choice", has=choice(page, "Childcare"))
        card.locator("summary").click()
        expect(card).to_contain_text("Care for children while parents train")
        expect(card.locator("[data-answers-list] li")).to_have_text(
            ["Fund childcare near training sites"]
        )
        shot(page, "meaning-en")
    finally:
        context.close()


def test_ranking_with_the_keyboard_alone(server, chromium, ranked):
    """Tab to the choices, Enter and Space to rank, the arrows' buttons to reorder (focus stays
    with the choice moved), Enter to send."""
    from playwright.sync_api import expect

    context, page, me = phone(server, chromium, ranked)
    keys = page.keyboard
    try:
        expect(page.get_by_role("heading", name="Your ranking")).to_be_visible()
        tab_to(page, "[data-choose]")  # the first choice: Relationships
        keys.press("Enter")
        tab_to(page, f'[data-choose="{choice_id(page, "Employers")}"]')
        keys.press("Space")
        expect(page.locator("[data-announcer]")).to_have_text("Ranked 2nd: Employers")
        assert ranking(page) == ["Relationships", "Employers"]

        tab_to(page, "[aria-label='Move Relationships down']", backwards=True)
        keys.press("Enter")
        assert ranking(page) == ["Employers", "Relationships"]
        focused = page.evaluate("document.activeElement.getAttribute('aria-label')")
        assert focused == "Move Relationships up"  # at the end: the other arrow, same choice
        keys.press("Enter")
        assert ranking(page) == ["Relationships", "Employers"]

        tab_to(page, "[data-ballot-form] button[type=submit]")
        keys.press("Enter")
        shown = confirmed(page)
        assert shown == ["Relationships", "Employers"] == stored_ballot(server, me)
    finally:
        context.close()


def choice_id(page, title: str) -> str:
    return choice(page, title).get_attribute("data-choose")


def tab_to(page, selector: str, backwards: bool = False, limit: int = 60) -> None:
    """Press Tab (or Shift+Tab) until the element matching `selector` has focus."""
    for _ in range(limit):
        if page.evaluate("(s) => document.activeElement.matches(s)", selector):
            return
        page.keyboard.press("Shift+Tab" if backwards else "Tab")
    raise AssertionError(f"never reached {selector} with the keyboard")


def test_without_javascript_the_selects_still_vote(server, chromium, ranked):
    from playwright.sync_api import expect

    context, page, me = phone(server, chromium, ranked, java_script_enabled=False)
    try:
        expect(page.locator("[data-ranker]")).to_be_hidden()
        page.get_by_label("First choice").select_option(label="Funding")
        page.get_by_label("Second choice").select_option(label="Childcare")
        page.get_by_role("button", name="Send my vote").click()
        status = page.locator(".confirm", has_text="Your vote is in")
        expect(status).to_be_visible()
        shown = status.locator(".picked li").all_inner_texts()
        assert shown == ["Funding", "Childcare"] == stored_ballot(server, me)
        shot(page, "no-script-en")
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_ballot_is_accessible(server, chromium, ranked, lang):
    """axe on the ballot with two choices ranked and one meaning open; 44 px targets; text
    at 200% neither clipped nor scrolled sideways."""
    from playwright.sync_api import expect

    context, page, _ = phone(server, chromium, ranked, bypass_csp=True)
    try:
        page.goto(f"{server.url}/w/{ranked.code}?lang={lang}")
        expect(page.locator("[data-ranker]")).to_be_visible()
        choice(page, "Funding").click()
        choice(page, "Relationships").click()
        card = page.locator(".choice", has=choice(page, "Childcare"))
        card.locator("summary").click()
        expect(card.locator("[data-answers-list] li")).to_have_count(1)
        shot(page, f"a11y-{lang}")
        assert page.evaluate("document.documentElement.lang") == lang
        problems = axe_problems(page) + phone_checks(page)
        shot(page, f"a11y-{lang}-text-200")
        assert not problems, f"ballot ({lang}):\n" + "\n\n".join(problems)
    finally:
        context.close()


# -- dot voting -------------------------------------------------------------------------------


def test_dot_voting_still_votes(server, chromium, dots):
    from playwright.sync_api import expect

    context, page, me = phone(server, chromium, dots, role="Member")
    try:
        page.get_by_label("Transit").check()
        page.get_by_label("Housing").check()
        page.get_by_role("button", name="Send my vote").click()
        shown = confirmed(page)
        assert sorted(shown) == ["Housing", "Transit"]
        assert sorted(stored_ballot(server, me)) == sorted(shown)
        expect(page.locator("[data-ranker]")).to_have_count(0)
        shot(page, "dots-en")
    finally:
        context.close()


# -- the end ----------------------------------------------------------------------------------


def test_the_phone_keeps_the_final_ranking_when_the_session_ends(
    server, chromium, facilitator, ranked
):
    """Ending closes the vote: the phone, on its open page, turns to "Thank you" and the room's
    ranking, the top three set apart, then the rest; axe finds nothing, in both languages."""
    from playwright.sync_api import expect

    context, page, _ = phone(server, chromium, ranked, bypass_csp=True)
    try:
        expect(page.locator("[data-ranker]")).to_be_visible()
        facilitator.control(ranked, "end")
        expect(page.get_by_role("heading", name="Thank you!")).to_be_visible(timeout=10000)
        podium = page.locator(".ranking[data-top-three] li")
        expect(podium).to_have_count(3)
        # Four ballots above: Relationships, Employers and Funding came out on top.
        expect(podium.first).to_contain_text("Relationships")
        expect(page.locator(".ranking-rest-heading + .ranking li")).to_have_count(2)
        shot(page, "ended-en")
        for lang in ("en", "es"):
            page.goto(f"{server.url}/w/{ranked.code}?lang={lang}")
            expect(page.locator(".ranking[data-top-three] li")).to_have_count(3)
            if lang == "es":
                expect(page.get_by_role("heading", name="¡Gracias!")).to_be_visible()
                shot(page, "ended-es")
            problems = axe_problems(page) + phone_checks(page)
            assert not problems, f"end screen ({lang}):\n" + "\n\n".join(problems)
    finally:
        context.close()
