"""A live session through the real app: HTTP pages and forms, Socket.IO per audience, and what
ends up in the database. Counts are emitted at once (BROADCAST_INTERVAL=0)."""

from __future__ import annotations

import json
import re
from types import SimpleNamespace

import pytest
import sqlalchemy
from conftest import csrf_token, make_app
from live_helpers import (
    CODE_SHAPE,
    FACILITATOR_QUERY,
    OTHER_RETRO_PROMPT,
    PARTICIPANT_QUERY,
    PLAN_PROMPT,
    RETRO_PROMPT,
    ROLE,
    Actor,
    Room,
    Socket,
    answer_over_socket,
    new_client_id,
)
from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop import clock
from workshop.extensions import db
from workshop.live import participants, responses, workshops
from workshop.models import Participant, Workshop
from workshop.web.payloads import epoch_ms

OVERVIEW, RETRO, PLANNING = 0, 1, 2
XSS = '<script>alert("owned")</script>'
XSS_ESCAPED = "&lt;script&gt;alert(&#34;owned&#34;)&lt;/script&gt;"


def dispose(app) -> None:
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def live_app(tmp_path):
    app = make_app(tmp_path, BROADCAST_INTERVAL=0)
    yield app
    dispose(app)


@pytest.fixture
def room(live_app):
    return Room(live_app)


@pytest.fixture
def host(room):
    return room.facilitator()


@pytest.fixture
def session(host):
    return host.start()


@pytest.fixture
def in_retro(room, host, session):
    """The session on its retrospective questions, with one participant joined."""
    phone = room.phone().joined(session)
    host.go_to(session, RETRO)
    return phone


@pytest.fixture
def cast(room, host, session):
    """Everyone who might try a route: the session's own people and outsiders."""
    other_host = room.facilitator()
    other_session = other_host.start()
    return SimpleNamespace(
        host=host,
        session=session,
        member=room.phone().joined(session),
        outsider=room.phone().joined(other_session),
        other_host=other_host,
        other_session=other_session,
        anonymous=Actor(room),
    )


def one_response(room, session) -> dict:
    (row,) = room.responses(session)
    return row


# -- join codes and the home page -------------------------------------------------------------


def test_join_codes_are_six_characters_without_look_alikes(host):
    codes = {host.start().code for _ in range(5)}
    assert len(codes) == 5
    assert all(CODE_SHAPE.match(code) for code in codes)
    drawn = {workshops.new_join_code() for _ in range(3000)}
    assert all(CODE_SHAPE.match(code) for code in drawn)
    assert not set("".join(drawn)) & set("0O1IL")


def test_console_and_screen_show_the_join_code(room, host, session):
    assert f'<strong class="code">{session.code}</strong>' in host.console(session)
    assert f'<p class="join-code" data-code>{session.code}</p>' in room.phone().page(
        f"/screen/{session.token}"
    )


def test_home_page_asks_for_the_session_code(room):
    page = room.phone().page("/")
    assert 'action="/join"' in page and 'name="code"' in page


def test_code_typed_in_any_case_with_spaces_or_dashes_finds_the_session(room, session):
    code = session.code
    for typed in (code.lower(), f" {code[:3]} {code[3:]} ", f"{code[:3]}-{code[3:].lower()}"):
        response = room.phone().get("/join", query_string={"code": typed})
        assert response.status_code == 302, typed
        assert response.headers["Location"] == f"/w/{code}"


def test_a_lower_case_session_address_redirects_to_the_real_one(room, session):
    response = room.phone().get(f"/w/{session.code.lower()}")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/w/{session.code}"


def test_unknown_code_gives_a_clear_404(room, session):
    unknown = "ZZZZZZ" if session.code != "ZZZZZZ" else "YYYYYY"
    response = room.phone().get("/join", query_string={"code": unknown.lower()})
    assert response.status_code == 404
    page = response.get_data(as_text=True)
    assert f"No session has the code {unknown}. Check the screen and try again." in page
    assert f'value="{unknown}"' in page and 'aria-invalid="true"' in page
    direct = room.phone().get(f"/w/{unknown}")
    assert direct.status_code == 404
    assert "No session has that code" in direct.get_data(as_text=True)


def test_empty_code_asks_for_the_code(room):
    response = room.phone().get("/join", query_string={"code": "  "})
    assert response.status_code == 400
    assert "Enter the code shown on the screen." in response.get_data(as_text=True)


def test_a_code_typed_as_markup_is_shown_escaped(room):
    response = room.phone().get("/join", query_string={"code": "<b>x"})
    assert response.status_code == 404
    assert "<B>X" not in response.get_data(as_text=True)
    assert "&lt;B&gt;X" in response.get_data(as_text=True)


# -- joining ----------------------------------------------------------------------------------


def test_join_page_asks_the_agendas_questions(room, session):
    page = room.phone().page(f"/w/{session.code}")
    assert "Your role in the Subregional Table" in page
    for choice in ("Backbone organization", "SRT chair", "SRT member", "Other"):
        assert f'value="{choice}"' in page
    assert 'name="name"' in page and "Only the facilitators see your name." in page
    assert room.participants(session) == []


def test_joining_stores_the_answers_and_opens_the_live_page(room, session):
    phone = room.phone()
    response = phone.join(session, role="SRT chair", name="Ana")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/w/{session.code}"
    (stored,) = room.participants(session)
    assert (stored["number"], stored["name"], stored["role"]) == (1, "Ana", "SRT chair")
    assert stored["answers"] == {"name": "Ana", "role": "SRT chair"}
    assert "You're in" in phone.live(session)


def test_the_participant_cookie_lasts_for_the_session_and_is_hidden_from_scripts(room, session):
    response = room.phone().join(session)
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(f"wsp_{session.id}=")
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Max-Age=2592000" in cookie


def test_join_without_the_required_role_is_refused_inline_keeping_the_name(room, session):
    response = room.phone().join(session, role=None, name="Ana Quintero")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your role in the Subregional Table: please answer this question" in page
    assert 'aria-describedby="join-error"' in page  # the role question is marked as the problem
    assert 'value="Ana Quintero"' in page
    assert room.participants(session) == []


def test_join_with_a_role_that_is_not_one_of_the_choices_is_refused(room, session):
    response = room.phone().join(session, role="Mayor", name="Ana Quintero")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your role in the Subregional Table: pick one of the choices" in page
    assert 'value="Ana Quintero"' in page
    assert room.participants(session) == []


