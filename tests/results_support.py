"""A finished reference session for the results, exports and sharing tests, built the way the
room builds it: a facilitator runs the Thrive agenda from the console, four phones join and
answer (one answer is deleted, one hidden), a paper card is typed in (a participant stored
directly with `is_paper=True`), the facilitator sorts answers into themes linked to the plan's
strategies, the room votes and the vote closes.

`recount` reads the database with its own queries and its own Borda count, so the tests can
check every export against something that shares no code with `workshop.results`."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime

from room import PLANNING, RETRO, VOTE, Room, Session, new_client_id
from sqlalchemy import func, select

from workshop.extensions import db
from workshop.live.participants import token_hash
from workshop.models import Ballot, BallotPick, Candidate, Participant, Response, Theme, VoteRound

XSS = "Monthly meetings built trust <script>alert(1)</script>"
FORMULAS = ('=HYPERLINK("http://x")', "+1 more networking", "-2+3 fewer silos", "@SUM(A1) data")
SPANISH = "Año de colaboración — “muy bien” – sí… and a ő"
HIDDEN_TEXT = "A rude remark about a colleague"
DELETED_TEXT = "Typo, deleted by its author"
PAPER_TEXT = "Paper card: childcare near training sites"
NAME = "Ana López"
# Expected ranking (3 ranked picks: 3, 2, 1 points): see `build_reference_session`.
EXPECTED = [
    ("Relationships", 1, 10, 2, 4),
    ("Childcare", 2, 7, 2, 3),
    ("Shared information", 3, 5, 1, 2),
]


@dataclass
class Reference:
    room: Room
    session: Session
    host: object
    phones: dict[str, object] = field(default_factory=dict)
    response_ids: dict[str, int] = field(default_factory=dict)
    theme_ids: dict[str, int] = field(default_factory=dict)
    round_id: int = 0


def build_reference_session(room: Room, *, close_vote: bool = True) -> Reference:
    host = room.facilitator()
    ref = Reference(room, host.start(), host)
    _join(ref)
    _answer_retrospective(ref)
    host.go_to(ref.session, PLANNING)
    _answer_planning(ref)
    host.go_to(ref.session, VOTE)
    _make_themes(ref)
    _vote(ref, close_vote)
    return ref


def _join(ref: Reference) -> None:
    room, session = ref.room, ref.session
    ref.phones = {
        "ana": room.phone(session, name=NAME, role="SRT chair"),
        "bo": room.phone(session, role="SRT member"),
        "cy": room.phone(session, name='=HYPERLINK("http://evil")', role="Backbone organization"),
        "dee": room.phone(session, role="SRT member"),
    }
    with room.app.app_context():
        number = (
            db.session.scalar(
                select(func.max(Participant.number)).where(Participant.workshop_id == session.id)
            )
            + 1
        )
        paper = Participant(
            workshop_id=session.id,
            number=number,
            token_hash=token_hash(new_client_id()),
            role="Other",
            is_paper=True,
            answers_json="{}",
        )
        db.session.add(paper)
        db.session.commit()
        ref.phones["paper_id"] = paper.id


def _answer_retrospective(ref: Reference) -> None:
    ref.host.go_to(ref.session, RETRO)
    phones, ids = ref.phones, ref.response_ids
    ids["xss"] = phones["ana"].answer(XSS)
    for name, text in zip(("bo", "cy", "dee", "ana"), FORMULAS, strict=True):
        ids[text] = phones[name].answer(text, prompt_id="do_differently")
    ids["spanish"] = phones["bo"].answer(SPANISH)
    ids["hidden"] = phones["dee"].answer(HIDDEN_TEXT)
    ref.host.post(
        f"/facilitator/w/{ref.session.id}/responses/{ids['hidden']}/hide", {"hidden": "1"}
    )
    deleted = phones["cy"].answer(DELETED_TEXT)
    phones["cy"].post(f"/w/{ref.session.code}/responses/{deleted}/delete")
    ids["paper"] = _paper_response(ref)


def _paper_response(ref: Reference) -> int:
    with ref.room.app.app_context():
        now = datetime.now(UTC)
        row = Response(
            workshop_id=ref.session.id,
            participant_id=ref.phones["paper_id"],
            client_id=new_client_id(),
            segment_id="retrospective",
            prompt_id="worked_well",
            text=PAPER_TEXT,
            created_at=now,
            updated_at=now,
        )
        db.session.add(row)
        db.session.commit()
        return row.id


def _answer_planning(ref: Reference) -> None:
    data = {
        "prompt_id": "srt_next_two_years",
        "text": "Fund childcare near training sites",
        "client_id": new_client_id(),
        "strategy_id": "cybersecurity",
    }
    assert ref.phones["ana"].post(f"/w/{ref.session.code}/responses", data).status_code == 302
    with ref.room.app.app_context():
        ref.response_ids["childcare"] = db.session.scalar(
            select(Response.id).where(Response.client_id == data["client_id"])
        )


def _make_themes(ref: Reference) -> None:
    ids = ref.response_ids
    groups = {
        "Relationships": [ids["xss"], ids[FORMULAS[1]]],
        "Shared information": [ids[FORMULAS[0]], ids[FORMULAS[2]], ids["spanish"]],
        "Childcare": [ids["childcare"], ids["paper"]],
    }
    for title, response_ids in groups.items():
        _create_theme(ref, title, response_ids)
    _link(ref, "Shared information", "cybersecurity")
    _link(ref, "Childcare", "education-workforce-ecosystem")


def _create_theme(ref: Reference, title: str, response_ids: list[int]) -> None:
    reply = ref.host.board(ref.session, "create", new_title=title, response_ids=response_ids)
    assert reply.status_code == 302
    with ref.room.app.app_context():
        query = select(Theme.id).where(Theme.workshop_id == ref.session.id, Theme.title == title)
        ref.theme_ids[title] = db.session.scalar(query)


def _link(ref: Reference, title: str, strategy_id: str) -> None:
    theme_id = ref.theme_ids[title]
    reply = ref.host.board(ref.session, f"link:{theme_id}", **{f"strategy-{theme_id}": strategy_id})
    assert reply.status_code == 302


def _vote(ref: Reference, close: bool) -> None:
    assert ref.host.vote(ref.session, "open").status_code == 302
    (stored,) = ref.room.rounds(ref.session)
    ref.round_id, c = stored["id"], stored["candidates"]
    ballots = {
        "ana": ["Relationships", "Shared information", "Childcare"],
        "bo": ["Relationships"],
        "cy": ["Shared information", "Relationships"],
        "dee": ["Childcare", "Relationships"],
    }
    for name, picks in ballots.items():
        reply = ref.phones[name].ballot(ref.round_id, *[c[title] for title in picks])
        assert reply.status_code == 302
    _paper_ballot(ref, c["Childcare"])
    # A theme made after the vote opened: listed, but not ranked.
    _create_theme(ref, "Later idea", [ref.response_ids[FORMULAS[3]]])
    if close:
        assert ref.host.vote(ref.session, "close", round_id=str(ref.round_id)).status_code == 302
        assert ref.host.control(ref.session, "end").status_code == 302


def _paper_ballot(ref: Reference, candidate_id: int) -> None:
    with ref.room.app.app_context():
        now = datetime.now(UTC)
        ballot = Ballot(
            round_id=ref.round_id,
            participant_id=ref.phones["paper_id"],
            client_id=new_client_id(),
            created_at=now,
            updated_at=now,
        )
        db.session.add(ballot)
        db.session.flush()
        db.session.add(BallotPick(ballot_id=ballot.id, candidate_id=candidate_id, rank=1))
        db.session.commit()


# -- an independent recount from the database -----------------------------------------------


def recount(room: Room, session: Session) -> dict:
    """Ranking, themes, responses and participation straight from the tables."""
    with room.app.app_context():
        return {
            "ranking": _recount_ranking(session),
            "responses": _recount_responses(session),
            "participation": _recount_participation(session),
        }


def _recount_ranking(session: Session) -> list[tuple[str, int, int, int, int]]:
    vote_round = db.session.scalars(
        select(VoteRound)
        .where(VoteRound.workshop_id == session.id)
        .order_by(VoteRound.number.desc())
    ).first()
    points, firsts, named = Counter(), Counter(), Counter()
    picks = db.session.execute(
        select(Candidate.title, BallotPick.rank)
        .join(Ballot, Ballot.id == BallotPick.ballot_id)
        .join(Candidate, Candidate.id == BallotPick.candidate_id)
        .where(Ballot.round_id == vote_round.id)
    )
    for title, rank in picks:
        points[title] += vote_round.picks + 1 - rank
        firsts[title] += rank == 1
        named[title] += 1
    order = sorted(points, key=lambda t: (-points[t], -firsts[t], -named[t]))
    return [(t, i + 1, points[t], firsts[t], named[t]) for i, t in enumerate(order)]


def _recount_responses(session: Session) -> dict[str, dict]:
    rows = db.session.execute(
        select(Response.id, Response.text, Response.prompt_id, Response.hidden, Theme.title)
        .outerjoin(Theme, Theme.id == Response.theme_id)
        .where(Response.workshop_id == session.id, Response.deleted_at.is_(None))
    )
    return {
        row.text: {
            "id": row.id,
            "prompt_id": row.prompt_id,
            "hidden": row.hidden,
            "theme": row.title,
        }
        for row in rows
    }


def _recount_participation(session: Session) -> dict:
    people = db.session.execute(
        select(Participant.role, Participant.is_paper).where(Participant.workshop_id == session.id)
    ).all()
    per_question = db.session.execute(
        select(Response.prompt_id, func.count())
        .where(
            Response.workshop_id == session.id,
            Response.deleted_at.is_(None),
            Response.hidden.is_(False),
        )
        .group_by(Response.prompt_id)
    ).all()
    return {
        "participants": len(people),
        "paper": sum(1 for _, paper in people if paper),
        "by_role": dict(Counter(role for role, _ in people)),
        "per_question": dict(per_question),
    }
