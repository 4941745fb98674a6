"""Agenda definitions: the typed shape of a session plan.

Plain data: no Flask here. `parse.parse_agenda` builds an `Agenda` from a definition file
and `parse.agenda_to_dict` writes one back. Texts in other languages (the optional
`[translations.<lang>]` tables) are read and written by `translations`; `Agenda.localized(lang)`
gives the agenda as a reader of that language sees it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace

from workshop.agenda.reader import SLUG as SLUG  # re-exported: the id rule is the agenda's
from workshop.agenda.texts import (
    FrameworkText,
    PillarText,
    PromptText,
    QuestionText,
    SegmentText,
    StrategyText,
    Translation,
    find,
)

SEGMENT_KINDS = ("overview", "prompts", "themes", "vote", "results", "break")
JOIN_KINDS = ("text", "choice")
VOTE_CANDIDATE_SOURCES = ("themes", "strategies")
MIN_MINUTES, MAX_MINUTES = 0.5, 480
FORMAT_VERSION = 1


class AgendaError(ValueError):
    """An agenda is invalid; `problems` holds (where, what) pairs in file order."""

    def __init__(self, problems: list[tuple[str, str]]):
        self.problems = problems
        super().__init__(
            "; ".join(f"{where}: {what}" if where else what for where, what in problems)
        )

    def lines(self, source: str, say: Callable[[str], str] = str) -> list[str]:
        """`source: where: what` per problem; `say` words each `what` (the editor: in the
        reader's language)."""
        return [
            f"{source}: {where}: {say(what)}" if where else f"{source}: {say(what)}"
            for where, what in self.problems
        ]


@dataclass(frozen=True)
class Duration:
    planned_minutes: float
    limit_minutes: float

    @property
    def planned_seconds(self) -> int:
        return round(self.planned_minutes * 60)

    @property
    def limit_seconds(self) -> int:
        return round(self.limit_minutes * 60)

    @property
    def is_range(self) -> bool:
        return self.limit_minutes > self.planned_minutes

    def label(self) -> str:
        if self.is_range:
            return f"{minutes_text(self.planned_minutes)}–{minutes_text(self.limit_minutes)} min"
        return f"{minutes_text(self.planned_minutes)} min"


@dataclass(frozen=True)
class JoinQuestion:
    id: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    required: bool = False
    # Set only by `Agenda.localized`: what a reader sees for each choice (same order). The
    # value a form submits stays the choice itself, so stored answers never depend on language.
    choice_labels: tuple[str, ...] = ()

    def options(self) -> list[tuple[str, str]]:
        """(value to submit, label to show) for each choice."""
        return list(zip(self.choices, self.choice_labels or self.choices, strict=True))


@dataclass(frozen=True)
class Prompt:
    id: str
    question: str
    help: str = ""
    max_responses: int = 5
    max_length: int = 280


@dataclass(frozen=True)
class VoteSettings:
    picks: int = 3
    ranked: bool = True
    hide_tally: bool = False
    candidates: str | tuple[str, ...] = "themes"


@dataclass(frozen=True)
class Detail:
    label: str
    text: str


@dataclass(frozen=True)
class Strategy:
    id: str
    name: str
    code: str = ""
    description: str = ""
    details: tuple[Detail, ...] = ()
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Pillar:
    title: str
    strategies: tuple[Strategy, ...]
    description: str = ""
    examples: tuple[str, ...] = ()


@dataclass(frozen=True)
class Framework:
    id: str
    title: str
    pillars: tuple[Pillar, ...]
    description: str = ""

    def strategies(self) -> list[Strategy]:
        return [strategy for pillar in self.pillars for strategy in pillar.strategies]

    def strategy(self, strategy_id: str) -> Strategy | None:
        return next((s for s in self.strategies() if s.id == strategy_id), None)


@dataclass(frozen=True)
class Segment:
    id: str
    kind: str
    title: str
    duration: Duration
    text: str = ""
    facilitator_notes: str = ""
    framework: str = ""
    auto_advance: bool = False
    prompts: tuple[Prompt, ...] = ()
    vote: VoteSettings | None = None


@dataclass(frozen=True)
class Agenda:
    id: str
    title: str
    segments: tuple[Segment, ...]
    purpose: str = ""
    community_agreements: tuple[str, ...] = ()
    facilitator_notes: str = ""
    join_questions: tuple[JoinQuestion, ...] = ()
    frameworks: tuple[Framework, ...] = field(default=())
    translations: tuple[tuple[str, Translation], ...] = ()  # (language, its texts)

    @property
    def languages(self) -> tuple[str, ...]:
        """The languages this agenda has texts for besides English."""
        return tuple(lang for lang, _ in self.translations)

    def localized(self, lang: str) -> Agenda:
        """This agenda with the texts of `lang` (e.g. "es" or "es-MX") where it gives them,
        English everywhere else."""
        return localize(self, lang)

    @property
    def planned_minutes(self) -> float:
        return sum(segment.duration.planned_minutes for segment in self.segments)

    @property
    def limit_minutes(self) -> float:
        return sum(segment.duration.limit_minutes for segment in self.segments)

    def duration_label(self) -> str:
        return Duration(self.planned_minutes, self.limit_minutes).label()

    def framework(self, framework_id: str) -> Framework | None:
        return next((f for f in self.frameworks if f.id == framework_id), None)

    def prompts(self) -> list[tuple[Segment, Prompt]]:
        return [(segment, prompt) for segment in self.segments for prompt in segment.prompts]

    def prompt(self, prompt_id: str) -> Prompt | None:
        return next((p for _, p in self.prompts() if p.id == prompt_id), None)


def minutes_text(minutes: float) -> str:
    return str(int(minutes)) if float(minutes).is_integer() else f"{minutes:g}"


# -- reading in another language -------------------------------------------------------------------


def localize(agenda: Agenda, lang: str) -> Agenda:
    translation = find(agenda.translations, lang)
    if translation is None:
        return agenda
    questions = dict(translation.join_questions)
    segments, prompts = dict(translation.segments), dict(translation.prompts)
    frameworks = dict(translation.frameworks)
    return replace(
        agenda,
        title=translation.title or agenda.title,
        purpose=translation.purpose or agenda.purpose,
        community_agreements=translation.community_agreements or agenda.community_agreements,
        join_questions=tuple(_question_in(q, questions.get(q.id)) for q in agenda.join_questions),
        segments=tuple(
            _segment_in(s, segments.get(s.id, SegmentText()), prompts) for s in agenda.segments
        ),
        frameworks=tuple(_framework_in(f, frameworks.get(f.id)) for f in agenda.frameworks),
    )


def _question_in(question: JoinQuestion, text: QuestionText | None) -> JoinQuestion:
    if text is None:
        return question
    labels = dict(text.choices)
    return replace(
        question,
        label=text.label or question.label,
        choice_labels=tuple(labels.get(choice, choice) for choice in question.choices),
    )


def _segment_in(segment: Segment, text: SegmentText, prompts: dict[str, PromptText]) -> Segment:
    return replace(
        segment,
        title=text.title or segment.title,
        text=text.text or segment.text,
        prompts=tuple(_prompt_in(p, prompts.get(p.id, PromptText())) for p in segment.prompts),
    )


def _prompt_in(prompt: Prompt, text: PromptText) -> Prompt:
    return replace(prompt, question=text.question or prompt.question, help=text.help or prompt.help)


def _framework_in(framework: Framework, text: FrameworkText | None) -> Framework:
    if text is None:
        return framework
    strategies = dict(text.strategies)
    pillars = text.pillars + (PillarText(),) * (len(framework.pillars) - len(text.pillars))
    return replace(
        framework,
        title=text.title or framework.title,
        description=text.description or framework.description,
        pillars=tuple(
            _pillar_in(pillar, pillar_text, strategies)
            for pillar, pillar_text in zip(framework.pillars, pillars, strict=True)
        ),
    )


def _pillar_in(pillar: Pillar, text: PillarText, strategies: dict[str, StrategyText]) -> Pillar:
    return replace(
        pillar,
        title=text.title or pillar.title,
        description=text.description or pillar.description,
        examples=text.examples or pillar.examples,
        strategies=tuple(_strategy_in(s, strategies.get(s.id)) for s in pillar.strategies),
    )


def _strategy_in(strategy: Strategy, text: StrategyText | None) -> Strategy:
    if text is None:
        return strategy
    details = text.details or tuple((d.label, d.text) for d in strategy.details)
    return replace(
        strategy,
        name=text.name or strategy.name,
        description=text.description or strategy.description,
        examples=text.examples or strategy.examples,
        details=tuple(
            replace(detail, label=label or detail.label, text=body or detail.text)
            for detail, (label, body) in zip(strategy.details, details, strict=True)
        ),
    )
