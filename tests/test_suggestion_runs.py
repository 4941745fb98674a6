"""Theme suggestions from the board: the click starts a run on the suggestion worker, the page
follows its progress and then lists the suggestions to keep, rename or discard; answers are
embedded as they arrive so the click finds the work done. Uses the real encoders."""

from __future__ import annotations

import html
import re
import threading
import time

import pytest
from room import RETRO, open_room

from workshop.themes import suggestion_runs
from workshop.themes.suggest import embedding

ANSWERS = (
    "Childcare during evening meetings",
    "Childcare so parents can attend",
    "More childcare!!",
    "Bus passes for members",
    "Free transit passes to get to meetings",
    "Transportation to the meetings",
    "Peer networking lunches",
    "Networking with other organizations",
    "Meeting other members over lunch",
    "Cuidado de niños durante las reuniones",
)


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path, SUGGEST_AHEAD=True) as room:
        yield room


@pytest.fixture
def world(room):
    host = room.facilitator()
    session = host.start()
    phones = [room.phone(session) for _ in range(len(ANSWERS) // 2)]
    host.go_to(session, RETRO)
    ids = [phones[n // 2].answer(text) for n, text in enumerate(ANSWERS)]
    return host, session, ids


def follow(host, session, reply, timeout: float = 120) -> str:
    """Follow the run's page as the browser does (its script asks again) until it is done."""
    assert reply.status_code == 302
    path = reply.headers["Location"]
    assert re.search(rf"/facilitator/w/{session.id}/board/suggest/[\w-]+$", path)
    return follow_path(host, path, timeout)


def follow_path(host, path: str, timeout: float = 120) -> str:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = host.get(path)
        if page.status_code == 302:
            return page.headers["Location"]
        text = page.get_data(as_text=True)
        if "<progress" not in text:
            return text
        assert re.search(r'<script src="/static/js/progress\.\w+\.js" defer>', text)
        time.sleep(0.2)
    raise AssertionError("the suggestions did not finish")


def ask(host, session, **form):
    return host.post(f"/facilitator/w/{session.id}/board/suggest", form)


def test_the_click_leads_to_suggestions_covering_every_unsorted_answer(world):
    host, session, ids = world
    page = follow(host, session, ask(host, session))
    assert "Keep this suggestion" in page
    listed = [
        int(i)
        for v in re.findall(r'name="responses-\d+" value="([\d,]+)"', page)
        for i in v.split(",")
    ]
    assert sorted(listed) == sorted(ids)  # every unsorted answer, each in one suggestion
    for text in ANSWERS:
        assert text.replace("!", "") in page.replace("!", "")


def test_a_number_of_themes_can_be_asked_for(world):
    host, session, _ = world
    page = follow(host, session, ask(host, session, themes="3"))
    titles = re.findall(r'name="title-\d+" value="([^"]*)"', page)
    assert 3 <= len(titles) <= 4  # three groups, and "Other" when something fits none


def test_kept_suggestions_become_themes(world, room):
    host, session, ids = world
    page = follow(host, session, ask(host, session, themes="3"))
    groups = re.findall(r'name="responses-(\d+)" value="([\d,]+)"', page)
    index, members = groups[0]
    form = {"accept": [index], f"title-{index}": "Kept theme", f"responses-{index}": members}
    reply = host.post(f"/facilitator/w/{session.id}/board/accept", form)
    assert reply.status_code == 302
    placement = room.placement(session)
    theme_ids = {placement[int(i)] for i in members.split(",")}
    assert len(theme_ids) == 1 and None not in theme_ids
    assert room.titles(session) == ["Kept theme"]
    assert sum(1 for i in ids if placement[i] is None) == len(ids) - len(members.split(","))


def test_another_facilitator_cannot_follow_the_run(world, room):
    host, session, _ = world
    reply = ask(host, session)
    other = room.facilitator()
    assert other.get(reply.headers["Location"]).status_code in (403, 404)
    follow(host, session, reply)


def test_a_run_of_another_session_or_a_lost_one_says_to_ask_again(world):
    host, session, _ = world
    reply = host.get(f"/facilitator/w/{session.id}/board/suggest/no-such-run")
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/board/")
    assert "Ask again" in host.page(f"/facilitator/w/{session.id}/board/")


def test_the_page_shows_progress_until_the_run_is_done(world):
    host, session, _ = world
    release = threading.Event()

    def compute(progress):
        progress(0.4, "grouping")
        release.wait(30)
        return []

    run = suggestion_runs.start(session.id, compute)
    path = f"/facilitator/w/{session.id}/board/suggest/{run.id}"
    deadline = time.monotonic() + 30
    while run.fraction < 0.4 and time.monotonic() < deadline:
        time.sleep(0.05)
    page = host.page(path)
    assert '<progress id="suggest-progress" data-progress max="100" value="40">' in page
    # The page holds still (no refresh every second: WCAG 2.2.1); its script asks how far.
    assert 'http-equiv="refresh"' not in page
    asked = host.get(path, headers={"Accept": "application/json"})
    assert asked.get_json() == {"done": False, "percent": 40, "words": "40% done"}
    assert suggestion_runs.start(session.id, compute) is run  # a second click joins it
    release.set()
    assert "No suggestions" in follow_path(host, path)
    asked = host.get(path, headers={"Accept": "application/json"})
    assert asked.get_json() == {"done": True}  # the script reloads: the suggestions show


def test_nothing_unsorted_is_said_plainly(world, room):
    host, session, ids = world
    host.board(session, "create", new_title="Everything", response_ids=[str(i) for i in ids])
    reply = ask(host, session)
    assert reply.status_code == 302 and reply.headers["Location"].endswith("/board/")
    assert "Every answer is already in a theme" in host.page(f"/facilitator/w/{session.id}/board/")


def test_once_the_board_is_open_answers_are_embedded_as_they_arrive(world, room):
    """Opening the board embeds the session's answers on the worker, and each later answer
    shortly after it is stored (SUGGEST_AHEAD); answers of sessions whose board nobody
    opened are left alone."""
    host, session, _ = world
    other = host.start()
    stranger = room.phone(other)
    host.go_to(other, RETRO)
    stranger.answer("An answer in a session whose board stays closed")
    assert host.get(f"/facilitator/w/{session.id}/board/").status_code == 200
    phone = room.phone(session)
    phone.answer("Arrived after the board was opened")
    wanted = set(embedding_keys([*ANSWERS, "Arrived after the board was opened"]))
    wait_for(lambda: wanted <= set(embedding._cache))
    unwanted = embedding_keys(["An answer in a session whose board stays closed"])[0]
    assert unwanted not in embedding._cache


def test_a_click_does_not_wait_for_the_answers_still_to_be_embedded_ahead(world):
    """Embedding ahead goes in small steps with rests between them, so it never holds the
    worker long: work a facilitator waits for (a click) goes before the steps left, and
    those are taken up again with the next answers to arrive."""
    backlog = [f"Answer {n} of a full room about childcare and transit" for n in range(400)]
    suggestion_runs.warm(backlog)
    keys = set(embedding_keys(backlog))
    embedded_when_served = suggestion_runs.call(
        lambda: len(keys & set(embedding._cache)), timeout=60
    )
    assert embedded_when_served < len(backlog)
    suggestion_runs.warm(["One more answer arrives"])
    wait_for(lambda: keys <= set(embedding._cache))


def wait_for(condition, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not condition():
        time.sleep(0.2)
    assert condition()


def embedding_keys(texts):
    from workshop.themes.suggest import engine

    return engine.prepare_texts(list(texts), {})


def test_the_board_offers_each_theme_its_closest_strategy_to_link_in_one_click(world, room):
    host, session, ids = world
    board = f"/facilitator/w/{session.id}/board/"
    host.get(board)  # opening the board loads the encoders on the worker
    wait_for(suggestion_runs.encoders_ready)
    childcare = [str(i) for i in ids[:3]]
    host.board(session, "create", new_title="Childcare", response_ids=childcare)
    page = host.page(board)
    offered = re.search(r"Closest plan strategy: ([^(]+) \(", page)
    assert offered and offered.group(1).strip() == "Access to childcare"
    assert "Closest to this theme" in page  # also first in the theme's strategy list
    button = re.search(r'name="op" value="(link:\d+@[\w-]+)"', page).group(1)
    assert host.board(session, button).status_code == 302
    (theme,) = room.themes(session).values()
    assert theme["strategies"] == ["access-childcare"]
    assert "Closest plan strategy: Access to childcare" not in host.page(board)  # linked now


ROOM_ANSWERS = (
    "Advocate for bus routes that reach the warehouses",
    "Bus passes for people starting a new job",
    "Night bus service for second shift workers",
    "Free transit passes to get to the meetings",
    "Transporte público que llegue a las zonas industriales",
    "Childcare during evening meetings",
    "Affordable daycare near where people work",
    "Infant care waitlists are way too long",
    "Peer networking lunches",
    "Networking with other organizations",
    "Meeting other members over lunch",
    "Start and end the meetings on time",
    "Send the agenda a week ahead",
)


def review_offers(page: str) -> dict[str, dict[str, str]]:
    """On the review page: per suggested new theme (its title), the plan strategies offered
    with it, as {strategy id: percent shown}."""
    offers = {}
    for block in page.split('<fieldset class="card suggestion">')[1:]:
        title = re.search(r'name="title-\d+" value="([^"]*)"', block)
        if title is None:
            continue  # an addition to an existing theme
        offers[html.unescape(title.group(1))] = dict(
            re.findall(
                r'name="strategies-\d+" value="([\w-]+)"[^>]*>[^<]*<span class="muted">\(([\d.,]+)\s?%',
                block,
            )
        )
    return offers


def board_offers(page: str, titles: dict[int, str]) -> dict[str, dict[str, str]]:
    """On the board: per theme (its title), the strategies offered in its "Closest to this
    theme" list, as {strategy id: percent shown}."""
    offers = {}
    for theme_id, title in titles.items():
        section = page.split(f'data-theme-id="{theme_id}"', 1)[1].split("</section>", 1)[0]
        closest = re.search(r'<optgroup label="Closest to this theme">(.*?)</optgroup>', section)
        options = (
            re.findall(r'<option value="([\w-]+)">[^<]*\(([\d.,]+)\s?%', closest.group(1))
            if closest
            else []
        )
        offers[title] = dict(options)
    return offers


def suggested_room(room):
    """A session whose phones gave ROOM_ANSWERS, its board opened, suggestions asked for:
    (facilitator, session, the review page's path)."""
    host = room.facilitator()
    session = host.start()
    phones = [room.phone(session) for _ in range(5)]
    host.go_to(session, RETRO)
    for n, text in enumerate(ROOM_ANSWERS):
        phones[n % len(phones)].answer(text)
    host.get(f"/facilitator/w/{session.id}/board/")  # loads the encoders, embeds ahead
    wait_for(suggestion_runs.encoders_ready)
    reply = ask(host, session)
    follow(host, session, reply)
    return host, session, reply.headers["Location"]


def test_the_review_page_offers_the_plan_matches_the_board_offers_afterwards(room):
    """One rule for both pages: each suggested theme is offered the strategies the board's
    link hints offer once it is accepted under that title (the reported case: a bus group
    offered nothing on the review page, and "Access to transportation (52%)" on the board)."""
    host, session, path = suggested_room(room)
    board = f"/facilitator/w/{session.id}/board/"
    page = host.page(path)
    offered = review_offers(page)
    assert "access-transportation" in {s for offer in offered.values() for s in offer}
    groups = re.findall(r'name="responses-(\d+)" value="([\d,]+)"', page)
    titles = dict(re.findall(r'name="title-(\d+)" value="([^"]*)"', page))
    form = {"accept": [index for index, _ in groups if index in titles]}
    for index, members in groups:
        form |= {
            f"title-{index}": html.unescape(titles.get(index, "")),
            f"responses-{index}": members,
        }
    assert host.post(f"/facilitator/w/{session.id}/board/accept", form).status_code == 302
    themes = {theme_id: theme["title"] for theme_id, theme in room.themes(session).items()}
    assert sorted(themes.values()) == sorted(offered)

    def board_agrees() -> bool:  # a busy worker leaves hints out of one page, never wrong
        return board_offers(host.page(board), themes) == offered

    wait_for(board_agrees, timeout=60)


@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "es"])
def test_the_review_page_reads_plainly_on_the_laptop(room, chromium, lang):
    from browser_support import SCREENSHOTS, screenshot
    from test_suggestion_review import serve_through

    host, _, path = suggested_room(room)
    context = chromium.new_context(viewport={"width": 1366, "height": 768})
    page = context.new_page()
    serve_through(page, host)
    page.goto(f"http://workshop.test{path}?lang={lang}")
    label = {"en": "Theme title", "es": "Título del tema"}[lang]
    titles = [field.input_value() for field in page.get_by_label(label).all()]
    assert "Access to transportation" in titles
    assert not [title for title in titles if "&" in title]
    matches = {"en": "Matches the plan:", "es": "Coincide con el plan:"}[lang]
    assert page.get_by_text(matches).first.is_visible()
    screenshot(page, SCREENSHOTS / f"suggestion-review-{lang}.png", full_page=True)
    context.close()


def test_a_process_that_did_not_run_the_suggestions_reads_them_from_the_database(world):
    """Behind several processes the run's page may reach one that never had the run in its
    memory: it reads the run's row (tests/test_scaleout.py does it with two processes)."""
    host, session, _ = world
    reply = ask(host, session)
    path = reply.headers["Location"]
    here = follow(host, session, reply)
    with suggestion_runs._runs_lock:
        suggestion_runs._runs.clear()  # what another process has of the run: its row only
    there = follow_path(host, path)  # its row says done within PUBLISH_EVERY
    found = r'name="(?:responses|title)-\d+" value="([^"]*)"'
    assert "Keep this suggestion" in there
    assert re.findall(found, there) == re.findall(found, here)


def test_a_run_whose_process_stopped_says_to_ask_again(world, room):
    """A run's process writes a heartbeat; without one for a while the run reads as failed
    (its process stopped) instead of leaving the page waiting for ever."""
    from datetime import timedelta

    from workshop import clock
    from workshop.extensions import db
    from workshop.models import SuggestionRunRecord

    host, session, _ = world
    long_ago = clock.now() - timedelta(minutes=5)
    with room.app.app_context():
        db.session.add(
            SuggestionRunRecord(
                id="stopped", owner=str(session.id), fraction=0.3, message="",
                started_at=long_ago, updated_at=long_ago,
            )
        )  # fmt: skip
        db.session.commit()
    path = f"/facilitator/w/{session.id}/board/suggest/stopped"
    assert host.get(path, headers={"Accept": "application/json"}).get_json() == {"done": True}
    reply = host.get(path)
    assert reply.status_code == 302
    board = host.page(reply.headers["Location"])
    assert "The server that was making these suggestions stopped. Ask again." in board
    other = f"/facilitator/w/{session.id + 1}/board/suggest/stopped"  # not this session's run
    assert host.get(other).status_code == 404
