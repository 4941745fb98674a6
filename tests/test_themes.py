"""The themes board: facilitators group the room's answers into themes, over the board form
(HTTP, as with JavaScript off or from board.js) and over the facilitator socket; the room sees
titles and counts, never who wrote what."""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
from room import RETRO, open_room

NAME = "Ana Lopez"
ANSWERS = (
    "Peer networking lunches",
    "Childcare during evening meetings",
    "Bus passes for members",
    "Shorter agendas",
)
NOT_IN_PLAN = "moon-base"


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as room:
        yield room


@pytest.fixture
def world(room):
    """A session on its retrospective questions: one participant gave four answers."""
    host = room.facilitator()
    session = host.start()
    ana = room.phone(session, name=NAME)
    host.go_to(session, RETRO)
    ids = [ana.answer(text) for text in ANSWERS]
    networking, childcare, bus, agendas = ids
    return SimpleNamespace(
        room=room, host=host, session=session, ana=ana, ids=ids, networking=networking,
        childcare=childcare, bus=bus, agendas=agendas,
    )  # fmt: skip


def http_form(op: str, data: dict) -> dict:
    """The board form as a browser sends it for a socket-style operation: the submit button's
    value names the operation and its theme (`update:5`, `unlink:5@strategy`)."""
    theme = data.get("theme_id")
    form = {"op": op, "response_ids": [str(i) for i in data.get("response_ids", [])]}
    if op in ("create", "split"):
        form["new_title"] = data.get("title", "")
    if op == "move":
        form["move_to"] = "" if theme is None else str(theme)
    elif op == "merge":
        form.update(merge_into=str(theme), theme_ids=[str(i) for i in data["source_ids"]])
    elif op != "create":
        target = f"{theme}@{data['strategy_id']}" if op == "unlink" else str(theme)
        form["op"] = f"{op}:{target}"
    if op == "update":
        form[f"title-{theme}"] = data["title"]
        form[f"description-{theme}"] = data.get("description", "")
    if op == "link":
        form[f"strategy-{theme}"] = data["strategy_id"]
    return form


class Board:
    """One facilitator's hands on the board, over one transport; `do` returns the reply."""

    def __init__(self, world, transport: str):
        self.world, self.transport = world, transport
        self.socket = world.host.socket(world.session) if transport == "socket" else None

    def do(self, op: str, **data) -> dict:
        if self.socket is not None:
            return self.socket.emit("board", {"op": op, **data})
        path = f"/facilitator/w/{self.world.session.id}/board/"
        headers = {"Accept": "application/json"}
        return self.world.host.post(path, http_form(op, data), headers=headers).get_json()

    def create(self, title: str, *answers: int) -> int:
        reply = self.do("create", title=title, response_ids=list(answers))
        assert reply["ok"], reply
        return reply["theme_id"]


@pytest.fixture(params=["http", "socket"])
def board(request, world):
    return Board(world, request.param)


@pytest.fixture
def console(world):
    """The facilitator's socket, for tests about what is broadcast."""
    return Board(world, "socket")


# -- creating, renaming, deleting -------------------------------------------------------------


def test_a_new_theme_can_start_empty(world, board):
    theme_id = board.create("Networking")
    assert world.room.themes(world.session) == {
        theme_id: {"title": "Networking", "description": "", "strategies": [], "answers": []}
    }


def test_a_new_theme_takes_the_selected_answers(world, board):
    theme_id = board.create("Getting there", world.bus, world.childcare)
    placement = world.room.placement(world.session)
    assert placement == {
        world.networking: None, world.childcare: theme_id, world.bus: theme_id, world.agendas: None
    }  # fmt: skip


def test_a_theme_title_is_tidied_and_must_not_be_blank(world, board):
    board.create("  Getting   there  ")
    assert board.do("create", title="   ")["ok"] is False
    assert world.room.titles(world.session) == ["Getting there"]


def test_a_theme_is_renamed_and_described(world, board):
    theme_id = board.create("Bus", world.bus)
    reply = board.do("update", theme_id=theme_id, title="Transit", description="Getting there")
    assert reply["ok"], reply
    theme = world.room.themes(world.session)[theme_id]
    assert (theme["title"], theme["description"], theme["answers"]) == (
        "Transit", "Getting there", [world.bus]
    )  # fmt: skip


