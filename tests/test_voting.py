"""Top-N voting: facilitators open, close, reopen and run off votes (console form and socket);
phones cast ranked or dot ballots (form and socket); the projector shows the tally unless it
is hidden; every refusal says why and stores nothing."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from conftest import BUNDLED_AGENDAS
from room import DOTS, RETRO, THRIVE, VOTE, new_client_id, open_room
from sqlalchemy import event
from sqlalchemy.orm import Session

from workshop import clock, voting
from workshop.agenda.library import read_agenda_file
from workshop.extensions import db

NAME = "Ana Lopez"
TITLES = ("Networking", "Childcare", "Transit", "Housing")


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as room:
        yield room


def make_themes(console, titles=TITLES) -> dict[str, int]:
    return {t: console.emit("board", {"op": "create", "title": t})["theme_id"] for t in titles}


@pytest.fixture
def world(room):
    """The Thrive session on its vote segment (3 ranked picks) with four themes; two phones
    joined, each with a socket; the host's console socket."""
    host = room.facilitator()
    session = host.start()
    ana, bo = room.phone(session, name=NAME), room.phone(session)
    host.go_to(session, VOTE)
    console = host.socket(session)
    return SimpleNamespace(
        room=room, host=host, session=session, console=console, themes=make_themes(console),
        ana=ana, bo=bo, ana_socket=ana.socket(), bo_socket=bo.socket(),
    )  # fmt: skip


@pytest.fixture
def opened(world):
    """A vote open on all four themes; `c` maps titles to candidate ids."""
    reply = world.console.emit("vote", {"op": "open"})
    assert reply["ok"], reply
    world.round_id = reply["round_id"]
    world.c = world.room.rounds(world.session)[-1]["candidates"]
    return world


def cast(socket, round_id: int, *picks: int, client_id: str | None = None) -> dict:
    ballot = {"round_id": round_id, "picks": list(picks), "client_id": client_id or new_client_id()}
    return socket.emit("ballot", ballot)


def vote_op(world, op: str, **data) -> dict:
    return world.console.emit("vote", {"op": op, **data})


def results(payload) -> list[tuple[str, int, int, bool]]:
    return [(r["title"], r["points"], r["rank"], r["tied"]) for r in payload]


# -- opening ----------------------------------------------------------------------------------


def test_a_vote_opens_on_all_themes_and_everyone_is_told(world):
    phone, screen = world.ana_socket, world.room.screen(world.session)
    phone.events(), screen.events()
    assert vote_op(world, "open")["ok"]
    (stored,) = world.room.rounds(world.session)
    assert list(stored["candidates"]) == list(TITLES)
    assert (stored["is_open"], stored["picks"], stored["ranked"]) == (True, 3, True)
    for socket in (phone, screen, world.console):
        candidates = socket.last("vote")["round"]["candidates"]
        assert [c["title"] for c in candidates] == list(TITLES)


def test_the_console_opens_a_vote_on_chosen_themes(world):
    chosen = [str(world.themes["Transit"]), str(world.themes["Childcare"])]
    response = world.host.vote(world.session, "open", source="chosen", theme_ids=chosen)
    assert response.status_code == 302
    assert list(world.room.rounds(world.session)[0]["candidates"]) == ["Childcare", "Transit"]


def test_a_vote_opens_on_the_plans_strategies(world):
    assert world.host.vote(world.session, "open", source="strategies").status_code == 302
    agenda = read_agenda_file(BUNDLED_AGENDAS / f"{THRIVE}.toml")
    names = [s.name for f in agenda.frameworks for s in f.strategies()]
    candidates = list(world.room.rounds(world.session)[0]["candidates"])
    assert candidates == names and "Access to childcare" in candidates


