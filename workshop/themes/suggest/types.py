"""The plain values the suggester takes and gives."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Item:
    """One response."""

    id: int | str
    text: str
    prompt_id: str = ""
    prompt_text: str = ""
    strategy_id: str | None = None  # a participant's own tag, if any


@dataclass(frozen=True)
class ExistingTheme:
    id: int
    title: str
    item_ids: tuple = ()  # ids of Items (from `items` or not) already in it
    texts: tuple[str, ...] = ()  # the texts of those responses


@dataclass(frozen=True)
class StrategyHint:
    id: str
    name: str
    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Suggestion:
    label: str  # a few readable words
    item_ids: tuple  # the responses behind it (unsorted items only)
    theme_id: int | None = None  # set when these items should join an existing theme
    strategies: tuple[tuple[str, float], ...] = ()  # (strategy id, similarity) best first


class SuggestError(RuntimeError):
    """Suggestions cannot be made (the encoders are missing, or the input is unusable)."""
