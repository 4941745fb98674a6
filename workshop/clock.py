"""The one place the wall clock is read. Everything else takes `now` as a parameter."""

from datetime import UTC, datetime


def now() -> datetime:
    return datetime.now(UTC)