def test_voting_opens_only_in_a_vote_segment(room):
    host = room.facilitator()
    session = host.start()
    host.go_to(session, RETRO)
    console = host.socket(session)
    make_themes(console)
    reply = console.emit("vote", {"op": "open"})
    assert reply == {
        "ok": False, "error": "open voting during a vote segment of the agenda", "code": "state"
    }  # fmt: skip
    assert room.rounds(session) == []


def test_a_vote_with_nothing_to_vote_on_is_refused_clearly(room):
    host = room.facilitator()
    session = host.start()
    host.go_to(session, VOTE)
    reply = host.socket(session).emit("vote", {"op": "open"})
    assert reply["ok"] is False and reply["code"] == "no_candidates"
    response = host.vote(session, "open", source="themes")
    page = host.page(response.headers["Location"])
    assert "Could not do that: there is nothing to vote on yet: make some themes first." in page
    assert room.rounds(session) == []


def test_a_second_vote_cannot_open_while_one_is_open(opened):
    reply = vote_op(opened, "open")
    assert reply["ok"] is False and "already open" in reply["error"]
    assert len(opened.room.rounds(opened.session)) == 1


@pytest.mark.parametrize(
    "data, code",
    [
        ({"theme_ids": [999]}, "not_found"),
        ({"theme_ids": "1,2"}, "malformed"),
        ({"theme_ids": [True]}, "malformed"),
        ({"source": "everything"}, "invalid"),
        ({"source": "fixed"}, "invalid"),  # the Thrive vote has no fixed list
    ],
)
def test_a_vote_on_unknown_candidates_is_refused(world, data, code):
    reply = vote_op(world, "open", **data)
    assert reply["ok"] is False and reply["code"] == code
    assert world.room.rounds(world.session) == []


def test_a_vote_on_another_sessions_themes_is_refused(world):
    other = world.room.facilitator()
    theirs = make_themes(other.socket(other.start()), ["Theirs"])["Theirs"]
    reply = vote_op(world, "open", theme_ids=[world.themes["Transit"], theirs])
    assert reply["ok"] is False and reply["code"] == "not_found"
    assert world.room.rounds(world.session) == []


# -- casting ranked ballots -------------------------------------------------------------------


def test_a_ranked_ballot_from_the_phone_form_is_stored_in_order(opened):
    c = opened.c
    response = opened.ana.ballot(opened.round_id, c["Transit"], c["Networking"], c["Childcare"])
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/w/{opened.session.code}?voted=1#vote")
    (stored,) = opened.room.ballots(opened.round_id)
    assert stored["participant_id"] == opened.ana.participant_id
    assert stored["picks"] == [c["Transit"], c["Networking"], c["Childcare"]]


def test_blank_later_choices_on_the_form_are_left_out(opened):
    c = opened.c
    response = opened.ana.ballot(opened.round_id, c["Housing"], **{"pick-2": "", "pick-3": ""})
    assert response.status_code == 302
    assert opened.room.ballots(opened.round_id)[0]["picks"] == [c["Housing"]]


def test_a_ballot_is_acknowledged_once_it_is_stored(opened):
    c = opened.c
    reply = cast(opened.ana_socket, opened.round_id, c["Childcare"], c["Transit"], client_id="ana-ballot-1")  # fmt: skip
    assert reply == {
        "ok": True,
        "ballot": {"round_id": opened.round_id, "picks": [c["Childcare"], c["Transit"]], "client_id": "ana-ballot-1"},
        "duplicate": False,
    }  # fmt: skip
    assert opened.room.ballots(opened.round_id) == [
        {"participant_id": opened.ana.participant_id, "client_id": "ana-ballot-1",
         "picks": [c["Childcare"], c["Transit"]]}
    ]  # fmt: skip


def shown(html: str) -> str:
    """The page without its initial-state data, which holds the script's own wording."""
    return re.sub(r'<script type="application/json".*?</script>', "", html, flags=re.S)


