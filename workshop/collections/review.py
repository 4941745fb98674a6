"""What the owner reviews on the regional themes page: proposals, confirmed regional themes,
and the themes that are in none, each theme with its table and its rank there; and the
suggester's work for a new run of proposals, as a function that touches no database."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from workshop.collections.model import Table, TableTheme
from workshop.collections.proposals import ThemeText, propose, theme_texts, theme_vectors
from workshop.collections.records import CONFIRMED, PROPOSED
from workshop.collections.regional import Proposal, StoredGroup, ThemeRef
from workshop.ids import as_id


@dataclass(frozen=True)
class ReviewTheme:
    ref: ThemeRef
    table: Table
    theme: TableTheme

    @property
    def value(self) -> str:
        """How a form names it: "<member id>:<theme id>"."""
        return f"{self.ref[0]}:{self.ref[1]}"


@dataclass(frozen=True)
class ReviewGroup:
    id: int
    title: str
    status: str
    themes: tuple[ReviewTheme, ...]


@dataclass(frozen=True)
class Review:
    proposed: tuple[ReviewGroup, ...]
    confirmed: tuple[ReviewGroup, ...]
    single: tuple[ReviewTheme, ...]  # in no regional theme of two or more

    @property
    def targets(self) -> tuple[ReviewGroup, ...]:
        return self.confirmed + self.proposed


def all_themes(tables: Sequence[Table]) -> dict[ThemeRef, ReviewTheme]:
    return {
        (table.member_id, theme.theme_id): ReviewTheme(
            (table.member_id, theme.theme_id), table, theme
        )
        for table in tables
        for theme in table.snapshot.themes
        if theme.theme_id is not None and theme.source == "theme"
    }


def review(tables: Sequence[Table], groups: Sequence[StoredGroup]) -> Review:
    themes = all_themes(tables)
    order = {table.member_id: index for index, table in enumerate(tables)}
    grouped: set[ThemeRef] = set()
    made: dict[str, list[ReviewGroup]] = {PROPOSED: [], CONFIRMED: []}
    for group in groups:
        present = tuple(
            sorted(
                (themes[ref] for ref in group.themes if ref in themes),
                key=lambda t: order[t.ref[0]],
            )
        )
        if len(present) < 2:
            continue
        grouped.update(t.ref for t in present)
        made[group.status].append(ReviewGroup(group.id, group.title, group.status, present))
    single = tuple(t for ref, t in themes.items() if ref not in grouped)
    return Review(tuple(made[PROPOSED]), tuple(made[CONFIRMED]), single)


def parse_refs(values: Sequence[str]) -> list[ThemeRef]:
    """Form values "<member id>:<theme id>" as pairs; anything else is left out."""
    refs = []
    for value in values:
        member, theme = as_id(value.partition(":")[0]), as_id(value.partition(":")[2])
        if member is not None and theme is not None:
            refs.append((member, theme))
    return refs


@dataclass(frozen=True)
class ProposalRun:
    proposals: list[Proposal]
    unavailable: str  # why the encoders were not used ("" when they were)


def proposer_for(tables: Sequence[Table]) -> Callable[[Callable[[float, str], None]], ProposalRun]:
    """The work of a proposal run, to run on the suggestion worker: it reads only `tables`."""
    texts: list[ThemeText] = theme_texts(tables)

    def compute(progress) -> ProposalRun:
        from workshop.themes import suggest
        from workshop.themes.suggest.embedding import ModelUnavailable

        if len(texts) < 2:
            return ProposalRun([], "")
        ready, reason = suggest.available()
        vectors = None
        if ready:
            try:
                vectors = theme_vectors(texts, progress)
            except ModelUnavailable as error:
                reason = str(error)
        return ProposalRun(propose(texts, vectors), "" if vectors is not None else reason)

    return compute


def encode_proposals(run: ProposalRun) -> dict:
    """A proposal run as JSON, kept with its suggestion run for every process."""
    return {
        "proposals": [
            {"title": p.title, "themes": [list(ref) for ref in p.themes]} for p in run.proposals
        ],
        "unavailable": run.unavailable,
    }


def decode_proposals(data: dict) -> ProposalRun:
    proposals = [
        Proposal(item["title"], tuple((member, theme) for member, theme in item["themes"]))
        for item in data["proposals"]
    ]
    return ProposalRun(proposals, data["unavailable"])
