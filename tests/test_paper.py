"""People without a phone: a facilitator types in their paper card and paper ballot. Their
answers and ballots count exactly like phone participants' and are marked as paper."""

from __future__ import annotations

import re

import pytest
from room import PLANNING, RETRO, VOTE, open_room
from sqlalchemy import select

from workshop.extensions import db
from workshop.models import Participant, Response


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as opened:
        yield opened


def add_paper_participant(host, session, role: str = "Other") -> int:
    reply = host.post(f"/facilitator/w/{session.id}/paper/", {"role": role})
    assert reply.status_code == 302
    page = host.page(f"/facilitator/w/{session.id}/paper/")
    return int(re.findall(r'id="paper-(\d+)"', page)[-1])


def test_paper_answers_count_like_phone_answers(room):
    host = room.facilitator()
    session = host.start()
    host.go_to(session, PLANNING)  # the retrospective question is no longer on screen
    console = host.socket(session)
    person = add_paper_participant(host, session)
    reply = host.post(
        f"/facilitator/w/{session.id}/paper/{person}/answers",
        {
            "prompt_id": "worked_well",
            "text": "Monthly meetings (from a paper card)",
            "client_id": "paper-card-0001",
        },
    )
    assert reply.status_code == 302
    received = dict(console.events())  # the latest of each event
    streamed = received["response"]["response"]
    assert streamed["text"] == "Monthly meetings (from a paper card)"
    assert streamed["participant"].startswith("Paper participant")
    assert received["counts"]["responses"]["worked_well"] == 1
    with room.app.app_context():
        row = db.session.scalars(select(Participant).where(Participant.id == person)).one()
        assert row.is_paper and row.role == "Other"
        assert db.session.scalar(select(Response.text).where(Response.participant_id == person))


def test_a_resubmitted_paper_card_is_stored_once(room):
    host = room.facilitator()
    session = host.start()
    host.go_to(session, RETRO)
    person = add_paper_participant(host, session)
    card = {"prompt_id": "worked_well", "text": "Networking", "client_id": "paper-card-0002"}
    for _ in range(2):  # a double click, or a reload that posts again
        host.post(f"/facilitator/w/{session.id}/paper/{person}/answers", card)
    with room.app.app_context():
        assert db.session.query(Response).filter_by(participant_id=person).count() == 1


def test_paper_ballots_count_like_phone_ballots(room):
    host = room.facilitator()
    session = host.start()
    for title in ("Meetings", "Funding"):
        host.board(session, "create", new_title=title)
    host.go_to(session, VOTE)
    assert host.vote(session, "open", source="themes").status_code == 302
    round_id = room.rounds(session)[-1]["id"]
    meetings, funding = (room.rounds(session)[-1]["candidates"][t] for t in ("Meetings", "Funding"))
    phone = room.phone(session)
    assert phone.ballot(round_id, funding).status_code == 302
    person = add_paper_participant(host, session)
    reply = host.post(
        f"/facilitator/w/{session.id}/paper/{person}/ballot",
        {"round_id": str(round_id), "pick-1": str(funding), "pick-2": str(meetings)},
    )
    assert reply.status_code == 302
    assert len(room.ballots(round_id)) == 2
    assert host.vote(session, "close", round_id=str(round_id)).status_code == 302
    panel = " ".join(
        re.sub(r"<[^>]+>", " ", host.page(f"/facilitator/w/{session.id}/vote")).split()
    )
    assert "2 of 2 participants have voted" in panel
    assert "1. Funding" in panel and "6 pts" in panel  # 3 from the phone + 3 from the paper ballot


def test_only_facilitators_of_the_session_reach_paper_cards(room):
    host = room.facilitator()
    session = host.start()
    outsider = room.facilitator()
    assert outsider.get(f"/facilitator/w/{session.id}/paper/").status_code == 404
    assert (
        outsider.post(f"/facilitator/w/{session.id}/paper/", {"role": "Other"}).status_code == 404
    )
    phone = room.phone(session)
    assert phone.get(f"/facilitator/w/{session.id}/paper/").status_code == 302  # to sign-in