def test_renaming_to_a_blank_title_is_refused(world, board):
    theme_id = board.create("Transit", world.bus)
    before = world.room.board_state(world.session)
    reply = board.do("update", theme_id=theme_id, title=" ", description="new")
    assert reply["ok"] is False and "title" in reply["error"]
    assert world.room.board_state(world.session) == before


def test_deleting_a_theme_puts_its_answers_back_unsorted(world, board):
    kept = board.create("Networking", world.networking)
    doomed = board.create("Access", world.childcare, world.bus)
    assert board.do("link", theme_id=doomed, strategy_id="access-childcare")["ok"]
    assert board.do("delete", theme_id=doomed)["ok"]
    assert list(world.room.themes(world.session)) == [kept]
    placement = world.room.placement(world.session)
    assert sorted(placement) == sorted(world.ids)  # no answer lost
    assert placement[world.childcare] is None and placement[world.bus] is None


# -- merging and splitting --------------------------------------------------------------------


def test_merging_moves_answers_and_strategy_links_and_removes_the_sources(world, board):
    target = board.create("Access", world.childcare)
    bus = board.create("Bus", world.bus)
    agendas = board.create("Agendas", world.agendas)
    assert board.do("link", theme_id=target, strategy_id="access-childcare")["ok"]
    assert board.do("link", theme_id=bus, strategy_id="access-transportation")["ok"]
    assert board.do("merge", theme_id=target, source_ids=[bus, agendas])["ok"]
    assert world.room.themes(world.session) == {
        target: {
            "title": "Access",
            "description": "",
            "strategies": ["access-childcare", "access-transportation"],
            "answers": sorted([world.childcare, world.bus, world.agendas]),
        }
    }


def test_a_theme_cannot_be_merged_into_itself(world, board):
    target = board.create("Access", world.childcare)
    board.create("Bus", world.bus)
    before = world.room.board_state(world.session)
    assert board.do("merge", theme_id=target, source_ids=[target])["ok"] is False
    assert world.room.board_state(world.session) == before


def test_ticking_the_target_among_the_merged_themes_merges_the_others(world, board):
    target = board.create("Access", world.childcare)
    other = board.create("Bus", world.bus)
    assert board.do("merge", theme_id=target, source_ids=[other, target])["ok"]
    assert set(world.room.themes(world.session)) == {target}
    assert sorted(world.room.themes(world.session)[target]["answers"]) == sorted(
        [world.childcare, world.bus]
    )


@pytest.mark.parametrize("board", ["http", "socket"], indirect=True)
def test_splitting_moves_the_selected_answers_into_a_new_theme(world, board):
    source = board.create("Access", world.childcare, world.bus)
    reply = board.do("split", theme_id=source, response_ids=[world.bus], title="Transit")
    assert reply["ok"], reply
    themes = world.room.themes(world.session)
    assert [(t["title"], t["answers"]) for t in themes.values()] == [
        ("Access", [world.childcare]),
        ("Transit", [world.bus]),
    ]


def test_only_answers_of_that_theme_can_be_split_off(world, console):
    source = console.create("Access", world.childcare)
    before = world.room.board_state(world.session)
    reply = console.do("split", theme_id=source, response_ids=[world.bus], title="Transit")
    assert reply["ok"] is False and reply["code"] == "invalid"
    assert world.room.board_state(world.session) == before


def test_answers_selected_in_a_theme_make_a_new_theme_with_the_form(world):
    """Without JavaScript, a theme is split by selecting some of its answers and creating."""
    board = Board(world, "http")
    source = board.create("Access", world.childcare, world.bus)
    new = board.create("Transit", world.bus)
    themes = world.room.themes(world.session)
    assert themes[source]["answers"] == [world.childcare] and themes[new]["answers"] == [world.bus]


# -- moving answers ---------------------------------------------------------------------------


def test_answers_move_between_themes_and_back_to_unsorted(world, board):
    access = board.create("Access", world.childcare, world.bus)
    other = board.create("Other")
    assert board.do("move", response_ids=[world.bus, world.agendas], theme_id=other)["ok"]
    placement = world.room.placement(world.session)
    assert (placement[world.childcare], placement[world.bus], placement[world.agendas]) == (
        access, other, other
    )  # fmt: skip
    assert board.do("move", response_ids=[world.bus], theme_id=None)["ok"]
    assert world.room.placement(world.session)[world.bus] is None