def test_the_phone_says_your_vote_is_in_only_after_a_stored_ballot(opened):
    assert "Your vote is in" not in shown(opened.ana.live("voted=1"))
    refused = opened.ana.ballot(opened.round_id, opened.c["Transit"], opened.c["Transit"])
    assert refused.status_code == 400
    assert "Your vote is in" not in shown(refused.get_data(as_text=True))
    assert "Your vote is in" not in shown(opened.ana.live("voted=1"))
    response = opened.ana.ballot(opened.round_id, opened.c["Transit"])
    assert "Your vote is in" in shown(opened.ana.page(response.headers["Location"]))


def test_a_phone_page_shows_a_choice_list_per_rank_with_the_current_ballot(opened):
    assert cast(opened.ana_socket, opened.round_id, opened.c["Housing"])["ok"]
    page = opened.ana.live()
    assert all(f'name="pick-{n}"' in page for n in (1, 2, 3)) and 'name="pick-4"' not in page
    assert f'<option value="{opened.c["Housing"]}" selected>' in page
    assert "Change my vote" in page


# -- changing and resending -------------------------------------------------------------------


def test_a_changed_ballot_replaces_the_earlier_one(opened):
    c = opened.c
    assert cast(opened.ana_socket, opened.round_id, c["Transit"], c["Housing"])["ok"]
    assert opened.ana.ballot(opened.round_id, c["Networking"]).status_code == 302
    assert cast(opened.ana_socket, opened.round_id, c["Childcare"], c["Networking"])["ok"]
    stored = opened.room.ballots(opened.round_id)
    assert [b["picks"] for b in stored] == [[c["Childcare"], c["Networking"]]]
    tally = opened.console.payloads("tally")[-1]
    assert tally["ballots"] == 1
    assert results(tally["rows"])[:2] == [("Childcare", 3, 1, False), ("Networking", 2, 2, False)]


def test_a_resent_ballot_is_a_duplicate_and_changes_nothing(opened):
    c = opened.c
    first = cast(opened.ana_socket, opened.round_id, c["Transit"], client_id="ana-ballot-1")
    opened.console.events()
    resent = cast(opened.ana_socket, opened.round_id, c["Transit"], client_id="ana-ballot-1")
    assert resent == {**first, "duplicate": True}
    assert len(opened.room.ballots(opened.round_id)) == 1
    assert opened.console.payloads("tally") == []  # nothing new to count


def test_a_resend_after_the_vote_closed_is_still_acknowledged_as_a_duplicate(opened):
    first = cast(opened.ana_socket, opened.round_id, opened.c["Transit"], client_id="ana-ballot-1")
    assert vote_op(opened, "close", round_id=opened.round_id)["ok"]
    resent = cast(opened.ana_socket, opened.round_id, opened.c["Transit"], client_id="ana-ballot-1")
    assert resent == {**first, "duplicate": True}


def test_a_late_resend_of_an_earlier_ballot_does_not_undo_a_change(opened):
    c = opened.c
    assert cast(opened.ana_socket, opened.round_id, c["Transit"], client_id="ana-ballot-1")["ok"]
    assert cast(opened.ana_socket, opened.round_id, c["Housing"], client_id="ana-ballot-2")["ok"]
    late = cast(opened.ana_socket, opened.round_id, c["Transit"], client_id="ana-ballot-1")
    assert opened.room.ballots(opened.round_id)[0]["picks"] == [c["Housing"]]
    assert late["duplicate"] is True


