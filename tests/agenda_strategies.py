"""Hypothesis strategies for valid agendas, shared by the TOML and editor round-trip tests."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import strategies as st

from workshop.agenda.model import (
    Agenda,
    Detail,
    Duration,
    Framework,
    JoinQuestion,
    Pillar,
    Prompt,
    Segment,
    Strategy,
    VoteSettings,
)
from workshop.agenda.reader import SLUG

# Any character a person might paste except surrogates (not encodable); control characters
# are included on purpose, since the writer must escape them.
ANY = st.characters(blacklist_categories=("Cs",))
# The editor's one-item-a-line boxes: no line break of any kind inside an item.
ONE_LINE = st.characters(blacklist_categories=("Cs", "Cc", "Zl", "Zp"))
# The editor's text boxes: browsers turn a lone CR into a line break, so leave CR out.
TEXT_BOX = st.characters(blacklist_categories=("Cs",), blacklist_characters="\r")


@dataclass(frozen=True)
class Alphabets:
    text: st.SearchStrategy[str]  # free texts (purpose, descriptions)
    item: st.SearchStrategy[str]  # list items, names, titles


FILE = Alphabets(ANY, ANY)
EDITOR = Alphabets(TEXT_BOX, ONE_LINE)


def texts(alphabet, max_size: int = 30) -> st.SearchStrategy[str]:
    """Texts as parse_agenda returns them: stripped, and not empty."""
    return st.text(alphabet, min_size=1, max_size=max_size).map(str.strip).filter(bool)


def optional(alphabet, max_size: int = 30) -> st.SearchStrategy[str]:
    return st.one_of(st.just(""), texts(alphabet, max_size))


def items(alphabet, min_size: int = 0, unique: bool = False) -> st.SearchStrategy[tuple]:
    return st.lists(texts(alphabet, 20), min_size=min_size, max_size=3, unique=unique).map(tuple)


slugs = st.from_regex(SLUG, fullmatch=True).filter(lambda s: len(s) <= 20)


@st.composite
def durations(draw) -> Duration:
    low = draw(st.floats(0.5, 480))
    return Duration(low, draw(st.one_of(st.just(low), st.floats(low, 480))))


@st.composite
def strategies_(draw, strategy_id: str, a: Alphabets) -> Strategy:
    details = draw(st.lists(st.tuples(texts(a.item), texts(a.text)), max_size=1))
    return Strategy(
        id=strategy_id,
        name=draw(texts(a.item)),
        code=draw(st.sampled_from(["", "1.1"])),
        description=draw(optional(a.text)),
        details=tuple(Detail(label, text) for label, text in details),
        examples=draw(items(a.item)),
    )


@st.composite
def frameworks(draw, framework_id: str, a: Alphabets) -> Framework:
    ids = iter(draw(st.lists(slugs, min_size=4, max_size=4, unique=True)))
    pillars = tuple(
        Pillar(
            draw(texts(a.item)),
            tuple(draw(strategies_(next(ids), a)) for _ in range(draw(st.integers(1, 2)))),
            draw(optional(a.text)),
            draw(items(a.item)),
        )
        for _ in range(draw(st.integers(1, 2)))
    )
    return Framework(framework_id, draw(texts(a.item)), pillars, draw(optional(a.text)))


@st.composite
def votes(draw, has_framework: bool, a: Alphabets) -> VoteSettings:
    sources = [st.just("themes"), items(a.item, min_size=1, unique=True)]
    candidates = draw(st.one_of(*sources, *([st.just("strategies")] if has_framework else [])))
    return VoteSettings(
        draw(st.integers(1, 10)), draw(st.booleans()), draw(st.booleans()), candidates
    )


@st.composite
def segments(draw, number: int, prompt_ids: list[str], framework: str, a: Alphabets) -> Segment:
    kind = draw(st.sampled_from(["overview", "prompts", "vote", "break"]))
    prompts = tuple(
        Prompt(
            prompt_id,
            draw(texts(a.item)),
            draw(optional(a.item)),
            draw(st.integers(1, 50)),
            draw(st.integers(20, 2000)),
        )
        for prompt_id in (prompt_ids if kind == "prompts" else [])
    )
    shown = draw(st.sampled_from(["", framework]))
    return Segment(
        id=f"s{number}",
        kind=kind,
        title=draw(texts(a.item)),
        duration=draw(durations()),
        text=draw(optional(a.text, 60)),
        facilitator_notes=draw(optional(a.text)),
        framework=shown,
        auto_advance=draw(st.booleans()),
        prompts=prompts,
        vote=draw(votes(bool(shown), a)) if kind == "vote" else None,
    )


@st.composite
def join_questions(draw, a: Alphabets) -> tuple[JoinQuestion, ...]:
    questions = []
    if draw(st.booleans()):
        questions.append(JoinQuestion("name", draw(texts(a.item))))
    if draw(st.booleans()):
        choices = draw(items(a.item, min_size=2, unique=True))
        questions.append(JoinQuestion("role", draw(texts(a.item)), "choice", choices, True))
    return tuple(questions)


@st.composite
def agendas(draw, a: Alphabets = FILE) -> Agenda:
    """Valid agendas. With EDITOR alphabets, texts are what the editor's boxes can hold."""
    ids = draw(st.lists(slugs, min_size=6, max_size=6, unique=True))
    framework = draw(st.one_of(st.none(), frameworks(ids[0], a)))
    framework_id = framework.id if framework else ""
    chosen = tuple(
        draw(segments(n, [ids[1 + 2 * n], ids[2 + 2 * n]], framework_id, a))
        for n in range(draw(st.integers(1, 2)))
    )
    return Agenda(
        id=ids[5],
        title=draw(texts(a.item)),
        segments=chosen,
        purpose=draw(optional(a.text, 80)),
        community_agreements=draw(items(a.item)),
        facilitator_notes=draw(optional(a.text)),
        join_questions=draw(join_questions(a)),
        frameworks=(framework,) if framework else (),
    )