def test_a_hidden_answer_cannot_be_moved_into_a_theme(world, board, console):
    theme_id = board.create("Access", world.childcare)
    assert console.socket.emit("hide_response", {"id": world.bus})["ok"]
    before = world.room.board_state(world.session)
    reply = board.do("move", response_ids=[world.bus], theme_id=theme_id)
    assert reply["ok"] is False and "hidden" in reply["error"]
    assert world.room.board_state(world.session) == before


def test_a_theme_made_from_a_hidden_answer_is_not_made_at_all(world, board, console):
    assert console.socket.emit("hide_response", {"id": world.bus})["ok"]
    reply = board.do("create", title="Transit", response_ids=[world.childcare, world.bus])
    assert reply["ok"] is False
    assert world.room.themes(world.session) == {}


def test_hiding_an_answer_takes_it_out_of_its_theme(world, console):
    theme_id = console.create("Access", world.childcare, world.bus)
    assert console.socket.emit("hide_response", {"id": world.bus})["ok"]
    assert world.room.themes(world.session)[theme_id]["answers"] == [world.childcare]
    assert world.room.placement(world.session)[world.bus] is None


def test_hiding_an_answer_updates_the_theme_counts_the_room_sees(world, console):
    theme_id = console.create("Access", world.childcare, world.bus)
    screen = world.room.screen(world.session)
    screen.events()
    assert console.socket.emit("hide_response", {"id": world.bus})["ok"]
    assert screen.last("themes")["themes"] == [
        {"id": theme_id, "title": "Access", "title_es": "", "description": "", "count": 1}
    ]


# -- strategies of the plan -------------------------------------------------------------------


def test_a_strategy_of_the_plan_is_linked_and_unlinked(world, board):
    theme_id = board.create("Childcare", world.childcare)
    assert board.do("link", theme_id=theme_id, strategy_id="access-childcare")["ok"]
    assert board.do("link", theme_id=theme_id, strategy_id="affordable-housing")["ok"]
    assert world.room.themes(world.session)[theme_id]["strategies"] == [
        "access-childcare",
        "affordable-housing",
    ]
    assert board.do("unlink", theme_id=theme_id, strategy_id="access-childcare")["ok"]
    assert world.room.themes(world.session)[theme_id]["strategies"] == ["affordable-housing"]


def test_linking_a_strategy_twice_keeps_one_link(world, board):
    theme_id = board.create("Childcare", world.childcare)
    for _ in range(2):
        assert board.do("link", theme_id=theme_id, strategy_id="access-childcare")["ok"]
    assert world.room.themes(world.session)[theme_id]["strategies"] == ["access-childcare"]


def test_a_strategy_that_is_not_in_the_plan_is_refused(world, board):
    theme_id = board.create("Childcare", world.childcare)
    before = world.room.board_state(world.session)
    reply = board.do("link", theme_id=theme_id, strategy_id=NOT_IN_PLAN)
    assert reply["ok"] is False and "no such strategy" in reply["error"]
    assert world.room.board_state(world.session) == before


def test_the_board_form_explains_a_refusal_after_the_redirect(world):
    theme_id = Board(world, "http").create("Childcare")
    form = http_form("link", {"theme_id": theme_id, "strategy_id": NOT_IN_PLAN})
    response = world.host.post(f"/facilitator/w/{world.session.id}/board/", form)
    assert response.status_code == 302
    page = world.host.page(response.headers["Location"])
    assert "Could not do that: no such strategy in this session&#39;s plan." in page
    assert world.room.themes(world.session)[theme_id]["strategies"] == []


# -- another session's ids --------------------------------------------------------------------


@pytest.fixture
def elsewhere(world):
    """Another facilitator's session with a theme and an answer of its own."""
    other = world.room.facilitator()
    session = other.start()
    phone = world.room.phone(session)
    other.go_to(session, RETRO)
    answer = phone.answer("Somewhere else")
    theme = other.socket(session).emit("board", {"op": "create", "title": "Theirs"})["theme_id"]
    return SimpleNamespace(session=session, answer=answer, theme=theme)


