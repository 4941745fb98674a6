"""Reviewing and accepting suggested themes while the board changes under them: a
co-facilitator deletes a theme a suggestion would add to, a phone deletes its answer, an answer
is hidden or sorted by hand before the facilitator accepts. The page always shows every
suggestion, accepting loses no answer and never undoes a newer decision.

The suggestions themselves are given (a run whose work returns them), so these tests need no
encoders; tests/test_suggestion_runs.py covers the suggester behind the click."""

from __future__ import annotations

import re
import time
from html.parser import HTMLParser
from types import SimpleNamespace

import pytest
from browser_support import SCREENSHOTS, screenshot
from room import RETRO, open_room

from workshop.themes import suggestion_runs
from workshop.themes.suggest.types import Suggestion

ANSWERS = (
    "Peer networking lunches",
    "Meeting other members over lunch",
    "Childcare during evening meetings",
    "Bus passes for members",
    "Shorter agendas",
)


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as room:
        yield room


@pytest.fixture
def world(room):
    """Two facilitators of one session; a phone gave five answers; "Networking" holds one."""
    host = room.facilitator()
    session = host.start()
    other = room.co_facilitator(session)
    phone = room.phone(session)
    host.go_to(session, RETRO)
    ids = [phone.answer(text) for text in ANSWERS]
    networking, lunch, childcare, bus, agendas = ids
    host.board(session, "create", new_title="Networking", response_ids=[str(networking)])
    (theme_id,) = room.themes(session)
    return SimpleNamespace(
        room=room, host=host, other=other, phone=phone, session=session, ids=ids,
        networking_theme=theme_id, networking=networking, lunch=lunch, childcare=childcare,
        bus=bus, agendas=agendas,
    )  # fmt: skip


def review(world, *suggestions: Suggestion) -> str:
    """The path of a finished run that suggests exactly these."""
    run = suggestion_runs.start(world.session.id, lambda progress: list(suggestions))
    deadline = time.monotonic() + 30
    path = f"/facilitator/w/{world.session.id}/board/suggest/{run.id}"
    while "<progress" in world.host.page(path) and time.monotonic() < deadline:
        time.sleep(0.05)
    return path


def suggested(world) -> tuple[Suggestion, Suggestion]:
    """Lunch into the existing Networking theme; childcare and bus as a new theme."""
    return (
        Suggestion("Networking", (world.lunch,), world.networking_theme),
        Suggestion("Getting there", (world.childcare, world.bus)),
    )


