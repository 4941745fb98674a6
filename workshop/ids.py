"""Row ids as they arrive from forms, URLs and socket events (`web.setup.IdConverter` does
the same for ids in URLs).

Every id a client sends goes through `as_id` before it reaches a query: the databases store
ids as signed 64-bit integers, and a larger Python int makes the driver raise OverflowError
(a server error) instead of "not found". Text ids are plain ASCII digits only: `str.isdigit`
also accepts "²", which `int` refuses.
"""

from __future__ import annotations

from typing import Any

MAX_ID = 2**63 - 1


def as_id(value: Any) -> int | None:
    """`value` as a row id (an int, or a string of ASCII digits, from 1 to MAX_ID), or None."""
    if isinstance(value, str):
        if not (value.isascii() and value.isdecimal()) or len(value) > 19:
            return None
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= MAX_ID else None


def is_id(value: Any) -> bool:
    """Whether `value` is an int row id (JSON numbers only: a string is not an id here)."""
    return isinstance(value, int) and as_id(value) is not None


def ids_from(values: Any) -> list[int]:
    """The valid ids among form values, in order; anything else is dropped."""
    return [i for i in (as_id(v) for v in values) if i is not None]