def test_a_ballot_racing_one_from_the_same_phones_other_tab_replaces_it(opened):
    """Another tab of the same phone stores its ballot between this ballot's check for an
    earlier one and its insert: the database refuses the second row, and the ballot is stored
    as a change of the first, acknowledged once, counted once."""
    c, app = opened.c, opened.room.app
    participant_id = opened.ana.participant_id
    raced = []

    def other_tab_first(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO ballot ") and not raced:
            raced.append(True)
            with Session(db.engine) as other_tab:
                voting.cast_ballot(
                    other_tab, opened.session.id, participant_id, opened.round_id,
                    [c["Transit"]], "ana-other-tab", clock.now(),
                )  # fmt: skip
                other_tab.commit()

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", other_tab_first)
        try:
            reply = cast(opened.ana_socket, opened.round_id, c["Housing"], client_id="ana-this-tab")
        finally:
            event.remove(db.engine, "before_cursor_execute", other_tab_first)
    assert raced and reply["ok"] and reply["duplicate"] is False, reply
    (stored,) = opened.room.ballots(opened.round_id)
    assert (stored["picks"], stored["client_id"]) == ([c["Housing"]], "ana-this-tab")
    assert cast(opened.ana_socket, opened.round_id, c["Transit"], client_id="ana-other-tab")[
        "duplicate"
    ]  # the other tab's resend is recognised and undoes nothing
    assert opened.room.ballots(opened.round_id)[0]["picks"] == [c["Housing"]]


# -- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "picks, client_id, code, message",
    [
        ([999], None, "not_found", "that is not one of the choices in this vote"),
        (["Transit", "Childcare", "Housing", "Networking"], None, "too_many", "pick at most 3"),
        (["Transit", "Transit"], None, "repeated", "pick each one only once"),
        ([], None, "empty", "pick at least one"),
        ("Transit", None, "malformed", "a ballot is a list of candidate numbers"),
        ([True], None, "malformed", "a ballot is a list of candidate numbers"),
        (["Transit"], "short", "client_id", "missing or malformed client id"),
        (["Transit"], "has spaces in it", "client_id", "missing or malformed client id"),
        (["Transit"], "x" * 65, "client_id", "missing or malformed client id"),
        (["Transit"], 12345678, "client_id", "missing or malformed client id"),
    ],
)
def test_a_refused_ballot_says_why_and_stores_nothing(opened, picks, client_id, code, message):
    assert cast(opened.ana_socket, opened.round_id, opened.c["Housing"], client_id="ana-ballot-0")["ok"]  # fmt: skip
    before = opened.room.vote_state(opened.session)
    picks = [opened.c.get(p, p) for p in picks] if isinstance(picks, list) else picks
    ballot = {
        "round_id": opened.round_id,
        "picks": picks,
        "client_id": client_id or new_client_id(),
    }
    assert opened.ana_socket.emit("ballot", ballot) == {"ok": False, "error": message, "code": code}
    assert opened.room.vote_state(opened.session) == before


@pytest.mark.parametrize(
    "picks, message",
    [
        (("Transit", "Childcare", "Housing", "Networking"), "pick at most 3"),
        (("Transit", "Transit"), "pick each one only once"),
        ((), "pick at least one"),
    ],
)
def test_a_refused_ballot_form_says_why_and_stores_nothing(opened, picks, message):
    response = opened.ana.ballot(opened.round_id, *(opened.c[p] for p in picks))
    assert response.status_code == 400
    assert f"Your vote was not saved: {message}." in response.get_data(as_text=True)
    assert opened.room.ballots(opened.round_id) == []


def test_a_candidate_of_an_earlier_round_is_not_one_of_the_choices(opened):
    earlier = opened.c["Transit"]
    assert vote_op(opened, "close", round_id=opened.round_id)["ok"]
    runoff = vote_op(opened, "runoff", top=2)["round_id"]
    reply = cast(opened.ana_socket, runoff, earlier)
    assert reply["ok"] is False and reply["code"] == "not_found"
    assert opened.room.ballots(runoff) == []


def test_a_ballot_after_the_vote_closed_is_refused(opened):
    assert vote_op(opened, "close", round_id=opened.round_id)["ok"]
    reply = cast(opened.ana_socket, opened.round_id, opened.c["Transit"])
    assert reply == {"ok": False, "error": "voting is closed", "code": "closed"}
    response = opened.ana.ballot(opened.round_id, opened.c["Transit"])
    assert response.status_code == 400
    assert "Your vote was not saved: voting is closed." in response.get_data(as_text=True)
    assert opened.room.ballots(opened.round_id) == []


