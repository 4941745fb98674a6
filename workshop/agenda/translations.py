"""An agenda's texts in other languages: the optional `[translations.<lang>]` tables.

English is an agenda's own language. A translation may give any of the texts the room reads:
the title, purpose and community agreements, join question labels and choice labels, segment
titles and texts, prompts, and the reference frameworks. What it leaves out stays English.
Ids, choice values, numbers and settings are never translated, so answers, ballots and
exports mean the same whatever language a participant reads.

`parse` checks a translation against the agenda it translates, with field paths such as
`translations.es.segments.retro: no segment with id 'retro'`; `to_dict` is its inverse;
`localize` substitutes the texts. Plain data: no Flask here.
"""

from __future__ import annotations

import re
from dataclasses import fields
from typing import TYPE_CHECKING, Any

from workshop.agenda.reader import Reader
from workshop.agenda.texts import (
    FrameworkText,
    PillarText,
    PromptText,
    QuestionText,
    SegmentText,
    StrategyText,
    Translation,
)
from workshop.agenda.texts import find as find  # re-exported: a language's texts, or None
from workshop.messages import N_

if TYPE_CHECKING:
    from workshop.agenda.model import (
        Agenda,
        Framework,
        JoinQuestion,
        Pillar,
        Prompt,
        Segment,
        Strategy,
    )

LANGUAGE = re.compile(r"^[a-z]{2,3}(-[a-z0-9]{2,8})*$")
BASE_LANGUAGE = "en"


# -- reading ---------------------------------------------------------------------------------


def parse(raw: Any, agenda: Agenda, problems: list) -> tuple[tuple[str, Translation], ...]:
    """The `translations` table, checked against `agenda`; problems are appended."""
    if raw is None:
        return ()
    table = Reader(raw, "translations", problems)
    parsed: dict[str, Translation] = {}
    for key, value in table.data.items():
        table.seen.add(key)
        lang = str(key).lower()
        if lang == BASE_LANGUAGE:
            table.fail(key, N_("English texts belong in the agenda's own fields"))
        elif not LANGUAGE.match(lang):
            table.fail(key, N_("must be a language code such as 'es' or 'es-MX'"))
        elif lang in parsed:
            table.fail(key, N_("duplicate language '{lang}'"), lang=lang)
        else:
            parsed[lang] = _translation(Reader(value, table.path(key), problems), agenda)
    return tuple((lang, t) for lang, t in parsed.items() if t != Translation())


def _translation(reader: Reader, agenda: Agenda) -> Translation:
    prompts = {prompt.id: prompt for _, prompt in agenda.prompts()}
    translation = Translation(
        title=reader.text("title", max_length=200),
        purpose=reader.text("purpose"),
        community_agreements=_list(reader, "community_agreements", agenda.community_agreements),
        join_questions=_by_id(
            reader, "join_questions", {q.id: q for q in agenda.join_questions}, _question
        ),
        segments=_by_id(reader, "segments", {s.id: s for s in agenda.segments}, _segment),
        prompts=_by_id(reader, "prompts", prompts, _prompt),
        frameworks=_by_id(reader, "frameworks", {f.id: f for f in agenda.frameworks}, _framework),
    )
    reader.finish()
    return translation


UNKNOWN = {
    "join_questions": N_("no join question with id '{id}'"),
    "segments": N_("no segment with id '{id}'"),
    "prompts": N_("no prompt with id '{id}'"),
    "frameworks": N_("no framework with id '{id}'"),
    "strategies": N_("no strategy with id '{id}'"),
}


def _by_id(reader: Reader, key: str, known: dict[str, Any], parse_one) -> tuple:
    """A table of translated entries keyed by the English entry's id."""
    raw = reader.raw(key)
    if raw is None:
        return ()
    table = Reader(raw, reader.path(key), reader.problems)
    entries = []
    for entry_id, value in table.data.items():
        table.seen.add(entry_id)
        if entry_id not in known:
            table.fail(entry_id, UNKNOWN[key], id=entry_id)
            continue
        text = parse_one(Reader(value, table.path(entry_id), reader.problems), known[entry_id])
        if text != type(text)():
            entries.append((entry_id, text))
    return tuple(entries)


def _list(reader: Reader, key: str, english: tuple[str, ...]) -> tuple[str, ...]:
    """A translated list has one entry per English entry, in the same order."""
    items = reader.strings(key)
    if items and len(items) != len(english):
        reader.fail(
            key,
            N_("needs one entry per English entry ({expected}), not {count}"),
            expected=len(english),
            count=len(items),
        )
        return ()
    return items