def test_a_refused_join_keeps_the_chosen_role_selected(room, session):
    response = room.phone().join(session, role="SRT chair", name="x" * 81)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Your name (optional): at most 80 characters" in page
    assert re.search(r'value="SRT chair"\s+checked', page)
    assert not re.search(r'value="Other"\s+checked', page)
    assert room.participants(session) == []


def test_rejoining_with_the_same_cookie_resumes_the_same_participant(room, session):
    ana = room.phone().joined(session)
    room.phone().joined(session)
    again = ana.join(session, role="Other", name="Someone else")
    assert again.status_code == 302
    assert room.participant_number(session, ana) == 1
    assert len(room.participants(session)) == 2
    assert room.participants(session)[0]["role"] == ROLE  # the second form changed nothing
    assert "You're in" in ana.live(session)


def test_participant_numbers_increase_as_people_join(room, session):
    phones = [room.phone().joined(session) for _ in range(3)]
    assert [room.participant_number(session, phone) for phone in phones] == [1, 2, 3]


def test_an_ended_session_takes_no_new_participants(room, host, session):
    host.control(session, "end")
    page = room.phone().get(f"/w/{session.code}").get_data(as_text=True)
    assert "The session has ended" in page and "Join the session" not in page  # no form at all
    response = room.phone().join(session)  # a join page loaded before the end
    assert response.status_code == 400
    assert "The session has ended" in response.get_data(as_text=True)
    assert room.participants(session) == []


def test_names_are_shown_to_facilitators(room, host, session):
    zelda = room.phone().joined(session, name="Zelda Quux")
    host.go_to(session, RETRO)
    console = host.socket(session)
    zelda.respond(session, RETRO_PROMPT, "Shared agendas")
    assert "Participant 1 (Zelda Quux)" in host.console(session)
    (event,) = console.payloads("response")
    assert event["response"]["participant"] == "Participant 1 (Zelda Quux)"
    (snapshot,) = host.socket(session).payloads("snapshot")
    assert snapshot["responses"][0]["participant"] == "Participant 1 (Zelda Quux)"


def test_names_are_never_shown_to_the_room(room, host, session):
    screen = room.screen(session)
    zelda = room.phone().joined(session, name="Zelda Quux")
    neighbour = room.phone().joined(session)
    neighbour_socket = neighbour.socket(session)
    host.go_to(session, RETRO)
    zelda.respond(session, RETRO_PROMPT, "Shared agendas")
    assert "Zelda" not in neighbour.live(session) + neighbour.page(f"/w/{session.code}/segment")
    assert "Zelda" not in zelda.live(session)
    assert "Zelda" not in room.phone().page(f"/screen/{session.token}")
    assert "Zelda" not in json.dumps(screen.events() + neighbour_socket.events())


# -- answering --------------------------------------------------------------------------------


def test_an_answer_sent_with_the_form_is_stored_and_shown_on_the_phone(room, session, in_retro):
    response = in_retro.respond(session, RETRO_PROMPT, "  Monthly calls kept us in touch  ")
    assert response.status_code == 302
    assert response.headers["Location"] == f"/w/{session.code}#prompt-{RETRO_PROMPT}"
    row = one_response(room, session)
    assert (row["prompt_id"], row["segment_id"]) == (RETRO_PROMPT, "retrospective")
    assert row["text"] == "Monthly calls kept us in touch"
    assert row["participant_id"] is not None and row["hidden"] is False
    assert ">Monthly calls kept us in touch</textarea>" in in_retro.live(session)


def test_an_answer_sent_over_the_socket_is_acknowledged_once_stored(room, session, in_retro):
    socket = in_retro.socket(session)
    ack = socket.emit(
        "respond", {"prompt_id": RETRO_PROMPT, "text": "Site visits", "client_id": "phone-0001"}
    )
    row = one_response(room, session)
    assert ack == {
        "ok": True,
        "duplicate": False,
        "response": {
            "id": row["id"],
            "client_id": "phone-0001",
            "prompt_id": RETRO_PROMPT,
            "text": "Site visits",
            "strategy_id": None,
        },
    }


def test_a_resent_answer_is_acknowledged_as_a_duplicate_and_stored_once(room, session, in_retro):
    socket = in_retro.socket(session)
    payload = {"prompt_id": RETRO_PROMPT, "text": "Site visits", "client_id": "phone-0001"}
    first = socket.emit("respond", payload)
    again = in_retro.socket(session).emit("respond", payload)  # e.g. after a reconnect
    assert (first["duplicate"], again["duplicate"]) == (False, True)
    assert again["response"] == first["response"]
    assert room.texts(session) == ["Site visits"]


def test_a_resend_racing_its_original_is_answered_with_the_stored_answer(
    live_app, room, session, in_retro
):
    """The original reaches the database (through another connection) between the resend's
    check for it and the resend's insert: the database refuses the copy, and the resend is
    acknowledged as a duplicate with the stored answer."""
    payload = {"prompt_id": RETRO_PROMPT, "text": "Site visits", "client_id": "phone-0001"}
    socket, raced = in_retro.socket(session), []

    def original_first(conn, cursor, statement, parameters, context, executemany):
        if statement.startswith("INSERT INTO response ") and not raced:
            raced.append(True)
            with Session(db.engine) as other:
                workshop = other.get(Workshop, session.id)
                person = other.scalars(
                    select(Participant).where(Participant.workshop_id == session.id)
                ).one()
                original = responses.Submission(RETRO_PROMPT, "Site visits", "phone-0001")
                agenda = workshops.agenda_of(workshop)
                responses.submit(other, workshop, agenda, person, original, clock.now())
                other.commit()

    with live_app.app_context():
        sqlalchemy.event.listen(db.engine, "before_cursor_execute", original_first)
        try:
            reply = socket.emit("respond", payload)
        finally:
            sqlalchemy.event.remove(db.engine, "before_cursor_execute", original_first)
    assert raced and reply["ok"] and reply["duplicate"] is True, reply
    assert reply["response"]["text"] == "Site visits"
    assert room.texts(session) == ["Site visits"]


def test_a_resent_answer_form_is_stored_once(room, session, in_retro):
    form = {"prompt_id": RETRO_PROMPT, "text": "Site visits", "client_id": "form-0000001"}
    first = in_retro.post(f"/w/{session.code}/responses", form)
    again = in_retro.post(f"/w/{session.code}/responses", form)
    assert first.status_code == again.status_code == 302
    assert room.texts(session) == ["Site visits"]


