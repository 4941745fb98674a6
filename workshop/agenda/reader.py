"""Reading typed fields from a parsed TOML table, recording every problem with its path.

Shared by the agenda parser and its translations. Plain data: no Flask here. Each problem is
an English `Message` (its template marked with `N_`), shown in the reader's language by the
web pages and in English by `workshop check`."""

from __future__ import annotations

import re
from typing import Any

from workshop.messages import N_, Message

SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]{0,63}$")


class Reader:
    """Reads typed fields from one table, recording every problem with its path."""

    def __init__(self, data: Any, where: str, problems: list[tuple[str, str]]):
        self.where = where
        self.problems = problems
        self.data = data if isinstance(data, dict) else {}
        if not isinstance(data, dict):
            self.fail("", N_("must be a table"))
        self.seen: set[str] = set()

    def path(self, key: str) -> str:
        return f"{self.where}.{key}" if self.where and key else (self.where or key)

    def fail(self, key: str, what: str, **params: object) -> None:
        """Record a problem: `what` is an English template marked with `N_`."""
        self.problems.append((self.path(key), Message(what, **params)))

    def raw(self, key: str) -> Any:
        self.seen.add(key)
        return self.data.get(key)

    def text(self, key: str, *, required: bool = False, max_length: int = 20_000) -> str:
        value = self.raw(key)
        if value is None:
            if required:
                self.fail(key, N_("is required"))
            return ""
        if not isinstance(value, str):
            self.fail(key, N_("must be text"))
            return ""
        value = value.strip()
        if required and not value:
            self.fail(key, N_("must not be empty"))
        elif len(value) > max_length:
            self.fail(
                key,
                N_("is too long ({length} characters, at most {limit})"),
                length=len(value),
                limit=max_length,
            )
        return value

    def slug(self, key: str, *, default: str = "") -> str:
        value = self.raw(key)
        if value is None:
            if not default:
                self.fail(key, N_("is required"))
            return default
        if not isinstance(value, str) or not SLUG.match(value):
            self.fail(key, N_("must be a short id of lower-case letters, digits, '-' or '_'"))
            return default
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            self.fail(key, N_("must be true or false"))
            return default
        return value

    def integer(self, key: str, default: int, low: int, high: int) -> int:
        value = self.raw(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            self.fail(key, N_("must be a whole number from {low} to {high}"), low=low, high=high)
            return default
        return value

    def strings(self, key: str, *, max_items: int = 200) -> tuple[str, ...]:
        value = self.raw(key)
        if value is None:
            return ()
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(key, N_("must be a list of non-empty texts"))
            return ()
        if len(value) > max_items:
            self.fail(
                key,
                N_("has too many items ({count}, at most {limit})"),
                count=len(value),
                limit=max_items,
            )
        return tuple(v.strip() for v in value)

    def tables(self, key: str, *, required: bool = False, max_items: int = 200) -> list[Any]:
        value = self.raw(key)
        if value is None or value == []:
            if required:
                self.fail(key, N_("needs at least one entry"))
            return []
        if not isinstance(value, list):
            self.fail(key, N_("must be a list of tables ([[...]] in TOML)"))
            return []
        if len(value) > max_items:
            self.fail(
                key,
                N_("has too many entries ({count}, at most {limit})"),
                count=len(value),
                limit=max_items,
            )
            return []
        return value

    def finish(self) -> None:
        for key in sorted(set(self.data) - self.seen):
            self.fail(key, N_("is not a known field (check the spelling)"))
