"""Top-N priority voting: rounds, ballots and the tally.

The tally is a pure function of the ballots. Ranked ballots score a truncated Borda count (as
Loomio's ranked choice does): with N picks allowed, a first choice earns N points, a second
N-1, down to 1. Unranked ballots give one point per pick ("dots"). Ties in points are broken by
more first choices (ranked votes only), then by more ballots naming the candidate; candidates
still equal share a rank and are shown as tied.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, case, delete, func, insert, literal, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from . import timing
from .agenda import Agenda
from .i18n import N_
from .ids import is_id
from .models import (
    Ballot,
    BallotPick,
    BallotSubmission,
    Candidate,
    Participant,
    Theme,
    VoteRound,
    Workshop,
)
from .workshops import ActionError

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")  # whole value: fullmatch (`$` allows a \n)
MAX_CANDIDATES = 100


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


@dataclass(frozen=True)
class CandidateSpec:
    title: str
    description: str = ""
    theme_id: int | None = None
    strategy_id: str | None = None


def candidate_specs(
    db: Session, workshop: Workshop, agenda: Agenda, source: str, theme_ids: list[int] | None = None
) -> list[CandidateSpec]:
    """What a round can vote on: the session's themes (all or some), the plan's strategies,
    the agenda's fixed list, or the top candidates of the previous round."""
    segment = timing.current_segment(workshop, agenda)
    if source == "themes":
        query = (
            select(Theme).where(Theme.workshop_id == workshop.id).order_by(Theme.position, Theme.id)
        )
        themes = list(db.scalars(query))
        if theme_ids is not None:
            wanted = set(theme_ids)
            themes = [t for t in themes if t.id in wanted]
            if len(themes) != len(wanted):
                raise ActionError(N_("some of those themes are not in this session"), "not_found")
        return [CandidateSpec(t.title, t.description, theme_id=t.id) for t in themes]
    if source == "strategies":
        framework = agenda.framework(segment.framework) if segment and segment.framework else None
        framework = framework or (agenda.frameworks[0] if agenda.frameworks else None)
        if framework is None:
            raise ActionError(N_("this agenda has no plan to take strategies from"), "invalid")
        return [
            CandidateSpec(s.name, s.description, strategy_id=s.id) for s in framework.strategies()
        ]
    if (
        source == "fixed"
        and segment
        and segment.vote
        and not isinstance(segment.vote.candidates, str)
    ):
        return [CandidateSpec(title) for title in segment.vote.candidates]
    raise ActionError(N_("unknown candidate source"), "invalid")


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
    query = (
        select(VoteRound)
        .where(VoteRound.workshop_id == workshop.id)
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


_candidate_cache: dict[tuple[int, str], frozenset[int]] = {}


def candidate_ids(db: Session, vote_round: VoteRound) -> frozenset[int]:
    """A round's candidates never change once it opens, so ballots check against a cached set
    (keyed by the round and its opening time, which no other round shares)."""
    key = (vote_round.id, vote_round.opened_at.isoformat())
    if key not in _candidate_cache:
        if len(_candidate_cache) > 1000:
            _candidate_cache.clear()
        _candidate_cache[key] = frozenset(c.id for c in candidates(db, vote_round))
    return _candidate_cache[key]


def candidates(db: Session, vote_round: VoteRound) -> list[Candidate]:
    query = (
        select(Candidate).where(Candidate.round_id == vote_round.id).order_by(Candidate.position)
    )
    return list(db.scalars(query))


def _clean_picks(db: Session, vote_round: VoteRound, picks: object) -> list[int]:
    if not isinstance(picks, list) or not all(
        isinstance(p, int) and not isinstance(p, bool) for p in picks
    ):
        raise ActionError(N_("a ballot is a list of candidate numbers"), "malformed")
    if not picks:
        raise ActionError(N_("pick at least one"), "empty")
    if len(picks) > vote_round.picks:
        raise ActionError(N_("pick at most {picks}"), "too_many", picks=vote_round.picks)
    if len(set(picks)) != len(picks):
        raise ActionError(N_("pick each one only once"), "repeated")
    if not set(picks) <= candidate_ids(db, vote_round):
        raise ActionError(N_("that is not one of the choices in this vote"), "not_found")
    return picks


@dataclass(frozen=True)
class StoredBallot:
    id: int
    round_id: int
    client_id: str
    picks: tuple[int, ...] | None  # None for a resend: what it sent is already stored


# The ballot path as statements built once and run on the session's connection: a thousand
# phones vote within seconds, and building each statement anew and running it through the
# ORM's execution layer cost more CPU than SQLite's own work (`python -m bench paths`, CPU per
# ballot through the server's Socket.IO dispatch: 1,699 → 955 µs).
_ROUND = select(
    VoteRound.id, VoteRound.workshop_id, VoteRound.is_open, VoteRound.picks, VoteRound.opened_at
).where(VoteRound.id == bindparam("round_id"))
_EXISTING = select(Ballot.id, Ballot.client_id).where(
    Ballot.round_id == bindparam("round_id"), Ballot.participant_id == bindparam("participant_id")
)
_SENT_BEFORE = select(BallotSubmission.id).where(
    BallotSubmission.ballot_id == bindparam("ballot_id"),
    BallotSubmission.client_id == bindparam("sent_client_id"),
)
_NEW_BALLOT = insert(Ballot).returning(Ballot.id)
_CLEAR_PICKS = delete(BallotPick).where(BallotPick.ballot_id == bindparam("ballot_id"))
_REPLACE_BALLOT = (
    update(Ballot)
    .where(Ballot.id == bindparam("ballot_id"))
    .values(client_id=bindparam("new_client_id"), updated_at=bindparam("now"))
)
_NEW_PICKS = insert(BallotPick)
_NEW_SUBMISSION = insert(BallotSubmission)


def cast_ballot(
    db: Session,
    workshop_id: int,
    participant_id: int,
    round_id: object,
    picks: object,
    client_id: object,
    now: datetime,
) -> tuple[StoredBallot, bool]:
    """Store a participant's ballot, replacing their earlier one. A resend (same client id)
    changes nothing and returns the stored ballot."""
    if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
        raise ActionError(N_("missing or malformed client id"), "client_id")
    connection = db.connection()
    vote_round = _round_row(connection, workshop_id, round_id)
    existing = connection.execute(
        _EXISTING, {"round_id": vote_round.id, "participant_id": participant_id}
    ).first()
    if existing is not None and (
        existing.client_id == client_id or _sent_before(connection, existing.id, client_id)
    ):
        return StoredBallot(existing.id, vote_round.id, client_id, None), False
    if not vote_round.is_open:
        raise ActionError(N_("voting is closed"), "closed")
    picks = _clean_picks(db, vote_round, picks)
    if existing is None:
        values = {
            "round_id": vote_round.id,
            "participant_id": participant_id,
            "client_id": client_id,
            "created_at": now,
            "updated_at": now,
        }
        # A second tab of the same participant may insert first: the unique (round,
        # participant) refuses this one, and the caller retries it as an update.
        ballot_id = connection.execute(_NEW_BALLOT, values).scalar_one()
    else:
        ballot_id = existing.id
        connection.execute(_CLEAR_PICKS, {"ballot_id": ballot_id})
        connection.execute(
            _REPLACE_BALLOT, {"ballot_id": ballot_id, "new_client_id": client_id, "now": now}
        )
    connection.execute(
        _NEW_PICKS,
        [{"ballot_id": ballot_id, "candidate_id": c, "rank": i + 1} for i, c in enumerate(picks)],
    )
    connection.execute(_NEW_SUBMISSION, {"ballot_id": ballot_id, "client_id": client_id})
    return StoredBallot(ballot_id, vote_round.id, client_id, tuple(picks)), True


def _sent_before(connection: Connection, ballot_id: int, client_id: str) -> bool:
    found = connection.execute(_SENT_BEFORE, {"ballot_id": ballot_id, "sent_client_id": client_id})
    return found.first() is not None


def _round_row(connection: Connection, workshop_id: int, round_id: object):
    if not is_id(round_id):
        raise ActionError(N_("no such vote"), "not_found")
    row = connection.execute(_ROUND, {"round_id": round_id}).first()
    if row is None or row.workshop_id != workshop_id:
        raise ActionError(N_("no such vote"), "not_found")
    return row


def ballot_of(db: Session, vote_round: VoteRound, participant: Participant) -> Ballot | None:
    query = select(Ballot).where(
        Ballot.round_id == vote_round.id, Ballot.participant_id == participant.id
    )
    return db.scalars(query).first()


def picks_of_ballot(db: Session, ballot_id: int) -> list[int]:
    query = (
        select(BallotPick.candidate_id)
        .where(BallotPick.ballot_id == ballot_id)
        .order_by(BallotPick.rank)
    )
    return list(db.scalars(query))


def ballot_picks(db: Session, ballot: Ballot) -> list[int]:
    query = (
        select(BallotPick.candidate_id)
        .where(BallotPick.ballot_id == ballot.id)
        .order_by(BallotPick.rank)
    )
    return list(db.scalars(query))


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


def round_tally(db: Session, vote_round: VoteRound) -> list[TallyRow]:
    """The same scores as `tally`, summed by the database in one query: the projector's tally
    is recounted a few times a second while a thousand ballots arrive."""
    points = (vote_round.picks + 1 - BallotPick.rank) if vote_round.ranked else literal(1)
    first = case((BallotPick.rank == 1, 1), else_=0) if vote_round.ranked else literal(0)
    query = (
        select(BallotPick.candidate_id, func.sum(points), func.sum(first), func.count())
        .join(Ballot, Ballot.id == BallotPick.ballot_id)
        .where(Ballot.round_id == vote_round.id, BallotPick.rank <= vote_round.picks)
        .group_by(BallotPick.candidate_id)
    )
    sums = {row[0]: row[1:] for row in db.execute(query)}
    ids = [c.id for c in candidates(db, vote_round)]
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
