"""The roll-up: the plan's strategies (and the regional themes) ranked across tables.

The rule, as the page states it:
- At each table that voted, every point a theme got goes to the strategies it serves; a theme
  serving two strategies gives each half its points, and points for a theme serving none stay
  with no strategy ("not in the plan").
- A strategy's share at a table is its points divided by all the points cast there, so each
  table's shares add up to 100% whatever its size or voting rule.
- A strategy's score is the mean of its shares over the tables that voted, each table counting
  the same (EQUAL), or weighted by each table's participants (PARTICIPANTS). Tables that held
  no vote are left out.
- Equal scores are ordered by the number of tables that put the strategy first, then by the
  number of tables that gave it any points; still equal, they share a rank and are tied.
Shares and scores are exact fractions, so a tie is a tie, not a rounding accident.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from fractions import Fraction

from workshop.collections.model import (
    EQUAL,
    PARTICIPANTS,
    WEIGHTINGS,
    Cell,
    OffPlan,
    PlanStrategy,
    RankedItem,
    RegionalEntry,
    Rollup,
    Score,
    Table,
    TableTheme,
    TieNote,
)

ZERO = Fraction(0)


@dataclass(frozen=True)
class RegionalGroup:
    """A confirmed regional theme as stored: its title and (member id, theme id) pairs."""

    id: int
    title: str
    themes: tuple[tuple[int, int], ...]


def compute_rollup(
    collection_id: int,
    name: str,
    tables: Sequence[Table],
    groups: Sequence[RegionalGroup],
    now: datetime,
    weighting: str = EQUAL,
    proposed_count: int = 0,
) -> Rollup:
    if weighting not in WEIGHTINGS:
        raise ValueError(f"unknown weighting {weighting!r}")
    tables = tuple(tables)
    strategies = ranked_strategies(tables, weighting)
    regional = regional_entries(tables, groups, weighting)
    return Rollup(
        collection_id=collection_id,
        name=name,
        generated_at=now,
        weighting=weighting,
        tables=tables,
        strategies=strategies,
        ties=tuple(tie_notes(strategies)),
        regional=regional,
        proposed_count=proposed_count,
        off_plan=off_plan(tables, regional),
        plan=plan_of(tables),
    )


# -- one table ------------------------------------------------------------------------------


def strategy_points(table: Table) -> dict[str, Fraction]:
    """Each strategy's points at a table: a theme's points split evenly among its strategies."""
    points: dict[str, Fraction] = {}
    for theme in _voted_on(table):
        for strategy_id in theme.strategy_ids:
            share = Fraction(theme.points or 0, len(theme.strategy_ids))
            points[strategy_id] = points.get(strategy_id, ZERO) + share
    return points


def _voted_on(table: Table) -> list[TableTheme]:
    return [theme for theme in table.snapshot.themes if theme.rank is not None]


def cells_by_rank(points: dict[str, Fraction], total: int) -> dict[str, Cell]:
    """Cells for items with points at one table: share of the total, rank by points."""
    ranks = competition_ranks({key: (-value,) for key, value in points.items() if value > 0})
    return {
        key: Cell(value, value / total if total else ZERO, ranks.get(key))
        for key, value in points.items()
    }


def competition_ranks(keys: dict[str, tuple]) -> dict[str, int]:
    """1, 1, 3: items with equal sort keys share the rank of the first of them."""
    ordered = sorted(keys, key=lambda item: keys[item])
    ranks: dict[str, int] = {}
    for index, item in enumerate(ordered):
        same = index and keys[ordered[index - 1]] == keys[item]
        ranks[item] = ranks[ordered[index - 1]] if same else index + 1
    return ranks


# -- across tables --------------------------------------------------------------------------


def weights(tables: Sequence[Table], weighting: str) -> list[int]:
    """Each table's weight: 1, or its participants; 0 for a table that held no vote."""
    if weighting == PARTICIPANTS:
        return [t.snapshot.participants if t.voted else 0 for t in tables]
    return [1 if t.voted else 0 for t in tables]


def _scores(cells: Sequence[Cell | None], tables: Sequence[Table]) -> dict[str, Fraction]:
    found = {}
    for weighting in WEIGHTINGS:
        table_weights = weights(tables, weighting)
        total = sum(table_weights)
        weighted = sum(
            (w * cell.share for w, cell in zip(table_weights, cells, strict=True) if cell),
            ZERO,
        )
        found[weighting] = weighted / total if total else ZERO
    return found


def rank_items(
    keys: list[str],
    names: dict[str, str],
    cells: dict[str, list[Cell | None]],
    tables: Sequence[Table],
    weighting: str,
) -> tuple[RankedItem, ...]:
    """Items ranked under each weighting; returned in the order of `weighting`, items no
    table gave points to last (in the given order)."""
    values = {key: _scores(cells[key], tables) for key in keys}
    first_at = {key: sum(1 for c in cells[key] if c and c.rank == 1) for key in keys}
    named_at = {key: sum(1 for c in cells[key] if c and c.points > 0) for key in keys}
    scores: dict[str, dict[str, Score]] = {key: {} for key in keys}
    for w in WEIGHTINGS:
        sort_keys = {
            key: (-values[key][w], -first_at[key], -named_at[key]) for key in keys if named_at[key]
        }
        ranks = competition_ranks(sort_keys)
        tied = _tied(sort_keys)
        for key in keys:
            scores[key][w] = Score(values[key][w], ranks.get(key), key in tied)
    items = [
        RankedItem(key, names[key], tuple(cells[key]), scores[key], first_at[key], named_at[key])
        for key in keys
    ]
    position = {key: index for index, key in enumerate(keys)}
    return tuple(sorted(items, key=lambda item: _order(item, weighting, position)))


