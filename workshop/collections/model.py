"""The plain values of a collection: each table's results as the roll-up reads them, and the
roll-up itself. Frozen dataclasses; no database, no Flask."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction

EQUAL, PARTICIPANTS = "equal", "participants"  # how tables are weighted
WEIGHTINGS = (EQUAL, PARTICIPANTS)


def fold(name: str) -> str:
    """A table name as compared: case and spacing ignored ("North  Table" = "north table")."""
    return " ".join(name.split()).casefold()


# -- one table's results, read from a results export ----------------------------------------


@dataclass(frozen=True)
class PlanStrategy:
    id: str
    name: str
    pillar: str = ""
    # language -> (name, pillar), where the agenda translates them
    translations: dict[str, tuple[str, str]] = field(default_factory=dict, compare=False)

    def name_in(self, lang: str) -> str:
        return self.translations.get(lang, (self.name, ""))[0] or self.name

    def pillar_in(self, lang: str) -> str:
        return self.translations.get(lang, ("", self.pillar))[1] or self.pillar


@dataclass(frozen=True)
class Answer:
    id: int
    prompt_id: str
    question: str
    text: str
    theme_id: int | None
    role: str | None


@dataclass(frozen=True)
class TableTheme:
    """A theme of one table, or a candidate of its vote (a theme, a strategy or an option)."""

    title: str
    source: str  # "theme", "strategy" or "option", as in the export
    theme_id: int | None
    candidate_id: int | None
    strategy_ids: tuple[str, ...]
    answers: tuple[Answer, ...]
    rank: int | None = None  # None: not on the ballot
    tied: bool = False
    points: int | None = None
    first_choices: int | None = None
    ballots: int | None = None
    titles: dict[str, str] = field(default_factory=dict, compare=False)  # other languages

    def title_in(self, lang: str) -> str:
        return self.titles.get(lang) or self.title


@dataclass(frozen=True)
class VoteInfo:
    round_number: int
    is_open: bool
    picks: int
    ranked: bool
    ballots_cast: int


@dataclass(frozen=True)
class RoleCount:
    role: str | None
    participants: int
    names: dict[str, str] = field(default_factory=dict, compare=False)  # other languages


@dataclass(frozen=True)
class QuestionCount:
    prompt_id: str
    question: str
    answers: int
    questions: dict[str, str] = field(default_factory=dict, compare=False)  # other languages


@dataclass(frozen=True)
class Snapshot:
    """One session's results (as a share link shows them), read from its JSON export."""

    server_id: str
    workshop_id: int
    created_at: datetime
    started_at: datetime | None
    ended_at: datetime | None
    generated_at: datetime
    title: str
    agenda_id: str
    status: str
    vote: VoteInfo | None
    themes: tuple[TableTheme, ...]
    plan: tuple[PlanStrategy, ...]
    participants: int
    paper: int
    responding: int
    by_role: tuple[RoleCount, ...]
    per_question: tuple[QuestionCount, ...]
    answer_count: int

    @property
    def source_key(self) -> str:
        """Who this session is, wherever it ran: its server, its number and when it began."""
        return f"{self.server_id}/{self.workshop_id}/{self.created_at.isoformat()}"

    @property
    def total_points(self) -> int:
        return sum(theme.points or 0 for theme in self.themes if theme.rank is not None)


@dataclass(frozen=True)
class Table:
    """A member of a collection: a table's name, date and place, and its session's results."""

    member_id: int
    name: str
    held_on: date | None
    place: str
    origin: str
    snapshot: Snapshot

    @property
    def voted(self) -> bool:
        return self.snapshot.total_points > 0

    def role_count(self, role: str | None) -> int:
        return sum(r.participants for r in self.snapshot.by_role if r.role == role)


# -- the roll-up ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Cell:
    """One table's part in a strategy (or regional theme): its points, their share of all the
    points cast at the table, and the rank that gives it among the table's strategies."""

    points: Fraction
    share: Fraction
    rank: int | None  # None: the table gave it no points (or held no vote)


@dataclass(frozen=True)
class Score:
    """A strategy's or regional theme's place in the region under one weighting."""

    value: Fraction  # the weighted mean of its shares over the tables that voted
    rank: int | None  # None when no table gave it points
    tied: bool