def test_the_same_client_id_from_two_phones_is_two_answers(room, session, in_retro):
    other = room.phone().joined(session)
    payload = {"prompt_id": RETRO_PROMPT, "text": "Site visits", "client_id": "same-000001"}
    assert in_retro.socket(session).emit("respond", payload)["duplicate"] is False
    assert other.socket(session).emit("respond", payload)["duplicate"] is False
    assert room.texts(session) == ["Site visits", "Site visits"]


def test_a_sixth_answer_to_one_question_is_refused(room, session, in_retro):
    socket = in_retro.socket(session)
    for number in range(5):
        assert answer_over_socket(socket, RETRO_PROMPT, f"Idea {number}")["ok"] is True
    ack = answer_over_socket(socket, RETRO_PROMPT, "Idea 5")
    assert ack == {
        "ok": False,
        "error": "you have given 5 answers to this question already",
        "code": "limit",
    }
    form = in_retro.respond(session, RETRO_PROMPT, "Idea 6")
    assert form.status_code == 400
    assert "You have given 5 answers to this question" in form.get_data(as_text=True)
    assert room.texts(session) == [f"Idea {number}" for number in range(5)]


def test_a_participant_is_found_only_with_their_own_session(room, host, session):
    """Each answer loads its session and participant together, from the ids its connection
    remembered at connect: a pair from two sessions is no one."""
    other = host.start()
    number = room.participant_number(session, room.phone().joined(session))
    with room.app.app_context():
        mine = db.session.scalars(
            select(Participant).where(
                Participant.workshop_id == session.id, Participant.number == number
            )
        ).one()
        found = participants.with_workshop(db.session, session.id, mine.id)
        assert found is not None and (found[0].id, found[1].id) == (session.id, mine.id)
        assert participants.with_workshop(db.session, other.id, mine.id) is None
        assert participants.with_workshop(db.session, session.id, mine.id + 999) is None


def test_the_answer_limit_is_per_question_and_freed_by_deleting(room, session, in_retro):
    socket = in_retro.socket(session)
    acks = [answer_over_socket(socket, RETRO_PROMPT, f"Idea {n}") for n in range(5)]
    assert answer_over_socket(socket, OTHER_RETRO_PROMPT, "Change")["ok"] is True
    assert socket.emit("delete_response", {"id": acks[0]["response"]["id"]})["ok"] is True
    assert answer_over_socket(socket, RETRO_PROMPT, "Idea 5")["ok"] is True
    assert [row["prompt_id"] for row in room.responses(session)].count(RETRO_PROMPT) == 5


def test_an_answer_longer_than_allowed_is_refused_and_kept_in_the_form(room, session, in_retro):
    too_long = "a" * 281
    form = in_retro.respond(session, RETRO_PROMPT, too_long)
    assert form.status_code == 400
    page = form.get_data(as_text=True)
    assert "too long: at most 280 characters" in page
    assert f">{too_long}</textarea>" in page
    ack = answer_over_socket(in_retro.socket(session), RETRO_PROMPT, too_long)
    assert (ack["ok"], ack["code"]) == (False, "too_long")
    assert room.responses(session, deleted=True) == []


def test_an_answer_of_exactly_the_maximum_length_is_stored(room, session, in_retro):
    assert in_retro.respond(session, RETRO_PROMPT, "b" * 280).status_code == 302
    assert room.texts(session) == ["b" * 280]


def test_an_empty_answer_is_refused(room, session, in_retro):
    form = in_retro.respond(session, RETRO_PROMPT, "   ")
    assert form.status_code == 400
    assert "write something first" in form.get_data(as_text=True)
    assert answer_over_socket(in_retro.socket(session), RETRO_PROMPT, "")["code"] == "empty"
    assert room.responses(session, deleted=True) == []


def test_questions_are_closed_in_the_lobby(room, session):
    phone = room.phone().joined(session)
    ack = answer_over_socket(phone.socket(session), RETRO_PROMPT, "Too early")
    assert ack == {"ok": False, "error": "this question is closed", "code": "closed"}
    assert room.responses(session, deleted=True) == []


def test_a_question_of_another_segment_is_closed(room, session, in_retro):
    ack = answer_over_socket(in_retro.socket(session), PLAN_PROMPT, "Too early")
    assert (ack["error"], ack["code"]) == ("this question is closed", "closed")
    unknown = answer_over_socket(in_retro.socket(session), "no_such_prompt", "Hello")
    assert (unknown["error"], unknown["code"]) == ("no such question", "closed")
    assert room.responses(session, deleted=True) == []


def test_an_ended_session_takes_no_answers(room, host, session, in_retro):
    host.control(session, "end")
    assert in_retro.respond(session, RETRO_PROMPT, "Late idea").status_code == 400
    ack = answer_over_socket(in_retro.socket(session), RETRO_PROMPT, "Late idea")
    assert (ack["error"], ack["code"]) == ("this session has ended", "closed")
    assert "This session has ended" in in_retro.live(session)
    assert room.responses(session, deleted=True) == []


# -- editing and deleting ---------------------------------------------------------------------


def test_a_participant_edits_their_answer_while_its_question_is_open(room, session, in_retro):
    in_retro.respond(session, RETRO_PROMPT, "Monthly calls")
    row = one_response(room, session)
    response = in_retro.edit(session, row["id"], "Weekly calls")
    assert response.status_code == 302
    assert room.texts(session) == ["Weekly calls"]
    ack = in_retro.socket(session).emit("edit_response", {"id": row["id"], "text": "Daily calls"})
    assert ack["ok"] is True and ack["response"]["text"] == "Daily calls"
    assert room.texts(session) == ["Daily calls"]


def test_an_edit_is_checked_like_a_new_answer(room, session, in_retro):
    in_retro.respond(session, RETRO_PROMPT, "Monthly calls")
    row = one_response(room, session)
    response = in_retro.edit(session, row["id"], "c" * 281)
    assert response.status_code == 400
    assert "too long: at most 280 characters" in response.get_data(as_text=True)
    ack = in_retro.socket(session).emit("edit_response", {"id": row["id"], "text": " "})
    assert ack["code"] == "empty"
    assert room.texts(session) == ["Monthly calls"]


def test_a_participant_deletes_their_answer_while_its_question_is_open(room, session, in_retro):
    in_retro.respond(session, RETRO_PROMPT, "Monthly calls")
    in_retro.respond(session, RETRO_PROMPT, "Site visits")
    first, second = room.responses(session)
    assert in_retro.delete(session, first["id"]).status_code == 302
    ack = in_retro.socket(session).emit("delete_response", {"id": second["id"]})
    assert ack == {"ok": True, "id": second["id"]}
    assert room.responses(session) == []
    assert [row["deleted"] for row in room.responses(session, deleted=True)] == [True, True]
    assert "Monthly calls" not in in_retro.live(session)


