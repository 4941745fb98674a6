"""The agenda editor's data: an agenda as the nested dict the editor form holds, and back.

The form holds text as typed (numbers as strings, lists one item a line), so nothing is lost
when the facilitator makes a mistake. `form_data_to_dict` turns it into the dict
`parse_agenda` reads, leaving wrong values as they are so that `parse_agenda`, the one set of
rules, reports them. `apply_action` adds, removes and moves list entries; `merge_outline`
adds what a pasted outline holds. No Flask or WTForms here.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace
from typing import Any

from workshop.agenda import translations as agenda_translations
from workshop.agenda.model import Agenda, Duration, Framework, Pillar, Segment, Strategy

RANGE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(?:-|–|—|to)\s*(\d+(?:\.\d+)?)\s*$")
LISTS = ("join_questions", "segments", "prompts", "frameworks", "pillars", "strategies", "details")


def _number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _lines(items: tuple[str, ...]) -> str:
    return "\n".join(items)


def agenda_to_form_data(agenda: Agenda) -> dict[str, Any]:
    return {
        "agenda_id": agenda.id,
        "title": agenda.title,
        "purpose": agenda.purpose,
        "community_agreements": _lines(agenda.community_agreements),
        "facilitator_notes": agenda.facilitator_notes,
        "join_questions": [
            {"id": q.id, "label": q.label, "kind": q.kind, "choices": _lines(q.choices)}
            | {"required": q.required}
            for q in agenda.join_questions
        ],
        "segments": [_segment_data(s) for s in agenda.segments],
        "frameworks": [framework_to_form_data(f) for f in agenda.frameworks],
        "translations": _translations_text(agenda),
    }


def _translations_text(agenda: Agenda) -> str:
    if not agenda.translations:
        return ""
    return json.dumps(agenda_translations.to_dict(agenda.translations), ensure_ascii=False)


def with_translations(agenda: Agenda, text: Any) -> Agenda:
    """The edited agenda with the translations its form carried. Entries that no longer fit
    (a segment or prompt renamed or removed, a list of a different length) are dropped: the
    editor cannot show them, and they would stop the agenda from saving."""
    try:
        raw = json.loads(text) if isinstance(text, str) and text.strip() else None
    except ValueError:
        raw = None
    kept = agenda_translations.parse(raw, agenda, problems=[]) if isinstance(raw, dict) else ()
    return replace(agenda, translations=kept)


def _segment_data(segment: Segment) -> dict[str, Any]:
    duration = segment.duration
    minutes = _number_text(duration.planned_minutes)
    if duration.is_range:
        minutes += "-" + _number_text(duration.limit_minutes)
    vote = segment.vote
    candidates = vote.candidates if vote else "themes"
    return {
        "id": segment.id,
        "kind": segment.kind,
        "title": segment.title,
        "minutes": minutes,
        "text": segment.text,
        "facilitator_notes": segment.facilitator_notes,
        "framework": segment.framework,
        "auto_advance": segment.auto_advance,
        "prompts": [
            {"id": p.id, "question": p.question, "help": p.help}
            | {"max_responses": str(p.max_responses), "max_length": str(p.max_length)}
            for p in segment.prompts
        ],
        "vote": {
            "picks": str(vote.picks if vote else 3),
            "ranked": vote.ranked if vote else True,
            "hide_tally": vote.hide_tally if vote else False,
            "candidates": candidates if isinstance(candidates, str) else "list",
            "candidate_list": "" if isinstance(candidates, str) else _lines(candidates),
        },
    }


def framework_to_form_data(framework: Framework) -> dict[str, Any]:
    return {
        "id": framework.id,
        "title": framework.title,
        "description": framework.description,
        "pillars": [_pillar_data(p) for p in framework.pillars],
    }


def _pillar_data(pillar: Pillar) -> dict[str, Any]:
    return {
        "title": pillar.title,
        "description": pillar.description,
        "examples": _lines(pillar.examples),
        "strategies": [_strategy_data(s) for s in pillar.strategies],
    }


def _strategy_data(strategy: Strategy) -> dict[str, Any]:
    return {
        "id": strategy.id,
        "code": strategy.code,
        "name": strategy.name,
        "description": strategy.description,
        "examples": _lines(strategy.examples),
        "details": [{"label": d.label, "text": d.text} for d in strategy.details],
    }


# --- form data → the dict parse_agenda reads ------------------------------------------------


def _text(value: Any) -> str:
    """Browsers send line breaks in text boxes as CRLF; files and snapshots use LF."""
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return text.replace("\r\n", "\n").replace("\r", "\n").strip()


def _split_lines(value: Any) -> list[str]:
    return [line.strip() for line in _text(value).splitlines() if line.strip()]


def _put(data: dict[str, Any], key: str, value: Any) -> None:
    """Optional fields are left out when empty, as in a hand-written file."""
    if value not in ("", [], None):
        data[key] = value


def _number(value: Any) -> Any:
    """'5' → 5, '2.5' → 2.5, '' → None (use the default); anything else stays text, for
    parse_agenda to explain."""
    text = _text(value)
    if not text:
        return None
    for kind in (int, float):
        try:
            return kind(text)
        except ValueError:
            continue
    return text


def _minutes(value: Any) -> Any:
    text = _text(value)
    if match := RANGE.match(text):
        return [_number(match.group(1)), _number(match.group(2))]
    return _number(text)


def form_data_to_dict(data: dict[str, Any]) -> dict[str, Any]:
    """The agenda dict for parse_agenda; list entries keep their positions, so a problem at
    `segments[2].minutes` is the third segment's minutes field."""
    agenda: dict[str, Any] = {"format": 1, "title": _text(data.get("title"))}
    _put(agenda, "id", _text(data.get("agenda_id")))
    _put(agenda, "purpose", _text(data.get("purpose")))
    _put(agenda, "community_agreements", _split_lines(data.get("community_agreements")))
    _put(agenda, "facilitator_notes", _text(data.get("facilitator_notes")))
    _put(agenda, "join_questions", [_join_dict(q) for q in data.get("join_questions") or []])
    agenda["segments"] = [_segment_dict(s) for s in data.get("segments") or []]
    _put(agenda, "frameworks", [_framework_dict(f) for f in data.get("frameworks") or []])
    return agenda


