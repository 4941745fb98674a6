"""The tally of a vote: `voting.tally` checked against a straightforward recount written here,
for any ballots hypothesis can think of, plus a few examples worked out by hand.

The rule (workshop/voting.py): with N picks, a ranked ballot gives N points to its first
choice, N-1 to its second, and so on; an unranked ballot gives one point ("dot") per pick.
Ties in points are broken by more first choices (ranked votes only), then by more ballots
naming the candidate; candidates still equal share a rank and are flagged as tied."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from room import VOTE, new_client_id, open_room

from workshop.voting.counting import TallyRow, tally

A, B, C, D = 11, 22, 33, 44


def recount(candidates, ballots, picks, ranked):
    """Count the way a person with a pencil would: for each candidate, go through every
    ballot. Returns (candidate, points, first choices, ballots naming it), best first."""
    counted = []
    for candidate in candidates:
        naming = [list(b[:picks]) for b in ballots if candidate in b[:picks]]
        points = sum((picks - b.index(candidate)) if ranked else 1 for b in naming)
        firsts = sum(1 for b in naming if ranked and b[0] == candidate)
        counted.append((candidate, points, firsts, len(naming)))
    # Best first; equal candidates keep the order they were listed in.
    return sorted(counted, key=lambda row: (-row[1], -row[2], -row[3]))


def expected_rows(candidates, ballots, picks, ranked) -> list[TallyRow]:
    counted = recount(candidates, ballots, picks, ranked)
    rows = []
    for candidate, points, firsts, named in counted:
        better = [row for row in counted if (row[1], row[2], row[3]) > (points, firsts, named)]
        equal = [row for row in counted if (row[1], row[2], row[3]) == (points, firsts, named)]
        rows.append(TallyRow(candidate, points, firsts, named, len(better) + 1, len(equal) > 1))
    return rows


@st.composite
def votes(draw, max_candidates: int = 7, max_ballots: int = 12):
    """Candidates, ballots (distinct picks, first choice first, at most `picks` long), picks
    allowed and whether the vote is ranked."""
    candidates = draw(
        st.lists(st.integers(1, 500), min_size=1, max_size=max_candidates, unique=True)
    )
    picks = draw(st.integers(1, 5))
    ballot = st.lists(
        st.sampled_from(candidates), min_size=1, max_size=min(picks, len(candidates)), unique=True
    )
    ballots = draw(st.lists(ballot, max_size=max_ballots))
    return candidates, ballots, picks, draw(st.booleans())


# -- properties -----------------------------------------------------------------------------


@given(votes())
def test_the_tally_equals_a_straightforward_recount(vote):
    assert tally(*vote) == expected_rows(*vote)


@given(votes())
def test_every_candidate_is_ranked_once_even_without_votes(vote):
    candidates = vote[0]
    assert sorted(row.candidate_id for row in tally(*vote)) == sorted(candidates)


@given(votes())
def test_ranks_follow_points_then_first_choices_then_ballots(vote):
    rows = tally(*vote)
    for better, worse in zip(rows, rows[1:], strict=False):
        better_key = (better.points, better.first_choices, better.ballots)
        worse_key = (worse.points, worse.first_choices, worse.ballots)
        assert better_key >= worse_key
        if better_key == worse_key:
            assert better.rank == worse.rank and better.tied and worse.tied
        else:
            assert worse.rank == rows.index(worse) + 1


@given(votes(), st.data())
def test_the_order_ballots_arrive_in_never_changes_the_result(vote, data):
    candidates, ballots, picks, ranked = vote
    shuffled = data.draw(st.permutations(ballots))
    assert tally(candidates, shuffled, picks, ranked) == tally(candidates, ballots, picks, ranked)


@given(votes(), st.lists(st.tuples(st.integers(0, 3), st.integers(0, 50)), max_size=15))
def test_a_changed_ballot_replaces_the_earlier_one_and_never_counts_twice(vote, changes):
    """Participants send ballots and change them; only each one's latest ballot counts."""
    candidates, pool, picks, ranked = vote
    latest = {}
    for participant, choice in changes:
        if pool:
            latest[participant] = pool[choice % len(pool)]
    rows = tally(candidates, list(latest.values()), picks, ranked)
    assert rows == expected_rows(candidates, list(latest.values()), picks, ranked)
    assert sum(row.ballots for row in rows) == sum(len(b) for b in latest.values())
    points = sum(picks - i if ranked else 1 for b in latest.values() for i in range(len(b)))
    assert sum(row.points for row in rows) == points