def test_answers_are_locked_once_their_segment_has_passed(room, host, session, in_retro):
    in_retro.respond(session, RETRO_PROMPT, "Monthly calls")
    row = one_response(room, session)
    host.control(session, "next")
    assert in_retro.edit(session, row["id"], "Weekly calls").status_code == 400
    assert in_retro.delete(session, row["id"]).status_code == 400
    socket = in_retro.socket(session)
    assert socket.emit("edit_response", {"id": row["id"], "text": "Weekly"})["code"] == "closed"
    assert socket.emit("delete_response", {"id": row["id"]})["code"] == "closed"
    assert room.responses(session) == [row]


def test_nobody_edits_or_deletes_another_participants_answer(room, session, in_retro):
    in_retro.respond(session, RETRO_PROMPT, "Monthly calls")
    row = one_response(room, session)
    intruder = room.phone().joined(session)
    assert intruder.edit(session, row["id"], "Vandalised").status_code == 400
    assert intruder.delete(session, row["id"]).status_code == 400
    socket = intruder.socket(session)
    edit = socket.emit("edit_response", {"id": row["id"], "text": "Vandalised"})
    assert edit == {"ok": False, "error": "no such answer", "code": "not_found"}
    assert socket.emit("delete_response", {"id": row["id"]})["code"] == "not_found"
    assert room.responses(session) == [row]


# -- strategy tags ----------------------------------------------------------------------------


def test_forward_planning_offers_the_plans_strategies(room, host, session):
    phone = room.phone().joined(session)
    host.go_to(session, PLANNING)
    page = phone.live(session)
    assert '<option value="access-childcare">Access to childcare</option>' in page
    assert 'name="strategy_id"' in page


def test_an_answer_tagged_with_a_strategy_of_the_plan_is_stored(room, host, session):
    phone = room.phone().joined(session)
    host.go_to(session, PLANNING)
    form = phone.respond(
        session, PLAN_PROMPT, "Childcare at meetings", strategy_id="access-childcare"
    )
    assert form.status_code == 302
    ack = answer_over_socket(
        phone.socket(session), PLAN_PROMPT, "Shared vans", strategy_id="access-transportation"
    )
    assert ack["response"]["strategy_id"] == "access-transportation"
    strategies = [row["strategy_id"] for row in room.responses(session)]
    assert strategies == ["access-childcare", "access-transportation"]
    assert "· Access to childcare" in host.console(session)


def test_a_strategy_that_is_not_in_the_plan_is_refused(room, host, session):
    phone = room.phone().joined(session)
    host.go_to(session, PLANNING)
    form = phone.respond(session, PLAN_PROMPT, "Free lunch", strategy_id="free-lunch")
    assert form.status_code == 400
    assert "no such strategy in this plan" in form.get_data(as_text=True)
    ack = answer_over_socket(phone.socket(session), PLAN_PROMPT, "Free lunch", strategy_id="x-y")
    assert (ack["ok"], ack["code"]) == (False, "strategy")
    assert room.responses(session, deleted=True) == []


def test_a_segment_without_a_framework_takes_no_strategy(room, session, in_retro):
    ack = answer_over_socket(
        in_retro.socket(session), RETRO_PROMPT, "Childcare", strategy_id="access-childcare"
    )
    assert (ack["ok"], ack["code"]) == (False, "strategy")
    assert 'name="strategy_id"' not in in_retro.live(session)
    assert room.responses(session, deleted=True) == []


def test_editing_an_answer_can_change_its_strategy(room, host, session):
    phone = room.phone().joined(session)
    host.go_to(session, PLANNING)
    phone.respond(session, PLAN_PROMPT, "Childcare", strategy_id="access-childcare")
    row = one_response(room, session)
    phone.edit(session, row["id"], "Housing", strategy_id="affordable-housing")
    assert one_response(room, session)["strategy_id"] == "affordable-housing"
    socket = phone.socket(session)
    ack = socket.emit("edit_response", {"id": row["id"], "text": "H", "strategy_id": "nope"})
    assert ack["code"] == "strategy"
    assert one_response(room, session)["strategy_id"] == "affordable-housing"


# -- hiding answers ---------------------------------------------------------------------------


def test_a_hidden_answer_leaves_the_counts_and_is_flagged_to_facilitators(room, host, session):
    phone = room.phone().joined(session)
    host.go_to(session, RETRO)
    phone.respond(session, RETRO_PROMPT, "Rude remark")
    phone.respond(session, RETRO_PROMPT, "Site visits")
    rude = room.responses(session)[0]
    console, screen = host.socket(session), room.screen(session)
    ack = console.emit("hide_response", {"id": rude["id"]})
    assert ack == {"ok": True, "id": rude["id"], "hidden": True}
    assert room.responses(session)[0]["hidden"] is True
    events = console.events()
    assert ("counts", {"participants": 1, "responses": {RETRO_PROMPT: 1}}) in events
    (change,) = [payload for name, payload in events if name == "response"]
    assert (change["action"], change["response"]["hidden"]) == ("hidden", True)
    assert screen.payloads("counts") == [{"participants": 1, "responses": {RETRO_PROMPT: 1}}]
    assert "hidden from the room" in host.console(session)


def test_a_hidden_answer_can_be_shown_again_from_the_console_form(room, host, session, in_retro):
    in_retro.respond(session, RETRO_PROMPT, "Borderline remark")
    row = one_response(room, session)
    assert host.hide(session, row["id"]).status_code == 302
    assert one_response(room, session)["hidden"] is True
    page = room.phone().page(f"/screen/{session.token}")
    assert f'data-prompt-count="{RETRO_PROMPT}">0<' in page
    assert host.hide(session, row["id"], hidden=False).status_code == 302
    assert one_response(room, session)["hidden"] is False
    page = room.phone().page(f"/screen/{session.token}")
    assert f'data-prompt-count="{RETRO_PROMPT}">1<' in page


@pytest.mark.parametrize("who", ["anonymous", "member", "outsider", "other_host"])
def test_only_facilitators_of_the_session_can_hide_answers(room, cast, who):
    cast.host.go_to(cast.session, RETRO)
    cast.member.respond(cast.session, RETRO_PROMPT, "Keep me visible")
    row = one_response(room, cast.session)
    response = getattr(cast, who).post(
        f"/facilitator/w/{cast.session.id}/responses/{row['id']}/hide", {"hidden": "1"}
    )
    assert response.status_code == (404 if who == "other_host" else 302)
    if who != "other_host":
        assert response.headers["Location"].startswith("/auth/login")
    assert one_response(room, cast.session)["hidden"] is False