def _order(item: RankedItem, weighting: str, position: dict[str, int]) -> tuple:
    rank = item.scores[weighting].rank
    return (rank is None, rank or 0, position[item.key])


def _tied(sort_keys: dict[str, tuple]) -> set[str]:
    seen: dict[tuple, int] = {}
    for value in sort_keys.values():
        seen[value] = seen.get(value, 0) + 1
    return {key for key, value in sort_keys.items() if seen[value] > 1}


def plan_of(tables: Iterable[Table]) -> dict[str, PlanStrategy]:
    """Every strategy any table's plan lists (or its themes name), in first-seen order."""
    plan: dict[str, PlanStrategy] = {}
    for table in tables:
        for strategy in table.snapshot.plan:
            plan.setdefault(strategy.id, strategy)
        for theme in table.snapshot.themes:
            for strategy_id in theme.strategy_ids:
                plan.setdefault(strategy_id, PlanStrategy(strategy_id, strategy_id))
    return plan


def ranked_strategies(tables: Sequence[Table], weighting: str) -> tuple[RankedItem, ...]:
    plan = plan_of(tables)
    cells: dict[str, list[Cell | None]] = {key: [] for key in plan}
    for table in tables:
        by_key = cells_by_rank(strategy_points(table), table.snapshot.total_points)
        for key in plan:
            cells[key].append(by_key.get(key, Cell(ZERO, ZERO, None)) if table.voted else None)
    names = {key: strategy.name for key, strategy in plan.items()}
    return rank_items(list(plan), names, cells, tables, weighting)


def tie_notes(items: Sequence[RankedItem]) -> Iterable[TieNote]:
    """For each weighting, every group of named items with equal scores, and what ordered it."""
    for weighting in WEIGHTINGS:
        groups: dict[Fraction, list[RankedItem]] = {}
        for item in items:
            if item.scores[weighting].rank is not None:
                groups.setdefault(item.scores[weighting].value, []).append(item)
        for value, group in groups.items():
            if len(group) < 2:
                continue
            group.sort(key=lambda item: item.scores[weighting].rank)
            yield TieNote(weighting, tuple(group), value, _decided_by(group))


def _decided_by(group: list[RankedItem]) -> str:
    if len({item.first_at for item in group}) > 1:
        return "first"
    if len({item.named_at for item in group}) > 1:
        return "named"
    return "tied"


# -- regional themes and what is not in the plan -------------------------------------------


def regional_entries(
    tables: Sequence[Table], groups: Sequence[RegionalGroup], weighting: str
) -> tuple[RegionalEntry, ...]:
    index = {table.member_id: i for i, table in enumerate(tables)}
    themes = {
        (table.member_id, theme.theme_id): theme
        for table in tables
        for theme in table.snapshot.themes
        if theme.theme_id is not None
    }
    members: dict[str, list[tuple[int, TableTheme]]] = {}
    cells: dict[str, list[Cell | None]] = {}
    for group in groups:
        key = f"rt{group.id}"
        found = [(index[m], themes[(m, t)]) for m, t in group.themes if (m, t) in themes]
        members[key] = sorted(found, key=lambda pair: pair[0])
        cells[key] = [_regional_cell(table, i, members[key]) for i, table in enumerate(tables)]
    keys = [f"rt{group.id}" for group in groups]
    names = {f"rt{group.id}": group.title for group in groups}
    ranked = rank_items(keys, names, cells, tables, weighting)
    return tuple(
        RegionalEntry(int(item.key[2:]), item, tuple(members[item.key])) for item in ranked
    )


def _regional_cell(table: Table, index: int, members: list[tuple[int, TableTheme]]) -> Cell | None:
    """A regional theme at one table: the points of its themes there, and the best rank the
    table gave one of them."""
    if not table.voted:
        return None
    mine = [theme for i, theme in members if i == index and theme.rank is not None]
    points = Fraction(sum(theme.points or 0 for theme in mine))
    rank = min((t.rank for t in mine if t.points), default=None)
    return Cell(points, points / table.snapshot.total_points, rank)


def off_plan(tables: Sequence[Table], regional: Sequence[RegionalEntry]) -> tuple[OffPlan, ...]:
    """Themes a table gave points to that serve no strategy: the region's wishes the plan does
    not name. Those in a regional theme first (in its order), then by share."""
    home: dict[tuple[int, int], tuple[int, str]] = {}
    for position, entry in enumerate(regional):
        for index, theme in entry.members:
            home[(index, id(theme))] = (position, entry.item.name)
    found = []
    for index, table in enumerate(tables):
        for theme in _voted_on(table):
            if theme.strategy_ids or not theme.points:
                continue
            position, title = home.get((index, id(theme)), (len(regional), None))
            share = Fraction(theme.points, table.snapshot.total_points)
            found.append((position, -share, index, OffPlan(index, theme, share, title)))
    found.sort(key=lambda row: row[:3])
    return tuple(row[3] for row in found)
