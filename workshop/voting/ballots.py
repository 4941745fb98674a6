"""Ballots: casting one (idempotent by client id, a change replaces the earlier ballot) and
reading them back.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, delete, insert, select, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from workshop.ids import is_id
from workshop.messages import N_, ActionError
from workshop.models import (
    Ballot,
    BallotPick,
    BallotSubmission,
    Participant,
    VoteRound,
)
from workshop.voting.slate import candidate_ids

CLIENT_ID = re.compile(r"[A-Za-z0-9_-]{8,64}")  # whole value: fullmatch (`$` allows a \n)


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