def test_a_ballot_for_another_sessions_vote_is_refused(opened):
    other = opened.room.facilitator()
    theirs = other.start()
    outsider = opened.room.phone(theirs)
    other.go_to(theirs, VOTE)
    console = other.socket(theirs)
    make_themes(console, ["Theirs"])
    their_round = console.emit("vote", {"op": "open"})["round_id"]
    their_candidate = opened.room.rounds(theirs)[0]["candidates"]["Theirs"]
    reply = cast(opened.ana_socket, their_round, their_candidate)
    assert reply == {"ok": False, "error": "no such vote", "code": "not_found"}
    assert outsider.ballot(opened.round_id, opened.c["Transit"]).status_code == 400
    assert opened.room.ballots(their_round) == opened.room.ballots(opened.round_id) == []


def test_a_ballot_needs_a_joined_participant(opened):
    stranger = opened.room.anonymous()
    data = {"round_id": str(opened.round_id), "pick-1": str(opened.c["Transit"]), "client_id": new_client_id()}  # fmt: skip
    response = stranger.post(f"/w/{opened.session.code}/ballot", data)
    assert (
        response.status_code == 302 and response.headers["Location"] == f"/w/{opened.session.code}"
    )
    assert not stranger.connect("/participant", f"code={opened.session.code}").connected
    assert opened.room.ballots(opened.round_id) == []


# -- closing, reopening, results --------------------------------------------------------------


def test_closing_reveals_the_results_to_everyone(opened):
    c = opened.c
    assert cast(opened.ana_socket, opened.round_id, c["Transit"], c["Childcare"])["ok"]
    screen = opened.room.screen(opened.session)
    opened.ana_socket.events(), screen.events()
    assert (
        opened.host.vote(opened.session, "close", round_id=str(opened.round_id)).status_code == 302
    )
    assert opened.room.rounds(opened.session)[0]["is_open"] is False
    for socket in (opened.ana_socket, screen, opened.console):
        ranking = results(socket.last("vote")["round"]["results"])
        assert ranking[:2] == [("Transit", 3, 1, False), ("Childcare", 2, 2, False)]
    page = opened.ana.live()
    assert "Voting is closed" in page and "The room's priorities" in page


def test_closing_twice_is_refused(opened):
    assert vote_op(opened, "close", round_id=opened.round_id)["ok"]
    reply = vote_op(opened, "close", round_id=opened.round_id)
    assert reply == {"ok": False, "error": "this vote is already closed", "code": "state"}


def test_a_closed_vote_reopens_and_takes_ballots_again(opened):
    assert vote_op(opened, "close", round_id=opened.round_id)["ok"]
    response = opened.host.vote(opened.session, "reopen", round_id=str(opened.round_id))
    assert response.status_code == 302
    assert opened.room.rounds(opened.session)[0]["is_open"] is True
    assert opened.ana_socket.last("vote")["round"]["is_open"] is True
    assert cast(opened.ana_socket, opened.round_id, opened.c["Transit"])["ok"]


def test_only_the_latest_round_reopens(opened):
    assert vote_op(opened, "close", round_id=opened.round_id)["ok"]
    runoff = vote_op(opened, "runoff", top=2)["round_id"]
    reply = vote_op(opened, "reopen", round_id=opened.round_id)
    assert reply["ok"] is False and "close it first" in reply["error"]
    assert vote_op(opened, "close", round_id=runoff)["ok"]
    reply = vote_op(opened, "reopen", round_id=opened.round_id)
    assert reply["ok"] is False and "only the latest round" in reply["error"]
    assert [r["is_open"] for r in opened.room.rounds(opened.session)] == [False, False]


