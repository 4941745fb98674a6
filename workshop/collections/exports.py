"""Downloads of a roll-up: CSV (zipped tables), Excel, JSON (docs/rollup-schema.json) and PDF.
Pure functions from a `Rollup` to bytes, all from the same tables and numbers as the page."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from fractions import Fraction
from typing import Any

from workshop.collections.model import WEIGHTINGS, Cell, RankedItem, Rollup, Table
from workshop.collections.rule import paragraphs
from workshop.collections.tables import number, sheets
from workshop.messages import ENGLISH, Language
from workshop.results.exports import FORMATS, csv_zip, workbook
from workshop.results.tables import iso

SCHEMA_VERSION = 1
__all__ = ["FORMATS", "RENDERERS", "filename", "to_dict"]


def filename(rollup: Rollup, fmt: str) -> str:
    """`rollup-<collection name>-<date>.<ext>`, in safe characters only."""
    slug = re.sub(r"[^a-z0-9]+", "-", rollup.name.lower()).strip("-")[:60] or "collection"
    return f"rollup-{slug}-{rollup.generated_at.date().isoformat()}.{FORMATS[fmt][1]}"


def to_csv_zip(rollup: Rollup) -> bytes:
    return csv_zip(sheets(rollup), rollup.generated_at)


def to_xlsx(rollup: Rollup) -> bytes:
    return workbook(sheets(rollup), rollup.name)


def to_json(rollup: Rollup) -> bytes:
    return json.dumps(to_dict(rollup), ensure_ascii=False, indent=2).encode("utf-8")


def to_pdf(rollup: Rollup, language: Language = ENGLISH) -> bytes:
    """The printable roll-up, in `language`; the other formats are in English."""
    from workshop.collections.pdf_report import render

    return render(rollup, language)


def share(value: Fraction) -> float:
    return round(float(value), 6)


def to_dict(rollup: Rollup) -> dict[str, Any]:
    """The documented shape (docs/rollup-schema.json)."""
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": iso(rollup.generated_at),
        "collection": {"id": rollup.collection_id, "name": rollup.name},
        "rule": {w: paragraphs(w) for w in WEIGHTINGS},
        "tables": [_table(t) for t in rollup.tables],
        "strategies": [_item(item, _plan(rollup)) for item in rollup.strategies],
        "ties": [
            {
                "weighting": note.weighting,
                "names": list(note.names),
                "score": share(note.score),
                "decided_by": note.decided_by,
            }
            for note in rollup.ties
        ],
        "regional_themes": [_regional(rollup, entry) for entry in rollup.regional],
        "not_in_plan": [
            {
                "table": o.table_index,
                "theme": o.theme.title,
                "rank": o.theme.rank,
                "points": o.theme.points,
                "share": share(o.share),
                "regional_theme": o.regional_title,
            }
            for o in rollup.off_plan
        ],
        "over_time": _over_time(rollup),
    }


def _plan(rollup: Rollup) -> dict:
    return {s.id: s for t in rollup.tables for s in t.snapshot.plan}


def _table(table: Table) -> dict[str, Any]:
    snap = table.snapshot
    vote = snap.vote
    return {
        "name": table.name,
        "held_on": table.held_on.isoformat() if table.held_on else None,
        "place": table.place,
        "origin": table.origin,
        "session": {
            "title": snap.title,
            "server_id": snap.server_id,
            "workshop_id": snap.workshop_id,
            "created_at": iso(snap.created_at),
            "results_as_of": iso(snap.generated_at),
            "status": snap.status,
        },
        "vote": None
        if vote is None
        else {
            "picks": vote.picks,
            "ranked": vote.ranked,
            "ballots_cast": vote.ballots_cast,
            "open": vote.is_open,
        },
        "counted": table.voted,
        "total_points": snap.total_points,
        "participants": snap.participants,
        "paper": snap.paper,
        "responding": snap.responding,
        "by_role": [{"role": r.role, "participants": r.participants} for r in snap.by_role],
        "per_question": [
            {"prompt_id": q.prompt_id, "question": q.question, "answers": q.answers}
            for q in snap.per_question
        ],
    }


def _scores(item: RankedItem) -> dict[str, Any]:
    return {
        w: {
            "rank": item.scores[w].rank,
            "tied": item.scores[w].tied,
            "score": share(item.scores[w].value),
        }
        for w in WEIGHTINGS
    }


def _cell(cell: Cell | None) -> dict[str, Any] | None:
    if cell is None:
        return None
    return {"points": number(cell.points), "share": share(cell.share), "rank": cell.rank}


def _item(item: RankedItem, plan: dict) -> dict[str, Any]:
    strategy = plan.get(item.key)
    return {
        "id": item.key,
        "name": item.name,
        "pillar": strategy.pillar if strategy else "",
        "translations": {
            lang: {"name": name, "pillar": pillar}
            for lang, (name, pillar) in (strategy.translations if strategy else {}).items()
        },
        "scores": _scores(item),
        "first_at": item.first_at,
        "named_at": item.named_at,
        "cells": [_cell(cell) for cell in item.cells],
    }


def _regional(rollup: Rollup, entry) -> dict[str, Any]:
    item = entry.item
    return {
        "id": entry.id,
        "title": item.name,
        "scores": _scores(item),
        "first_at": item.first_at,
        "named_at": item.named_at,
        "cells": [_cell(cell) for cell in item.cells],
        "themes": [
            {
                "table": index,
                "title": theme.title,
                "rank": theme.rank if rollup.tables[index].voted else None,
                "points": theme.points if rollup.tables[index].voted else None,
                "strategies": list(theme.strategy_ids),
                "answers": [{"question": a.question, "text": a.text} for a in theme.answers],
            }
            for index, theme in entry.members
        ],
    }


def _over_time(rollup: Rollup) -> dict[str, Any] | None:
    moved = rollup.over_time
    if moved is None:
        return None

    def moves(items) -> list[dict[str, Any]]:
        return [
            {
                "name": m.name,
                "id": m.key,
                "earlier_rank": m.earlier_rank,
                "rank": m.rank,
                "earlier_score": share(m.earlier_value),
                "score": share(m.value),
            }
            for m in items
        ]

    return {
        "earlier": {"id": moved.earlier_id, "name": moved.earlier_name},
        "weighting": rollup.weighting,
        "tables": list(moved.tables),
        "strategies": moves(moved.strategies),
        "regional_themes": moves(moved.regional),
    }


RENDERERS: dict[str, Callable[[Rollup], bytes]] = {
    "csv": to_csv_zip,
    "xlsx": to_xlsx,
    "json": to_json,
    "pdf": to_pdf,
}