@dataclass(frozen=True)
class RankedItem:
    key: str  # a strategy id, or "rt<id>" for a regional theme
    name: str
    cells: tuple[Cell | None, ...]  # one per table, in the roll-up's table order
    scores: dict[str, Score]  # by weighting
    first_at: int  # tables where it came first among strategies (ties included)
    named_at: int  # tables that gave it points


@dataclass(frozen=True)
class TieNote:
    """Items with equal scores under one weighting, and what (if anything) set them apart."""

    weighting: str
    items: tuple[RankedItem, ...]  # in rank order
    score: Fraction
    decided_by: str  # "first" (tables placing it first), "named" (tables naming it), "tied"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(item.name for item in self.items)


@dataclass(frozen=True)
class RegionalEntry:
    """A confirmed regional theme in the roll-up: its ranking, and its themes at each table."""

    id: int
    item: RankedItem
    members: tuple[tuple[int, TableTheme], ...]  # (table index, theme), table order

    @property
    def answer_count(self) -> int:
        return sum(len(theme.answers) for _, theme in self.members)


@dataclass(frozen=True)
class OffPlan:
    """A prioritized theme that serves no strategy of the plan."""

    table_index: int
    theme: TableTheme
    share: Fraction
    regional_title: str | None


@dataclass(frozen=True)
class Movement:
    name: str
    key: str
    earlier_rank: int | None
    rank: int | None
    earlier_value: Fraction
    value: Fraction


@dataclass(frozen=True)
class OverTime:
    earlier_id: int
    earlier_name: str
    tables: tuple[str, ...]  # the tables in both rounds
    strategies: tuple[Movement, ...]
    regional: tuple[Movement, ...]


@dataclass(frozen=True)
class Rollup:
    collection_id: int
    name: str
    generated_at: datetime
    weighting: str  # the one the page orders by; every score is given under both
    tables: tuple[Table, ...]
    strategies: tuple[RankedItem, ...]  # ranked under `weighting`, unnamed strategies last
    ties: tuple[TieNote, ...]
    regional: tuple[RegionalEntry, ...]
    proposed_count: int
    off_plan: tuple[OffPlan, ...]
    over_time: OverTime | None = None
    plan: dict[str, PlanStrategy] = field(default_factory=dict, compare=False)

    @property
    def voting_tables(self) -> tuple[Table, ...]:
        return tuple(table for table in self.tables if table.voted)

    @property
    def quiet_tables(self) -> tuple[Table, ...]:
        return tuple(table for table in self.tables if not table.voted)

    @property
    def interim_tables(self) -> tuple[Table, ...]:
        """Tables counted with a vote that was still open when their results were read."""
        return tuple(
            t for t in self.tables if t.voted and t.snapshot.vote and t.snapshot.vote.is_open
        )

    @property
    def roles(self) -> list[str | None]:
        """Every role any table lists, in first-seen order (no role given last)."""
        found = dict.fromkeys(r.role for t in self.tables for r in t.snapshot.by_role)
        return [role for role in found if role is not None] + ([None] if None in found else [])

    def words_in(self, lang: str) -> dict[str | None, str]:
        """The questions and roles the exports name (in English) as the tables' agendas word
        them in `lang`, the first table's that translates each; `.get(text, text)` leaves
        the others as they are."""
        words: dict[str | None, str] = {}
        for table in self.tables:
            for question in table.snapshot.per_question:
                if question.questions.get(lang):
                    words.setdefault(question.question, question.questions[lang])
            for role in table.snapshot.by_role:
                if role.names.get(lang):
                    words.setdefault(role.role, role.names[lang])
        return words

    @property
    def questions(self) -> list[tuple[str, int, list[tuple[str, int]]]]:
        """(question, answers at all tables, [(table, answers)]) for every question asked."""
        found: dict[str, list[tuple[str, int]]] = {}
        for table in self.tables:
            for question in table.snapshot.per_question:
                found.setdefault(question.question, []).append((table.name, question.answers))
        return [(q, sum(n for _, n in counts), counts) for q, counts in found.items()]
