"""Over time: how each strategy and regional theme moved since an earlier round.

The earlier round is another collection (the owner names it). Tables are matched by name (case
and spacing ignored), and both rounds are counted over the tables they share only, under the
same rule and weighting, so a table that came or went does not move anything by itself.
Regional themes are matched by title the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

from workshop.collections.model import Movement, OverTime, RankedItem, Table, fold
from workshop.collections.rollup import RegionalGroup, ranked_strategies, regional_entries


def over_time(
    tables: Sequence[Table],
    groups: Sequence[RegionalGroup],
    earlier_id: int,
    earlier_name: str,
    earlier_tables: Sequence[Table],
    earlier_groups: Sequence[RegionalGroup],
    weighting: str,
) -> OverTime:
    before = {fold(table.name): table for table in earlier_tables}
    now = [table for table in tables if fold(table.name) in before]
    then = [before[fold(table.name)] for table in now]
    strategies = _moves(
        ranked_strategies(now, weighting), ranked_strategies(then, weighting), weighting, _key
    )
    regional = _moves(
        [entry.item for entry in regional_entries(now, groups, weighting)],
        [entry.item for entry in regional_entries(then, earlier_groups, weighting)],
        weighting,
        lambda item: fold(item.name),
    )
    return OverTime(
        earlier_id, earlier_name, tuple(t.name for t in now), tuple(strategies), tuple(regional)
    )


def _key(item: RankedItem) -> str:
    return item.key


def _moves(now: Sequence[RankedItem], then: Sequence[RankedItem], weighting: str, key) -> list:
    earlier = {key(item): item for item in then}
    moves = []
    for item in now:
        was = earlier.get(key(item))
        score = item.scores[weighting]
        before = was.scores[weighting] if was else None
        moves.append(
            Movement(
                name=item.name,
                key=item.key,
                earlier_rank=before.rank if before else None,
                rank=score.rank,
                earlier_value=before.value if before else Fraction(0),
                value=score.value,
            )
        )
    return moves
