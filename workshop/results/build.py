"""A workshop's results as one plain value: what the results page, every download, the API
and the CLI show. Built from the database at a moment `now`; no Flask here.

Two audiences read results. Facilitators see everything the room produced, hidden answers
included (flagged) and, when the agenda asked for names, names. Holders of a share link see
what the room saw: no hidden answers, no names, and no tally that is still hidden from the
room. Nothing else about a participant (cookie hash, answers to other join questions) leaves
the database through here.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import replace
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from workshop import themes, voting
from workshop.agenda.model import Agenda
from workshop.live import workshops
from workshop.models import (
    Candidate,
    Installation,
    Participant,
    Response,
    SegmentRun,
    VoteRound,
    Workshop,
)
from workshop.results.model import (
    ENDED,
    FACILITATOR,
    LIVE,
    NOT_STARTED,
    BallotRow,
    Participation,
    PlanStrategy,
    QuestionCount,
    ResponseRow,
    Results,
    RoleCount,
    SegmentTiming,
    StrategyRef,
    ThemeResult,
    VoteSummary,
    group_by_question,
)


def build_results(
    db: Session, workshop: Workshop, now: datetime, audience: str, lang: str = ""
) -> Results:
    """With `lang`, the agenda's texts (title, purpose, questions, segments, roles, the plan's
    strategies) are as a reader of that language sees them, for the results page; without
    it, the agenda's own words, as every download has them."""
    agenda = workshops.agenda_of(workshop, lang)
    names = _strategy_names(agenda)
    rows = _response_rows(db, workshop, agenda, audience, names)
    vote_round = chosen_round(db, workshop, audience)
    vote = _vote_summary(db, vote_round)
    runs = _segment_runs(db, workshop)
    return Results(
        workshop_id=workshop.id,
        title=agenda.title if lang else workshop.title,
        agenda_id=workshop.agenda_id,
        purpose=agenda.purpose,
        status=_status(workshop),
        created_at=workshop.created_at,
        started_at=min((run.started_at for run in runs), default=None),
        ended_at=workshop.ended_at,
        generated_at=now,
        audience=audience,
        names_included=audience == FACILITATOR and _asks_names(agenda),
        vote=vote,
        themes=_theme_results(db, workshop, vote_round, rows, names, lang),
        responses=tuple(rows),
        participation=_participation(db, workshop, agenda, rows, vote, audience),
        agenda_run=agenda_run(agenda, runs, workshop.ended_at or now),
        server_id=server_id(db),
        plan=plan_strategies(agenda),
    )


def server_id(db: Session) -> str:
    """This server's random id, made by the migration that added the table ("" if missing)."""
    found = db.scalar(select(Installation.server_id).order_by(Installation.id).limit(1))
    return found or ""


def plan_strategies(agenda: Agenda) -> tuple[PlanStrategy, ...]:
    """Every strategy of the agenda's frameworks, with its names in the agenda's languages."""
    localized = [(lang, agenda.localized(lang)) for lang in agenda.languages]
    found = []
    for f_index, framework in enumerate(agenda.frameworks):
        for p_index, pillar in enumerate(framework.pillars):
            for s_index, strategy in enumerate(pillar.strategies):
                names = tuple(
                    (lang, *_names_at(other, f_index, p_index, s_index))
                    for lang, other in localized
                )
                found.append(
                    PlanStrategy(strategy.id, strategy.name, pillar.title, framework.id, names)
                )
    return tuple(found)


def _names_at(agenda: Agenda, f_index: int, p_index: int, s_index: int) -> tuple[str, str]:
    pillar = agenda.frameworks[f_index].pillars[p_index]
    return pillar.strategies[s_index].name, pillar.title


def _status(workshop: Workshop) -> str:
    if workshop.ended_at is not None:
        return ENDED
    return NOT_STARTED if workshop.segment_index < 0 else LIVE


def _asks_names(agenda: Agenda) -> bool:
    return any(question.id == "name" for question in agenda.join_questions)


def _role_labels(agenda: Agenda) -> dict[str, str]:
    """Each role (a choice's stored value) as the agenda's reader sees it."""
    question = next((q for q in agenda.join_questions if q.kind == "choice"), None)
    if question is None or not question.choice_labels:
        return {}
    return dict(zip(question.choices, question.choice_labels, strict=True))


def _strategy_names(agenda: Agenda) -> dict[str, str]:
    return {s.id: s.name for framework in agenda.frameworks for s in framework.strategies()}


