"""The suggestion pipeline: clean the texts, embed them, let existing themes take the responses
that clearly belong to them, group the rest, then label each group and link it to the plan."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from workshop.themes.suggest import clustering, embedding, features, labels
from workshop.themes.suggest.text import (
    correct_spelling,
    glossary_from,
    is_empty,
    is_spanish,
    normalize,
)
from workshop.themes.suggest.types import (
    ExistingTheme,
    Item,
    Progress,
    StrategyHint,
    SuggestError,
    Suggestion,
)

ATTACH = 0.60  # cosine to an existing theme at which a response joins it outright
MERGE = 0.65  # cosine between a new group's centre and a theme at which the group joins it
FLOOR = 0.35  # a response closer to a theme than to its own group joins it from this cosine
SAME = 0.55  # mean cosine above which a handful of responses make one group
LINK_FLOOR, LINK_SPREAD = 0.40, 0.12  # a group's links: at least this cosine, near the best
CANDIDATE_FLOOR, CANDIDATE_SPREAD = 0.30, 0.17  # links offered for a facilitator to confirm
LABEL_STRATEGY = 0.45  # a group this close to a strategy is labelled with its name
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


def prepare_texts(texts: list[str], glossary: dict[str, str]) -> list[str]:
    """Normalized texts, with one-letter typos fixed towards known words."""
    cleaned = [normalize(text, glossary) or text.strip() for text in texts]
    english = [i for i, text in enumerate(cleaned) if not is_spanish(text)]
    fixed = correct_spelling([cleaned[i] for i in english], embedding.vocabulary())
    for i, text in zip(english, fixed, strict=True):
        cleaned[i] = text
    return cleaned


def build_space(
    texts: list[str],
    strategies: list[StrategyHint],
    existing: list[ExistingTheme],
    glossary: dict[str, str],
    progress: Progress | None = None,
    tags: list[str | None] | None = None,
) -> Space:
    raw_extra = sorted(
        {t for t in [*_theme_texts(existing), *_strategy_texts(strategies)] if t and t.strip()}
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
        anchors=_anchors(strategies, lookup),
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


def _strategy_texts(strategies: list[StrategyHint]) -> list[str]:
    return [t for s in strategies for t in (_name(s), s.description, *s.examples)]


def _name(strategy: StrategyHint) -> str:
    return strategy.name.strip() or strategy.id


def _vector(text: str, lookup: dict) -> np.ndarray | None:
    return lookup.get(text) if text else None


def _anchors(strategies, lookup) -> np.ndarray:
    rows = []
    for s in strategies:
        name = _vector(_name(s), lookup)
        description = _vector(s.description, lookup)
        examples = [v for e in s.examples if (v := _vector(e, lookup)) is not None]
        examples_matrix = np.array(examples) if examples else np.zeros((0, embedding.DIM))
        rows.append(features.anchor(name, description, examples_matrix))
    return np.array(rows) if rows else np.zeros((0, embedding.DIM))


def _theme_centres(existing, lookup) -> np.ndarray:
    rows = []
    for theme in existing:
        members = [v for t in theme.texts if (v := _vector(t, lookup)) is not None]
        title = _vector(theme.title, lookup)
        parts = members + ([title] * max(1, len(members) // 3) if title is not None else [])
        rows.append(clustering.unit(np.mean(parts, axis=0)) if parts else np.zeros(embedding.DIM))
    return np.array(rows) if rows else np.zeros((0, embedding.DIM))


def group(space: Space, k: int | None, seed: int) -> tuple[dict[int, list[int]], list[list[int]]]:
    """(responses per existing theme index, new groups) as indexes into space.texts."""
    rng = np.random.default_rng(seed)
    everything = list(range(len(space.texts)))
    if not len(space.themes):
        return {}, _cluster(space, everything, k, rng)
    x = space.attracting
    themes = features.pull(space.themes, space.anchors, features.PULL)
    similarity = x @ themes.T
    joined: dict[int, list[int]] = {}
    for i in np.flatnonzero(similarity.max(axis=1) >= ATTACH):
        joined.setdefault(int(similarity[i].argmax()), []).append(int(i))
    rest = [i for i in everything if similarity[i].max() < ATTACH]
    new = _merge_into_themes(x, themes, _cluster(space, rest, k, rng), joined)
    return {theme: sorted(members) for theme, members in joined.items()}, new


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


def _merge_into_themes(x, themes, new, joined) -> list[list[int]]:
    """A new group whose centre sits on an existing theme joins it; so does a response closer
    to a theme (and at least FLOOR from it) than to the rest of its own group."""
    kept = []
    for members in new:
        total = x[members].sum(axis=0)
        score = themes @ clustering.unit(total)
        if score.max() >= MERGE:
            joined.setdefault(int(score.argmax()), []).extend(members)
            continue
        stay = []
        for i in members:
            to_theme = themes @ x[i]
            others = total - x[i]
            to_group = float(clustering.unit(others) @ x[i]) if len(members) > 1 else 0.0
            if to_theme.max() >= FLOOR and to_theme.max() > to_group:
                joined.setdefault(int(to_theme.argmax()), []).append(i)
            else:
                stay.append(i)
        if stay:
            kept.append(stay)
    return kept


def outliers(new: list[list[int]], total: int, k_given: bool) -> tuple[list[list[int]], list[int]]:
    """Single-response groups become part of "Other" when the suggester chose k itself."""
    if k_given or total < MIN_FOR_OUTLIERS:
        return new, []
    kept = [g for g in new if len(g) > 1]
    other = sorted(i for g in new if len(g) == 1 for i in g)
    return kept, other


def describe(space: Space, groups: list[list[int]], shown: list[str]) -> list[tuple[str, tuple]]:
    """(label, strategy links) per group; `shown` are the texts as labels may quote them."""
    words = labels.keyword_labels(shown, groups)
    out = []
    for members, keyword in zip(groups, words, strict=True):
        centre = space.x[members].mean(axis=0)
        found = features.links(
            centre, space.anchors, space.strategy_ids, LINK_FLOOR, LINK_SPREAD, top=3
        )
        label = keyword
        if found and found[0][1] >= LABEL_STRATEGY:
            name = space.strategy_names[space.strategy_ids.index(found[0][0])]
            label = labels.strategy_label(name) or keyword
        out.append((label, found))
    return out


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
    result = _assemble(space, content, existing, joined, new)
    other_ids = tuple(content[i].id for i in other) + tuple(
        item.id for item, blank in zip(pending, empty, strict=True) if blank
    )
    if other_ids:
        result.append(Suggestion(labels.OTHER, other_ids))
    _report(progress, 1.0, "done")
    return result


def _assemble(space, content, existing, joined, new) -> list[Suggestion]:
    result = []
    for index in sorted(joined):
        members = joined[index]
        links = features.links(
            space.x[members].mean(axis=0),
            space.anchors,
            space.strategy_ids,
            LINK_FLOOR,
            LINK_SPREAD,
            top=3,
        )
        ids = tuple(content[i].id for i in members)
        result.append(Suggestion(existing[index].title, ids, existing[index].id, links))
    new = sorted(new, key=lambda g: (-len(g), g[0]))
    shown = [normalize(item.text, acronyms=False) for item in content]
    described = describe(space, new, shown)
    names = labels.unique([label for label, _ in described])
    for members, name, (_, links) in zip(new, names, described, strict=True):
        result.append(Suggestion(name, tuple(content[i].id for i in members), None, links))
    return result