def test_a_facilitator_cannot_hide_an_answer_of_another_session(room, cast):
    cast.host.go_to(cast.session, RETRO)
    cast.member.respond(cast.session, RETRO_PROMPT, "Keep me visible")
    row = one_response(room, cast.session)
    own_console = cast.other_host.socket(cast.other_session)
    ack = own_console.emit("hide_response", {"id": row["id"]})
    assert ack == {"ok": False, "error": "no such answer", "code": "not_found"}
    form = cast.other_host.hide(cast.other_session, row["id"])
    assert form.status_code == 302
    assert "no such answer" in cast.other_host.console(cast.other_session)
    assert one_response(room, cast.session)["hidden"] is False


# -- what user text looks like in pages -------------------------------------------------------


def test_markup_in_answers_and_names_is_escaped_in_every_page(room, host, session):
    phone = room.phone().joined(session, name=XSS)
    host.go_to(session, RETRO)
    assert phone.respond(session, RETRO_PROMPT, XSS).status_code == 302
    assert room.texts(session) == [XSS]  # stored as typed, escaped when shown
    for page in (phone.live(session), host.console(session)):
        assert XSS not in page
        assert XSS_ESCAPED in page
    assert f"Participant 1 ({XSS_ESCAPED})" in host.console(session)


def test_markup_typed_into_a_refused_join_form_is_escaped(room, session):
    response = room.phone().join(session, role=None, name='"><script>x()</script>')
    page = response.get_data(as_text=True)
    assert "<script>x()" not in page
    assert 'value="&#34;&gt;&lt;script&gt;x()&lt;/script&gt;"' in page


def test_a_refused_answer_keeps_markup_escaped_in_the_draft(room, session, in_retro):
    response = in_retro.respond(session, RETRO_PROMPT, XSS + "x" * 280)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert XSS not in page and XSS_ESCAPED in page


# -- malformed socket events ------------------------------------------------------------------

VALID_ID = "client-00001"


@pytest.mark.parametrize(
    ("args", "code"),
    [
        pytest.param([[RETRO_PROMPT, "text"]], "malformed", id="a list"),
        pytest.param(["Monthly calls"], "malformed", id="a string"),
        pytest.param([42], "malformed", id="a number"),
        pytest.param(
            [{"prompt_id": RETRO_PROMPT, "text": "Hi", "client_id": VALID_ID}, {}],
            "malformed",
            id="two arguments",
        ),
        pytest.param(
            [{"prompt_id": RETRO_PROMPT, "text": "x" * 17_000, "client_id": VALID_ID}],
            "too_large",
            id="huge text",
        ),
        pytest.param([], "client_id", id="no payload"),
        pytest.param([{}], "client_id", id="empty object"),
        pytest.param([{"prompt_id": RETRO_PROMPT, "text": "Hi"}], "client_id", id="no client id"),
        pytest.param([{"prompt_id": RETRO_PROMPT, "client_id": VALID_ID}], "empty", id="no text"),
        pytest.param([{"text": "Hi", "client_id": VALID_ID}], "closed", id="no prompt"),
        pytest.param(
            [{"prompt_id": RETRO_PROMPT, "text": 42, "client_id": VALID_ID}],
            "empty",
            id="number text",
        ),
        pytest.param(
            [{"prompt_id": RETRO_PROMPT, "text": {"a": "b"}, "client_id": VALID_ID}],
            "empty",
            id="object text",
        ),
        pytest.param(
            [{"prompt_id": [RETRO_PROMPT], "text": "Hi", "client_id": VALID_ID}],
            "closed",
            id="list prompt",
        ),
        pytest.param(
            [{"prompt_id": RETRO_PROMPT, "text": "Hi", "client_id": 12345678}],
            "client_id",
            id="number client id",
        ),
        pytest.param(
            [{"prompt_id": RETRO_PROMPT, "text": "Hi", "client_id": "short"}],
            "client_id",
            id="short client id",
        ),
        pytest.param(
            [{"prompt_id": RETRO_PROMPT, "text": "Hi", "client_id": "a b c d e f g h"}],
            "client_id",
            id="client id with spaces",
        ),
        pytest.param(
            [{"prompt_id": RETRO_PROMPT, "text": "Hi", "client_id": VALID_ID, "strategy_id": [1]}],
            "strategy",
            id="list strategy",
        ),
    ],
)
def test_malformed_answers_get_an_error_ack_and_store_nothing(room, session, in_retro, args, code):
    socket = in_retro.socket(session)
    ack = socket.emit("respond", *args)
    assert set(ack) == {"ok", "error", "code"}
    assert ack["ok"] is False and ack["code"] == code
    assert isinstance(ack["error"], str) and ack["error"]
    assert socket.connected  # one bad event never drops the connection
    assert room.responses(session, deleted=True) == []
    assert answer_over_socket(socket, RETRO_PROMPT, "Still works")["ok"] is True


@pytest.mark.parametrize("bad_id", [None, "abc", "1.0", [1], {"id": 1}, True, -1, 10**6])
def test_edit_and_delete_with_a_malformed_id_change_nothing(room, session, in_retro, bad_id):
    in_retro.respond(session, RETRO_PROMPT, "Monthly calls")
    before = room.responses(session)
    socket = in_retro.socket(session)
    edit = socket.emit("edit_response", {"id": bad_id, "text": "Changed"})
    delete = socket.emit("delete_response", {"id": bad_id})
    assert edit == delete == {"ok": False, "error": "no such answer", "code": "not_found"}
    assert room.responses(session) == before


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        pytest.param(["next"], "malformed", id="a list"),
        pytest.param("next", "malformed", id="a string"),
        pytest.param({}, "malformed", id="no action"),
        pytest.param({"action": 3}, "malformed", id="number action"),
        pytest.param({"action": "extend", "seconds": "60"}, "malformed", id="text seconds"),
        pytest.param({"action": "extend", "seconds": True}, "malformed", id="boolean seconds"),
        pytest.param({"action": "extend", "seconds": 99999}, "state", id="too many seconds"),
        pytest.param({"action": "launch"}, "malformed", id="unknown action"),
        pytest.param({"action": "start"}, "state", id="start twice"),
        pytest.param({"action": "next", "pad": "x" * 17_000}, "too_large", id="huge"),
    ],
)
def test_malformed_controls_get_an_error_ack_and_change_nothing(room, host, session, payload, code):
    host.control(session, "start")
    before = room.workshop(session)
    ack = host.socket(session).emit("control", payload)
    assert ack["ok"] is False and ack["code"] == code
    assert isinstance(ack["error"], str) and ack["error"]
    assert room.workshop(session) == before


