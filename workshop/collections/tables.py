"""The tables every roll-up download is built from (CSV files, Excel sheets, and the JSON's
numbers agree with them). Pure functions of a `Rollup`; shares and scores are percentages to
one decimal here, exact in the JSON."""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from typing import Any

from workshop.collections.model import EQUAL, PARTICIPANTS, Rollup, Score, Table
from workshop.collections.rule import paragraphs
from workshop.messages import N_
from workshop.results.tables import Table as Sheet
from workshop.results.tables import iso, role_label, yes_no

WEIGHTING_LABELS = {EQUAL: "each table counts equally", PARTICIPANTS: "weighted by participants"}


# The heat map's steps: a share of a table's points up to 10%, 20%, 30%, 45%, and above.
HEAT_STEPS = (0.10, 0.20, 0.30, 0.45)


def heat_level(share: Fraction | float) -> int:
    """0 for no points, then 1 to 5 by share (the page's and the PDF's shading)."""
    if share <= 0:
        return 0
    return 1 + sum(1 for step in HEAT_STEPS if share > step)


def pct(value: Fraction) -> float:
    return round(float(value) * 100, 1)


def number(value: Fraction) -> int | float:
    """Points: whole unless a theme's points were split between strategies."""
    return int(value) if value.denominator == 1 else round(float(value), 3)


def _rank(score: Score) -> Any:
    return "" if score.rank is None else score.rank


def summary_table(rollup: Rollup) -> Sheet:
    rows = [
        ("Collection", rollup.name),
        ("Results as of (UTC)", iso(rollup.generated_at)),
        ("Tables", len(rollup.tables)),
        ("Tables that voted", len(rollup.voting_tables)),
        ("Tables left out (no ballot)", "; ".join(t.name for t in rollup.quiet_tables)),
        ("Regional themes (confirmed)", len(rollup.regional)),
    ]
    rows += [("Rule", text) for text in paragraphs(EQUAL)]
    rows += [("Rule, weighted by participants", paragraphs(PARTICIPANTS)[2])]
    return Sheet("rollup", ("field", "value"), tuple(rows))


def tables_table(rollup: Rollup) -> Sheet:
    headers = (
        "table", "date", "place", "session", "source", "results as of (UTC)", "participants",
        "on paper", "answered", "ballots cast", "counted",
    )  # fmt: skip
    rows = tuple(
        (
            t.name,
            t.held_on.isoformat() if t.held_on else "",
            t.place,
            t.snapshot.title,
            "this server" if t.origin == "local" else "imported export",
            iso(t.snapshot.generated_at),
            t.snapshot.participants,
            t.snapshot.paper,
            t.snapshot.responding,
            t.snapshot.vote.ballots_cast if t.snapshot.vote else "",
            yes_no(t.voted),
        )
        for t in rollup.tables
    )
    return Sheet("tables", headers, rows)


def strategies_table(rollup: Rollup) -> Sheet:
    headers = (
        "rank", "tied", "strategy", "pillar", "score (%)", "rank weighted by participants",
        "tied weighted by participants", "score weighted by participants (%)",
        "tables placing it first", "tables giving it points", "strategy id",
    )  # fmt: skip
    plan = _plan(rollup)
    rows = tuple(
        (
            _rank(item.scores[EQUAL]),
            yes_no(item.scores[EQUAL].tied),
            item.name,
            plan[item.key].pillar if item.key in plan else "",
            pct(item.scores[EQUAL].value),
            _rank(item.scores[PARTICIPANTS]),
            yes_no(item.scores[PARTICIPANTS].tied),
            pct(item.scores[PARTICIPANTS].value),
            item.first_at,
            item.named_at,
            item.key,
        )
        for item in _by_equal(rollup.strategies)
    )
    return Sheet("strategies", headers, rows)


def _by_equal(items):
    """Downloads list items in the default order (each table counting equally)."""
    return sorted(items, key=lambda i: (i.scores[EQUAL].rank is None, i.scores[EQUAL].rank or 0))


def _plan(rollup: Rollup) -> dict:
    return {s.id: s for t in rollup.tables for s in t.snapshot.plan}


def matrix_table(rollup: Rollup) -> Sheet:
    """The heat map as numbers: each strategy's share (%) at each table; blank where a table
    held no vote."""
    headers = ("strategy", *(t.name for t in rollup.tables))
    rows = tuple(
        (item.name, *("" if cell is None else pct(cell.share) for cell in item.cells))
        for item in _by_equal(rollup.strategies)
    )
    return Sheet("matrix", headers, rows)


