"""A phone's ballot form survives the page redrawing itself, in a real browser.

The vote section is redrawn from the server whenever the vote changes for the room (here the
facilitator hides and shows the tally). A redraw that lands while a participant is choosing, or
one rendered a moment before their ballot was stored, must not wipe their choices or the
"Your vote is in" confirmation: on a phone that looks like a lost vote.
"""

from __future__ import annotations

import pytest
from browser_support import PHONE, LiveServer
from test_e2e_a11y import Facilitator, Participant, prepare_database

pytestmark = pytest.mark.browser

# Marks the vote section now on the page; a redraw replaces it with an unmarked one.
MARK = "() => { document.getElementById('vote').dataset.before = 'yes'; }"
REDRAWN = "#vote:not([data-before])"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("redraw"), env={"WORKSHOP_BROADCAST_INTERVAL": "0.2"})
    prepare_database(live)
    live.start()
    yield live
    live.stop()


def test_choices_and_the_confirmation_survive_a_redraw(server, chromium):
    from playwright.sync_api import expect

    facilitator = Facilitator(server.url)
    session = facilitator.start()
    facilitator.control(session, "start", "next")
    voice = Participant(server.url).join(session)
    for text in ("Networking across sectors", "Sharing catalyst project updates"):
        voice.answer(session, "worked_well", text)
    facilitator.make_theme(session, "Relationships", ["Networking across sectors"])
    facilitator.make_theme(session, "Shared information", ["Sharing catalyst project updates"])
    facilitator.control(session, "next", "next")
    facilitator.act(session, "/vote", {"op": "open", "source": "themes"})

    phone = chromium.new_context(**PHONE).new_page()
    phone.goto(f"{server.url}/w/{session.code}")
    phone.locator("input[type=radio]").first.check()
    phone.get_by_role("button", name="Join the session").click()
    expect(choice(phone, "Relationships")).to_be_visible(timeout=10000)
    expect(phone.locator("[data-connection]")).to_be_hidden(timeout=10000)  # connected
    round_id = phone.locator("[name=round_id]").input_value()

    def redraw(hidden: str) -> None:
        phone.evaluate(MARK)
        facilitator.act(
            session, "/vote", {"op": "hide_tally", "round_id": round_id, "hidden": hidden}
        )
        phone.locator(REDRAWN).wait_for(timeout=10000)

    # Choosing, not sent yet: the redraw keeps the choice made and the places left empty.
    choice(phone, "Shared information").click()
    redraw("1")
    assert ranking(phone) == ["Shared information"]
    expect(choice(phone, "Shared information")).to_have_attribute("aria-pressed", "true")
    expect(choice(phone, "Relationships")).to_have_attribute("aria-pressed", "false")

    # Sent and confirmed: a later redraw still shows the ballot and its confirmation.
    choice(phone, "Relationships").click()
    phone.get_by_role("button", name="Send my vote").click()
    expect(phone.get_by_text("Your vote is in")).to_be_visible()
    redraw("0")
    expect(phone.get_by_text("Your vote is in")).to_be_visible()
    expect(phone.locator("[data-vote-status] .picked li")).to_have_text(
        ["Shared information", "Relationships"]
    )
    assert ranking(phone) == ["Shared information", "Relationships"]
    expect(phone.get_by_role("button", name="Change my vote")).to_be_visible()

    # The ballot the phone shows is the one stored: a reload draws it from the server alone.
    phone.reload()
    expect(phone.locator("[data-slot].filled")).to_have_count(2)
    assert ranking(phone) == ["Shared information", "Relationships"]
    phone.context.close()


def choice(page, title: str):
    return page.locator("[data-choose]", has_text=title)


def ranking(page) -> list[str]:
    """The places the ranker shows filled, in order."""
    return page.locator("[data-slot].filled [data-slot-title]").all_inner_texts()