@pytest.mark.parametrize(
    ("payload", "code"),
    [
        pytest.param({"id": "1"}, "not_found", id="text id"),
        pytest.param({"id": None}, "not_found", id="no id"),
        pytest.param({"id": 1, "hidden": "yes"}, "malformed", id="text hidden"),
        pytest.param([1], "malformed", id="a list"),
    ],
)
def test_malformed_hide_requests_change_nothing(room, session, in_retro, host, payload, code):
    in_retro.respond(session, RETRO_PROMPT, "Keep me visible")
    ack = host.socket(session).emit("hide_response", payload)
    assert ack["ok"] is False and ack["code"] == code
    assert one_response(room, session)["hidden"] is False


def test_a_hide_request_with_a_boolean_id_is_refused(room, session, in_retro, host):
    in_retro.respond(session, RETRO_PROMPT, "Keep me visible")  # answer number 1 (== True)
    ack = host.socket(session).emit("hide_response", {"id": True})
    assert (ack["ok"], ack["code"]) == (False, "not_found")
    assert one_response(room, session)["hidden"] is False


# -- who may connect --------------------------------------------------------------------------


def test_the_sessions_people_connect_and_get_a_snapshot(room, cast):
    sockets = [
        cast.member.socket(cast.session),
        cast.host.socket(cast.session),
        room.screen(cast.session),
    ]
    for socket in sockets:
        assert socket.connected
        assert [name for name, _ in socket.events()] == ["snapshot"]
        ack = socket.emit("sync")
        assert ack["ok"] is True and isinstance(ack["server_now"], int)


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("anonymous", "its code"),
        ("outsider", "its code"),
        ("other_host", "its code"),
        ("host", "its code"),
        ("member", "another session's code"),
        ("member", "nothing"),
        ("member", "its projector token"),
    ],
)
def test_participant_sockets_need_a_participant_of_that_session(room, cast, who, names):
    query = (
        PARTICIPANT_QUERY
        + "="
        + {
            "its code": cast.session.code,
            "another session's code": cast.other_session.code,
            "nothing": "",
            "its projector token": cast.session.token,
        }[names]
    )
    socket = Socket(room.app, "/participant", query, getattr(cast, who).http)
    assert not socket.connected


@pytest.mark.parametrize(
    ("who", "names"),
    [
        ("anonymous", "its id"),
        ("member", "its id"),
        ("other_host", "its id"),
        ("host", "text"),
        ("host", "nothing"),
        ("host", "its projector token"),
    ],
)
def test_facilitator_sockets_need_a_facilitator_of_that_session(room, cast, who, names):
    query = (
        FACILITATOR_QUERY
        + "="
        + {
            "its id": str(cast.session.id),
            "text": "abc",
            "nothing": "",
            "its projector token": cast.session.token,
        }[names]
    )
    socket = Socket(room.app, "/facilitator", query, getattr(cast, who).http)
    assert not socket.connected


@pytest.mark.parametrize("token", ["", "not-the-token", "join-code", "x" * 65])
def test_screen_sockets_need_the_projector_token(room, session, token):
    token = session.code if token == "join-code" else token
    assert not room.screen(session, token=token).connected


def test_screens_and_participants_cannot_send_facilitator_events(room, session, in_retro, host):
    in_retro.respond(session, RETRO_PROMPT, "Keep me visible")
    before = room.workshop(session)
    screen, phone = room.screen(session), in_retro.socket(session)
    attempts = [
        (socket, event, payload)
        for socket in (screen, phone)
        for event, payload in (("control", {"action": "next"}), ("hide_response", {"id": 1}))
    ]
    attempts.append((screen, "respond", {"prompt_id": RETRO_PROMPT, "text": "x"}))
    for socket, event, payload in attempts:
        ack = socket.emit(event, payload)
        assert (ack["ok"], ack["code"]) == (False, "unknown_event"), event
    assert room.workshop(session) == before
    assert one_response(room, session)["hidden"] is False


def test_a_participant_socket_only_acts_in_its_own_session(room, cast):
    cast.host.go_to(cast.session, RETRO)
    cast.other_host.go_to(cast.other_session, RETRO)
    socket = cast.outsider.socket(cast.other_session)
    assert answer_over_socket(socket, RETRO_PROMPT, "Mine")["ok"] is True
    assert room.texts(cast.other_session) == ["Mine"]
    assert room.responses(cast.session) == []


# -- what each audience receives --------------------------------------------------------------


def run_a_little_session(room, host, session):
    """Join, move on, answer, edit, hide and delete while everyone is connected."""
    phone = room.phone().joined(session, name="Zelda Quux")
    host.control(session, "start")
    host.control(session, "next")
    socket = phone.socket(session)
    first = answer_over_socket(socket, RETRO_PROMPT, "Secret idea")["response"]
    second = answer_over_socket(socket, RETRO_PROMPT, "Another idea")["response"]
    socket.emit("edit_response", {"id": first["id"], "text": "Secret idea, edited"})
    host.socket(session).emit("hide_response", {"id": second["id"]})
    socket.emit("delete_response", {"id": first["id"]})
    return socket


def test_participants_get_snapshot_and_state_never_answers_or_counts(room, host, session):
    watcher = room.phone().joined(session).socket(session)
    answering = run_a_little_session(room, host, session)
    watched = watcher.events()
    # each state comes with the segment as every phone of the watcher's language sees it
    assert [name for name, _ in watched][:5] == ["snapshot", "state", "segment", "state", "segment"]
    for socket_events in (watched, answering.events()):
        assert not {name for name, _ in socket_events} & {"response", "counts"}
    dumped = json.dumps(watched)
    assert "Secret idea" not in dumped and "Another idea" not in dumped and "Zelda" not in dumped
    snapshot = watched[0][1]
    assert snapshot["responses"] == [] and snapshot["state"]["status"] == "lobby"


def test_a_participant_snapshot_holds_only_their_own_answers(room, session, in_retro):
    in_retro.respond(session, RETRO_PROMPT, "Mine")
    other = room.phone().joined(session)
    other.respond(session, RETRO_PROMPT, "Theirs")
    (snapshot,) = in_retro.socket(session).payloads("snapshot")
    assert [r["text"] for r in snapshot["responses"]] == ["Mine"]
    assert set(snapshot["responses"][0]) == {"id", "client_id", "prompt_id", "text", "strategy_id"}
    assert snapshot["state"]["segment"]["id"] == "retrospective"


