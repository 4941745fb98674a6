"""Reading typed fields from a parsed TOML table, recording every problem with its path.

Shared by the agenda parser and its translations. Plain data: no Flask here."""

from __future__ import annotations

import re
from typing import Any

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class Reader:
    """Reads typed fields from one table, recording every problem with its path."""

    def __init__(self, data: Any, where: str, problems: list[tuple[str, str]]):
        self.where = where
        self.problems = problems
        self.data = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            self.fail("", "must be a table")
        self.seen: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where and key else (self.where or key)

    def fail(self, key: str, what: str) -> None:
        self.problems.append((self.path(key), what))

    def raw(self, key: str) -> Any:
        self.seen.add(key)
        return self.data.get(key)

    def text(self, key: str, *, required: bool = False, max_length: int = 20_000) -> str:
        value = self.raw(key)
        if value is None:
            if required:
                self.fail(key, "is required")
            return ""
        if not isinstance(value, str):
            self.fail(key, "must be text")
            return ""
        value = value.strip()
        if required and not value:
            self.fail(key, "must not be empty")
        elif len(value) > max_length:
            self.fail(key, f"is too long ({len(value)} characters, at most {max_length})")
        return value

    def slug(self, key: str, *, default: str = "") -> str:
        value = self.raw(key)
        if value is None:
            if not default:
                self.fail(key, "is required")
            return default
        if not isinstance(value, str) or not SLUG.match(value):
            self.fail(key, "must be a short id of lower-case letters, digits, '-' or '_'")
            return default
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, "must be true or false")
            return default
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(key, f"must be a whole number from {low} to {high}")
            return default
        return value

    def strings(self, key: str, *, max_items: int = 200) -> tuple[str, ...]:
        value = self.raw(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, "must be a list of non-empty texts")
            return ()
        if len(value) > max_items:
            self.fail(key, f"has too many items ({len(value)}, at most {max_items})")
        return tuple(v.strip() for v in value)

    def tables(self, key: str, *, required: bool = False, max_items: int = 200) -> list[Any]:
        value = self.raw(key)
        if value is None or value == []:
            if required:
                self.fail(key, "needs at least one entry")
            return []
        if not isinstance(value, list):
            self.fail(key, "must be a list of tables ([[...]] in TOML)")
            return []
        if len(value) > max_items:
            self.fail(key, f"has too many entries ({len(value)}, at most {max_items})")
            return []
        return value

    def finish(self) -> None:
        for key in sorted(set(self.data) - self.seen):
            self.fail(key, "is not a known field (check the spelling)")
