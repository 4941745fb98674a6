"""Light on poor connections: a phone's whole first visit (the join page, joining, the live
page with its stylesheet, scripts and the Socket.IO client, and the socket's traffic) stays
within 100 KB on the wire, measured in a real browser on an emulated slow 3G network, and a
phone that comes back takes its stylesheet and scripts from its cache without asking. The byte budget is asserted (it is deterministic); the time to a usable page is
reported in docs/PERFORMANCE.md by `python -m bench page`, not asserted here. Where a venue's
network blocks WebSockets, the page stays live over Socket.IO's long-polling."""

from __future__ import annotations

import sqlite3

import pytest
from browser_support import (
    PHONE,
    live_session,
    measure_participant_pages,
)

pytestmark = pytest.mark.browser
BUDGET_BYTES = 100 * 1024


RETRO_QUESTION = "Looking back on the past year of our subregional table, what worked well?"
FORWARD_QUESTION = (
    "How can SRT activities over the next 2 years best move us toward the plan's vision?"
)


@pytest.fixture(scope="module")
def session(tmp_path_factory):
    server, code = live_session(tmp_path_factory.mktemp("light"))
    yield server, code
    server.stop()


def test_a_phones_first_visit_fits_the_byte_budget_on_slow_3g(session, chromium):
    server, code = session
    figures = measure_participant_pages(chromium, server.url, code)
    print(f"\nslow 3G visits: {figures}")
    assert figures["first visit"]["bytes"] <= BUDGET_BYTES, figures
    # Coming back: the stylesheet and scripts are fresh in the cache, not even revalidated.
    again = figures["coming back"]["by_kind"]
    assert again.get("Script", 0) == 0 and again.get("Stylesheet", 0) == 0, figures


def test_the_page_stays_live_over_long_polling_when_websockets_are_blocked(session, chromium):
    """No WebSocket in the browser (as behind a proxy that drops them): the answer is sent and
    confirmed over the socket, and the next segment arrives without a reload."""
    from playwright.sync_api import expect

    server, code = session
    context = chromium.new_context(**PHONE)
    context.add_init_script("window.WebSocket = undefined; window.MozWebSocket = undefined;")
    page = context.new_page()
    socket_requests: list[str] = []
    page.on("request", lambda r: "/socket.io/" in r.url and socket_requests.append(r.url))
    page.goto(f"{server.url}/w/{code}")
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Join the session").click()
    section = page.locator("section.prompt", has=page.get_by_role("heading", name=RETRO_QUESTION))
    expect(page.locator("[data-connection]")).to_be_hidden(timeout=10000)  # connected

    section.get_by_label("Your answer", exact=True).fill("Sent over long-polling")
    section.get_by_role("button", name="Send answer").click()
    expect(section.locator("[data-answers]")).to_contain_text("Sent over long-polling")
    expect(page.get_by_label("Edit your answer 1")).to_have_value("Sent over long-polling")
    assert (
        page.evaluate(
            "() => Object.keys(localStorage).filter(k => k.startsWith('workshop-queue') && localStorage[k] !== '[]')"
        )
        == []
    )  # confirmed, nothing left queued

    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page reloads
    server.control("next")
    expect(page.get_by_role("heading", name=FORWARD_QUESTION)).to_be_visible(timeout=10000)
    assert page.evaluate("() => window.sameDocument === true")
    assert socket_requests and all("transport=polling" in url for url in socket_requests)
    server.control("previous")
    context.close()


def stored_answers(server, code: str) -> list[tuple[str, bool]]:
    """The session's answers as stored: (text, deleted), oldest first."""
    database = next(server.instance.glob("*.sqlite"))
    with sqlite3.connect(database) as connection:
        rows = connection.execute(
            "SELECT r.text, r.deleted_at IS NOT NULL FROM response r"
            " JOIN workshop w ON w.id = r.workshop_id WHERE w.code = ? ORDER BY r.id",
            (code,),
        )
        return [(text, bool(deleted)) for text, deleted in rows]


def test_an_answer_edited_or_deleted_offline_is_kept_until_it_is_saved(session, chromium):
    """Editing or deleting a sent answer without a connection: the phone keeps the change
    (and says so) instead of leaving for the browser's "no internet" page, and sends it once
    the connection is back; the server then holds the change, once."""
    from playwright.sync_api import expect

    server, code = session
    context = chromium.new_context(**PHONE)
    page = context.new_page()
    page.goto(f"{server.url}/w/{code}")
    page.locator("input[type=radio]").first.check()
    page.get_by_role("button", name="Join the session").click()
    section = page.locator("section.prompt", has=page.get_by_role("heading", name=RETRO_QUESTION))
    expect(page.locator("[data-connection]")).to_be_hidden()  # connected
    for text in ("Site visits", "Shared calendar"):
        section.get_by_label("Your answer", exact=True).fill(text)
        section.get_by_role("button", name="Send answer").click()
        expect(section.locator("[data-answers]")).to_contain_text(text)
    before = stored_answers(server, code)
    assert before[-2:] == [("Site visits", False), ("Shared calendar", False)]

    context.set_offline(True)
    page.evaluate("() => { window.sameDocument = true; }")  # gone if the page leaves
    first, second = section.locator("[data-answers] > li").nth(0), section.locator("[data-answers] > li").nth(1)  # fmt: skip
    first.get_by_role("textbox").fill("Site visits to employers")
    first.get_by_role("button", name="Save").click()
    second.get_by_role("button", name="Delete").click()
    expect(first).to_contain_text("kept on this phone")
    expect(first.get_by_role("textbox")).to_have_value("Site visits to employers")
    expect(second).to_contain_text("Deleting")
    section.get_by_label("Your answer", exact=True).fill("A new idea, sent offline")
    section.get_by_role("button", name="Send answer").click()
    expect(section.locator("[data-counter]")).to_contain_text("0 of")  # not the sent one's count
    assert page.evaluate("() => window.sameDocument === true")
    assert stored_answers(server, code) == before  # nothing reached the server yet

    context.set_offline(False)
    expect(section.locator("[data-answers] > li")).to_have_count(2, timeout=60_000)
    expect(section.locator("[data-answers]")).not_to_contain_text("kept on this phone")
    after = stored_answers(server, code)
    assert after[-3:] == [
        ("Site visits to employers", False), ("Shared calendar", True), ("A new idea, sent offline", False)
    ]  # fmt: skip
    assert len(after) == len(before) + 1
    context.close()