def test_facilitators_get_snapshot_state_answers_and_counts(room, host, session):
    console = host.socket(session)
    run_a_little_session(room, host, session)
    events = console.events()
    assert {"snapshot", "state", "response", "counts"} <= {name for name, _ in events}
    actions = [p["action"] for name, p in events if name == "response"]
    assert actions == ["created", "created", "edited", "hidden", "deleted"]
    counts = [p for name, p in events if name == "counts"]
    assert counts[-1] == {"participants": 1, "responses": {}}
    (snapshot,) = host.socket(session).payloads("snapshot")
    assert snapshot["counts"] == {"participants": 1, "responses": {}}
    assert [(r["text"], r["hidden"]) for r in snapshot["responses"]] == [("Another idea", True)]


def test_screens_get_snapshot_state_and_counts_without_texts_or_names(room, host, session):
    screen = room.screen(session)
    run_a_little_session(room, host, session)
    events = screen.events()
    names = {name for name, _ in events}
    assert {"snapshot", "state", "counts"} <= names and "response" not in names
    dumped = json.dumps(events)
    assert "Secret idea" not in dumped and "Another idea" not in dumped
    assert "Zelda" not in dumped
    (snapshot,) = room.screen(session).payloads("snapshot")
    assert snapshot["counts"] == {"participants": 1, "responses": {}}
    assert "responses" not in snapshot


def test_joining_updates_the_counts_on_the_screen_and_console(room, host, session):
    screen, console = room.screen(session), host.socket(session)
    room.phone().joined(session)
    room.phone().joined(session)
    expected = [{"participants": 1, "responses": {}}, {"participants": 2, "responses": {}}]
    assert screen.payloads("counts") == expected
    assert console.payloads("counts") == expected


def test_every_audience_follows_the_facilitator_to_the_next_segment(room, host, session):
    phone = room.phone().joined(session)
    sockets = [phone.socket(session), host.socket(session), room.screen(session)]
    host.control(session, "start")
    ack = host.socket(session).emit("control", {"action": "next"})
    assert ack["ok"] is True and ack["state"]["segment"]["id"] == "retrospective"
    ends_at = epoch_ms(room.workshop(session)["ends_at"])
    for socket in sockets:
        states = socket.payloads("state")
        assert [s["segment"]["id"] for s in states] == ["overview", "retrospective"]
        assert states[-1]["timer"]["ends_at"] == ends_at
        assert states[-1]["timer"]["running"] is True


def test_a_control_over_the_socket_reports_the_new_state(room, host, session):
    console = host.socket(session)
    console.emit("control", {"action": "start"})
    pause = console.emit("control", {"action": "pause"})
    assert pause["ok"] is True
    assert pause["state"]["status"] == "paused" and pause["state"]["timer"]["ends_at"] is None
    extend = console.emit("control", {"action": "extend", "seconds": 60})
    assert extend["state"]["timer"]["remaining"] == pause["state"]["timer"]["remaining"] + 60
    refused = console.emit("control", {"action": "pause"})
    assert refused == {"ok": False, "error": "the timer is not running", "code": "state"}


# -- the facilitator's console and its forms --------------------------------------------------


def test_console_buttons_run_the_timer(room, host, session):
    assert host.control(session, "start").status_code == 302
    started = room.workshop(session)
    assert (started["segment_index"], started["timer_running"]) == (OVERVIEW, True)
    host.control(session, "extend-300")
    assert (room.workshop(session)["ends_at"] - started["ends_at"]).total_seconds() == 300
    host.control(session, "pause")
    assert room.workshop(session)["timer_running"] is False
    host.control(session, "resume")
    host.control(session, "next")
    assert room.workshop(session)["segment_index"] == RETRO
    host.control(session, "previous")
    assert room.workshop(session)["segment_index"] == OVERVIEW
    host.control(session, "end")
    assert room.workshop(session)["ended_at"] is not None


def test_a_control_that_does_not_fit_is_explained_on_the_console(room, host, session):
    response = host.control(session, "pause")
    assert response.status_code == 302
    page = host.console(session)
    assert "Could not pause: start the session first." in page
    assert room.workshop(session)["segment_index"] == -1


def test_an_extend_button_with_an_odd_amount_changes_nothing(room, host, session):
    host.control(session, "start")
    before = room.workshop(session)
    host.control(session, "extend-99999")
    assert "extend by between 1 second and 60 minutes" in host.console(session)
    assert room.workshop(session) == before


def test_console_lists_answers_with_counts(room, host, session, in_retro):
    in_retro.respond(session, RETRO_PROMPT, "Monthly calls")
    in_retro.respond(session, RETRO_PROMPT, "Site visits")
    page = host.console(session)
    assert "Monthly calls" in page and "Site visits" in page
    assert "(<span data-count>2</span>)" in page
    assert "Participant 1" in page


# -- who may use which page -------------------------------------------------------------------


@pytest.mark.parametrize("who", ["anonymous", "member"])
def test_facilitator_pages_need_a_signed_in_facilitator(cast, who):
    actor = getattr(cast, who)
    for path in ("/facilitator/", f"/facilitator/w/{cast.session.id}"):
        response = actor.get(path)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/auth/login?next=")


def test_a_facilitator_cannot_open_another_facilitators_console(cast):
    assert cast.other_host.get(f"/facilitator/w/{cast.session.id}").status_code == 404
    assert cast.host.get(f"/facilitator/w/{cast.session.id}").status_code == 200
    assert cast.host.get("/facilitator/w/99999").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "member", "outsider", "other_host"])
def test_only_facilitators_of_the_session_press_its_buttons(room, cast, who):
    response = getattr(cast, who).post(
        f"/facilitator/w/{cast.session.id}/control", {"action": "start"}
    )
    assert response.status_code == (404 if who == "other_host" else 302)
    assert room.workshop(cast.session)["segment_index"] == -1


def test_starting_a_session_needs_a_signed_in_facilitator(room):
    response = Actor(room).post("/facilitator/agendas/thrive-srt-retrospective/start")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/auth/login")
    assert room.facilitator().start().id == 1  # nothing was created before


def test_starting_an_unknown_agenda_is_a_404(host):
    assert host.post("/facilitator/agendas/no-such-agenda/start").status_code == 404


