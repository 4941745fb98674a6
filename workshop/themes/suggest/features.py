"""The vector space the grouping works in.

Each text is the MiniLM vector and the USE vector side by side (each of unit length, so a
cosine is the mean of the two models' cosines). Spanish texts get their MiniLM half from the
USE half through a ridge map fitted on this session's English texts: USE puts Spanish and
English in one space, MiniLM does not. Plan strategies become anchors that pull the texts
clearly about them closer together.
"""

from __future__ import annotations

import numpy as np

from workshop.themes.suggest import embedding
from workshop.themes.suggest.clustering import unit
from workshop.themes.suggest.embedding import DIM, MINILM_DIM
from workshop.themes.suggest.text import correct_spelling, is_spanish, normalize
from workshop.themes.suggest.types import StrategyHint

RIDGE = 1.0
MIN_REFERENCES = 8
PULL_FROM, PULL_FULL = 0.30, 0.50  # cosine to the nearest strategy where the pull starts/peaks
PULL = 0.6  # how far a clear match moves towards its strategy (1 = a whole anchor vector)


def prepare_texts(texts: list[str], glossary: dict[str, str]) -> list[str]:
    """Normalized texts, with one-letter typos fixed towards known words."""
    cleaned = [normalize(text, glossary) or text.strip() for text in texts]
    english = [i for i, text in enumerate(cleaned) if not is_spanish(text)]
    fixed = correct_spelling([cleaned[i] for i in english], embedding.vocabulary())
    for i, text in zip(english, fixed, strict=True):
        cleaned[i] = text
    return cleaned


def bridge(
    vectors: np.ndarray,
    spanish: np.ndarray,
    reference: np.ndarray,
    mapping: np.ndarray | None = None,
) -> np.ndarray:
    """`vectors` with the MiniLM half of Spanish rows predicted from their USE half, by a map
    fitted on `reference` (or the `mapping` already fitted: see `bridge_map`)."""
    if not spanish.any():
        return vectors
    mapping = bridge_map(reference) if mapping is None else mapping
    if mapping is None:
        return vectors
    out = vectors.copy()
    out[spanish, :MINILM_DIM] = unit(vectors[spanish, MINILM_DIM:] @ mapping)
    return out


def bridge_map(reference: np.ndarray) -> np.ndarray | None:
    """The ridge map from the USE half to the MiniLM half, fitted on English `reference`
    vectors; None when there are too few of them."""
    if len(reference) < MIN_REFERENCES:
        return None
    use, minilm = reference[:, MINILM_DIM:], reference[:, :MINILM_DIM]
    gram = use.T @ use + RIDGE * np.eye(use.shape[1])
    return np.linalg.solve(gram, use.T @ minilm)


def combine(vectors: np.ndarray) -> np.ndarray:
    """The two halves as one unit vector."""
    return unit(vectors.astype(np.float64))


def anchor(name: np.ndarray, description: np.ndarray | None, examples: np.ndarray) -> np.ndarray:
    """A strategy's anchor: its name twice, its description and the mean of its examples."""
    parts = [2 * name]
    if description is not None:
        parts.append(description)
    if len(examples):
        parts.append(unit(examples.mean(axis=0)))
    return unit(np.sum(parts, axis=0))


def strategy_texts(strategies: list[StrategyHint]) -> list[str]:
    """The texts a strategy's anchor is made of (as written)."""
    return [t for s in strategies for t in (_name(s), s.description, *s.examples)]


def _name(strategy: StrategyHint) -> str:
    return strategy.name.strip() or strategy.id


def anchors(strategies: list[StrategyHint], lookup: dict[str, np.ndarray]) -> np.ndarray:
    """Each strategy's anchor, from the vectors of its texts (`lookup`: text as written)."""
    rows = []
    for s in strategies:
        name = lookup.get(_name(s))
        description = lookup.get(s.description) if s.description else None
        examples = [lookup[e] for e in s.examples if e in lookup]
        examples_matrix = np.array(examples) if examples else np.zeros((0, DIM))
        rows.append(anchor(name, description, examples_matrix))
    return np.array(rows) if rows else np.zeros((0, DIM))


def theme_centre(members: list[np.ndarray], title: np.ndarray | None) -> np.ndarray:
    """A theme as one unit vector: its answers, with its title counting as a third of them
    (at least as one answer)."""
    parts = members + ([title] * max(1, len(members) // 3) if title is not None else [])
    return unit(np.mean(parts, axis=0)) if parts else np.zeros(DIM)


def pull(
    x: np.ndarray, anchors: np.ndarray, strength: float, tags: np.ndarray | None = None
) -> np.ndarray:
    """Move each vector towards its nearest strategy, the more the clearer the match; a
    response its author tagged with a strategy (`tags`: anchor index, or -1) goes fully
    towards that one."""
    if not len(anchors) or not len(x):
        return x
    similarity = x @ anchors.T
    nearest = similarity.argmax(axis=1)
    weight = np.clip((similarity.max(axis=1) - PULL_FROM) / (PULL_FULL - PULL_FROM), 0, 1)
    if tags is not None:
        nearest = np.where(tags >= 0, tags, nearest)
        weight = np.where(tags >= 0, 1.0, weight)
    return unit(x + strength * weight[:, None] * anchors[nearest])


def links(
    vector: np.ndarray, anchors: np.ndarray, ids: list[str], floor: float, spread: float, top: int
) -> tuple[tuple[str, float], ...]:
    """(strategy id, cosine) best first: at least `floor`, within `spread` of the best."""
    if not len(anchors):
        return ()
    scores = anchors @ unit(vector)
    order = np.argsort(-scores, kind="stable")[:top]
    best = scores[order[0]]
    return tuple(
        (ids[i], round(float(scores[i]), 3))
        for i in order
        if scores[i] >= floor and scores[i] >= best - spread
    )