def cells_table(rollup: Rollup) -> Sheet:
    headers = ("strategy", "table", "points", "share (%)", "rank at the table")
    rows = tuple(
        (item.name, table.name, number(cell.points), pct(cell.share), cell.rank or "")
        for item in _by_equal(rollup.strategies)
        for table, cell in zip(rollup.tables, item.cells, strict=True)
        if cell is not None
    )
    return Sheet("cells", headers, rows)


def regional_table(rollup: Rollup) -> Sheet:
    headers = (
        "rank", "tied", "regional theme", "score (%)", "rank weighted by participants",
        "score weighted by participants (%)", "tables", "rank at each table",
    )  # fmt: skip
    rows = []
    for entry in rollup.regional:
        item = entry.item
        at = "; ".join(
            f"{rollup.tables[i].name}: {table_rank(rollup.tables[i], theme.rank)}"
            for i, theme in entry.members
        )
        rows.append(
            (
                _rank(item.scores[EQUAL]),
                yes_no(item.scores[EQUAL].tied),
                item.name,
                pct(item.scores[EQUAL].value),
                _rank(item.scores[PARTICIPANTS]),
                pct(item.scores[PARTICIPANTS].value),
                len({i for i, _ in entry.members}),
                at,
            )
        )
    return Sheet("regional_themes", headers, tuple(rows))


def table_rank(table: Table, rank: int | None) -> str:
    """A theme's rank at its table, or why it has none (English; the PDF translates it)."""
    if not table.voted:
        return N_("no vote")
    return N_("not on the ballot") if rank is None else str(rank)


def regional_answers_table(rollup: Rollup) -> Sheet:
    headers = (
        "regional theme",
        "table",
        "table's theme",
        "rank at the table",
        "question",
        "answer",
    )
    rows = tuple(
        (
            entry.item.name,
            rollup.tables[i].name,
            theme.title,
            table_rank(rollup.tables[i], theme.rank),
            answer.question,
            answer.text,
        )
        for entry in rollup.regional
        for i, theme in entry.members
        for answer in theme.answers
    )
    return Sheet("regional_theme_answers", headers, rows)


def off_plan_table(rollup: Rollup) -> Sheet:
    headers = ("table", "theme", "rank at the table", "points", "share (%)", "regional theme")
    rows = tuple(
        (
            rollup.tables[o.table_index].name,
            o.theme.title,
            o.theme.rank,
            o.theme.points,
            pct(o.share),
            o.regional_title or "",
        )
        for o in rollup.off_plan
    )
    return Sheet("not_in_plan", headers, rows)


def participation_table(rollup: Rollup) -> Sheet:
    rows = [
        (t.name, role_label(role.role), role.participants)
        for t in rollup.tables
        for role in t.snapshot.by_role
    ]
    return Sheet("participation", ("table", "role", "participants"), tuple(rows))


def questions_table(rollup: Rollup) -> Sheet:
    rows = [(t.name, q.question, q.answers) for t in rollup.tables for q in t.snapshot.per_question]
    return Sheet("questions", ("table", "question", "answers"), tuple(rows))


def over_time_table(rollup: Rollup) -> Sheet:
    headers = ("kind", "name", "earlier rank", "rank", "earlier score (%)", "score (%)", "change")
    moved = rollup.over_time
    rows = []
    if moved is not None:
        for kind, moves in (("strategy", moved.strategies), ("regional theme", moved.regional)):
            rows += [
                (
                    kind,
                    m.name,
                    m.earlier_rank or "",
                    m.rank or "",
                    pct(m.earlier_value),
                    pct(m.value),
                    round(pct(m.value) - pct(m.earlier_value), 1),
                )
                for m in moves
            ]
    return Sheet("over_time", headers, tuple(rows))


TABLES: tuple[Callable[[Rollup], Sheet], ...] = (
    summary_table,
    tables_table,
    strategies_table,
    matrix_table,
    cells_table,
    regional_table,
    regional_answers_table,
    off_plan_table,
    participation_table,
    questions_table,
    over_time_table,
)


def sheets(rollup: Rollup) -> list[Sheet]:
    return [build(rollup) for build in TABLES]
