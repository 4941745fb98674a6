"""Keyboard only, in a real browser against the real server.

A participant joins, answers a question and votes with nothing but the keyboard: Tab and
Shift+Tab to move, typing, the arrow keys in a radio group, Enter and Space to act (the
ballot's choices are buttons pressed in order). A facilitator clusters answers on the themes board the same way: selects answers with
Space, makes a new theme from them, and moves others to a theme chosen in "Move selected
answers to". Wherever focus lands it is visible: an outline at least 2 px wide with 3:1
contrast against what is around it. After the page updates itself, focus stays where it was.
"""

from __future__ import annotations

import pytest
from browser_support import PHONE, LiveServer
from test_e2e_a11y import LAPTOP, Facilitator, Participant, Session, prepare_database

pytestmark = pytest.mark.browser
MAX_TABS = 60

# The focused element, and whether a sighted keyboard user can see that it has focus.
FOCUS_JS = """
() => {
  const el = document.activeElement;
  const rgba = (value) => (value.match(/[\\d.]+/g) || []).map(Number).concat([1]).slice(0, 4);
  const luminance = ([r, g, b]) => [r, g, b].map((c) => { c /= 255; return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4); })
    .reduce((sum, c, i) => sum + c * [0.2126, 0.7152, 0.0722][i], 0);
  const around = (node) => {
    for (node = node.parentElement; node; node = node.parentElement) {
      const colour = rgba(getComputedStyle(node).backgroundColor);
      if (colour[3] > 0) { return colour; }
    }
    return [255, 255, 255, 1];
  };
  const style = getComputedStyle(el);
  const [a, b] = [luminance(rgba(style.outlineColor)), luminance(around(el))].sort((x, y) => y - x);
  return {
    element: el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + ' "' + (el.innerText || el.value || '').trim().slice(0, 40) + '"',
    focusVisible: el.matches(':focus-visible'),
    outline: style.outlineStyle + ' ' + style.outlineWidth + ' ' + style.outlineColor,
    width: style.outlineStyle === 'none' ? 0 : parseFloat(style.outlineWidth),
    contrast: (a + 0.05) / (b + 0.05),
  };
}
"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(
        tmp_path_factory.mktemp("keyboard"), env={"WORKSHOP_BROADCAST_INTERVAL": "0.2"}
    )
    prepare_database(live)
    live.start()
    yield live
    live.stop()


def is_focused(locator) -> bool:
    return locator.evaluate("(el) => el === document.activeElement")


def tab_to(page, locator, backwards: bool = False) -> None:
    """Press Tab (or Shift+Tab) until `locator` has focus, as a person would."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MAX_TABS):
        if is_focused(locator):
            return
        page.keyboard.press(key)
    raise AssertionError(
        f"{key} never reached {locator} (now on {page.evaluate(FOCUS_JS)['element']})"
    )


def expect_focus_visible(page) -> None:
    focus = page.evaluate(FOCUS_JS)
    assert focus["focusVisible"], f"focus is not :focus-visible on {focus['element']}"
    assert focus["width"] >= 2, (
        f"no visible focus outline on {focus['element']}: {focus['outline']}"
    )
    assert focus["contrast"] >= 3, f"the focus outline is too faint on {focus['element']}: {focus}"


def choose_with_arrows(page, select, label: str) -> None:
    """Arrow down through a focused select (closed, as a keyboard user leaves it) until it
    shows `label`."""
    options = select.locator("option").all_inner_texts()
    assert label in [o.strip() for o in options], f"{label!r} is not among {options}"
    for _ in range(len(options) + 1):
        if select.evaluate("(el) => el.options[el.selectedIndex].text.trim()") == label:
            return
        page.keyboard.press("ArrowDown")
    raise AssertionError(f"the arrow keys never reached {label!r}")


def test_a_participant_answers_and_votes_and_a_facilitator_clusters_with_the_keyboard(
    server, chromium
):
    facilitator = Facilitator(server.url)
    session = facilitator.start()
    facilitator.control(session, "start", "next")
    for text in ("Networking across sectors", "Sharing catalyst project updates"):
        Participant(server.url).join(session).answer(session, "worked_well", text)

    phone = chromium.new_context(**PHONE).new_page()
    join_and_answer(phone, server.url, session)

    desk = chromium.new_context(**LAPTOP)
    desk.add_cookies(facilitator.cookies())
    board = desk.new_page()
    cluster(board, server.url, session)

    facilitator.control(session, "next", "next")
    facilitator.act(session, "/vote", {"op": "open", "source": "themes"})
    vote(phone)

    phone.context.close()
    desk.close()