def _question(reader: Reader, question: JoinQuestion) -> QuestionText:
    text = QuestionText(reader.text("label", max_length=200), _choices(reader, question))
    reader.finish()
    return text


def _choices(reader: Reader, question: JoinQuestion) -> tuple[tuple[str, str], ...]:
    """`choices = { "English choice" = "label" }`: the form still submits the English one."""
    raw = reader.raw("choices")
    if raw is None:
        return ()
    if question.kind != "choice":
        reader.fail("choices", N_("only a choice question has choices"))
        return ()
    table = Reader(raw, reader.path("choices"), reader.problems)
    labels = []
    for value, label in table.data.items():
        table.seen.add(value)
        if value not in question.choices:
            reader.fail(
                "choices",
                N_("'{value}' is not a choice of join question '{id}'"),
                value=value,
                id=question.id,
            )
        elif not isinstance(label, str) or not label.strip():
            reader.fail(
                "choices", N_("the label for '{value}' must be a non-empty text"), value=value
            )
        else:
            labels.append((value, label.strip()))
    return tuple(labels)


def _segment(reader: Reader, segment: Segment) -> SegmentText:
    text = SegmentText(reader.text("title", max_length=200), reader.text("text"))
    reader.finish()
    return text


def _prompt(reader: Reader, prompt: Prompt) -> PromptText:
    text = PromptText(reader.text("question", max_length=500), reader.text("help", max_length=1000))
    reader.finish()
    return text


def _framework(reader: Reader, framework: Framework) -> FrameworkText:
    strategies = {s.id: s for s in framework.strategies()}
    text = FrameworkText(
        title=reader.text("title", max_length=300),
        description=reader.text("description"),
        pillars=_pillars(reader, framework.pillars),
        strategies=_by_id(reader, "strategies", strategies, _strategy),
    )
    reader.finish()
    return text


def _pillars(reader: Reader, pillars: tuple[Pillar, ...]) -> tuple[PillarText, ...]:
    raw = reader.tables("pillars", max_items=50)
    if len(raw) > len(pillars):
        reader.fail(
            "pillars",
            N_("has {count} entries; the framework has {expected} pillars"),
            count=len(raw),
            expected=len(pillars),
        )
        return ()
    return tuple(
        _pillar(Reader(item, reader.path(f"pillars[{index}]"), reader.problems), pillars[index])
        for index, item in enumerate(raw)
    )


def _pillar(reader: Reader, pillar: Pillar) -> PillarText:
    text = PillarText(
        title=reader.text("title", max_length=300),
        description=reader.text("description"),
        examples=_list(reader, "examples", pillar.examples),
    )
    reader.finish()
    return text


def _strategy(reader: Reader, strategy: Strategy) -> StrategyText:
    text = StrategyText(
        name=reader.text("name", max_length=300),
        description=reader.text("description"),
        examples=_list(reader, "examples", strategy.examples),
        details=_details(reader, len(strategy.details)),
    )
    reader.finish()
    return text


def _details(reader: Reader, english_count: int) -> tuple[tuple[str, str], ...]:
    raw = reader.tables("details", max_items=30)
    if raw and len(raw) != english_count:
        reader.fail(
            "details",
            N_("needs one entry per English detail ({expected}), not {count}"),
            expected=english_count,
            count=len(raw),
        )
        return ()
    pairs = []
    for index, item in enumerate(raw):
        detail = Reader(item, reader.path(f"details[{index}]"), reader.problems)
        pairs.append((detail.text("label", max_length=100), detail.text("text")))
        detail.finish()
    return tuple(pairs)


# -- writing ---------------------------------------------------------------------------------


def to_dict(translations: tuple[tuple[str, Translation], ...]) -> dict[str, Any]:
    """The inverse of `parse`: plain tables, empty texts left out."""
    return {lang: _plain(translation) for lang, translation in translations}


def _plain(text: Any) -> dict[str, Any]:
    data = {}
    for item in fields(text):
        value = _plain_value(item.name, getattr(text, item.name))
        if value not in ("", [], {}):
            data[item.name] = value
    return data


def _plain_value(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return value
    if name == "details":
        return [{"label": label, "text": text} for label, text in value]
    if value and isinstance(value[0], tuple):  # (id, text) pairs: a table keyed by the id
        return {key: item if isinstance(item, str) else _plain(item) for key, item in value}
    return [item if isinstance(item, str) else _plain(item) for item in value]