class FormReader(HTMLParser):
    """The accept form's fields as a browser would send them (ticked boxes only)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, list[str]] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag != "input" or "name" not in attrs:
            return
        if attrs.get("type") == "checkbox" and "checked" not in attrs:
            return
        self.fields.setdefault(attrs["name"], []).append(attrs.get("value") or "")


def submit(world, page: str, **changes):
    reader = FormReader()
    reader.feed(page)
    form = {**reader.fields, **changes}
    return world.host.post(f"/facilitator/w/{world.session.id}/board/accept", form)


def delete_theme(world, theme_id: int) -> None:
    assert world.other.board(world.session, f"delete:{theme_id}").status_code == 302
    assert theme_id not in world.room.themes(world.session)


def board_page(world) -> str:
    return world.host.page(f"/facilitator/w/{world.session.id}/board/")


def test_a_suggestion_for_a_theme_deleted_meanwhile_is_offered_as_a_new_theme(world):
    path = review(world, *suggested(world))
    delete_theme(world, world.networking_theme)
    reply = world.host.get(path)
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "was deleted" in page
    assert 'name="title-0" value="Networking"' in page  # a new theme, its title to edit
    assert f'name="theme-0" value="{world.networking_theme}"' not in page
    assert submit(world, page, **{"title-0": "Meeting people"}).status_code == 302
    assert [(t["title"], t["answers"]) for t in world.room.themes(world.session).values()] == [
        ("Meeting people", [world.lunch]),
        ("Getting there", sorted([world.childcare, world.bus])),
    ]


def test_a_theme_deleted_after_the_page_was_shown_becomes_a_new_theme_on_accept(world):
    page = world.host.page(review(world, *suggested(world)))
    assert "Add 1 answer to the existing theme <strong>Networking</strong>" in page
    delete_theme(world, world.networking_theme)
    assert submit(world, page).status_code == 302
    themes = world.room.themes(world.session)
    assert [(t["title"], t["answers"]) for t in themes.values()] == [
        ("Networking", [world.lunch]),  # the title it had, with the suggested answer
        ("Getting there", sorted([world.childcare, world.bus])),
    ]
    assert world.room.placement(world.session)[world.networking] is None  # as the delete left it
    assert "Accepted 2 suggested themes." in board_page(world)


def test_answers_deleted_hidden_or_sorted_meanwhile_are_shown_so_and_left_as_they_are(world):
    path = review(world, *suggested(world), Suggestion("Meetings", (world.agendas,)))
    assert world.phone.socket().emit("delete_response", {"id": world.bus})["ok"]
    assert world.other.socket(world.session).emit(
        "hide_response", {"id": world.childcare, "hidden": True}
    )["ok"]
    world.other.board(world.session, "create", new_title="Agendas", response_ids=[world.agendas])
    reply = world.host.get(path)
    assert reply.status_code == 200
    page = reply.get_data(as_text=True)
    assert "Deleted by its author since" in page
    assert "Hidden since" in page
    assert re.search(r"Shorter agendas.{0,80}Now in <strong>Agendas</strong>", page, re.S)
    assert submit(world, page).status_code == 302
    placement = world.room.placement(world.session)
    themes = {t["title"]: t["answers"] for t in world.room.themes(world.session).values()}
    assert themes["Networking"] == sorted([world.networking, world.lunch])
    assert themes["Agendas"] == [world.agendas]  # the co-facilitator's decision stands
    assert world.bus not in placement  # still deleted
    assert placement[world.childcare] is None and world.childcare in world.room.hidden(
        world.session
    )
    assert "Getting there" not in themes and "Meetings" not in themes  # nothing left to add
    page = board_page(world)
    assert "Accepted 1 suggested theme." in page
    assert "3 answers were left as they were" in page


def test_the_socket_accepts_into_a_deleted_theme_as_a_new_one_and_reports_what_it_left(world):
    socket = world.host.socket(world.session)
    delete_theme(world, world.networking_theme)
    world.phone.socket().emit("delete_response", {"id": world.bus})
    groups = [
        {"theme_id": world.networking_theme, "title": "Networking", "response_ids": [world.lunch]},
        {"title": "Getting there", "response_ids": [world.childcare, world.bus]},
        {"title": "Gone", "response_ids": [world.bus]},
    ]
    reply = socket.emit("accept_suggestions", {"groups": groups})
    assert reply["ok"], reply
    themes = world.room.themes(world.session)
    new, getting_there = reply["theme_ids"][:2]
    assert reply["theme_ids"][2] is None  # nothing of it was left to accept
    assert new != world.networking_theme
    assert themes[new]["title"] == "Networking" and themes[new]["answers"] == [world.lunch]
    assert themes[getting_there]["answers"] == [world.childcare]
    assert reply["skipped"] == [world.bus]


def test_a_deleted_theme_without_a_title_to_recreate_it_is_refused_whole(world):
    socket = world.host.socket(world.session)
    delete_theme(world, world.networking_theme)
    before = world.room.board_state(world.session)
    groups = [
        {"title": "Getting there", "response_ids": [world.childcare]},
        {"theme_id": world.networking_theme, "response_ids": [world.lunch]},
    ]
    reply = socket.emit("accept_suggestions", {"groups": groups})
    assert reply["ok"] is False and reply["code"] == "empty"
    assert world.room.board_state(world.session) == before


def test_answers_and_themes_of_another_session_are_still_refused(world, room):
    elsewhere = room.facilitator()
    other_session = elsewhere.start()
    phone = room.phone(other_session)
    elsewhere.go_to(other_session, RETRO)
    foreign_answer = phone.answer("Not in your session")
    elsewhere.board(other_session, "create", new_title="Theirs", response_ids=[foreign_answer])
    (foreign_theme,) = room.themes(other_session)
    socket = world.host.socket(world.session)
    for group in (
        {"title": "Mine", "response_ids": [foreign_answer]},
        {"theme_id": foreign_theme, "title": "Theirs", "response_ids": [world.lunch]},
    ):
        reply = socket.emit("accept_suggestions", {"groups": [group]})
        assert reply["ok"] is False and reply["code"] == "not_found", reply
    assert room.themes(other_session)[foreign_theme]["answers"] == [foreign_answer]
    assert [t["title"] for t in world.room.themes(world.session).values()] == ["Networking"]


def test_a_new_theme_never_takes_the_id_of_a_deleted_one(world):
    """Else a suggestion (or a stale board) naming the deleted theme would fill the new one."""
    delete_theme(world, world.networking_theme)
    world.host.board(world.session, "create", new_title="Someone else's", response_ids=[])
    (new_theme,) = world.room.themes(world.session)
    assert new_theme != world.networking_theme
    reply = world.host.socket(world.session).emit(
        "accept_suggestions",
        {"groups": [{"theme_id": world.networking_theme, "title": "Networking",
                     "response_ids": [world.lunch]}]},
    )  # fmt: skip
    assert reply["ok"], reply
    assert world.room.themes(world.session)[new_theme]["answers"] == []


# -- the page as a facilitator meets it ---------------------------------------------------------


def serve_through(page, actor) -> None:
    """Answer the browser's requests with this app in-process, with the actor's cookies: the
    run's suggestions exist only in this test's process."""

    def handle(route):
        request = route.request
        path = request.url.split("://", 1)[1].split("/", 1)[1]
        reply = actor.http.open(
            "/" + path, method=request.method, data=request.post_data_buffer,
            headers={"Content-Type": request.headers.get("content-type", "")},
        )  # fmt: skip
        body = reply.get_data()
        reply.close()  # a static file's handle
        route.fulfill(status=reply.status_code, headers=dict(reply.headers), body=body)

    page.route("http://workshop.test/**", handle)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_review_page_after_changes_reads_plainly_on_the_laptop(world, chromium, lang):
    path = review(world, *suggested(world), Suggestion("Meetings", (world.agendas,)))
    delete_theme(world, world.networking_theme)
    assert world.phone.socket().emit("delete_response", {"id": world.bus})["ok"]
    world.other.board(world.session, "create", new_title="Agendas", response_ids=[world.agendas])
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    serve_through(page, world.host)
    page.goto(f"http://workshop.test{path}?lang={lang}")
    gone = {"en": "was deleted since", "es": "se eliminó mientras tanto"}[lang]
    assert page.get_by_text(gone).is_visible()
    title = {"en": "Theme title", "es": "Título del tema"}[lang]
    assert page.get_by_label(title).first.input_value() == "Networking"
    screenshot(page, SCREENSHOTS / f"suggestion-review-changed-{lang}.png", full_page=True)
    context.close()