@pytest.mark.parametrize("round_id", [None, "1", 999, True])
def test_a_vote_operation_on_an_unknown_round_changes_nothing(opened, round_id):
    before = opened.room.vote_state(opened.session)
    for op in ("close", "reopen", "hide_tally"):
        reply = vote_op(opened, op, round_id=round_id, hidden=True)
        assert reply == {"ok": False, "error": "no such vote", "code": "not_found"}
    assert opened.room.vote_state(opened.session) == before


def test_an_unknown_vote_operation_is_refused(opened):
    reply = vote_op(opened, "rig")
    assert reply["ok"] is False and reply["code"] == "malformed"
    assert opened.room.rounds(opened.session)[0]["is_open"] is True


# -- hidden tallies ---------------------------------------------------------------------------


def test_a_hidden_tally_reaches_the_screen_without_rows_but_facilitators_see_it(opened):
    screen = opened.room.screen(opened.session)
    assert vote_op(opened, "hide_tally", round_id=opened.round_id, hidden=True)["ok"]
    vote = screen.last("vote")
    assert "results" not in vote["round"] and "rows" not in vote["tally"]
    assert cast(opened.ana_socket, opened.round_id, opened.c["Transit"])["ok"]
    assert screen.last("tally") == {
        "round_id": opened.round_id, "ballots": 1, "participants": 2, "hidden": True
    }  # fmt: skip
    facilitator = opened.console.last("tally")
    assert facilitator["hidden"] is True and results(facilitator["rows"])[0] == ("Transit", 3, 1, False)  # fmt: skip


def test_a_hidden_tally_is_not_on_the_projector_page(opened):
    assert cast(opened.ana_socket, opened.round_id, opened.c["Transit"])["ok"]
    assert opened.host.vote(opened.session, "hide_tally", round_id=str(opened.round_id), hidden="1").status_code == 302  # fmt: skip
    page = opened.room.anonymous().page(f"/screen/{opened.session.token}")
    assert "data-tally-hidden>The tally stays hidden until voting closes." in page
    assert "tally-title" not in page
    panel = opened.host.page(f"/facilitator/w/{opened.session.id}/vote")
    assert "1. Transit" in panel and "3 pts · 1 first · 1 ballot" in panel


def test_revealing_a_hidden_tally_shows_the_rows_again(opened):
    assert vote_op(opened, "hide_tally", round_id=opened.round_id, hidden=True)["ok"]
    assert cast(opened.ana_socket, opened.round_id, opened.c["Transit"])["ok"]
    screen = opened.room.screen(opened.session)
    assert "rows" not in screen.last("snapshot")["vote"]["tally"]
    assert vote_op(opened, "hide_tally", round_id=opened.round_id, hidden=False)["ok"]
    assert results(screen.last("vote")["tally"]["rows"])[0] == ("Transit", 3, 1, False)


def test_a_facilitator_reconnecting_during_a_hidden_vote_still_sees_the_tally(opened):
    assert vote_op(opened, "hide_tally", round_id=opened.round_id, hidden=True)["ok"]
    assert cast(opened.ana_socket, opened.round_id, opened.c["Transit"])["ok"]
    snapshot = opened.host.socket(opened.session).last("snapshot")
    assert results(snapshot["vote"]["tally"]["rows"])[0] == ("Transit", 3, 1, False)


@pytest.mark.parametrize(("agenda", "chosen"), [(THRIVE, "themes"), (DOTS, "fixed")])
def test_the_console_offers_what_the_agenda_votes_on_first(room, agenda, chosen):
    """The voting panel starts on the agenda's own choice: the themes for Thrive, the fixed
    list for the dots agenda (it started on "All themes" whatever the agenda said)."""
    host = room.facilitator()
    session = host.start(agenda)
    host.go_to(session, VOTE if agenda == THRIVE else 1)
    panel = host.page(f"/facilitator/w/{session.id}/vote")
    checked = re.findall(r'name="source" value="(\w+)" checked', panel)
    assert checked == [chosen]


# -- dot votes (unranked) ---------------------------------------------------------------------


