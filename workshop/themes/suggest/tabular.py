"""Theme suggestions for a CSV file: read a column of responses, write the rows back with the
label of the theme each row was put in (`workshop suggest-themes`)."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from workshop.themes.suggest import clustering
from workshop.themes.suggest.engine import suggest
from workshop.themes.suggest.types import Item

MAX_BYTES = 64 * 1024 * 1024


class TableError(ValueError):
    """The file cannot be used; the message says why, in one line."""


def read_table(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise TableError(f"cannot read {path}: {error.strerror or error}") from None
    if len(raw) > MAX_BYTES:
        raise TableError(f"{path} is too large ({len(raw):,} bytes, at most {MAX_BYTES:,})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise TableError(
            f"{path} is not UTF-8 text (invalid byte at offset {error.start})"
        ) from None
    try:
        reader = csv.DictReader(io.StringIO(text, newline=""))
        rows = list(reader)
    except csv.Error as error:
        raise TableError(f"{path} is not a readable CSV file: {error}") from None
    if not reader.fieldnames:
        raise TableError(f"{path} has no header row")
    return list(reader.fieldnames), rows


def theme_labels(rows: list[dict[str, str]], column: str, k: int | None, seed: int) -> list[str]:
    """The label of the suggested theme for each row, in row order."""
    items = [Item(i, row.get(column) or "") for i, row in enumerate(rows)]
    label = {}
    for suggestion in suggest(items, [], [], k, seed, None):
        for item_id in suggestion.item_ids:
            label[item_id] = suggestion.label
    return [label[i] for i in range(len(rows))]


def label_csv(path: Path, column: str, k: int | None, seed: int) -> str:
    """The CSV at `path` with a `theme` column added (`suggested_theme` if it has one)."""
    clustering.hierarchy()  # imported while the encoders load (see cli: they start first)
    fieldnames, rows = read_table(path)
    if column not in fieldnames:
        raise TableError(f"{path} has no column '{column}' (its columns: {', '.join(fieldnames)})")
    target = "theme" if "theme" not in fieldnames else "suggested_theme"
    labels = theme_labels(rows, column, k, seed)
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[*fieldnames, target], lineterminator="\n")
    writer.writeheader()
    for row, label in zip(rows, labels, strict=True):
        writer.writerow({**{name: row.get(name) or "" for name in fieldnames}, target: label})
    return out.getvalue()
