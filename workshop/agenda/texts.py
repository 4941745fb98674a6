"""The shape of an agenda's texts in another language (`[translations.<lang>]`).

Plain frozen dataclasses: `translations` reads and writes them, `model.localize` puts them in
place of the English texts.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class QuestionText:
    label: str = ""
    choices: tuple[tuple[str, str], ...] = ()  # (the English choice, the label shown for it)


@dataclass(frozen=True)
class SegmentText:
    title: str = ""
    text: str = ""


@dataclass(frozen=True)
class PromptText:
    question: str = ""
    help: str = ""


@dataclass(frozen=True)
class PillarText:
    title: str = ""
    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class StrategyText:
    name: str = ""
    description: str = ""
    examples: tuple[str, ...] = ()
    details: tuple[tuple[str, str], ...] = ()  # (label, text), one per English detail


@dataclass(frozen=True)
class FrameworkText:
    title: str = ""
    description: str = ""
    pillars: tuple[PillarText, ...] = ()  # by position: pillars have no ids
    strategies: tuple[tuple[str, StrategyText], ...] = ()


@dataclass(frozen=True)
class Translation:
    title: str = ""
    purpose: str = ""
    community_agreements: tuple[str, ...] = ()
    join_questions: tuple[tuple[str, QuestionText], ...] = ()
    segments: tuple[tuple[str, SegmentText], ...] = ()
    prompts: tuple[tuple[str, PromptText], ...] = ()
    frameworks: tuple[tuple[str, FrameworkText], ...] = ()


def find(translations: tuple[tuple[str, Translation], ...], lang: str) -> Translation | None:
    """The translation for `lang`, or for its base language ("es" for "es-MX")."""
    known = dict(translations)
    lang = (lang or "").lower().replace("_", "-")
    return known.get(lang) or known.get(lang.split("-")[0])