@pytest.fixture
def dots(room):
    """The dots agenda on its vote: 2 unranked picks on a fixed list, tally hidden."""
    host = room.facilitator()
    session = host.start(DOTS)
    phones = [room.phone(session, role="Member") for _ in range(3)]
    host.go_to(session, 1)
    assert host.vote(session, "open", source="fixed").status_code == 302
    (stored,) = room.rounds(session)
    return SimpleNamespace(room=room, host=host, session=session, phones=phones, round=stored)


def test_a_dot_vote_opens_on_the_agendas_list_with_its_settings(dots):
    assert list(dots.round["candidates"]) == ["Childcare", "Transit", "Broadband", "Housing"]
    assert (dots.round["picks"], dots.round["ranked"], dots.round["hide_tally"]) == (2, False, True)


def test_dots_are_chosen_with_checkboxes(dots):
    page = dots.phones[0].live()
    assert page.count('type="checkbox" name="pick"') == 4 and 'name="pick-1"' not in page
    assert "Choose up to 2" in page


def test_each_dot_counts_one_point(dots):
    c, (ana, bo, cy) = dots.round["candidates"], dots.phones
    for phone, picked in ((ana, ["Transit", "Childcare"]), (bo, ["Childcare"]), (cy, ["Housing", "Childcare"])):  # fmt: skip
        response = phone.ballot(dots.round["id"], pick=[str(c[p]) for p in picked])
        assert response.status_code == 302
    assert dots.host.vote(dots.session, "close", round_id=str(dots.round["id"])).status_code == 302
    page = ana.live()
    assert '<strong>Childcare</strong>\n      <span class="muted">3 points' in page
    screen = dots.room.screen(dots.session).last("snapshot")["vote"]["tally"]["rows"]
    assert results(screen) == [
        ("Childcare", 3, 1, False), ("Transit", 1, 2, True), ("Housing", 1, 2, True), ("Broadband", 0, 4, False)
    ]  # fmt: skip


def test_more_dots_than_allowed_are_refused(dots):
    c = dots.round["candidates"]
    response = dots.phones[0].ballot(dots.round["id"], pick=[str(c["Transit"]), str(c["Childcare"]), str(c["Housing"])])  # fmt: skip
    assert response.status_code == 400
    assert "Your vote was not saved: pick at most 2." in response.get_data(as_text=True)
    assert dots.room.ballots(dots.round["id"]) == []


def test_a_dot_vote_hides_its_tally_from_the_room_until_it_closes(dots):
    screen = dots.room.screen(dots.session)
    assert "rows" not in screen.last("snapshot")["vote"]["tally"]
    c = dots.round["candidates"]
    assert dots.phones[0].ballot(dots.round["id"], pick=[str(c["Transit"])]).status_code == 302
    assert screen.last("tally") == {"round_id": dots.round["id"], "ballots": 1, "participants": 3, "hidden": True}  # fmt: skip
    assert dots.host.vote(dots.session, "close", round_id=str(dots.round["id"])).status_code == 302
    tally = screen.last("vote")["tally"]
    assert tally["hidden"] is False and results(tally["rows"])[0] == ("Transit", 1, 1, False)


# -- run-offs ---------------------------------------------------------------------------------


@pytest.fixture
def closed(opened):
    """Transit 6 points, Childcare 4, Networking and Housing 1 each (tied), then closed."""
    c = opened.c
    assert cast(opened.ana_socket, opened.round_id, c["Transit"], c["Childcare"], c["Networking"])["ok"]  # fmt: skip
    assert cast(opened.bo_socket, opened.round_id, c["Transit"], c["Childcare"], c["Housing"])["ok"]
    assert vote_op(opened, "close", round_id=opened.round_id)["ok"]
    return opened


