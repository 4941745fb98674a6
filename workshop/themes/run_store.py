"""Suggestion runs where every process sees them: rows of `suggestion_run`.

The process that runs a suggestion (`suggestion_runs`) writes the run's row when it starts,
its progress as it goes (with a heartbeat), and its result or error when done; any process
reads the row back when the page that follows the run asks. A run whose process stopped
(no heartbeat for `STALE_SECONDS`) reads as failed, so the page says to ask again instead of
waiting for ever. Results are stored as JSON through a codec the caller gives (suggested
themes here, a collection's regional proposals in `collections.review`): never pickled, so a
row in the database can never run code.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from workshop import clock
from workshop.messages import N_, ActionError
from workshop.models import SuggestionRunRecord

STALE_SECONDS = 90  # the running process writes at least every HEARTBEAT_SECONDS
HEARTBEAT_SECONDS = 5
GONE = N_("The server that was making these suggestions stopped. Ask again.")

Encode = Callable[[Any], Any]  # a run's result → plain JSON values
Decode = Callable[[Any], Any]


@dataclass
class SuggestionRun:
    id: str
    workshop_id: int | str  # whose run it is: a session's id, or another key (a collection's)
    fraction: float = 0.0
    message: str = ""
    suggestions: Any = None
    error: Exception | None = None
    started: float = field(default_factory=time.monotonic)
    finished: float | None = None

    @property
    def done(self) -> bool:
        return self.finished is not None


def save(engine: Engine, run: SuggestionRun, encode: Encode | None = None) -> None:
    """Write the run's row as it is now; with its result once it is done."""
    now = clock.now()
    with Session(engine) as db:
        row = db.get(SuggestionRunRecord, run.id)
        if row is None:
            row = SuggestionRunRecord(id=run.id, owner=str(run.workshop_id), started_at=now)
            db.add(row)
        row.fraction, row.message, row.updated_at = run.fraction, run.message, now
        if run.done:
            row.finished_at = now
            row.error = _error_json(run.error) if run.error is not None else None
            if run.error is None:
                row.result = json.dumps((encode or encode_suggestions)(run.suggestions))
        db.commit()


def load(
    engine: Engine, run_id: str, owner: int | str, decode: Decode | None = None
) -> SuggestionRun | None:
    """The run as its row says, if it is `owner`'s."""
    with Session(engine) as db:
        row = db.get(SuggestionRunRecord, run_id)
        if row is None or row.owner != str(owner):
            return None
        return _run_of(row, owner, decode or decode_suggestions)


def running(engine: Engine, owner: int | str) -> SuggestionRun | None:
    """A run of `owner` still going in some process (a second click joins it)."""
    fresh = clock.now() - timedelta(seconds=STALE_SECONDS)
    with Session(engine) as db:
        row = db.scalars(
            select(SuggestionRunRecord)
            .where(
                SuggestionRunRecord.owner == str(owner),
                SuggestionRunRecord.finished_at.is_(None),
                SuggestionRunRecord.updated_at > fresh,
            )
            .order_by(SuggestionRunRecord.started_at.desc())
            .limit(1)
        ).first()
        return _run_of(row, owner, decode_suggestions) if row is not None else None


def forget_before(engine: Engine, moment: datetime) -> None:
    with Session(engine) as db:
        db.execute(delete(SuggestionRunRecord).where(SuggestionRunRecord.started_at < moment))
        db.commit()


def _run_of(row: SuggestionRunRecord, owner: int | str, decode: Decode) -> SuggestionRun:
    run = SuggestionRun(row.id, owner, row.fraction, row.message)
    if row.finished_at is not None:
        run.finished = time.monotonic()
        if row.error is not None:
            run.error = _error_of(row.error)
        else:
            run.suggestions = decode(json.loads(row.result or "null"))
    elif (clock.now() - row.updated_at).total_seconds() > STALE_SECONDS:
        run.finished, run.error = time.monotonic(), ActionError(GONE, "gone")
    return run


def _error_json(error: Exception) -> str:
    if isinstance(error, ActionError):
        params = {name: str(value) for name, value in error.params.items()}
        return json.dumps({"template": error.template, "code": error.code, "params": params})
    return json.dumps({"message": str(error) or type(error).__name__})


def _error_of(text: str) -> Exception:
    data = json.loads(text)
    if "template" in data:
        return ActionError(data["template"], data["code"], **data["params"])
    return RuntimeError(data["message"])


# -- the suggested themes of a session's board ------------------------------------------------


def encode_suggestions(suggestions: list) -> list[dict]:
    return [
        {
            "label": s.label,
            "item_ids": list(s.item_ids),
            "theme_id": s.theme_id,
            "strategies": [list(pair) for pair in s.strategies],
        }
        for s in suggestions or []
    ]


def decode_suggestions(data: list[dict] | None) -> list:
    from workshop.themes.suggest.types import Suggestion

    return [
        Suggestion(
            item["label"],
            tuple(item["item_ids"]),
            item["theme_id"],
            tuple((strategy, similarity) for strategy, similarity in item["strategies"]),
        )
        for item in data or []
    ]
