"""A session's results export (docs/results-schema.json) read into a `Snapshot`.

`read_export` takes a file as uploaded: it must be a results export of schema version 1, and
whatever it holds that a share link would not show (hidden answers, names) is dropped before
it is kept. `snapshot_of` reads a kept export back for the roll-up. Both check every field
they read, so a damaged or foreign file is refused with the field that is wrong, and nothing
is stored.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from workshop.collections.model import (
    Answer,
    PlanStrategy,
    QuestionCount,
    RoleCount,
    Snapshot,
    TableTheme,
    VoteInfo,
)
from workshop.messages import N_, ActionError
from workshop.text import plain_data

SCHEMA_VERSION = 1
MAX_BYTES = 8 * 1024 * 1024


# A server's id is 32 hex digits; a longer one is no server's (and would not fit the key that
# tells sessions apart).
MAX_SERVER_ID = 64


class ExportFileError(ActionError):
    """A file that is not a results export this server can read."""


class _Wrong(Exception):
    def __init__(self, path: str):
        self.path = path


def read_export(data: bytes, filename: str) -> tuple[dict[str, Any], Snapshot]:
    """The export in `data`, without hidden answers or names, and its snapshot."""
    document = _parse(data, filename)
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        raise ExportFileError(
            N_(
                "{file} is a results export of schema version {version}; this server reads "
                "version {supported}. Export it again from an up-to-date server."
            ),
            "schema_version",
            file=filename,
            version=version,
            supported=SCHEMA_VERSION,
        )
    cleaned = private_parts_removed(document)
    try:
        return cleaned, _snapshot(cleaned)
    except _Wrong as wrong:
        raise ExportFileError(
            N_("{file} is not a readable results export: '{field}' is missing or wrong."),
            "malformed",
            file=filename,
            field=wrong.path,
        ) from None


def _parse(data: bytes, filename: str) -> dict[str, Any]:
    not_export = ExportFileError(
        N_(
            "{file} is not a results export: choose the JSON file that a session's results "
            "page downloads."
        ),
        "not_export",
        file=filename,
    )
    if len(data) > MAX_BYTES:
        raise ExportFileError(
            N_("{file} is larger than {limit} MB."), "too_large", file=filename, limit=8
        )
    try:
        document = plain_data(json.loads(data.decode("utf-8-sig")))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise not_export from None
    if not isinstance(document, dict) or "schema_version" not in document:
        raise not_export
    if "workshop" not in document or "themes" not in document:
        raise not_export
    return document


def private_parts_removed(document: dict[str, Any]) -> dict[str, Any]:
    """The export as a share link gives it: no hidden answers, no names."""
    cleaned = dict(document)
    responses = document.get("responses")
    if isinstance(responses, list) and isinstance(document["themes"], list):
        kept = [
            {key: value for key, value in row.items() if key != "name"}
            for row in responses
            if isinstance(row, dict) and row.get("hidden") is not True
        ]
        cleaned["responses"] = kept
        visible = {row.get("id") for row in kept if type(row.get("id")) is int}
        cleaned["themes"] = [_visible_only(theme, visible) for theme in document["themes"]]
    cleaned["audience"] = "shared"
    cleaned["names_included"] = False
    participation = document.get("participation")
    if isinstance(participation, dict) and isinstance(participation.get("per_question"), list):
        cleaned["participation"] = {
            **participation,
            "per_question": [
                {**q, "hidden": None} if isinstance(q, dict) else q
                for q in participation["per_question"]
            ],
        }
    if _tally_hidden(document.get("vote")):
        _without_the_tally(cleaned)
    return cleaned


# A theme's vote fields when the round's tally is not kept.
UNRANKED = {
    "rank": None, "tied": False, "candidate_id": None, "points": None, "first_choices": None,
    "ballots": None,
}  # fmt: skip


def _tally_hidden(vote: Any) -> bool:
    return (
        isinstance(vote, dict) and vote.get("status") == "open" and vote.get("tally_hidden") is True
    )


def _without_the_tally(document: dict[str, Any]) -> None:
    """A round whose tally the room may not see yet, as a share link gives it: no vote, no
    points, no ranks (the table is left out of the ranking until an export after the close)."""
    document["vote"] = None
    if isinstance(document.get("themes"), list):
        document["themes"] = [
            {**theme, **UNRANKED} if isinstance(theme, dict) else theme
            for theme in document["themes"]
        ]
    if isinstance(document.get("participation"), dict):
        document["participation"] = {**document["participation"], "ballots_cast": None}


def _visible_only(theme: Any, visible: set) -> Any:
    if not isinstance(theme, dict) or not isinstance(theme.get("questions"), list):
        return theme
    questions = []
    for group in theme["questions"]:
        if isinstance(group, dict) and isinstance(group.get("response_ids"), list):
            ids = [i for i in group["response_ids"] if type(i) is not int or i in visible]
            group = {**group, "response_ids": ids}  # an id that is no number is reported later
        questions.append(group)
    return {**theme, "questions": questions}


def snapshot_of(text: str) -> Snapshot:
    """A kept export read back (it was checked when it was kept)."""
    return _snapshot(json.loads(text))


# -- reading fields, each checked ----------------------------------------------------------


def _get(data: Any, key: str, kind: type | tuple, path: str, optional: bool = False) -> Any:
    if not isinstance(data, dict):
        raise _Wrong(path.rsplit(".", 1)[0] or path)
    value = data.get(key)
    if value is None and optional:
        return None
    wrong = not isinstance(value, kind) or (isinstance(value, bool) and kind in (int, (int, float)))
    if wrong or (kind is int and value < 0):  # counts, points, ranks and ids are never negative
        raise _Wrong(f"{path}.{key}" if path else key)
    return value


def _time(data: Any, key: str, path: str, optional: bool = False) -> datetime | None:
    text = _get(data, key, str, path, optional)
    if text is None:
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise _Wrong(f"{path}.{key}") from None
    if moment.tzinfo is None:
        raise _Wrong(f"{path}.{key}")
    return moment


def _snapshot(doc: dict[str, Any]) -> Snapshot:
    session = _get(doc, "workshop", dict, "")
    source = _get(doc, "source", dict, "", optional=True) or {}
    answers = _answers(_get(doc, "responses", list, ""))
    named: dict[str, str] = {}  # strategy names as the themes give them
    themes = tuple(
        _theme(item, f"themes[{i}]", answers, named)
        for i, item in enumerate(_get(doc, "themes", list, ""))
    )
    part = _get(doc, "participation", dict, "")
    server_id = _get(source, "server_id", str, "source", optional=True) or ""
    if len(server_id) > MAX_SERVER_ID:
        raise _Wrong("source.server_id")
    return Snapshot(
        server_id=server_id,
        workshop_id=_get(session, "id", int, "workshop"),
        created_at=_time(session, "created_at", "workshop"),
        started_at=_time(session, "started_at", "workshop", optional=True),
        ended_at=_time(session, "ended_at", "workshop", optional=True),
        generated_at=_time(doc, "generated_at", ""),
        title=_get(session, "title", str, "workshop"),
        agenda_id=_get(session, "agenda_id", str, "workshop"),
        status=_get(session, "status", str, "workshop"),
        vote=_vote(doc.get("vote")),
        themes=themes,
        plan=_plan(doc.get("plan"), named),
        participants=_get(part, "participants", int, "participation"),
        paper=_get(part, "paper", int, "participation"),
        responding=_get(part, "responding", int, "participation"),
        by_role=tuple(
            _role_count(row, f"participation.by_role[{i}]")
            for i, row in enumerate(_get(part, "by_role", list, "participation"))
        ),
        per_question=tuple(
            _question_count(row, f"participation.per_question[{i}]")
            for i, row in enumerate(_get(part, "per_question", list, "participation"))
        ),
        answer_count=len(answers),
    )


def _answers(rows: list) -> dict[int, Answer]:
    """Every answer, its fields checked inline: a roll-up of 50 tables reads 10,000 of them."""
    found = {}
    for i, row in enumerate(rows):
        try:
            answer = Answer(
                row["id"],
                row["prompt_id"],
                row["question"],
                row["text"],
                row.get("theme_id"),
                row.get("role"),
            )
        except (KeyError, TypeError):
            raise _Wrong(f"responses[{i}]") from None
        if not _answer_ok(answer):
            raise _Wrong(f"responses[{i}]")
        found[answer.id] = answer
    return found


def _answer_ok(answer: Answer) -> bool:
    return (
        type(answer.id) is int
        and type(answer.prompt_id) is str
        and type(answer.question) is str
        and type(answer.text) is str
        and (answer.theme_id is None or type(answer.theme_id) is int)
        and (answer.role is None or type(answer.role) is str)
    )


def _theme(item: Any, path: str, answers: dict[int, Answer], named: dict) -> TableTheme:
    strategies = _get(item, "strategies", list, path)
    for n, strategy in enumerate(strategies):
        where = f"{path}.strategies[{n}]"
        named.setdefault(_get(strategy, "id", str, where), _get(strategy, "name", str, where))
    ids = []
    for group_index, group in enumerate(_get(item, "questions", list, path)):
        where = f"{path}.questions[{group_index}]"
        group_ids = _get(group, "response_ids", list, where)
        if not all(type(i) is int for i in group_ids):
            raise _Wrong(f"{where}.response_ids")
        ids += group_ids
    return TableTheme(
        title=_get(item, "title", str, path),
        source=_get(item, "source", str, path),
        theme_id=_get(item, "theme_id", int, path, optional=True),
        candidate_id=_get(item, "candidate_id", int, path, optional=True),
        strategy_ids=tuple(
            _get(s, "id", str, f"{path}.strategies[{n}]") for n, s in enumerate(strategies)
        ),
        answers=tuple(answers[i] for i in ids if i in answers),
        rank=_get(item, "rank", int, path, optional=True),
        tied=bool(item.get("tied")),
        points=_get(item, "points", int, path, optional=True),
        first_choices=_get(item, "first_choices", int, path, optional=True),
        ballots=_get(item, "ballots", int, path, optional=True),
        titles=_translated_titles(item),
    )


def _role_count(row: Any, path: str) -> RoleCount:
    others = _get(row, "translations", dict, path, optional=True) or {}
    return RoleCount(
        _get(row, "role", str, path, optional=True),
        _get(row, "participants", int, path),
        {lang: name for lang, name in others.items() if isinstance(name, str) and name},
    )


def _question_count(row: Any, path: str) -> QuestionCount:
    others = _get(row, "translations", dict, path, optional=True) or {}
    return QuestionCount(
        _get(row, "prompt_id", str, path),
        _get(row, "question", str, path),
        _get(row, "responses", int, path),
        {
            lang: words["question"]
            for lang, words in others.items()
            if isinstance(words, dict) and isinstance(words.get("question"), str)
        },
    )


def _translated_titles(item: dict) -> dict[str, str]:
    """A theme's titles in other languages, where the export gives them: `title_es` (from the
    board's Spanish titles), or a `translations` object by language."""
    found = {}
    if isinstance(item.get("title_es"), str) and item["title_es"].strip():
        found["es"] = item["title_es"]
    others = item.get("translations")
    if isinstance(others, dict):
        for lang, texts in others.items():
            if isinstance(texts, dict) and isinstance(texts.get("title"), str) and texts["title"]:
                found.setdefault(lang, texts["title"])
    return found


