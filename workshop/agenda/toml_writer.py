"""Agenda → TOML text, laid out like the hand-written files in `sessions/`.

`parse_agenda(tomllib.loads(to_toml(agenda))) == agenda` for every valid agenda: the writer
serialises `agenda_to_dict`, which is already the inverse of `parse_agenda`. A small writer of
our own (rather than a TOML library) keeps the layout people know from `sessions/`: long texts
as multi-line strings, lists one item a line, `details` as inline tables. No Flask here.
"""

from __future__ import annotations

import math
import re
from typing import Any

from workshop.agenda.model import Agenda
from workshop.agenda.parse import agenda_to_dict

BARE_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
# Control characters TOML does not allow raw in strings (tab is allowed; newline only in
# multi-line strings, where it is written as a real line break).
CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
# Small records read better inline: `details = [{ label, text }]`, a translation's
# `choices = { "English choice" = "label" }`.
INLINE_TABLES = {"details", "choices"}
HEADER = "# Agenda file for workshop. Check it with: workshop check FILE.toml\n\n"


def to_toml(agenda: Agenda) -> str:
    """The agenda as a TOML document that `workshop check` accepts and that loads back equal."""
    return HEADER + dumps(agenda_to_dict(agenda))


def dumps(data: dict[str, Any]) -> str:
    lines: list[str] = []
    _table(lines, data, ())
    return "\n".join(lines).strip("\n") + "\n"


def _table(lines: list[str], table: dict[str, Any], path: tuple[str, ...]) -> None:
    nested = {key: value for key, value in table.items() if _is_section(key, value)}
    for key, value in table.items():
        if key not in nested:
            lines.append(f"{_key(key)} = {_value(value, top=True)}")
    for key, value in nested.items():
        name = ".".join(_key(part) for part in (*path, key))
        if isinstance(value, dict):
            if not value or not all(_is_section(k, v) for k, v in value.items()):
                lines += ["", f"[{name}]"]  # a table holding only tables needs no header
            _table(lines, value, (*path, key))
            continue
        for item in value:
            lines += ["", f"[[{name}]]"]
            _table(lines, item, (*path, key))


def _is_section(key: str, value: Any) -> bool:
    """Tables and arrays of tables get their own `[...]` headers, except the small records
    listed in INLINE_TABLES, which read better inline."""
    if isinstance(value, dict):
        return key not in INLINE_TABLES
    is_table_array = isinstance(value, list) and value and all(isinstance(v, dict) for v in value)
    return bool(is_table_array) and key not in INLINE_TABLES


def _key(key: str) -> str:
    return key if BARE_KEY.match(key) else _string(key)


def _value(value: Any, top: bool = False) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return _float(value)
    if isinstance(value, str):
        return _multiline(value) if top and "\n" in value else _string(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{_key(k)} = {_value(v)}" for k, v in value.items()) + " }"
    if isinstance(value, list | tuple):
        return _array(list(value), top)
    raise TypeError(f"cannot write {type(value).__name__} as TOML")


def _float(value: float) -> str:
    if not math.isfinite(value):
        raise ValueError("agenda numbers are finite")
    # 5.0 minutes reads better as 5, and parses back to the same duration.
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def _array(items: list[Any], top: bool) -> str:
    written = [_value(item) for item in items]
    # Numbers (a minutes range) on one line; texts and records one a line, as people write.
    if not top or not items or all(isinstance(item, int | float) for item in items):
        return "[" + ", ".join(written) + "]"
    return "[\n" + "".join(f"  {item},\n" for item in written) + "]"


def _escape_control(match: re.Match) -> str:
    return f"\\u{ord(match.group(0)):04x}"


def _string(text: str) -> str:
    body = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")
    return '"' + CONTROL.sub(_escape_control, body) + '"'


def _multiline(text: str) -> str:
    """A `\"\"\"` string. The line break after the opening quotes is dropped by TOML, so the
    text keeps its own first character; quotes are escaped only where `\"\"\"` could form."""
    body = text.replace("\\", "\\\\").replace("\r", "\\r")
    body = re.sub(r'"(?=")|"$', r'\\"', body)
    return '"""\n' + CONTROL.sub(_escape_control, body) + '"""'
