"""The ranking rule in plain words: the page and the PDF show it in the reader's language, the
other downloads carry it in English, like the rest of their text. `rollup.py` is its
implementation."""

from __future__ import annotations

from workshop.collections.model import EQUAL, PARTICIPANTS
from workshop.messages import N_

POINTS = N_(
    "At each table that voted, every point a theme received goes to the plan strategies it "
    "serves; a theme that serves two strategies gives each of them half its points. Points for "
    "themes that serve no strategy count in the table's total but go to no strategy: they are "
    "listed under “Not in the plan”."
)
SHARES = N_(
    "A strategy's share at a table is its points divided by all the points cast at that table, "
    "so each table's shares add up to 100%, however many people voted there and however the "
    "vote was counted."
)
SCORES = {
    EQUAL: N_(
        "A strategy's score is the average of its shares over the tables that voted: each table "
        "counts the same, a table of 5 people as much as a table of 30."
    ),
    PARTICIPANTS: N_(
        "A strategy's score is the average of its shares over the tables that voted, weighted "
        "by each table's participants: a table of 30 people counts six times as much as a table "
        "of 5."
    ),
}
QUIET = N_("Tables that held no vote, or whose vote got no ballot, are left out.")
TIES = N_(
    "Equal scores are ordered by the number of tables that put the strategy first, then by the "
    "number of tables that gave it any points; strategies still equal share a rank and are "
    "marked as tied."
)
REGIONAL = N_(
    "A regional theme is ranked the same way, from the points of its themes at each table."
)


def paragraphs(weighting: str) -> list[str]:
    """The rule for one weighting, paragraph by paragraph (English templates)."""
    return [POINTS, SHARES, SCORES[weighting], QUIET, TIES, REGIONAL]
