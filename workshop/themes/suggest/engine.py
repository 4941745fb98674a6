"""The suggestion pipeline: clean the texts, embed them, let existing themes take the responses
that clearly belong to them, group the rest, then label each group and link it to the plan."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workshop.themes.suggest import clustering, embedding, features, labels
from workshop.themes.suggest.features import prepare_texts
from workshop.themes.suggest.plan_matches import plan_matches
from workshop.themes.suggest.text import glossary_from, is_empty, is_spanish, normalize
from workshop.themes.suggest.types import (
    ExistingTheme,
    Item,
    Progress,
    StrategyHint,
    SuggestError,
    Suggestion,
)

# A response joins an existing theme when its cosine to the theme (its title and answers),
# less OFF_PLAN x (the response's cosine to the plan strategy nearest to it - the theme's
# cosine to that strategy), is at least JOIN. The plan term keeps an answer that is about a
# strategy out of a theme that is not ("childcare for night-shift workers" stays out of a
# theme about making meetings accessible that mentions childcare once) and helps one that is.
# On the labelled set's seeded themes (docs/PERFORMANCE.md) 86% of additions are right; the
# earlier rules (whole new groups merged, cosines after the strategies' pull) got 59%.
JOIN = 0.48
OFF_PLAN = 0.3
SAME = 0.55  # mean cosine above which a handful of responses make one group
LINK_FLOOR, LINK_SPREAD = 0.40, 0.12  # a group's links: at least this cosine, near the best
CANDIDATE_FLOOR, CANDIDATE_SPREAD = 0.30, 0.17  # links offered for a facilitator to confirm
# A group is about a strategy, and takes its name as title, when its centre is at least
# LABEL_STRATEGY from the strategy and LABEL_MARGIN closer to it than to any other.
LABEL_STRATEGY, LABEL_MARGIN = 0.55, 0.08
SPANISH_NAMED_FROM = 0.5  # an English answer this close names a group of Spanish answers
MAX_AUTO_K = 30
MIN_FOR_OUTLIERS = 12


@dataclass
class Space:
    """Everything in one vector space: the responses, the strategies, the existing themes."""

    texts: list[str]
    x: np.ndarray
    anchors: np.ndarray
    strategy_ids: list[str]
    strategy_names: list[str]
    themes: np.ndarray
    theme_ids: list[int] = field(default_factory=list)
    tags: np.ndarray | None = None  # per response: the strategy its author tagged, or -1

    @property
    def attracting(self) -> np.ndarray:
        return features.pull(self.x, self.anchors, features.PULL, self.tags)


def _report(progress: Progress | None, fraction: float, message: str) -> None:
    if progress is not None:
        progress(round(min(1.0, max(0.0, fraction)), 3), message)


def build_space(
    texts: list[str],
    strategies: list[StrategyHint],
    existing: list[ExistingTheme],
    glossary: dict[str, str],
    progress: Progress | None = None,
    tags: list[str | None] | None = None,
) -> Space:
    raw_extra = sorted(
        {
            t
            for t in [*_theme_texts(existing), *features.strategy_texts(strategies)]
            if t and t.strip()
        }
    )
    everything = texts + prepare_texts(raw_extra, glossary)
    vectors = embedding.encode(
        everything, lambda f: _report(progress, 0.05 + 0.75 * f, "reading the responses")
    )
    spanish = np.array([is_spanish(t) for t in everything], dtype=bool)
    vectors = features.combine(features.bridge(vectors, spanish, vectors[~spanish]))
    lookup = dict(zip(raw_extra, vectors[len(texts) :], strict=True))
    return Space(
        texts=texts,
        x=vectors[: len(texts)],
        anchors=features.anchors(strategies, lookup),
        strategy_ids=[s.id for s in strategies],
        strategy_names=[s.name for s in strategies],
        themes=_theme_centres(existing, lookup),
        theme_ids=[t.id for t in existing],
        tags=_tag_indexes(tags or [None] * len(texts), strategies),
    )


def _tag_indexes(tags: list[str | None], strategies: list[StrategyHint]) -> np.ndarray:
    index = {s.id: i for i, s in enumerate(strategies)}
    return np.array([index.get(tag, -1) if tag else -1 for tag in tags], dtype=int)


def _theme_texts(existing: list[ExistingTheme]) -> list[str]:
    return [t for theme in existing for t in (theme.title, *theme.texts)]


def _theme_centres(existing: list[ExistingTheme], lookup: dict) -> np.ndarray:
    rows = []
    for theme in existing:
        members = [lookup[t] for t in theme.texts if t in lookup]
        rows.append(features.theme_centre(members, lookup.get(theme.title)))
    return np.array(rows) if rows else np.zeros((0, embedding.DIM))


def group(space: Space, k: int | None, seed: int) -> tuple[dict[int, list[int]], list[list[int]]]:
    """(responses per existing theme index, new groups) as indexes into space.texts."""
    rng = np.random.default_rng(seed)
    joined: dict[int, list[int]] = {}
    if len(space.themes):
        nearest, score = belonging(space)
        for i in np.flatnonzero(score >= JOIN):
            joined.setdefault(int(nearest[i]), []).append(int(i))
    taken = {i for members in joined.values() for i in members}
    rest = [i for i in range(len(space.texts)) if i not in taken]
    return joined, _cluster(space, rest, k, rng)


def belonging(space: Space) -> tuple[np.ndarray, np.ndarray]:
    """Per response: the existing theme it is closest to, and how clearly it belongs there
    (see JOIN). Measured without the strategies' pull, which brings the answers about one
    strategy together whatever theme they belong to."""
    similarity = space.x @ space.themes.T
    nearest = similarity.argmax(axis=1)
    score = similarity.max(axis=1)
    if len(space.anchors):
        to_plan = space.x @ space.anchors.T
        strategy = to_plan.argmax(axis=1)
        theme_to_plan = (space.themes @ space.anchors.T)[nearest, strategy]
        score = score - OFF_PLAN * (to_plan.max(axis=1) - theme_to_plan)
    return nearest, score


def _cluster(space: Space, rows: list[int], k: int | None, rng) -> list[list[int]]:
    if not rows:
        return []
    tags = space.tags[rows] if space.tags is not None else None
    x = features.pull(space.x[rows], space.anchors, features.PULL, tags)
    tree = clustering.ward_tree(x) if len(rows) > 2 else None
    k = _auto_k(x, tree, rng) if k is None else max(1, min(k, len(rows)))
    if k == 1:
        return [list(rows)]
    if k == len(rows):
        return [[r] for r in rows]
    labels_ = clustering.partition(x, tree, k)
    return [[rows[i] for i in np.flatnonzero(labels_ == g)] for g in range(labels_.max() + 1)]


def _auto_k(x: np.ndarray, tree, rng) -> int:
    n = len(x)
    if n <= 2:
        return 1 if n < 2 or float(x[0] @ x[1]) >= SAME else 2
    mean_similarity = (float(np.sum(x @ x.T)) - n) / (n * (n - 1))
    if mean_similarity >= SAME:
        return 1
    high = max(2, min(MAX_AUTO_K, round(1.5 * np.sqrt(n)), n - 1))
    low = min(high, max(2, round(np.sqrt(n) / 4)))  # a theme is not a quarter of the room
    return clustering.choose_k(x, tree, low, high, rng)


def outliers(new: list[list[int]], total: int, k_given: bool) -> tuple[list[list[int]], list[int]]:
    """Single-response groups become part of "Other" when the suggester chose k itself."""
    if k_given or total < MIN_FOR_OUTLIERS:
        return new, []
    kept = [g for g in new if len(g) > 1]
    other = sorted(i for g in new if len(g) == 1 for i in g)
    return kept, other


def describe(space: Space, groups: list[list[int]], shown: list[str]) -> list[str]:
    """A title per group: the name of the plan strategy it is about, else a phrase from its
    answers nearest its centre, in English (`shown`: the texts as titles may quote them). A
    group of Spanish answers only is named from the English answers that are close to it,
    else plainly as answers in Spanish: a title is never in Spanish alone."""
    english = [not is_spanish(text) for text in shown]
    sources = []
    for members in groups:
        centre = clustering.unit(space.x[members].sum(axis=0))
        closeness = space.x @ centre
        quoted = [i for i in sorted(members, key=lambda i: -closeness[i]) if english[i]]
        if not quoted:
            nearest = [int(i) for i in np.argsort(-closeness) if english[i]]
            quoted = [i for i in nearest[: labels.CENTRAL] if closeness[i] >= SPANISH_NAMED_FROM]
        sources.append(quoted)
    phrases = labels.phrase_labels(shown, sources, groups)
    return [
        _strategy_title(space, members) or (phrase if quoted else labels.SPANISH)
        for members, quoted, phrase in zip(groups, sources, phrases, strict=True)
    ]


def _strategy_title(space: Space, members: list[int]) -> str | None:
    """The name of the strategy the group is about (its centre at LABEL_STRATEGY or more),
    when the name is short enough to be a title."""
    if not len(space.anchors):
        return None
    scores = space.anchors @ clustering.unit(space.x[members].sum(axis=0))
    best = int(np.argmax(scores))
    return (
        labels.strategy_label(space.strategy_names[best])
        if scores[best] >= LABEL_STRATEGY
        else None
    )


def suggest(
    items: list[Item],
    existing: list[ExistingTheme],
    strategies: list[StrategyHint],
    k: int | None,
    seed: int,
    progress: Progress | None,
) -> list[Suggestion]:
    if k is not None and k < 1:
        raise ValueError("k must be at least 1")
    placed = {i for theme in existing for i in theme.item_ids}
    pending = [item for item in items if item.id not in placed]
    if not pending:
        return []
    _report(progress, 0.0, "preparing")
    try:
        embedding.encoder()
    except embedding.ModelUnavailable as error:
        raise SuggestError(str(error)) from None
    glossary = glossary_from(
        [i.prompt_text for i in pending] + [f"{s.name} {s.description}" for s in strategies]
    )
    empty = [is_empty(item.text) for item in pending]
    content = [item for item, blank in zip(pending, empty, strict=True) if not blank]
    texts = prepare_texts([item.text for item in content], glossary)
    tags = [item.strategy_id for item in content]
    space = build_space(texts, strategies, existing, glossary, progress, tags)
    _report(progress, 0.82, "grouping")
    joined, new = group(space, k, seed)
    new, other = outliers(new, len(content), k is not None)
    _report(progress, 0.92, "naming the groups")
    result = _assemble(space, content, existing, strategies, joined, new)
    other_ids = tuple(content[i].id for i in other) + tuple(
        item.id for item, blank in zip(pending, empty, strict=True) if blank
    )
    if other_ids:
        result.append(Suggestion(labels.OTHER, other_ids))
    _report(progress, 1.0, "done")
    return result


def _assemble(space, content, existing, strategies, joined, new) -> list[Suggestion]:
    """Suggestions: additions to existing themes, then new groups largest first, each with
    the plan strategies it matches as the board will measure it once accepted."""
    additions = sorted(joined)
    new = sorted(new, key=lambda g: (-len(g), g[0]))
    shown = [normalize(item.text, acronyms=False) for item in content]
    titles = labels.unique(describe(space, new, shown))
    themes = [
        (existing[index].title, [*existing[index].texts, *(content[i].text for i in joined[index])])
        for index in additions
    ] + [
        (title, [content[i].text for i in members])
        for title, members in zip(titles, new, strict=True)
    ]
    matches = plan_matches(themes, strategies)
    result = []
    for index, found in zip(additions, matches, strict=False):
        ids = tuple(content[i].id for i in joined[index])
        result.append(Suggestion(existing[index].title, ids, existing[index].id, found))
    for members, title, found in zip(new, titles, matches[len(additions) :], strict=True):
        result.append(Suggestion(title, tuple(content[i].id for i in members), None, found))
    return result
