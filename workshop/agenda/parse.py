"""Reading and writing an agenda as plain data: `parse_agenda` turns the dict read from a TOML
file (or a stored snapshot) into an `Agenda`, or raises `AgendaError` listing every mistake
with the field it is in; `agenda_to_dict` is its inverse, so a snapshot reloads identically.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any

from workshop.agenda import translations as agenda_translations
from workshop.agenda.model import (
    FORMAT_VERSION,
    JOIN_KINDS,
    MAX_MINUTES,
    MIN_MINUTES,
    SEGMENT_KINDS,
    Agenda,
    AgendaError,
    Detail,
    Duration,
    Framework,
    JoinQuestion,
    Pillar,
    Prompt,
    Segment,
    Strategy,
    VoteSettings,
    minutes_text,
)
from workshop.agenda.reader import Reader
from workshop.messages import N_
from workshop.text import ascii_folded

# The editor words this one its own way (a range is typed there as 10-15): `web.editor_forms`.
MINUTES_WRONG = N_("must be a positive number or a [min, max] range ({low} to {high})")


def parse_agenda(data: Any, default_id: str = "") -> Agenda:
    """Validate `data` (a TOML document as a dict) and build an Agenda, or raise AgendaError."""
    problems: list[tuple[str, str]] = []
    top = Reader(data, "", problems)
    version = top.integer("format", FORMAT_VERSION, FORMAT_VERSION, FORMAT_VERSION)
    del version
    agenda_id = top.slug("id", default=_slugify(default_id) or "agenda")
    title = top.text("title", required=True, max_length=200)
    purpose = top.text("purpose")
    agreements = top.strings("community_agreements")
    notes = top.text("facilitator_notes")
    join_questions = _join_questions(top, problems)
    frameworks = _frameworks(top, problems)
    segments = _segments(top, problems, {f.id: f for f in frameworks})
    agenda = Agenda(
        id=agenda_id,
        title=title,
        segments=segments,
        purpose=purpose,
        community_agreements=agreements,
        facilitator_notes=notes,
        join_questions=join_questions,
        frameworks=frameworks,
    )
    # Translations are checked against the agenda they translate (its ids, its list lengths).
    translations = agenda_translations.parse(top.raw("translations"), agenda, problems)
    top.finish()
    if problems:
        raise AgendaError(problems)
    return replace(agenda, translations=translations)


def _slugify(text: str) -> str:
    """An id from a title: accents folded ("Comité" -> "comite", not "comit-"), the rest
    hyphens."""
    return re.sub(r"[^a-z0-9_-]+", "-", ascii_folded(text).lower()).strip("-")[:64]


def _unique(reader: Reader, key: str, value: str, seen: set[str], duplicate: str) -> None:
    """`duplicate`: the problem's template, such as "duplicate segment id '{id}'"."""
    if value and value in seen:
        reader.fail(key, duplicate, id=value)
    seen.add(value)


def _join_questions(top: Reader, problems: list) -> tuple[JoinQuestion, ...]:
    questions, seen = [], set()
    for index, raw in enumerate(top.tables("join_questions", max_items=10)):
        reader = Reader(raw, f"join_questions[{index}]", problems)
        question_id = reader.slug("id")
        _unique(reader, "id", question_id, seen, N_("duplicate join question id '{id}'"))
        label = reader.text("label", required=True, max_length=200)
        kind = reader.text("kind") or "text"
        if kind not in JOIN_KINDS:
            reader.fail("kind", N_("must be one of {choices}"), choices=", ".join(JOIN_KINDS))
        choices = reader.strings("choices", max_items=30)
        if kind == "choice" and (len(choices) < 2 or len(set(choices)) != len(choices)):
            reader.fail("choices", N_("a choice question needs at least two different choices"))
        if kind == "text" and choices:
            reader.fail("choices", N_("only a choice question has choices"))
        required = reader.boolean("required", False)
        reader.finish()
        questions.append(JoinQuestion(question_id, label, kind, choices, required))
    return tuple(questions)