def _join_dict(question: dict[str, Any]) -> dict[str, Any]:
    result = {"id": _text(question.get("id")), "label": _text(question.get("label"))}
    result |= {"kind": _text(question.get("kind")) or "text"}
    _put(result, "choices", _split_lines(question.get("choices")))
    result["required"] = bool(question.get("required"))
    return result


def _segment_dict(segment: dict[str, Any]) -> dict[str, Any]:
    kind = _text(segment.get("kind"))
    result = {"id": _text(segment.get("id")), "kind": kind, "title": _text(segment.get("title"))}
    _put(result, "minutes", _minutes(segment.get("minutes")))
    for key in ("text", "facilitator_notes", "framework"):
        _put(result, key, _text(segment.get(key)))
    if segment.get("auto_advance"):
        result["auto_advance"] = True
    # Prompts typed into a segment of another kind are kept, so parse_agenda says so.
    _put(result, "prompts", [_prompt_dict(p) for p in segment.get("prompts") or []])
    if kind == "vote":
        result["vote"] = _vote_dict(segment.get("vote") or {})
    return result


def _prompt_dict(prompt: dict[str, Any]) -> dict[str, Any]:
    result = {"id": _text(prompt.get("id")), "question": _text(prompt.get("question"))}
    _put(result, "help", _text(prompt.get("help")))
    _put(result, "max_responses", _number(prompt.get("max_responses")))
    _put(result, "max_length", _number(prompt.get("max_length")))
    return result


def _vote_dict(vote: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    _put(result, "picks", _number(vote.get("picks")))
    result["ranked"] = bool(vote.get("ranked"))
    result["hide_tally"] = bool(vote.get("hide_tally"))
    source = _text(vote.get("candidates")) or "themes"
    result["candidates"] = _split_lines(vote.get("candidate_list")) if source == "list" else source
    return result


def _framework_dict(framework: dict[str, Any]) -> dict[str, Any]:
    result = {"id": _text(framework.get("id")), "title": _text(framework.get("title"))}
    _put(result, "description", _text(framework.get("description")))
    result["pillars"] = [_pillar_dict(p) for p in framework.get("pillars") or []]
    return result


def _pillar_dict(pillar: dict[str, Any]) -> dict[str, Any]:
    result = {"title": _text(pillar.get("title"))}
    _put(result, "description", _text(pillar.get("description")))
    _put(result, "examples", _split_lines(pillar.get("examples")))
    result["strategies"] = [_strategy_dict(s) for s in pillar.get("strategies") or []]
    return result


def _strategy_dict(strategy: dict[str, Any]) -> dict[str, Any]:
    result = {"id": _text(strategy.get("id")), "name": _text(strategy.get("name"))}
    for key in ("code", "description"):
        _put(result, key, _text(strategy.get(key)))
    details = [
        {"label": _text(d.get("label")), "text": _text(d.get("text"))}
        for d in strategy.get("details") or []
    ]
    _put(result, "details", details)
    _put(result, "examples", _split_lines(strategy.get("examples")))
    return result


def planned_duration(data: dict[str, Any]) -> Duration:
    """The planned total of the minutes typed so far (30–45); unreadable ones count 0. The
    page writes it the reader's way."""
    planned = limit = 0.0
    for segment in data.get("segments") or []:
        minutes = _minutes(segment.get("minutes"))
        low, high = minutes if isinstance(minutes, list) else (minutes, minutes)
        if isinstance(low, int | float) and isinstance(high, int | float):
            planned, limit = planned + low, limit + max(low, high)
    return Duration(planned, limit)