@pytest.mark.parametrize(
    "op, data",
    [
        ("move", lambda w, e, mine: {"response_ids": [e.answer], "theme_id": mine}),
        ("move", lambda w, e, mine: {"response_ids": [w.bus], "theme_id": e.theme}),
        ("create", lambda w, e, mine: {"title": "Mixed", "response_ids": [w.bus, e.answer]}),
        ("update", lambda w, e, mine: {"theme_id": e.theme, "title": "Mine now"}),
        ("delete", lambda w, e, mine: {"theme_id": e.theme}),
        ("merge", lambda w, e, mine: {"theme_id": mine, "source_ids": [e.theme]}),
        ("merge", lambda w, e, mine: {"theme_id": e.theme, "source_ids": [mine]}),
        ("link", lambda w, e, mine: {"theme_id": e.theme, "strategy_id": "access-childcare"}),
    ],
)
def test_ids_from_another_session_are_refused(world, elsewhere, board, op, data):
    mine = board.create("Mine", world.childcare)
    before = world.room.board_state(world.session), world.room.board_state(elsewhere.session)
    reply = board.do(op, **data(world, elsewhere, mine))
    assert reply["ok"] is False
    after = world.room.board_state(world.session), world.room.board_state(elsewhere.session)
    assert after == before


# -- malformed socket events ------------------------------------------------------------------


@pytest.mark.parametrize(
    "payload",
    [
        {"op": "explode"},
        {"op": 5},
        {},
        {"op": "create", "title": ["a list"]},
        {"op": "create", "title": "T", "response_ids": "1,2"},
        {"op": "create", "title": "T", "response_ids": [True]},
        {"op": "create", "title": "x" * 121},
        {"op": "update", "theme_id": "THEME"},
        {"op": "update", "theme_id": "THEME", "title": "T", "description": 5},
        {"op": "move", "response_ids": [], "theme_id": "THEME"},
        {"op": "move", "response_ids": ["1"], "theme_id": "THEME"},
        {"op": "move", "response_ids": [999], "theme_id": "THEME"},
        {"op": "move", "response_ids": "ANSWERS", "theme_id": "1"},
        {"op": "move", "response_ids": "ANSWERS", "theme_id": True},
        {"op": "merge", "theme_id": "THEME", "source_ids": []},
        {"op": "merge", "theme_id": "THEME", "source_ids": 7},
        {"op": "split", "theme_id": "THEME", "response_ids": "ANSWERS", "title": ""},
        {"op": "delete", "theme_id": None},
        {"op": "link", "theme_id": "THEME", "strategy_id": 12},
    ],
)
def test_malformed_board_events_get_an_error_ack_and_change_nothing(world, console, payload):
    theme_id = console.create("Access", world.childcare)
    text = json.dumps(payload).replace('"THEME"', str(theme_id))
    payload = json.loads(text.replace('"ANSWERS"', json.dumps([world.childcare, world.bus])))
    before = world.room.board_state(world.session)
    reply = console.socket.emit("board", payload)
    assert reply["ok"] is False and reply["error"]
    assert reply["code"] != "server"
    assert world.room.board_state(world.session) == before


@pytest.mark.parametrize("payload", [["op", "create"], "create", 5])
def test_a_board_event_that_is_not_one_object_is_refused(world, console, payload):
    before = world.room.board_state(world.session)
    assert console.socket.emit("board", payload) == {
        "ok": False, "error": "the event's payload must be one object", "code": "malformed"
    }  # fmt: skip
    assert world.room.board_state(world.session) == before


@pytest.mark.parametrize(
    "event, payload",
    [
        ("board", {"op": "merge", "theme_id": "THEME", "source_ids": [[1]]}),
        ("board", {"op": "unlink", "theme_id": "THEME", "strategy_id": {"id": 1}}),
        (
            "accept_suggestions",
            {"groups": [{"title": "T", "response_ids": [1], "strategy_ids": 5}]},
        ),
    ],
)
def test_wrongly_typed_nested_values_are_refused_as_malformed(world, console, event, payload):
    theme_id = console.create("Access", world.childcare)
    payload = json.loads(json.dumps(payload).replace('"THEME"', str(theme_id)))
    before = world.room.board_state(world.session)
    reply = console.socket.emit(event, payload)
    assert world.room.board_state(world.session) == before
    assert reply["ok"] is False and reply["code"] == "malformed"


# -- who may ----------------------------------------------------------------------------------


def outsiders(world) -> dict:
    """Everyone who is not a facilitator of the session, with their HTTP client."""
    stranger = world.room.facilitator()
    return {"other facilitator": stranger, "participant": world.ana, "anonymous": world.room.anonymous()}  # fmt: skip


@pytest.mark.parametrize(
    "who, status", [("other facilitator", 404), ("participant", 302), ("anonymous", 302)]
)
def test_board_pages_are_only_for_the_sessions_facilitators(world, who, status):
    actor = outsiders(world)[who]
    base = f"/facilitator/w/{world.session.id}/board"
    for path in (f"{base}/", f"{base}/fragment"):
        response = actor.get(path)
        assert response.status_code == status
        assert ANSWERS[0] not in response.get_data(as_text=True)