def _duration(reader: Reader) -> Duration:
    value = reader.raw("minutes")
    limits = {"low": minutes_text(MIN_MINUTES), "high": MAX_MINUTES}
    if isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value):
        low, high = value
    elif _is_number(value):
        low = high = value
    elif value is None:
        reader.fail("minutes", N_("is required"))
        return Duration(1, 1)
    else:
        reader.fail("minutes", MINUTES_WRONG, **limits)
        return Duration(1, 1)
    if not (MIN_MINUTES <= low <= MAX_MINUTES and MIN_MINUTES <= high <= MAX_MINUTES):
        reader.fail("minutes", MINUTES_WRONG, **limits)
        return Duration(1, 1)
    if high < low:
        reader.fail("minutes", N_("a range must be [min, max] with min no larger than max"))
        return Duration(1, 1)
    return Duration(float(low), float(high))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _segments(top: Reader, problems: list, frameworks: dict[str, Framework]) -> tuple[Segment, ...]:
    segments, seen_segments, seen_prompts = [], set(), set()
    for index, raw in enumerate(top.tables("segments", required=True, max_items=60)):
        reader = Reader(raw, f"segments[{index}]", problems)
        segment_id = reader.slug("id")
        _unique(reader, "id", segment_id, seen_segments, N_("duplicate segment id '{id}'"))
        kind = reader.text("kind", required=True)
        if kind and kind not in SEGMENT_KINDS:
            reader.fail(
                "kind",
                N_("unknown kind '{kind}': use one of {choices}"),
                kind=kind,
                choices=", ".join(SEGMENT_KINDS),
            )
        framework_id = reader.text("framework")
        if framework_id and framework_id not in frameworks:
            reader.fail(
                "framework", N_("no framework with id '{id}' in this agenda"), id=framework_id
            )
        segment = Segment(
            id=segment_id,
            kind=kind,
            title=reader.text("title", required=True, max_length=200),
            duration=_duration(reader),
            text=reader.text("text"),
            facilitator_notes=reader.text("facilitator_notes"),
            framework=framework_id,
            auto_advance=reader.boolean("auto_advance", False),
            prompts=_prompts(reader, problems, kind, seen_prompts),
            vote=_vote(reader, problems, kind, frameworks.get(framework_id)),
        )
        reader.finish()
        segments.append(segment)
    return tuple(segments)


def _prompts(segment: Reader, problems: list, kind: str, seen: set[str]) -> tuple[Prompt, ...]:
    raw_prompts = segment.tables("prompts", required=(kind == "prompts"), max_items=20)
    if raw_prompts and kind != "prompts":
        segment.fail("prompts", N_("only a segment of kind 'prompts' has prompts"))
        return ()
    prompts = []
    for index, raw in enumerate(raw_prompts):
        reader = Reader(raw, segment.path(f"prompts[{index}]"), problems)
        prompt_id = reader.slug("id")
        _unique(reader, "id", prompt_id, seen, N_("duplicate prompt id '{id}'"))
        prompts.append(
            Prompt(
                id=prompt_id,
                question=reader.text("question", required=True, max_length=500),
                help=reader.text("help", max_length=1000),
                max_responses=reader.integer("max_responses", 5, 1, 50),
                max_length=reader.integer("max_length", 280, 20, 2000),
            )
        )
        reader.finish()
    return tuple(prompts)


def _vote(
    segment: Reader, problems: list, kind: str, framework: Framework | None
) -> VoteSettings | None:
    raw = segment.raw("vote")
    if kind != "vote":
        if raw is not None:
            segment.fail("vote", N_("only a segment of kind 'vote' has vote settings"))
        return None
    reader = Reader(raw if raw is not None else {}, segment.path("vote"), problems)
    picks = reader.integer("picks", 3, 1, 10)
    ranked = reader.boolean("ranked", True)
    hide_tally = reader.boolean("hide_tally", False)
    candidates = _vote_candidates(reader, framework, picks)
    reader.finish()
    return VoteSettings(picks, ranked, hide_tally, candidates)


def _vote_candidates(
    reader: Reader, framework: Framework | None, picks: int
) -> str | tuple[str, ...]:
    value = reader.raw("candidates")
    if value is None or value == "themes":
        return "themes"
    if value == "strategies":
        if framework is None:
            reader.fail(
                "candidates", N_("voting on strategies needs the segment to name a framework")
            )
        return "strategies"
    if isinstance(value, list):
        if not value:
            reader.fail("candidates", N_("a vote needs at least one candidate"))
            return ()
        if not all(isinstance(v, str) and v.strip() for v in value) or len(set(value)) != len(
            value
        ):
            reader.fail("candidates", N_("must be a list of different, non-empty texts"))
            return ()
        return tuple(v.strip() for v in value)
    reader.fail("candidates", N_('must be "themes", "strategies" or a list of candidates'))
    return "themes"


def _frameworks(top: Reader, problems: list) -> tuple[Framework, ...]:
    frameworks, seen = [], set()
    for index, raw in enumerate(top.tables("frameworks", max_items=10)):
        reader = Reader(raw, f"frameworks[{index}]", problems)
        framework_id = reader.slug("id")
        _unique(reader, "id", framework_id, seen, N_("duplicate framework id '{id}'"))
        title = reader.text("title", required=True, max_length=300)
        description = reader.text("description")
        strategy_ids: set[str] = set()
        pillars = tuple(
            _pillar(
                Reader(raw_pillar, reader.path(f"pillars[{p}]"), problems), problems, strategy_ids
            )
            for p, raw_pillar in enumerate(reader.tables("pillars", required=True, max_items=50))
        )
        reader.finish()
        frameworks.append(Framework(framework_id, title, pillars, description))
    return tuple(frameworks)