# -- examples worked out by hand ------------------------------------------------------------


def summary(rows):
    return [(r.candidate_id, r.points, r.first_choices, r.ballots, r.rank, r.tied) for r in rows]


def test_a_first_choice_earns_n_points_and_a_third_choice_one():
    rows = tally([A, B, C, D], [[C, A, D], [C, D, B], [D, C, B]], picks=3, ranked=True)
    assert summary(rows) == [
        (C, 8, 2, 3, 1, False),  # 3 + 3 + 2
        (D, 6, 1, 3, 2, False),  # 1 + 2 + 3
        (B, 2, 0, 2, 3, False),  # 1 + 1: two ballots name it ...
        (A, 2, 0, 1, 4, False),  # ... 2: only one does, so B is ahead
    ]


def test_equal_points_are_broken_by_first_choices():
    rows = tally([A, B, C, D], [[A, B], [C, D, B]], picks=3, ranked=True)
    assert summary(rows) == [
        (A, 3, 1, 1, 1, True),  # A and C: 3 points, one first choice, one ballot each:
        (C, 3, 1, 1, 1, True),  # the rule cannot tell them apart
        (B, 3, 0, 2, 3, False),  # 2 + 1 = 3 points but no first choice
        (D, 2, 0, 1, 4, False),
    ]


def test_dots_count_one_point_each_and_equal_dots_stay_tied():
    rows = tally([A, B, C, D], [[A, B], [A], [B, C]], picks=2, ranked=False)
    assert summary(rows) == [
        (A, 2, 0, 2, 1, True),
        (B, 2, 0, 2, 1, True),
        (C, 1, 0, 1, 3, False),
        (D, 0, 0, 0, 4, False),
    ]


def test_a_vote_without_ballots_ranks_everyone_first_and_tied():
    assert summary(tally([A, B], [], picks=3, ranked=True)) == [
        (A, 0, 0, 0, 1, True),
        (B, 0, 0, 0, 1, True),
    ]


# -- the stored tally -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def voting_room(tmp_path_factory):
    """One session on its vote segment with four themes and four phones, reused by every
    example: each example opens a fresh round."""
    with open_room(tmp_path_factory.mktemp("tally")) as room:
        host = room.facilitator()
        session = host.start()
        phones = [room.phone(session).socket() for _ in range(4)]
        host.go_to(session, VOTE)
        console = host.socket(session)
        for title in ("Networking", "Childcare", "Transit", "Housing"):
            assert console.emit("board", {"op": "create", "title": title})["ok"]
        yield room, session, console, phones


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 3), st.permutations(range(4)), st.integers(1, 3))))
def test_the_stored_tally_counts_each_participants_latest_ballot_once(voting_room, changes):
    room, session, console, phones = voting_room
    previous = room.rounds(session)
    if previous and previous[-1]["is_open"]:
        assert console.emit("vote", {"op": "close", "round_id": previous[-1]["id"]})["ok"]
    round_id = console.emit("vote", {"op": "open"})["round_id"]
    candidates = list(room.rounds(session)[-1]["candidates"].values())
    latest = {}
    for phone, order, size in changes:
        picks = [candidates[i] for i in order[:size]]
        ballot = {"round_id": round_id, "picks": picks, "client_id": new_client_id()}
        assert phones[phone].emit("ballot", ballot)["ok"]
        latest[phone] = picks
    stored = room.ballots(round_id)
    assert len(stored) == len(latest)
    assert sorted(b["picks"] for b in stored) == sorted(latest.values())
    assert console.emit("vote", {"op": "close", "round_id": round_id})["ok"]
    results = console.payloads("vote")[-1]["round"]["results"]
    expected = expected_rows(candidates, list(latest.values()), 3, True)
    assert [(r["candidate_id"], r["points"], r["rank"], r["tied"]) for r in results] == [
        (r.candidate_id, r.points, r.rank, r.tied) for r in expected
    ]