def join_and_answer(phone, base: str, session: Session) -> None:
    from playwright.sync_api import expect

    phone.goto(base + "/?lang=en")
    code = phone.get_by_label("Session code")
    tab_to(phone, code)
    expect_focus_visible(phone)
    phone.keyboard.type(session.code.lower())
    phone.keyboard.press("Enter")

    # The join page: the role is a radio group, chosen with the arrow keys.
    first_role = phone.get_by_role("radio").first
    tab_to(phone, first_role)
    expect_focus_visible(phone)
    member = phone.get_by_label("SRT member")
    for _ in range(4):
        if member.is_checked():
            break
        phone.keyboard.press("ArrowDown")
    expect(member).to_be_checked()
    join_button = phone.get_by_role("button", name="Join the session")
    tab_to(phone, join_button)
    expect_focus_visible(phone)
    phone.keyboard.press("Enter")
    expect(phone.get_by_role("heading", name="Retrospective Questions")).to_be_visible()

    # Answer the first question: Tab to its field, type, Tab to Send answer, Enter.
    question = phone.locator("section.prompt").first
    field = question.get_by_label("Your answer", exact=True)
    tab_to(phone, field)
    expect_focus_visible(phone)
    phone.keyboard.type("Monthly meetings built trust")
    send = question.get_by_role("button", name="Send answer")
    tab_to(phone, send)
    expect_focus_visible(phone)
    phone.keyboard.press("Enter")
    expect(question.get_by_label("Edit your answer 1")).to_have_value(
        "Monthly meetings built trust"
    )
    # The question redrew itself with the answer; focus is still on its Send answer button.
    expect(send).to_be_focused()
    expect_focus_visible(phone)


def cluster(board, base: str, session: Session) -> None:
    """Make a theme from one selected answer, a second from another, then move the
    participant's answer to the first, choosing it in "Move selected answers to"."""
    from playwright.sync_api import expect

    board.goto(f"{base}{session.console}/board/?lang=en")

    def card_box(text: str):
        return board.locator(".answer-card", has_text=text).get_by_role("checkbox")

    def theme(title: str):
        return board.locator(".theme-card", has_text=title)

    for answer, title in [
        ("Networking across sectors", "Relationships"),
        ("Sharing catalyst project updates", "Shared information"),
    ]:
        box = card_box(answer)
        tab_to(board, box)
        expect_focus_visible(board)
        board.keyboard.press("Space")
        expect(box).to_be_checked()
        new_title = board.get_by_label("or make a new theme from them:")
        tab_to(board, new_title, backwards=True)
        expect_focus_visible(board)
        board.keyboard.type(title)
        create = board.get_by_role("button", name="Create theme")
        tab_to(board, create)
        expect_focus_visible(board)
        board.keyboard.press("Enter")
        expect(theme(title)).to_contain_text(answer)
        # The board redrew itself; focus is still on the button just used.
        expect(create).to_be_focused()
        expect(card_box(answer)).not_to_be_checked()
        expect(new_title).to_have_value("")  # used up: the next theme starts from an empty box

    box = card_box("Monthly meetings built trust")
    tab_to(board, box)
    board.keyboard.press("Space")
    expect(box).to_be_checked()
    move_to = board.get_by_label("Move selected answers to")
    tab_to(board, move_to, backwards=True)
    expect_focus_visible(board)
    choose_with_arrows(board, move_to, "Relationships")
    move = board.get_by_role("button", name="Move", exact=True)
    tab_to(board, move)
    expect_focus_visible(board)
    board.keyboard.press("Enter")
    expect(theme("Relationships")).to_contain_text("Monthly meetings built trust")
    expect(theme("Relationships")).to_contain_text("Networking across sectors")
    expect(theme("Shared information")).to_contain_text("Sharing catalyst project updates")
    expect(move).to_be_focused()


def vote(phone) -> None:
    """The page follows the room to the vote; the participant ranks two themes by pressing
    their buttons in order (Enter, then Space) and sends the ballot with the keyboard."""
    from playwright.sync_api import expect

    def choice(title: str):
        return phone.locator("[data-choose]", has_text=title)

    expect(choice("Relationships")).to_be_visible(timeout=10000)
    tab_to(phone, choice("Relationships"))
    expect_focus_visible(phone)
    phone.keyboard.press("Enter")
    tab_to(phone, choice("Shared information"))
    expect_focus_visible(phone)
    phone.keyboard.press("Space")
    expect(choice("Shared information")).to_have_attribute("aria-pressed", "true")
    send = phone.get_by_role("button", name="Send my vote")
    tab_to(phone, send)
    expect_focus_visible(phone)
    phone.keyboard.press("Space")
    expect(phone.get_by_text("Your vote is in")).to_be_visible()
    expect(phone.locator("[data-vote-status] .picked li")).to_have_text(
        ["Relationships", "Shared information"]
    )
