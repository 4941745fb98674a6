"""Downloads of a workshop's results: CSV (zipped tables), Excel, JSON and PDF.

Pure functions from a `results.Results` to bytes; no Flask, no database. Every format is built
from the same tables, so each shows what the results page shows.

Spreadsheets run cells that look like formulas. User text that starts with `=`, `+`, `-`, `@`,
a tab or a carriage return is written to CSV with a leading `'` (what Excel itself does for
typed text), and to Excel as a plain-text cell with Excel's quote-prefix mark, so it is
never a formula there either and keeps its exact text.
"""

from __future__ import annotations

import csv
import io
import json
import re
import unicodedata
import zipfile
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from workshop.messages import ENGLISH, Language
from workshop.results.model import ResponseRow, Results
from workshop.results.tables import (
    FORMULA_STARTS,
    Table,
    iso,
    neutralize,
    tables,
)
from workshop.text import ascii_folded, plain

FORMATS = {
    "csv": ("application/zip", "zip"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "xlsx"),
    "json": ("application/json", "json"),
    "pdf": ("application/pdf", "pdf"),
}
SCHEMA_VERSION = 1


def filename(results: Results, fmt: str, *, ascii_only: bool = True) -> str:
    """`<title>-<date>-results.<ext>`, named after the session's title and the day it started
    (UTC), in letters, digits and hyphens only: e.g.
    `thrive-inland-socal-srt-retrospective-2026-12-07-results.zip`. In ASCII by default
    (accents dropped: "Sesión de otoño" → `sesion-de-otono`); with `ascii_only=False` the
    title keeps its own letters, for a download's `filename*`."""
    day = (results.started_at or results.created_at).date().isoformat()
    name = slug(results.title, ascii_only=ascii_only) or f"session-{results.workshop_id}"
    return f"{name}-{day}-results.{FORMATS[fmt][1]}"


def slug(text: str, *, ascii_only: bool = True, limit: int = 80) -> str:
    """Lower-case words joined by hyphens, at most `limit` characters, cut between words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if ascii_only:
        text = ascii_folded(text)
    words = [word for word in re.split(r"[\W_]+", text) if word]
    name = ""
    for word in words:
        longer = f"{name}-{word}" if name else word
        if len(longer) > limit:
            break
        name = longer
    return name or "-".join(words)[:limit]


# -- the tables every spreadsheet format shares -------------------------------------------


# -- CSV --------------------------------------------------------------------------------


def to_csv_zip(results: Results) -> bytes:
    """One CSV per table in a zip: themes.csv, responses.csv, ballots.csv, participation.csv,
    agenda.csv and session.csv. UTF-8 with a byte-order mark so Excel reads accents right."""
    return csv_zip(tables(results), results.generated_at)


def csv_zip(tables_: list[Table], moment: datetime) -> bytes:
    """Tables as `<name>.csv` files in a zip, stamped with `moment`."""
    buffer = io.BytesIO()
    stamp = moment.astimezone(UTC).timetuple()[:6]
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables_:
            info = zipfile.ZipInfo(f"{table.name}.csv", date_time=stamp)
            archive.writestr(info, csv_text(table).encode("utf-8-sig"), zipfile.ZIP_DEFLATED)
    return buffer.getvalue()


def csv_text(table: Table) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([neutralize(_plain(header)) for header in table.headers])  # a table's name
    writer.writerows([neutralize(_plain(cell)) for cell in row] for row in table.rows)
    return out.getvalue()


def _plain(cell: Any) -> Any:
    return plain(cell) if isinstance(cell, str) else cell


# -- Excel ------------------------------------------------------------------------------


def to_xlsx(results: Results) -> bytes:
    return workbook(tables(results), results.title)


def workbook(tables_: list[Table], title: str) -> bytes:
    """Tables as the sheets of one workbook, text kept as text."""
    from openpyxl import Workbook

    book = Workbook()
    book.remove(book.active)
    for table in tables_:
        _sheet(book, table)
    book.properties.title = plain(title)[:200]
    book.properties.creator = "workshop"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _sheet(workbook, table: Table) -> None:
    from openpyxl.styles import Font

    sheet = workbook.create_sheet(table.name.capitalize())
    for column, header in enumerate(table.headers, start=1):  # a roll-up's are table names
        cell = sheet.cell(row=1, column=column)
        _put_cell(cell, header)
        cell.font = Font(bold=True)
    for row_number, row in enumerate(table.rows, start=2):
        for column, value in enumerate(row, start=1):
            _put_cell(sheet.cell(row=row_number, column=column), value)
    sheet.freeze_panes = "A2"
    for column_cells in sheet.columns:
        width = max((len(str(c.value or "")) for c in column_cells[:200]), default=8)
        sheet.column_dimensions[column_cells[0].column_letter].width = min(max(width, 8), 60) + 2


def _put_cell(cell, value: Any) -> None:
    """Text is stored as text: openpyxl would otherwise write `=...` as a formula."""
    if value == "":
        return  # an empty cell, not an empty text
    if isinstance(value, str):
        value = plain(value)  # answers stored before the forms made text plain, imported text
        cell.value = value
        cell.data_type = "s"
        cell.quotePrefix = value.startswith(FORMULA_STARTS)
    else:
        cell.value = value


# -- JSON -------------------------------------------------------------------------------


def to_json(results: Results) -> bytes:
    return json.dumps(to_dict(results), ensure_ascii=False, indent=2).encode("utf-8")


def to_dict(results: Results) -> dict[str, Any]:
    """The documented shape (docs/results-schema.json)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": iso(results.generated_at),
        "audience": results.audience,
        "names_included": results.names_included,
        "workshop": {
            "id": results.workshop_id,
            "title": results.title,
            "agenda_id": results.agenda_id,
            "purpose": results.purpose,
            "status": results.status,
            "created_at": iso(results.created_at),
            "started_at": iso(results.started_at),
            "ended_at": iso(results.ended_at),
        },
        "vote": _vote_dict(results),
        "themes": [_theme_dict(item) for item in results.themes],
        "responses": [_response_dict(row, results.names_included) for row in results.responses],
        "participation": _participation_dict(results),
        "agenda_run": [segment.__dict__ for segment in results.agenda_run],
        "source": {"server_id": results.server_id},
        "plan": [_plan_dict(strategy) for strategy in results.plan],
    }


