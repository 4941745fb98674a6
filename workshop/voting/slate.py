"""A vote round's slate: the candidates it may list (themes or plan strategies) and the
candidates of an open round, cached for the ballots that check against them.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop.agenda.model import Agenda
from workshop.live import timing
from workshop.messages import N_, ActionError
from workshop.models import (
    Candidate,
    Theme,
    VoteRound,
    Workshop,
)

MAX_CANDIDATES = 100


@dataclass(frozen=True)
class CandidateSpec:
    title: str
    description: str = ""
    theme_id: int | None = None
    strategy_id: str | None = None
    title_es: str = ""  # a theme's Spanish title, for Spanish readers


def candidate_specs(
    db: Session, workshop: Workshop, agenda: Agenda, source: str, theme_ids: list[int] | None = None
) -> list[CandidateSpec]:
    """What a round can vote on: the session's themes (all or some), the plan's strategies,
    the agenda's fixed list, or the top candidates of the previous round."""
    segment = timing.current_segment(workshop, agenda)
    if source == "themes":
        query = (
            select(Theme).where(Theme.workshop_id == workshop.id).order_by(Theme.position, Theme.id)
        )
        themes = list(db.scalars(query))
        if theme_ids is not None:
            wanted = set(theme_ids)
            themes = [t for t in themes if t.id in wanted]
            if len(themes) != len(wanted):
                raise ActionError(N_("some of those themes are not in this session"), "not_found")
        return [
            CandidateSpec(t.title, t.description, theme_id=t.id, title_es=t.title_es)
            for t in themes
        ]
    if source == "strategies":
        framework = agenda.framework(segment.framework) if segment and segment.framework else None
        framework = framework or (agenda.frameworks[0] if agenda.frameworks else None)
        if framework is None:
            raise ActionError(N_("this agenda has no plan to take strategies from"), "invalid")
        return [
            CandidateSpec(s.name, s.description, strategy_id=s.id) for s in framework.strategies()
        ]
    if (
        source == "fixed"
        and segment
        and segment.vote
        and not isinstance(segment.vote.candidates, str)
    ):
        return [CandidateSpec(title) for title in segment.vote.candidates]
    raise ActionError(N_("unknown candidate source"), "invalid")


_candidate_cache: dict[tuple[int, str], frozenset[int]] = {}


def candidate_ids(db: Session, vote_round: VoteRound) -> frozenset[int]:
    """A round's candidates never change once it opens, so ballots check against a cached set
    (keyed by the round and its opening time, which no other round shares)."""
    key = (vote_round.id, vote_round.opened_at.isoformat())
    if key not in _candidate_cache:
        if len(_candidate_cache) > 1000:
            _candidate_cache.clear()
        _candidate_cache[key] = frozenset(c.id for c in candidates(db, vote_round))
    return _candidate_cache[key]


def candidates(db: Session, vote_round: VoteRound) -> list[Candidate]:
    query = (
        select(Candidate).where(Candidate.round_id == vote_round.id).order_by(Candidate.position)
    )
    return list(db.scalars(query))
