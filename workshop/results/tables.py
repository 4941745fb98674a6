"""The tables every download is built from (session, themes, answers, ballots, participation,
agenda), and the labels they share. Pure functions of a `Results`: no Flask, no database.

Spreadsheets run cells that look like formulas: `neutralize` marks user text that starts with
`=`, `+`, `-`, `@`, a tab or a carriage return with a leading `'` (what Excel itself does for
typed text).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from workshop.messages import N_
from workshop.results.model import FACILITATOR, ResponseRow, Results

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


NO_ROLE = N_("No role given")  # English in the spreadsheets; the PDF translates it


@dataclass(frozen=True)
class Table:
    name: str
    headers: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]


def neutralize(value: Any) -> Any:
    """Text a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def yes_no(flag: bool) -> str:
    return "yes" if flag else "no"


def role_label(role: str | None) -> str:
    return role if role else NO_ROLE


def participant_label(row: ResponseRow) -> str:
    return f"Participant {row.participant}" + (" (paper)" if row.paper else "")


def session_table(results: Results) -> Table:
    vote = results.vote
    rows = [
        ("Title", results.title),
        ("Agenda", results.agenda_id),
        ("Status", results.status),
        ("Created (UTC)", iso(results.created_at)),
        ("Started (UTC)", iso(results.started_at) or ""),
        ("Ended (UTC)", iso(results.ended_at) or ""),
        ("Results as of (UTC)", iso(results.generated_at)),
        ("Vote", _vote_label(results) if vote else "no vote yet"),
        ("Shown to", "facilitators" if results.audience == FACILITATOR else "share-link holders"),
        ("Purpose", results.purpose),
    ]
    return Table("session", ("field", "value"), tuple(rows))


def _vote_label(results: Results) -> str:
    vote = results.vote
    state = "live tally, voting still open" if vote.is_open else "final"
    kind = "ranked" if vote.ranked else "unranked"
    return f"round {vote.round_number}, {state}, {vote.picks} {kind} picks"


def theme_table(results: Results) -> Table:
    headers = (
        "rank",
        "tied",
        "title",
        "source",
        "points",
        "first choices",
        "ballots naming it",
        "responses",
        "strategies",
        "description",
        "title (Spanish)",
    )
    rows = tuple(
        (
            item.rank if item.rank is not None else "",
            yes_no(item.tied),
            item.title,
            item.source,
            _blank_none(item.points),
            _blank_none(item.first_choices),
            _blank_none(item.ballots),
            item.response_count,
            "; ".join(strategy.name for strategy in item.strategies),
            item.description,
            item.title_es,
        )
        for item in results.themes
    )
    return Table("themes", headers, rows)


def _blank_none(value: Any) -> Any:
    return "" if value is None else value


def response_table(results: Results) -> Table:
    headers = [
        "response",
        "question",
        "segment",
        "theme",
        "strategy tag",
        "time (UTC)",
        "participant",
        "role",
        "paper",
        "hidden",
    ]
    if results.names_included:
        headers.append("name")
    headers.append("text")
    rows = tuple(_response_cells(row, results.names_included) for row in results.responses)
    return Table("responses", tuple(headers), rows)


def _response_cells(row: ResponseRow, with_name: bool) -> tuple[Any, ...]:
    cells = [
        row.id,
        row.question,
        row.segment_title,
        row.theme_title or "",
        row.strategy.name if row.strategy else "",
        iso(row.created_at),
        row.participant,
        role_label(row.role),
        yes_no(row.paper),
        yes_no(row.hidden),
    ]
    if with_name:
        cells.append(row.name or "")
    return tuple(cells) + (row.text,)


def ballot_table(results: Results) -> Table:
    """Anonymous ballots: a ballot number and the titles picked, first choice first."""
    picks = results.vote.picks if results.vote else 0
    titles = {item.candidate_id: item.title for item in results.themes if item.candidate_id}
    headers = ("ballot", *(f"choice {n}" for n in range(1, picks + 1)))
    ballots = results.vote.ballots if results.vote else ()
    rows = tuple(
        (
            ballot.number,
            *(titles.get(c, "") for c in ballot.picks),
            *[""] * (picks - len(ballot.picks)),
        )
        for ballot in ballots
    )
    return Table("ballots", headers, rows)


def participation_table(results: Results) -> Table:
    part = results.participation
    rows: list[tuple[Any, ...]] = [
        ("participants", "all", part.participants, part.paper),
        ("participants", "who answered at least once", part.responding, ""),
    ]
    rows += [
        ("participants by role", role_label(r.role), r.participants, r.paper) for r in part.by_role
    ]
    for question in part.per_question:
        rows.append(("responses", question.question, question.responses, ""))
        if question.hidden:
            rows.append(("hidden responses", question.question, question.hidden, ""))
    if part.ballots_cast is not None:
        rows.append(("ballots cast", f"round {results.vote.round_number}", part.ballots_cast, ""))
    return Table("participation", ("measure", "group", "count", "on paper"), tuple(rows))


def agenda_table(results: Results) -> Table:
    headers = (
        "segment",
        "title",
        "kind",
        "planned minutes",
        "upper limit minutes",
        "actual minutes",
        "times on screen",
    )
    rows = tuple(
        (
            s.index + 1,
            s.title,
            s.kind,
            s.planned_minutes,
            s.limit_minutes,
            _blank_none(s.actual_minutes),
            s.runs,
        )
        for s in results.agenda_run
    )
    return Table("agenda", headers, rows)


def tables(results: Results) -> list[Table]:
    return [build(results) for build in TABLES]


TABLES: tuple[Callable[[Results], Table], ...] = (
    session_table,
    theme_table,
    response_table,
    ballot_table,
    participation_table,
    agenda_table,
)