def _pillar(reader: Reader, problems: list, strategy_ids: set[str]) -> Pillar:
    title = reader.text("title", required=True, max_length=300)
    description = reader.text("description")
    examples = reader.strings("examples")
    strategies = []
    for index, raw in enumerate(reader.tables("strategies", required=True, max_items=100)):
        strategy = Reader(raw, reader.path(f"strategies[{index}]"), problems)
        strategy_id = strategy.slug("id")
        _unique(strategy, "id", strategy_id, strategy_ids, N_("duplicate strategy id '{id}'"))
        strategies.append(
            Strategy(
                id=strategy_id,
                name=strategy.text("name", required=True, max_length=300),
                code=strategy.text("code", max_length=20),
                description=strategy.text("description"),
                details=_details(strategy, problems),
                examples=strategy.strings("examples"),
            )
        )
        strategy.finish()
    reader.finish()
    return Pillar(title, tuple(strategies), description, examples)


def _details(strategy: Reader, problems: list) -> tuple[Detail, ...]:
    details = []
    for index, raw in enumerate(strategy.tables("details", max_items=30)):
        reader = Reader(raw, strategy.path(f"details[{index}]"), problems)
        details.append(
            Detail(
                reader.text("label", required=True, max_length=100),
                reader.text("text", required=True),
            )
        )
        reader.finish()
    return tuple(details)


def agenda_to_dict(agenda: Agenda) -> dict[str, Any]:
    """The inverse of parse_agenda: a plain dict that parses back to an equal Agenda."""
    data: dict[str, Any] = {"format": FORMAT_VERSION, "id": agenda.id, "title": agenda.title}
    _put(data, "purpose", agenda.purpose)
    _put(data, "community_agreements", list(agenda.community_agreements))
    _put(data, "facilitator_notes", agenda.facilitator_notes)
    _put(data, "join_questions", [_join_question_dict(q) for q in agenda.join_questions])
    data["segments"] = [_segment_dict(s) for s in agenda.segments]
    _put(data, "frameworks", [_framework_dict(f) for f in agenda.frameworks])
    _put(data, "translations", agenda_translations.to_dict(agenda.translations))
    return data


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    if value not in ("", [], (), {}, None):
        data[key] = value


def _join_question_dict(question: JoinQuestion) -> dict[str, Any]:
    data = {
        "id": question.id,
        "label": question.label,
        "kind": question.kind,
        "required": question.required,
    }
    _put(data, "choices", list(question.choices))
    return data


def _segment_dict(segment: Segment) -> dict[str, Any]:
    duration = segment.duration
    minutes: Any = (
        [duration.planned_minutes, duration.limit_minutes]
        if duration.is_range
        else duration.planned_minutes
    )
    data: dict[str, Any] = {
        "id": segment.id,
        "kind": segment.kind,
        "title": segment.title,
        "minutes": minutes,
    }
    _put(data, "text", segment.text)
    _put(data, "facilitator_notes", segment.facilitator_notes)
    _put(data, "framework", segment.framework)
    if segment.auto_advance:
        data["auto_advance"] = True
    _put(data, "prompts", [_prompt_dict(p) for p in segment.prompts])
    if segment.vote is not None:
        vote = segment.vote
        candidates = vote.candidates if isinstance(vote.candidates, str) else list(vote.candidates)
        data["vote"] = {
            "picks": vote.picks,
            "ranked": vote.ranked,
            "hide_tally": vote.hide_tally,
            "candidates": candidates,
        }
    return data


def _prompt_dict(prompt: Prompt) -> dict[str, Any]:
    data: dict[str, Any] = {"id": prompt.id, "question": prompt.question}
    _put(data, "help", prompt.help)
    data.update(max_responses=prompt.max_responses, max_length=prompt.max_length)
    return data


def _framework_dict(framework: Framework) -> dict[str, Any]:
    data: dict[str, Any] = {"id": framework.id, "title": framework.title}
    _put(data, "description", framework.description)
    data["pillars"] = [_pillar_dict(p) for p in framework.pillars]
    return data


def _pillar_dict(pillar: Pillar) -> dict[str, Any]:
    data: dict[str, Any] = {"title": pillar.title}
    _put(data, "description", pillar.description)
    _put(data, "examples", list(pillar.examples))
    data["strategies"] = [_strategy_dict(s) for s in pillar.strategies]
    return data


def _strategy_dict(strategy: Strategy) -> dict[str, Any]:
    data: dict[str, Any] = {"id": strategy.id, "name": strategy.name}
    _put(data, "code", strategy.code)
    _put(data, "description", strategy.description)
    _put(data, "details", [{"label": d.label, "text": d.text} for d in strategy.details])
    _put(data, "examples", list(strategy.examples))
    return data
