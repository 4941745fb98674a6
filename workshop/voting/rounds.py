"""Vote rounds: their candidates, opening, closing and reopening them.
The tally is in `tally`, casting ballots in `ballots`; this package's `__init__` gathers
the names the rest of the app calls.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from workshop.agenda.model import Agenda
from workshop.ids import is_id
from workshop.live import timing
from workshop.messages import N_, ActionError
from workshop.models import (
    Candidate,
    VoteRound,
    Workshop,
)
from workshop.voting.counting import round_tally
from workshop.voting.slate import MAX_CANDIDATES, CandidateSpec, candidates


def open_round(
    db: Session, workshop: Workshop, agenda: Agenda, specs: list[CandidateSpec], now: datetime
) -> VoteRound:
    """Open a new round in the current vote segment with its settings from the agenda."""
    segment = timing.current_segment(workshop, agenda)
    if (
        workshop.ended_at is not None
        or segment is None
        or segment.kind != "vote"
        or segment.vote is None
    ):
        raise ActionError(N_("open voting during a vote segment of the agenda"), "state")
    if open_round_of(db, workshop) is not None:
        raise ActionError(N_("a vote is already open: close it first"), "state")
    if not specs:
        raise ActionError(
            N_("there is nothing to vote on yet: make some themes first"), "no_candidates"
        )
    if len(specs) > MAX_CANDIDATES:
        raise ActionError(
            N_("a vote can have at most {limit} candidates"), "limit", limit=MAX_CANDIDATES
        )
    number = (
        db.scalar(select(func.max(VoteRound.number)).where(VoteRound.workshop_id == workshop.id))
        or 0
    ) + 1
    vote_round = VoteRound(
        workshop_id=workshop.id,
        number=number,
        segment_id=segment.id,
        picks=segment.vote.picks,
        ranked=segment.vote.ranked,
        hide_tally=segment.vote.hide_tally,
        is_open=True,
        opened_at=now,
    )
    db.add(vote_round)
    db.flush()
    for position, spec in enumerate(specs):
        db.add(Candidate(round_id=vote_round.id, position=position, **spec.__dict__))
    db.flush()
    return vote_round


def top_of_round(db: Session, vote_round: VoteRound, count: int) -> list[CandidateSpec]:
    """The leading candidates of a closed round, for a run-off; ties at the cut all go through."""
    if not isinstance(count, int) or isinstance(count, bool) or count < 2:
        raise ActionError(N_("a second round needs at least two candidates"), "invalid")
    rows = round_tally(db, vote_round)
    cutoff = rows[min(count, len(rows)) - 1].rank if rows else 0
    by_id = {c.id: c for c in candidates(db, vote_round)}
    return [
        CandidateSpec(
            by_id[r.candidate_id].title,
            by_id[r.candidate_id].description,
            by_id[r.candidate_id].theme_id,
            by_id[r.candidate_id].strategy_id,
            by_id[r.candidate_id].title_es,
        )
        for r in rows
        if r.rank <= cutoff
    ]


def get_round(db: Session, workshop: Workshop, round_id: object) -> VoteRound:
    vote_round = db.get(VoteRound, round_id) if is_id(round_id) else None
    if vote_round is None or vote_round.workshop_id != workshop.id:
        raise ActionError(N_("no such vote"), "not_found")
    return vote_round


def open_round_of(db: Session, workshop: Workshop) -> VoteRound | None:
    query = select(VoteRound).where(
        VoteRound.workshop_id == workshop.id, VoteRound.is_open.is_(True)
    )
    return db.scalars(query).first()


def latest_round(db: Session, workshop: Workshop) -> VoteRound | None:
    return latest_round_of(db, workshop.id)


def latest_round_of(db: Session, workshop_id: int) -> VoteRound | None:
    query = (
        select(VoteRound)
        .where(VoteRound.workshop_id == workshop_id)
        .order_by(VoteRound.number.desc())
    )
    return db.scalars(query).first()


def close_round(db: Session, vote_round: VoteRound, now: datetime) -> None:
    if not vote_round.is_open:
        raise ActionError(N_("this vote is already closed"), "state")
    vote_round.is_open = False
    vote_round.closed_at = now
    db.flush()


def reopen_round(db: Session, workshop: Workshop, vote_round: VoteRound) -> None:
    if vote_round.is_open:
        raise ActionError(N_("this vote is already open"), "state")
    if open_round_of(db, workshop) is not None:
        raise ActionError(N_("another vote is open: close it first"), "state")
    if latest_round(db, workshop).id != vote_round.id:
        raise ActionError(N_("only the latest round can be reopened"), "state")
    vote_round.is_open = True
    vote_round.closed_at = None
    db.flush()


def set_tally_hidden(db: Session, vote_round: VoteRound, hidden: object) -> None:
    if not isinstance(hidden, bool):
        raise ActionError(N_("hidden must be true or false"), "malformed")
    vote_round.hide_tally = hidden
    db.flush()
