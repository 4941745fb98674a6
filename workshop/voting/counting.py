"""The tally: a pure function of the ballots, and the same sums counted by the database.

Ranked ballots score a truncated Borda count (as Loomio's ranked choice does): with N picks
allowed, a first choice earns N points, a second N-1, down to 1. Unranked ballots give one
point per pick ("dots"). Ties in points are broken by more first choices (ranked votes only),
then by more ballots naming the candidate; candidates still equal share a rank and are shown
as tied.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import case, func, literal, select
from sqlalchemy.orm import Session

from workshop.models import (
    Ballot,
    BallotPick,
    VoteRound,
)
from workshop.voting.slate import candidates


@dataclass(frozen=True)
class TallyRow:
    candidate_id: int
    points: int
    first_choices: int
    ballots: int
    rank: int
    tied: bool


def tally(
    candidate_ids: Sequence[int], ballots: Sequence[Sequence[int]], picks: int, ranked: bool
) -> list[TallyRow]:
    """Score ballots (each a list of candidate ids, first choice first) and rank the candidates.

    Candidates nobody named are ranked too (with zero points), in the order given."""
    points = dict.fromkeys(candidate_ids, 0)
    firsts = dict.fromkeys(candidate_ids, 0)
    named = dict.fromkeys(candidate_ids, 0)
    for ballot in ballots:
        for position, candidate_id in enumerate(ballot[:picks]):
            if candidate_id not in points:
                continue
            points[candidate_id] += (picks - position) if ranked else 1
            named[candidate_id] += 1
            if ranked and position == 0:
                firsts[candidate_id] += 1
    return rank_candidates(candidate_ids, points, firsts, named)


def rank_candidates(
    candidate_ids: Sequence[int],
    points: dict[int, int],
    firsts: dict[int, int],
    named: dict[int, int],
) -> list[TallyRow]:
    """Order by points, then first choices, then ballots naming; equal candidates share a rank."""

    def key(candidate_id: int) -> tuple[int, int, int]:
        return (
            -points.get(candidate_id, 0),
            -firsts.get(candidate_id, 0),
            -named.get(candidate_id, 0),
        )

    order = sorted(candidate_ids, key=key)  # stable: equal candidates keep the given order
    sizes: dict[tuple[int, int, int], int] = {}
    for candidate_id in order:
        sizes[key(candidate_id)] = sizes.get(key(candidate_id), 0) + 1
    rows: list[TallyRow] = []
    for index, candidate_id in enumerate(order):
        rank = rows[-1].rank if index and key(order[index - 1]) == key(candidate_id) else index + 1
        row = TallyRow(
            candidate_id,
            points.get(candidate_id, 0),
            firsts.get(candidate_id, 0),
            named.get(candidate_id, 0),
            rank,
            sizes[key(candidate_id)] > 1,
        )
        rows.append(row)
    return rows


def all_ballots(db: Session, vote_round: VoteRound) -> list[list[int]]:
    """Every ballot of a round as an ordered list of candidate ids."""
    query = (
        select(BallotPick.ballot_id, BallotPick.candidate_id)
        .join(Ballot, Ballot.id == BallotPick.ballot_id)
        .where(Ballot.round_id == vote_round.id)
        .order_by(BallotPick.ballot_id, BallotPick.rank)
    )
    ballots: dict[int, list[int]] = {}
    for ballot_id, candidate_id in db.execute(query):
        ballots.setdefault(ballot_id, []).append(candidate_id)
    return list(ballots.values())


def round_tally(
    db: Session, vote_round: VoteRound, candidate_ids: list[int] | None = None
) -> list[TallyRow]:
    """The same scores as `tally`, summed by the database in one query: the projector's tally
    is recounted a few times a second while a thousand ballots arrive. `candidate_ids`: the
    round's candidates in their order, when the caller has them already."""
    points = (vote_round.picks + 1 - BallotPick.rank) if vote_round.ranked else literal(1)
    first = case((BallotPick.rank == 1, 1), else_=0) if vote_round.ranked else literal(0)
    query = (
        select(BallotPick.candidate_id, func.sum(points), func.sum(first), func.count())
        .join(Ballot, Ballot.id == BallotPick.ballot_id)
        .where(Ballot.round_id == vote_round.id, BallotPick.rank <= vote_round.picks)
        .group_by(BallotPick.candidate_id)
    )
    sums = {row[0]: row[1:] for row in db.execute(query)}
    ids = candidate_ids if candidate_ids is not None else [c.id for c in candidates(db, vote_round)]
    return rank_candidates(
        ids,
        {c: int(s[0]) for c, s in sums.items()},
        {c: int(s[1]) for c, s in sums.items()},
        {c: int(s[2]) for c, s in sums.items()},
    )


def ballot_count(db: Session, vote_round: VoteRound) -> int:
    return (
        db.scalar(select(func.count()).select_from(Ballot).where(Ballot.round_id == vote_round.id))
        or 0
    )