def _plan_dict(strategy) -> dict[str, Any]:
    return {
        "id": strategy.id,
        "name": strategy.name,
        "pillar": strategy.pillar,
        "framework": strategy.framework,
        "translations": {
            lang: {"name": name, "pillar": pillar} for lang, name, pillar in strategy.translations
        },
    }


def _vote_dict(results: Results) -> dict[str, Any] | None:
    vote = results.vote
    if vote is None:
        return None
    return {
        "round": vote.round_number,
        "status": "open" if vote.is_open else "closed",
        "picks": vote.picks,
        "ranked": vote.ranked,
        "opened_at": iso(vote.opened_at),
        "closed_at": iso(vote.closed_at),
        "ballots_cast": len(vote.ballots),
        "ballots": [{"number": b.number, "picks": list(b.picks)} for b in vote.ballots],
        "tally_hidden": vote.tally_hidden,
    }


def _theme_dict(item) -> dict[str, Any]:
    return {
        "rank": item.rank,
        "tied": item.tied,
        "title": item.title,
        "title_es": item.title_es or None,
        "description": item.description,
        "source": item.source,
        "candidate_id": item.candidate_id,
        "theme_id": item.theme_id,
        "points": item.points,
        "first_choices": item.first_choices,
        "ballots": item.ballots,
        "response_count": item.response_count,
        "strategies": [s.__dict__ for s in item.strategies],
        "questions": [
            {
                "prompt_id": g.prompt_id,
                "question": g.question,
                "response_ids": [r.id for r in g.responses],
            }
            for g in item.questions
        ],
    }


def _response_dict(row: ResponseRow, with_name: bool) -> dict[str, Any]:
    data = {
        "id": row.id,
        "prompt_id": row.prompt_id,
        "question": row.question,
        "segment_id": row.segment_id,
        "segment_title": row.segment_title,
        "text": row.text,
        "theme_id": row.theme_id,
        "theme_title": row.theme_title,
        "strategy": row.strategy.__dict__ if row.strategy else None,
        "created_at": iso(row.created_at),
        "participant": row.participant,
        "role": row.role,
        "paper": row.paper,
        "hidden": row.hidden,
    }
    if with_name:
        data["name"] = row.name
    return data


def _participation_dict(results: Results) -> dict[str, Any]:
    part = results.participation
    return {
        "participants": part.participants,
        "paper": part.paper,
        "responding": part.responding,
        "ballots_cast": part.ballots_cast,
        "by_role": [
            {
                "role": r.role,
                "participants": r.participants,
                "paper": r.paper,
                "translations": dict(r.translations),
            }
            for r in part.by_role
        ],
        "per_question": [
            {
                "prompt_id": q.prompt_id,
                "question": q.question,
                "segment_id": q.segment_id,
                "segment_title": q.segment_title,
                "responses": q.responses,
                "hidden": q.hidden,
                "translations": {
                    lang: {"question": question, "segment_title": segment}
                    for lang, question, segment in q.translations
                },
            }
            for q in part.per_question
        ],
    }


# -- PDF --------------------------------------------------------------------------------


def to_pdf(results: Results, language: Language = ENGLISH) -> bytes:
    """The printable report, in `language` (build `results` in it too); the other formats
    are in English, whatever the reader's language."""
    from workshop.results.pdf_report import render

    return render(results, language)


RENDERERS: dict[str, Callable[[Results], bytes]] = {
    "csv": to_csv_zip,
    "xlsx": to_xlsx,
    "json": to_json,
    "pdf": to_pdf,
}
