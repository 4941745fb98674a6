"""The projector's tally is summed by the database; it must equal the pure `tally` for any
ballots, ranked or not."""

from __future__ import annotations

import random
from datetime import UTC, datetime

import pytest

from workshop.extensions import db
from workshop.models import (
    Ballot,
    BallotPick,
    Candidate,
    Facilitator,
    Participant,
    VoteRound,
    Workshop,
)
from workshop.voting.counting import all_ballots, round_tally, tally

NOW = datetime(2024, 9, 12, 10, 0, tzinfo=UTC)


def make_round(ranked: bool, picks: int, candidates: int) -> VoteRound:
    owner = Facilitator(email=f"f{random.random()}@example.org", password_hash="x")
    db.session.add(owner)
    db.session.flush()
    workshop = Workshop(
        code=f"C{random.randrange(10**9)}",
        projector_token=str(random.random()),
        title="T",
        agenda_id="a",
        agenda_json="{}",
        owner_id=owner.id,
    )
    db.session.add(workshop)
    db.session.flush()
    vote_round = VoteRound(
        workshop_id=workshop.id, number=1, segment_id="v", picks=picks, ranked=ranked, opened_at=NOW
    )
    db.session.add(vote_round)
    db.session.flush()
    db.session.add_all(
        Candidate(round_id=vote_round.id, position=i, title=f"C{i}") for i in range(candidates)
    )
    db.session.flush()
    return vote_round


@pytest.mark.parametrize("ranked", [True, False])
@pytest.mark.parametrize("seed", range(6))
def test_database_tally_equals_the_pure_tally(app, ranked, seed):
    rng = random.Random(seed)
    with app.app_context():
        vote_round = make_round(ranked, picks=3, candidates=rng.randint(2, 7))
        ids = [c.id for c in db.session.scalars(db.select(Candidate).order_by(Candidate.position))]
        for number in range(rng.randint(0, 40)):
            participant = Participant(
                workshop_id=vote_round.workshop_id,
                number=number + 1,
                token_hash=f"h{seed}-{number}-{ranked}",
            )
            db.session.add(participant)
            db.session.flush()
            ballot = Ballot(
                round_id=vote_round.id,
                participant_id=participant.id,
                client_id=f"ballot-{number:04d}",
            )
            db.session.add(ballot)
            db.session.flush()
            picks = rng.sample(ids, k=rng.randint(1, min(3, len(ids))))
            db.session.add_all(
                BallotPick(ballot_id=ballot.id, candidate_id=c, rank=r + 1)
                for r, c in enumerate(picks)
            )
        db.session.flush()
        expected = tally(ids, all_ballots(db.session, vote_round), 3, ranked)
        assert round_tally(db.session, vote_round) == expected
        db.session.rollback()
