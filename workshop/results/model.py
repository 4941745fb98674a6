"""The shape of a workshop's results: plain frozen values that the results page, every
download, the API and the CLI read.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

FACILITATOR, SHARED = "facilitator", "shared"


NOT_STARTED, LIVE, ENDED = "not started", "live", "ended"


@dataclass(frozen=True)
class StrategyRef:
    id: str
    name: str


@dataclass(frozen=True)
class ResponseRow:
    id: int
    prompt_id: str
    question: str
    segment_id: str
    segment_title: str
    text: str
    theme_id: int | None
    theme_title: str | None
    strategy: StrategyRef | None
    created_at: datetime
    participant: int  # the participant's number in this workshop, as the console shows it
    role: str | None
    paper: bool
    name: str | None  # facilitators only, and only when the agenda asked for names
    hidden: bool


@dataclass(frozen=True)
class QuestionGroup:
    prompt_id: str
    question: str
    responses: tuple[ResponseRow, ...]


@dataclass(frozen=True)
class ThemeResult:
    """One line of the ranking (a candidate of the vote) or a theme nobody voted on."""

    source: str  # "theme", "strategy" (a plan strategy was the candidate) or "option"
    title: str
    description: str
    theme_id: int | None
    strategies: tuple[StrategyRef, ...]
    questions: tuple[QuestionGroup, ...]
    # From the vote; None for a theme that was not on the ballot.
    candidate_id: int | None = None
    rank: int | None = None
    tied: bool = False
    points: int | None = None
    first_choices: int | None = None
    ballots: int | None = None
    title_es: str = ""  # the facilitators' Spanish title of a theme ("" if none was given)

    @property
    def response_count(self) -> int:
        return sum(len(group.responses) for group in self.questions)


@dataclass(frozen=True)
class BallotRow:
    number: int  # not the participant's number: ballots are listed anonymously
    picks: tuple[int, ...]  # candidate ids, first choice first


@dataclass(frozen=True)
class VoteSummary:
    round_number: int
    is_open: bool
    picks: int
    ranked: bool
    opened_at: datetime
    closed_at: datetime | None
    ballots: tuple[BallotRow, ...]
    tally_hidden: bool = False  # open, and its tally hidden from the room (facilitators see it)


@dataclass(frozen=True)
class RoleCount:
    role: str | None
    participants: int
    paper: int
    # (language, the role as the agenda words it there) where it translates it: a roll-up of
    # exports reads it in the reader's language.
    translations: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class QuestionCount:
    prompt_id: str
    question: str
    segment_id: str
    segment_title: str
    responses: int
    hidden: int | None  # None where hidden answers are not shown at all
    # (language, question, segment title) where the agenda translates them.
    translations: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Participation:
    participants: int
    paper: int
    responding: int
    by_role: tuple[RoleCount, ...]
    per_question: tuple[QuestionCount, ...]
    ballots_cast: int | None


@dataclass(frozen=True)
class SegmentTiming:
    index: int
    id: str
    title: str
    kind: str
    planned_minutes: float
    limit_minutes: float
    actual_minutes: float | None  # None: it never ran
    runs: int  # how often it was on screen (going back with "previous" adds one)


@dataclass(frozen=True)
class PlanStrategy:
    """A strategy of the agenda's plan, so a reader of the results knows every strategy the
    room could have chosen, not only those its themes named."""

    id: str
    name: str
    pillar: str
    framework: str
    # (language, name, pillar) where the agenda translates them.
    translations: tuple[tuple[str, str, str], ...] = ()


@dataclass(frozen=True)
class Results:
    workshop_id: int
    title: str
    agenda_id: str
    purpose: str
    status: str
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    generated_at: datetime
    audience: str
    names_included: bool
    vote: VoteSummary | None
    themes: tuple[ThemeResult, ...]
    responses: tuple[ResponseRow, ...]
    participation: Participation
    agenda_run: tuple[SegmentTiming, ...]
    # Which server made these results (`Installation.server_id`) and the agenda's plan: both
    # let a regional roll-up read an export made elsewhere.
    server_id: str = ""
    plan: tuple[PlanStrategy, ...] = ()

    @property
    def unsorted(self) -> tuple[QuestionGroup, ...]:
        """Visible answers no theme holds, grouped by question."""
        order = [question.prompt_id for question in self.participation.per_question]
        return group_by_question(
            [r for r in self.responses if r.theme_id is None and not r.hidden], order
        )

    @property
    def hidden(self) -> tuple[ResponseRow, ...]:
        return tuple(r for r in self.responses if r.hidden)


def group_by_question(rows: list[ResponseRow], order: list[str]) -> tuple[QuestionGroup, ...]:
    """Rows grouped by question, questions in `order` (the agenda's), empty ones left out."""
    grouped: dict[str, list[ResponseRow]] = defaultdict(list)
    for row in rows:
        grouped[row.prompt_id].append(row)
    return tuple(
        QuestionGroup(prompt_id, grouped[prompt_id][0].question, tuple(grouped[prompt_id]))
        for prompt_id in order
        if grouped.get(prompt_id)
    )