@pytest.mark.parametrize(
    "who, status", [("other facilitator", 404), ("participant", 302), ("anonymous", 302)]
)
def test_board_changes_are_only_for_the_sessions_facilitators(world, who, status):
    actor = outsiders(world)[who]
    base = f"/facilitator/w/{world.session.id}/board"
    create = http_form("create", {"title": "Sneaky", "response_ids": [world.bus]})
    accept = {"accept": "0", "title-0": "Sneaky", "responses-0": str(world.bus)}
    assert actor.post(f"{base}/", create).status_code == status
    assert actor.post(f"{base}/accept", accept).status_code == status
    assert world.room.themes(world.session) == {}


@pytest.mark.parametrize("who", ["other facilitator", "participant", "anonymous"])
def test_board_sockets_are_only_for_the_sessions_facilitators(world, who):
    socket = outsiders(world)[who].connect("/facilitator", f"workshop={world.session.id}")
    assert not socket.connected


def test_participants_and_screens_cannot_send_board_events(world):
    payload = {"op": "create", "title": "Sneaky", "response_ids": [world.bus]}
    for socket in (world.ana.socket(), world.room.screen(world.session)):
        reply = socket.emit("board", payload)
        assert reply["ok"] is False and reply["code"] == "unknown_event"
    assert world.room.themes(world.session) == {}


def test_a_co_facilitator_uses_the_board(world):
    co = world.room.co_facilitator(world.session)
    socket = co.socket(world.session)
    assert socket.connected
    theme_id = socket.emit("board", {"op": "create", "title": "Transit"})["theme_id"]
    assert co.board(world.session, f"delete:{theme_id}").status_code == 302
    assert world.room.themes(world.session) == {}


# -- what each audience receives --------------------------------------------------------------


def test_facilitators_receive_the_board_with_every_answers_place(world, console):
    console.socket.events()
    theme_id = console.create("Access", world.childcare, world.bus)
    assert console.socket.last("board") == {
        "themes": [
            {
                "id": theme_id,
                "title": "Access",
                "description": "",
                "count": 2,
                "strategy_ids": [],
                "title_es": "",
            }
        ],
        "assignments": {str(i): world.room.placement(world.session)[i] for i in world.ids},
    }


def test_the_room_receives_theme_titles_and_counts_only(world, console):
    phone, screen = world.ana.socket(), world.room.screen(world.session)
    phone.events(), screen.events()
    theme_id = console.create("Access", world.childcare, world.bus)
    listed = {"id": theme_id, "title": "Access", "title_es": "", "description": "", "count": 2}
    expected = {"themes": [listed]}
    for socket in (phone, screen):
        events = socket.events()
        assert events == [("themes", expected)]
        assert ANSWERS[1] not in json.dumps(events) and NAME not in json.dumps(events)


def test_the_theme_page_lists_its_visible_answers_without_names(world, console):
    theme_id = console.create("Access", world.childcare, world.bus, world.agendas)
    assert console.socket.emit("hide_response", {"id": world.agendas})["ok"]
    page = world.ana.page(f"/w/{world.session.code}/themes/{theme_id}")
    assert "Access" in page and "2 answers" in page
    assert ANSWERS[1] in page and ANSWERS[2] in page
    assert ANSWERS[3] not in page and ANSWERS[0] not in page
    assert NAME not in page and "Participant 1" not in page


def test_a_theme_of_another_session_has_no_page_here(world, elsewhere):
    response = world.ana.get(f"/w/{world.session.code}/themes/{elsewhere.theme}")
    assert response.status_code == 404
    assert "Theirs" not in response.get_data(as_text=True)


def test_the_board_page_shows_themes_the_unsorted_pile_and_hidden_answers(world, console):
    console.create("Access", world.childcare)
    assert console.socket.emit("hide_response", {"id": world.agendas})["ok"]
    page = world.host.page(f"/facilitator/w/{world.session.id}/board/")
    assert (
        "Access" in page and 'Unsorted <span class="muted" data-unsorted-count>(2)</span>' in page
    )
    assert "Hidden answers (1)" in page
    assert all(text in page for text in ANSWERS)


# -- two facilitators at once -----------------------------------------------------------------