@pytest.mark.parametrize("who", ["anonymous", "outsider", "host"])
def test_the_live_segment_is_only_for_joined_participants(cast, who):
    response = getattr(cast, who).get(f"/w/{cast.session.code}/segment")
    assert response.status_code == 403
    assert "Join the session first." in response.get_data(as_text=True)
    assert cast.member.get(f"/w/{cast.session.code}/segment").status_code == 200


@pytest.mark.parametrize("who", ["anonymous", "outsider", "host"])
def test_answer_forms_need_a_participant_of_that_session(room, cast, who):
    cast.host.go_to(cast.session, RETRO)
    cast.member.respond(cast.session, RETRO_PROMPT, "Mine")
    row = one_response(room, cast.session)
    actor, code = getattr(cast, who), cast.session.code
    data = {"prompt_id": RETRO_PROMPT, "text": "Intruder", "client_id": new_client_id()}
    for path in (f"/w/{code}/responses", f"/w/{code}/responses/{row['id']}/edit"):
        response = actor.post(path, data)
        assert (response.status_code, response.headers["Location"]) == (302, f"/w/{code}")
    assert actor.post(f"/w/{code}/responses/{row['id']}/delete").status_code == 302
    assert room.responses(cast.session, deleted=True) == [row]


def test_someone_who_has_not_joined_sees_the_join_page(cast):
    for who in ("anonymous", "outsider", "host"):
        page = getattr(cast, who).page(f"/w/{cast.session.code}")
        assert "Join the session" in page and "You're in" not in page
    assert "You're in" in cast.member.live(cast.session)


def test_the_projector_view_needs_its_token(room, session):
    anyone = room.phone()
    assert anyone.get(f"/screen/{session.token}").status_code == 200
    assert anyone.get(f"/screen/{session.token}/segment").status_code == 200
    for bad in ("not-the-token", session.code, str(session.id)):
        response = anyone.get(f"/screen/{bad}")
        assert response.status_code == 404
        assert "This screen link is not valid." in response.get_data(as_text=True)


def test_the_projector_token_opens_nothing_but_the_projector_view(room, session):
    holder = room.phone()
    assert holder.get(f"/w/{session.token}").status_code == 404
    assert holder.post(f"/w/{session.token}/join", {"role": ROLE}).status_code == 404
    response = holder.post(f"/facilitator/w/{session.id}/control", {"token": session.token})
    assert response.headers["Location"].startswith("/auth/login")
    assert room.participants(session) == []
    assert room.workshop(session)["segment_index"] == -1


def test_the_projector_view_shows_counts_but_no_answers(room, host, session):
    phone = room.phone().joined(session)
    host.go_to(session, RETRO)
    phone.respond(session, RETRO_PROMPT, "Private words")
    page = room.phone().page(f"/screen/{session.token}")
    assert "Private words" not in page
    assert f'data-prompt-count="{RETRO_PROMPT}">1<' in page
    assert "<strong data-count-participants>1</strong>" in page
    assert "<svg" in page  # the QR code for joining


# -- a restart keeps the session --------------------------------------------------------------


@pytest.mark.parametrize("timer", ["running", "paused"])
def test_a_restarted_server_keeps_the_segment_timer_and_answers(
    tmp_path, room, host, session, timer
):
    phone = room.phone().joined(session)
    host.go_to(session, RETRO)
    host.control(session, "extend-300")
    if timer == "paused":
        host.control(session, "pause")
    phone.respond(session, RETRO_PROMPT, "Monthly calls")
    before_workshop, before_answers = room.workshop(session), room.responses(session)
    url = f"sqlite:///{tmp_path / 'workshop.sqlite'}"
    restarted = Room(make_app(tmp_path, BROADCAST_INTERVAL=0, DATABASE_URL=url))
    try:
        assert restarted.workshop(session) == before_workshop
        assert restarted.responses(session) == before_answers
        back = restarted.phone()
        back.http.set_cookie(f"wsp_{session.id}", phone.token(session))
        assert ">Monthly calls</textarea>" in back.live(session)
        (snapshot,) = back.socket(session).payloads("snapshot")
        assert snapshot["state"]["timer"]["ends_at"] == epoch_ms(before_workshop["ends_at"])
        assert snapshot["state"]["status"] == timer
    finally:
        dispose(restarted.app)


# -- CSRF -------------------------------------------------------------------------------------


@pytest.fixture
def guarded_room(tmp_path):
    app = make_app(tmp_path, BROADCAST_INTERVAL=0, WTF_CSRF_ENABLED=True)
    yield Room(app)
    dispose(app)


def test_a_join_form_without_its_token_is_refused(guarded_room):
    session = guarded_room.facilitator().start()
    phone = guarded_room.phone()
    response = phone.join(session)
    assert response.status_code == 400
    assert "The form expired" in response.get_data(as_text=True)
    assert guarded_room.participants(session) == []
    token = csrf_token(phone.live(session))
    assert phone.join(session, csrf_token=token).status_code == 302
    assert len(guarded_room.participants(session)) == 1


def test_answer_forms_without_their_token_are_refused(guarded_room):
    host = guarded_room.facilitator()
    session = host.start()
    phone = guarded_room.phone()
    phone.join(session, csrf_token=csrf_token(phone.live(session)))
    host_token = csrf_token(host.console(session))
    host.control(session, "start", csrf_token=host_token)
    host.control(session, "next", csrf_token=host_token)
    assert phone.respond(session, RETRO_PROMPT, "No token").status_code == 400
    assert guarded_room.responses(session, deleted=True) == []
    token = csrf_token(phone.live(session))
    assert phone.respond(session, RETRO_PROMPT, "With token", csrf_token=token).status_code == 302
    row = one_response(guarded_room, session)
    assert phone.edit(session, row["id"], "Changed").status_code == 400
    assert phone.delete(session, row["id"]).status_code == 400
    assert host.hide(session, row["id"]).status_code == 400
    assert guarded_room.responses(session) == [row]


def test_control_forms_without_their_token_are_refused(guarded_room):
    host = guarded_room.facilitator()
    session = host.start()
    assert host.control(session, "start").status_code == 400
    assert guarded_room.workshop(session)["segment_index"] == -1
    token = csrf_token(host.console(session))
    assert host.control(session, "start", csrf_token=token).status_code == 302
    assert guarded_room.workshop(session)["segment_index"] == OVERVIEW


def test_starting_a_session_without_the_token_is_refused(guarded_room):
    host = guarded_room.facilitator()
    response = host.post("/facilitator/agendas/thrive-srt-retrospective/start")
    assert response.status_code == 400
    assert host.get("/facilitator/w/1").status_code == 404