def test_a_runoff_takes_the_top_of_the_closed_round(closed):
    reply = vote_op(closed, "runoff", top=2)
    assert reply["ok"], reply
    runoff = closed.room.rounds(closed.session)[-1]
    assert list(runoff["candidates"]) == ["Transit", "Childcare"] and runoff["is_open"]
    assert [c["title"] for c in closed.ana_socket.last("vote")["round"]["candidates"]] == ["Transit", "Childcare"]  # fmt: skip


def test_everyone_tied_at_the_cut_goes_through_to_the_runoff(closed):
    response = closed.host.vote(closed.session, "runoff", top="3")
    assert response.status_code == 302
    runoff = closed.room.rounds(closed.session)[-1]
    assert list(runoff["candidates"]) == ["Transit", "Childcare", "Networking", "Housing"]


def test_runoff_candidates_keep_their_themes(closed):
    assert vote_op(closed, "runoff", top=2)["ok"]
    candidates = closed.ana_socket.last("vote")["round"]["candidates"]
    assert [c["theme_id"] for c in candidates] == [closed.themes["Transit"], closed.themes["Childcare"]]  # fmt: skip


def test_a_runoff_needs_a_closed_round(opened):
    reply = vote_op(opened, "runoff", top=2)
    assert reply["ok"] is False and reply["code"] == "state"
    assert len(opened.room.rounds(opened.session)) == 1


@pytest.mark.parametrize("top", [1, 0, "2", True])
def test_a_runoff_needs_at_least_two_candidates(closed, top):
    reply = vote_op(closed, "runoff", top=top)
    assert reply == {
        "ok": False, "error": "a second round needs at least two candidates", "code": "invalid"
    }  # fmt: skip
    assert len(closed.room.rounds(closed.session)) == 1


# -- who may ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status", [("other facilitator", 404), ("participant", 302), ("anonymous", 302)]
)
def test_only_the_sessions_facilitators_run_its_votes(opened, who, status):
    actor = {
        "other facilitator": opened.room.facilitator(),
        "participant": opened.ana,
        "anonymous": opened.room.anonymous(),
    }[who]
    path = f"/facilitator/w/{opened.session.id}/vote"
    before = opened.room.vote_state(opened.session)
    assert actor.post(path, {"op": "close", "round_id": str(opened.round_id)}).status_code == status
    assert actor.get(path).status_code == status
    assert opened.room.vote_state(opened.session) == before


def test_participants_and_screens_cannot_send_vote_events(opened):
    for socket in (opened.ana_socket, opened.room.screen(opened.session)):
        reply = socket.emit("vote", {"op": "close", "round_id": opened.round_id})
        assert reply["ok"] is False and reply["code"] == "unknown_event"
    assert opened.room.rounds(opened.session)[0]["is_open"] is True


def test_a_co_facilitator_runs_the_vote(opened):
    co = opened.room.co_facilitator(opened.session)
    response = co.vote(opened.session, "close", round_id=str(opened.round_id))
    assert response.status_code == 302
    assert opened.room.rounds(opened.session)[0]["is_open"] is False


def test_a_phone_reconnecting_finds_its_own_ballot_in_the_snapshot(opened):
    """docs/protocol.md §3.2: the participant snapshot's `ballot` is this participant's
    latest ballot in the latest round (open or closed), null before they vote."""
    w = opened
    snapshot = w.ana.socket().payloads("snapshot")[-1]
    assert snapshot["ballot"] is None
    picks = [w.c["Childcare"], w.c["Transit"]]
    assert cast(w.ana_socket, w.round_id, *picks, client_id="ana-ballot-1")["ok"]
    stored = {"round_id": w.round_id, "picks": picks, "client_id": "ana-ballot-1"}
    assert w.ana.socket().payloads("snapshot")[-1]["ballot"] == stored
    assert w.bo.socket().payloads("snapshot")[-1]["ballot"] is None  # only one's own
    assert vote_op(w, "close", round_id=w.round_id)["ok"]
    assert w.ana.socket().payloads("snapshot")[-1]["ballot"] == stored