@pytest.fixture
def pair(world):
    """The host and a co-facilitator, each with the board open on a socket."""
    co = world.room.co_facilitator(world.session)
    first, second = world.host.socket(world.session), co.socket(world.session)
    return first, second


def test_when_two_facilitators_move_the_same_answer_the_later_move_wins(world, pair):
    first, second = pair
    access = first.emit("board", {"op": "create", "title": "Access"})["theme_id"]
    transit = second.emit("board", {"op": "create", "title": "Transit"})["theme_id"]
    assert first.emit("board", {"op": "move", "response_ids": [world.bus], "theme_id": access})[
        "ok"
    ]
    assert second.emit("board", {"op": "move", "response_ids": [world.bus], "theme_id": transit})["ok"]  # fmt: skip
    assert world.room.placement(world.session)[world.bus] == transit
    final = {str(i): t for i, t in world.room.placement(world.session).items()}
    assert first.last("board")["assignments"] == final == second.last("board")["assignments"]


def test_a_theme_deleted_while_the_other_facilitator_fills_it_loses_no_answer(world, pair):
    first, second = pair
    access = first.emit("board", {"op": "create", "title": "Access"})["theme_id"]
    moved = {"op": "move", "response_ids": [world.childcare, world.bus], "theme_id": access}
    assert second.emit("board", moved)["ok"]
    assert first.emit("board", {"op": "delete", "theme_id": access})["ok"]
    assert second.emit("board", moved)["ok"] is False  # the theme is gone
    board = second.last("board")
    assert board["themes"] == [] and first.last("board") == board
    assert sorted(map(int, board["assignments"])) == sorted(world.ids)
    assert set(board["assignments"].values()) == {None}


# -- accepting suggested themes ---------------------------------------------------------------


def test_accepted_suggestions_create_exactly_what_was_kept(world, console):
    existing = console.create("Networking", world.networking)
    groups = [
        {"title": "Getting there (renamed)", "response_ids": [world.bus, world.childcare],
         "strategy_ids": ["access-transportation", "access-childcare"]},
        {"theme_id": existing, "title": "ignored", "response_ids": [world.agendas]},
    ]  # fmt: skip
    reply = console.socket.emit("accept_suggestions", {"groups": groups})
    assert reply["ok"], reply
    created = reply["theme_ids"][0]
    assert reply["theme_ids"] == [created, existing]
    assert world.room.themes(world.session) == {
        existing: {"title": "Networking", "description": "", "strategies": [],
                   "answers": sorted([world.networking, world.agendas])},
        created: {"title": "Getting there (renamed)", "description": "",
                  "strategies": ["access-childcare", "access-transportation"],
                  "answers": sorted([world.childcare, world.bus])},
    }  # fmt: skip


def test_accepted_suggestions_from_the_review_form_create_exactly_what_was_kept(world, console):
    existing = console.create("Networking", world.networking)
    form = {
        "accept": ["0", "2"],  # suggestion 1 was not kept
        "title-0": "Access", "responses-0": f"{world.childcare},{world.bus}",
        "strategies-0": ["access-childcare"],
        "title-1": "Dropped", "responses-1": str(world.agendas),
        "title-2": "Networking", "theme-2": str(existing), "responses-2": str(world.agendas),
    }  # fmt: skip
    response = world.host.post(f"/facilitator/w/{world.session.id}/board/accept", form)
    assert response.status_code == 302
    themes = world.room.themes(world.session)
    assert [(t["title"], t["strategies"], t["answers"]) for t in themes.values()] == [
        ("Networking", [], sorted([world.networking, world.agendas])),
        ("Access", ["access-childcare"], sorted([world.childcare, world.bus])),
    ]


def test_a_refused_suggestion_means_none_is_accepted(world, console):
    groups = [
        {"title": "Access", "response_ids": [world.childcare]},
        {"title": "Transit", "response_ids": [world.bus], "strategy_ids": [NOT_IN_PLAN]},
    ]
    reply = console.socket.emit("accept_suggestions", {"groups": groups})
    assert reply["ok"] is False and reply["code"] == "strategy"
    assert world.room.themes(world.session) == {}


@pytest.mark.parametrize("groups", [None, [], "Access", [5], [{"title": "Access"}]])
def test_malformed_suggestions_are_refused(world, console, groups):
    reply = console.socket.emit("accept_suggestions", {"groups": groups})
    assert reply["ok"] is False and reply["code"] == "malformed"
    assert world.room.themes(world.session) == {}
