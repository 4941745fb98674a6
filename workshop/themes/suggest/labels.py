"""Short labels for groups of responses: the words that set a group apart (class-based TF-IDF
over words and word pairs), or the name of the plan strategy the group clearly matches."""

from __future__ import annotations

import math
import re
from collections import Counter

from workshop.themes.suggest.text import content_words

MAX_WORDS = 6
OTHER = "Other"


def _fold(word: str, known: set[str]) -> str:
    """A plural's singular when the session also uses the singular."""
    for ending, replacement in (("ies", "y"), ("es", ""), ("s", "")):
        stem = word[: -len(ending)] + replacement
        if word.endswith(ending) and not word.endswith("ss") and stem in known:
            return stem
    return word


def _terms(texts: list[str]) -> tuple[list[set[str]], dict[str, Counter]]:
    """Per text, its set of terms (folded words and adjacent word pairs); per term, how it was
    written (acronyms keep their capitals)."""
    tokenized = [content_words(text) for text in texts]
    known = {w for found in tokenized for w, _, _ in found}
    surfaces: dict[str, Counter] = {}
    documents = []
    for found in tokenized:
        folded = [(_fold(w, known), i) for w, _, i in found]
        for (key, _), (word, typed, _) in zip(folded, found, strict=True):
            shown = typed if typed.isupper() and len(typed) > 1 else word
            surfaces.setdefault(key, Counter())[shown] += 1
        side_by_side = {
            f"{a} {b}"
            for (a, i), (b, j) in zip(folded, folded[1:], strict=False)
            if j == i + 1 and a != b
        }
        documents.append({key for key, _ in folded} | side_by_side)
    return documents, surfaces


def keyword_labels(texts: list[str], groups: list[list[int]]) -> list[str]:
    """One label per group (lists of indexes into `texts`)."""
    documents, surfaces = _terms(texts)
    frequency = Counter(term for terms in documents for term in terms)
    total = max(1, len(texts))
    labels = []
    for group in groups:
        inside = Counter(term for i in group for term in documents[i])
        least = 2 if len(group) > 2 and max(inside.values(), default=0) > 1 else 1
        scored = sorted(
            (-count / len(group) * math.log(1 + total / frequency[term]), -count, term)
            for term, count in inside.items()
            if count >= least
        )
        terms = [_widen(term, inside) for _, _, term in scored[:4]]
        labels.append(_phrase(terms, inside, surfaces) if terms else _quote(texts, group))
    return labels


def _widen(term: str, inside: Counter) -> str:
    """A word as the pair it mostly comes in ("small" -> "small business")."""
    if " " in term:
        return term
    pairs = [(c, p) for p, c in inside.items() if " " in p and term in p.split()]
    if pairs:
        count, pair = max(pairs, key=lambda cp: (cp[0], cp[1]))
        if count >= 0.6 * inside[term] and count >= 2:
            return pair
    return term


def _quote(texts: list[str], group: list[int]) -> str:
    """For a group without a distinctive word: its shortest response, cut to a few words."""
    shortest = min((texts[i] for i in group), key=lambda t: (len(t), t)).split()
    quoted = " ".join(shortest[:MAX_WORDS]) + (" …" if len(shortest) > MAX_WORDS else "")
    return quoted[:1].upper() + quoted[1:]


def _phrase(terms: list[str], inside: Counter, surfaces: dict[str, Counter]) -> str:
    """The best term and the next one that adds a word, as "a & b"; two words the group
    writes side by side ("catalyst" and "projects") become one phrase."""
    chosen = [terms[0]]
    for term in terms[1:]:
        if len(chosen) < 2 and not set(term.split()) & set(" ".join(chosen).split()):
            chosen.append(term)
    if len(chosen) == 2:
        joined = [f"{a} {b}" for a, b in (chosen, chosen[::-1]) if inside[f"{a} {b}"] >= 2]
        chosen = joined[:1] or chosen
    words = [" ".join(_display(w, surfaces) for w in term.split()) for term in chosen]
    label = " & ".join(words)
    return label[:1].upper() + label[1:]


def _display(word: str, surfaces: dict[str, Counter]) -> str:
    forms = surfaces.get(word)
    if not forms:
        return word
    return sorted(forms.items(), key=lambda item: (-item[1], item[0]))[0][0]


def strategy_label(name: str) -> str | None:
    """A strategy name short enough to be a label ("Access to childcare"), else None."""
    short = re.sub(r"\s*\([^)]*\)", "", name).strip()
    return short if 0 < len(short.split()) <= MAX_WORDS else None


def unique(labels: list[str]) -> list[str]:
    seen: Counter = Counter()
    out = []
    for label in labels:
        seen[label] += 1
        out.append(label if seen[label] == 1 else f"{label} ({seen[label]})")
    return out
