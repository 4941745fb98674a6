"""Which plan strategies a theme matches: one rule for the strategies the suggestion review
page offers with each suggested theme and for the "link it" hints the board offers for the
theme afterwards, so a match is offered on both pages or on neither.

A theme is its title and its answers' texts (the title counts as a third of the answers, as
for existing themes in `engine`: `features.theme_centre`). Each theme is measured on its own, from the same inputs
whichever page asks: its texts are cleaned among themselves, and Spanish answers get their
MiniLM half from a ridge map fitted on the plan's own English texts (not on the session's
answers, which change between the review and the board).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from workshop.themes.suggest import embedding, features
from workshop.themes.suggest.text import glossary_from, is_spanish
from workshop.themes.suggest.types import StrategyHint

# A strategy is offered when the theme's cosine to its anchor is at least FLOOR and within
# SPREAD of the theme's best match, at most TOP of them, best first. On the labelled set's
# groups the strategies a group is about scored 0.63-0.92 and the others up to 0.45 (the
# board used to offer anything from 0.30, the review page from 0.40).
FLOOR, SPREAD, TOP = 0.45, 0.15, 3

Matches = tuple[tuple[str, float], ...]


def plan_matches(
    themes: Sequence[tuple[str, Sequence[str]]], strategies: Sequence[StrategyHint]
) -> list[Matches]:
    """For each (title, answer texts): the strategies it matches, as (id, cosine)."""
    strategies = list(strategies)
    themes = [(title, [t for t in texts if t and t.strip()]) for title, texts in themes]
    if not strategies:
        return [() for _ in themes]
    glossary = glossary_from(f"{s.name} {s.description}" for s in strategies)
    plan_texts = sorted({t for t in features.strategy_texts(strategies) if t and t.strip()})
    prepared_plan = _prepared_plan(plan_texts, glossary)
    prepared = [features.prepare_texts([title, *texts], glossary) for title, texts in themes]
    everything = prepared_plan + [t for one in prepared for t in one]
    vectors = dict(zip(everything, _vectors(everything, prepared_plan), strict=True))
    anchors = features.anchors(
        strategies, dict(zip(plan_texts, (vectors[t] for t in prepared_plan), strict=True))
    )
    ids = [s.id for s in strategies]
    found = []
    for (title, texts), (title_prepared, *texts_prepared) in zip(themes, prepared, strict=True):
        if not title.strip() and not texts:
            found.append(())
            continue
        centre = features.theme_centre(
            [vectors[t] for t in texts_prepared], vectors[title_prepared] if title.strip() else None
        )
        found.append(features.links(centre, anchors, ids, FLOOR, SPREAD, TOP))
    return found


def _prepared_plan(plan_texts: list[str], glossary: dict[str, str]) -> list[str]:
    key = tuple(plan_texts)
    if key not in _plans:
        _forget_a_plan(_plans)
        _plans[key] = features.prepare_texts(plan_texts, glossary)
    return _plans[key]


def _vectors(texts: list[str], plan: list[str]) -> np.ndarray:
    """Unit vectors of `texts` in the grouping's space, Spanish ones bridged by a map fitted
    on the plan's English texts (the first `len(plan)`), fitted once per plan."""
    vectors = embedding.encode(texts)
    spanish = np.array([is_spanish(t) for t in texts], dtype=bool)
    key = tuple(plan)
    if spanish.any() and key not in _maps:
        _forget_a_plan(_maps)
        reference = vectors[: len(plan)][[not is_spanish(t) for t in plan]]
        _maps[key] = features.bridge_map(reference)
    mapping = _maps.get(key)
    return features.combine(features.bridge(vectors, spanish, vectors[:0], mapping))


# What depends on the plan alone is kept for the plans last used (one per session, in
# practice): the board asks for each theme's matches every time it is drawn.
PLANS_KEPT = 8
_plans: dict[tuple[str, ...], list[str]] = {}
_maps: dict[tuple[str, ...], np.ndarray | None] = {}


def _forget_a_plan(kept: dict) -> None:
    if len(kept) >= PLANS_KEPT:
        kept.pop(next(iter(kept)))