def _vote(vote: Any) -> VoteInfo | None:
    if vote is None:
        return None
    return VoteInfo(
        round_number=_get(vote, "round", int, "vote"),
        is_open=_get(vote, "status", str, "vote") == "open",
        picks=_get(vote, "picks", int, "vote"),
        ranked=_get(vote, "ranked", bool, "vote"),
        ballots_cast=_get(vote, "ballots_cast", int, "vote"),
    )


def _plan(plan: Any, named: dict[str, str]) -> tuple[PlanStrategy, ...]:
    """The plan's strategies; for an export made before they were written, the strategies its
    themes name (with the names the themes give them)."""
    if plan is None:
        return tuple(PlanStrategy(strategy_id, name) for strategy_id, name in named.items())
    if not isinstance(plan, list):
        raise _Wrong("plan")
    found = []
    for i, row in enumerate(plan):
        path = f"plan[{i}]"
        translations = _get(row, "translations", dict, path, optional=True) or {}
        found.append(
            PlanStrategy(
                id=_get(row, "id", str, path),
                name=_get(row, "name", str, path),
                pillar=_get(row, "pillar", str, path, optional=True) or "",
                translations={
                    lang: (str(t.get("name") or ""), str(t.get("pillar") or ""))
                    for lang, t in translations.items()
                    if isinstance(t, dict)
                },
            )
        )
    return tuple(found)