def _response_rows(
    db: Session, workshop: Workshop, agenda: Agenda, audience: str, names: dict[str, str]
) -> list[ResponseRow]:
    """Every answer not deleted, oldest first; hidden ones only for facilitators."""
    query = (
        select(Response, Participant)
        .join(Participant)
        .where(Response.workshop_id == workshop.id, Response.deleted_at.is_(None))
    )
    if audience != FACILITATOR:
        query = query.where(Response.hidden.is_(False))
    titles = {theme.id: theme.title for theme in themes.list_themes(db, workshop)}
    with_names = audience == FACILITATOR and _asks_names(agenda)
    roles = _role_labels(agenda)
    return [
        _response_row(response, person, agenda, titles, names, with_names, roles)
        for response, person in db.execute(query.order_by(Response.created_at, Response.id))
    ]


def _response_row(response, person, agenda, titles, names, with_names, roles) -> ResponseRow:
    segment = next((s for s in agenda.segments if s.id == response.segment_id), None)
    prompt = agenda.prompt(response.prompt_id)
    strategy_id = response.strategy_id
    return ResponseRow(
        id=response.id,
        prompt_id=response.prompt_id,
        question=prompt.question if prompt else response.prompt_id,
        segment_id=response.segment_id,
        segment_title=segment.title if segment else response.segment_id,
        text=response.text,
        theme_id=response.theme_id,
        theme_title=titles.get(response.theme_id),
        strategy=StrategyRef(strategy_id, names.get(strategy_id, strategy_id))
        if strategy_id
        else None,
        created_at=response.created_at,
        participant=person.number,
        role=roles.get(person.role, person.role),
        paper=person.is_paper,
        name=person.name if with_names else None,
        hidden=response.hidden,
    )


def chosen_round(db: Session, workshop: Workshop, audience: str) -> VoteRound | None:
    """The latest round: final once closed, a live tally while open. A tally still hidden
    from the room stays hidden from share links too: they get the latest closed round."""
    query = select(VoteRound).where(VoteRound.workshop_id == workshop.id)
    for vote_round in db.scalars(query.order_by(VoteRound.number.desc())):
        hidden_now = vote_round.is_open and vote_round.hide_tally
        if audience == FACILITATOR or not hidden_now:
            return vote_round
    return None


def _vote_summary(db: Session, vote_round: VoteRound | None) -> VoteSummary | None:
    if vote_round is None:
        return None
    ballots = sorted(tuple(picks) for picks in voting.all_ballots(db, vote_round))
    return VoteSummary(
        round_number=vote_round.number,
        is_open=vote_round.is_open,
        picks=vote_round.picks,
        ranked=vote_round.ranked,
        opened_at=vote_round.opened_at,
        closed_at=vote_round.closed_at,
        # Sorted by content, so the order says nothing about who voted when.
        ballots=tuple(BallotRow(n, picks) for n, picks in enumerate(ballots, start=1)),
        tally_hidden=vote_round.is_open and vote_round.hide_tally,
    )


def _theme_results(
    db: Session,
    workshop: Workshop,
    vote_round: VoteRound | None,
    rows: list[ResponseRow],
    names: dict[str, str],
    lang: str = "",
) -> tuple[ThemeResult, ...]:
    """The ranking in rank order, then the themes that were not on the ballot. A theme's title
    is the one a reader of `lang` sees (its Spanish one in Spanish, where it has one)."""
    summaries = {summary.id: summary for summary in themes.summaries(db, workshop)}
    by_theme: dict[int | None, list[ResponseRow]] = defaultdict(list)
    for row in rows:
        if not row.hidden:
            by_theme[row.theme_id].append(row)
    order = [prompt.id for _, prompt in workshops.agenda_of(workshop).prompts()]

    def theme_parts(theme_id: int | None) -> tuple[tuple[StrategyRef, ...], tuple]:
        summary = summaries.get(theme_id)
        if summary is None:
            return (), ()
        links = tuple(StrategyRef(s, names.get(s, s)) for s in summary.strategy_ids)
        return links, group_by_question(by_theme[theme_id], order)

    ranked = _ranked(db, vote_round, theme_parts, names, summaries)
    on_ballot = {item.theme_id for item in ranked}
    rest = [
        _unranked(summary, *theme_parts(summary.id))
        for summary in summaries.values()
        if summary.id not in on_ballot
    ]
    return tuple(_in_language(item, lang) for item in ranked + rest)


def _in_language(item: ThemeResult, lang: str) -> ThemeResult:
    if lang.startswith("es") and item.title_es:
        return replace(item, title=item.title_es)
    return item


def _unranked(summary: themes.ThemeSummary, strategies, questions) -> ThemeResult:
    return ThemeResult(
        "theme",
        summary.title,
        summary.description,
        summary.id,
        strategies,
        questions,
        title_es=summary.title_es,
    )


