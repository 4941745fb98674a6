"""Top-N priority voting: rounds (`rounds`), what they list (`slate`), ballots (`ballots`) and
the tally (`counting`). The names the rest of the app calls are gathered here."""

from workshop.voting.ballots import (
    CLIENT_ID,
    StoredBallot,
    ballot_of,
    ballot_picks,
    cast_ballot,
    picks_of_ballot,
)
from workshop.voting.counting import (
    TallyRow,
    all_ballots,
    ballot_count,
    rank_candidates,
    round_tally,
    tally,
)
from workshop.voting.rounds import (
    close_round,
    get_round,
    latest_round,
    latest_round_of,
    open_round,
    open_round_of,
    reopen_round,
    set_tally_hidden,
    top_of_round,
)
from workshop.voting.slate import (
    MAX_CANDIDATES,
    CandidateSpec,
    candidate_ids,
    candidate_specs,
    candidates,
)

__all__ = [
    "CLIENT_ID",
    "MAX_CANDIDATES",
    "CandidateSpec",
    "StoredBallot",
    "TallyRow",
    "all_ballots",
    "ballot_count",
    "ballot_of",
    "ballot_picks",
    "candidate_ids",
    "candidate_specs",
    "candidates",
    "cast_ballot",
    "close_round",
    "get_round",
    "latest_round",
    "latest_round_of",
    "open_round",
    "open_round_of",
    "picks_of_ballot",
    "rank_candidates",
    "reopen_round",
    "round_tally",
    "set_tally_hidden",
    "tally",
    "top_of_round",
]
