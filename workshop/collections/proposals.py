"""Proposing regional themes: themes of different tables that mean the same thing.

Each table's theme becomes one vector from its title and its answers, with the theme
suggester's two sentence encoders (MiniLM and the multilingual Universal Sentence Encoder, a
Spanish answer's MiniLM half bridged from its USE half, as on the themes board), so a Spanish
table's "Cuidado infantil" meets an English table's "Childcare". Themes are then grouped by
complete linkage: every pair in a proposal is at least SAME apart in cosine, and a proposal
holds at most one theme per table. Its title is that of its most central theme (an English
one where there is one: the owner renames it at will).

Without the encoders (not installed, or failing to load), themes whose titles are the same
words are proposed together, and the page says why there are no others.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from workshop.collections.model import Table, fold
from workshop.collections.regional import Proposal

# Cosine between two themes' vectors from which they are proposed as one. On themes of six
# made-up tables (English and Spanish), like themes scored 0.72-0.91 and unlike ones at most
# 0.57.
SAME = 0.60
APART = 2.0  # the distance given to two themes of one table: never in one proposal
MAX_ANSWERS = 40  # answers per theme read into its vector: enough for its meaning


@dataclass(frozen=True)
class ThemeText:
    member_id: int
    theme_id: int
    table: int  # index of its table
    title: str
    texts: tuple[str, ...]  # its answers, and its title in other languages


def theme_texts(tables: Sequence[Table]) -> list[ThemeText]:
    """Every theme of every table (candidates that are strategies or options are not)."""
    found = []
    for index, table in enumerate(tables):
        for theme in table.snapshot.themes:
            if theme.theme_id is None or theme.source != "theme":
                continue
            answers = tuple(a.text for a in theme.answers[:MAX_ANSWERS] if a.text.strip())
            others = tuple(t for t in theme.titles.values() if t != theme.title)
            found.append(
                ThemeText(table.member_id, theme.theme_id, index, theme.title, others + answers)
            )
    return found


def propose(themes: Sequence[ThemeText], vectors: np.ndarray | None) -> list[Proposal]:
    """Proposals of two or more themes from different tables, largest first. With no
    `vectors`, only themes with the same title are proposed together."""
    if len(themes) < 2:
        return []
    labels = _by_vectors(themes, vectors) if vectors is not None else _by_title(themes)
    groups: dict[int, list[int]] = {}
    for index, label in enumerate(labels):
        groups.setdefault(int(label), []).append(index)
    proposals = [
        Proposal(_title(themes, members, vectors), tuple(_ref(themes[i]) for i in members))
        for members in groups.values()
        if len({themes[i].table for i in members}) > 1
    ]
    return sorted(proposals, key=lambda p: (-len(p.themes), fold(p.title)))


def _ref(theme: ThemeText) -> tuple[int, int]:
    return theme.member_id, theme.theme_id


def _by_vectors(themes: Sequence[ThemeText], vectors: np.ndarray) -> np.ndarray:
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform

    unit = vectors / np.maximum(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12)
    distance = np.clip(1.0 - unit @ unit.T, 0.0, 2.0)
    tables = np.array([theme.table for theme in themes])
    distance[tables[:, None] == tables[None, :]] = APART
    np.fill_diagonal(distance, 0.0)
    tree = linkage(squareform(distance, checks=False), method="complete")
    # Complete linkage: a cluster's height is its widest pair, so cutting below APART never
    # joins two themes of one table, and below 1 - SAME never joins two unlike themes.
    return fcluster(tree, t=1.0 - SAME, criterion="distance")


def _by_title(themes: Sequence[ThemeText]) -> list[int]:
    """Same folded title, one theme per table."""
    groups: dict[str, list[tuple[int, set[int]]]] = {}
    labels: list[int] = []
    for theme in themes:
        candidates = groups.setdefault(fold(theme.title), [])
        group = next((g for g in candidates if theme.table not in g[1]), None)
        if group is None:
            group = (len(labels) + 1, set())
            candidates.append(group)
        group[1].add(theme.table)
        labels.append(group[0])
    return labels


def _title(themes: Sequence[ThemeText], members: list[int], vectors: np.ndarray | None) -> str:
    if vectors is None:
        return themes[members[0]].title
    from workshop.themes.suggest.text import is_spanish

    centre = vectors[members].mean(axis=0)
    english = [i for i in members if not is_spanish(themes[i].title)] or members
    best = max(english, key=lambda i: float(vectors[i] @ centre))
    return themes[best].title


def theme_vectors(themes: Sequence[ThemeText], progress=None) -> np.ndarray:
    """One vector per theme from its title and texts, in the suggester's space. Raises
    ModelUnavailable (from the suggester) when the encoders cannot load."""
    from workshop.themes.suggest import engine
    from workshop.themes.suggest.text import glossary_from
    from workshop.themes.suggest.types import ExistingTheme

    existing = [ExistingTheme(id=i, title=t.title, texts=t.texts) for i, t in enumerate(themes)]
    glossary = glossary_from(t.title for t in themes)
    return engine.build_space([], [], existing, glossary, progress).themes