def _ranked(db, vote_round, theme_parts, names, summaries) -> list[ThemeResult]:
    if vote_round is None:
        return []
    by_id: dict[int, Candidate] = {c.id: c for c in voting.candidates(db, vote_round)}
    ranked = []
    for row in voting.round_tally(db, vote_round):
        candidate = by_id[row.candidate_id]
        theme_id = candidate.theme_id if candidate.theme_id in summaries else None
        strategies, questions = theme_parts(theme_id)
        title = candidate.title
        if candidate.strategy_id:
            strategies = (StrategyRef(candidate.strategy_id, names.get(candidate.strategy_id, "")),)
            title = names.get(candidate.strategy_id) or title  # the reader's words for it
        source = "theme" if theme_id else "strategy" if candidate.strategy_id else "option"
        ranked.append(
            ThemeResult(
                source=source,
                title=title,
                description=candidate.description,
                candidate_id=candidate.id,
                theme_id=theme_id,
                rank=row.rank,
                tied=row.tied,
                points=row.points,
                first_choices=row.first_choices,
                ballots=row.ballots,
                strategies=strategies,
                questions=questions,
                title_es=candidate.title_es if not candidate.strategy_id else "",
            )
        )
    return ranked


def _participation(
    db: Session,
    workshop: Workshop,
    agenda: Agenda,
    rows: list[ResponseRow],
    vote: VoteSummary | None,
    audience: str,
) -> Participation:
    people = list(db.scalars(select(Participant).where(Participant.workshop_id == workshop.id)))
    visible = [row for row in rows if not row.hidden]
    return Participation(
        participants=len(people),
        paper=sum(1 for person in people if person.is_paper),
        responding=len({row.participant for row in visible}),
        by_role=_by_role(agenda, people),
        per_question=_per_question(agenda, rows, audience),
        ballots_cast=len(vote.ballots) if vote else None,
    )


def _by_role(agenda: Agenda, people: list[Participant]) -> tuple[RoleCount, ...]:
    """Roles in the order the join question lists them; unlisted roles, then none, after."""
    listed = next((q.choices for q in agenda.join_questions if q.kind == "choice"), ())
    counts = Counter(person.role for person in people)
    paper = Counter(person.role for person in people if person.is_paper)
    others = sorted(role for role in counts if role is not None and role not in listed)
    order = [role for role in listed if counts[role]] + others
    order += [None] if counts[None] else []
    labels = _role_labels(agenda)
    other_labels = [(lang, _role_labels(agenda.localized(lang))) for lang in agenda.languages]
    return tuple(
        RoleCount(
            labels.get(role, role) if role else role,
            counts[role],
            paper[role],
            tuple((lang, words[role]) for lang, words in other_labels if role in words),
        )
        for role in order
    )


def _per_question(
    agenda: Agenda, rows: list[ResponseRow], audience: str
) -> tuple[QuestionCount, ...]:
    shown = Counter(row.prompt_id for row in rows if not row.hidden)
    hidden = Counter(row.prompt_id for row in rows if row.hidden)
    others = [(lang, agenda.localized(lang).prompts()) for lang in agenda.languages]
    return tuple(
        QuestionCount(
            prompt.id,
            prompt.question,
            segment.id,
            segment.title,
            shown[prompt.id],
            hidden[prompt.id] if audience == FACILITATOR else None,
            tuple((lang, there[n][1].question, there[n][0].title) for lang, there in others),
        )
        for n, (segment, prompt) in enumerate(agenda.prompts())
    )


def _segment_runs(db: Session, workshop: Workshop) -> list[SegmentRun]:
    query = select(SegmentRun).where(SegmentRun.workshop_id == workshop.id)
    return list(db.scalars(query.order_by(SegmentRun.started_at, SegmentRun.id)))


def agenda_run(
    agenda: Agenda, runs: list[SegmentRun], until: datetime
) -> tuple[SegmentTiming, ...]:
    """Planned against actual minutes per segment. A segment still on screen counts up to
    `until` (now, or when the workshop ended)."""
    seconds: Counter[int] = Counter()
    visits: Counter[int] = Counter()
    for run in runs:
        elapsed = ((run.ended_at or until) - run.started_at).total_seconds()
        seconds[run.segment_index] += max(elapsed, 0)
        visits[run.segment_index] += 1
    return tuple(
        SegmentTiming(
            index,
            segment.id,
            segment.title,
            segment.kind,
            segment.duration.planned_minutes,
            segment.duration.limit_minutes,
            round(seconds[index] / 60, 1) if visits[index] else None,
            visits[index],
        )
        for index, segment in enumerate(agenda.segments)
    )
