"""Titles for groups of responses, in the words a facilitator would write: the name of the plan
strategy the group is about, or else a phrase of two to six words drawn from the group's most
central answers, the one carrying most of the words that set the group apart (class-based
TF-IDF). Never a pair of keywords."""

from __future__ import annotations

import math
import re
from collections import Counter

from workshop.themes.suggest.text import content_words

MIN_WORDS, MAX_WORDS = 2, 6
OTHER = "Other"
SPANISH = "Answers in Spanish"  # a group of Spanish answers no English answer is close to


def _fold(word: str, known: set[str]) -> str:
    """A plural's singular when the session also uses the singular."""
    for ending, replacement in (("ies", "y"), ("es", ""), ("s", "")):
        stem = word[: -len(ending)] + replacement
        if word.endswith(ending) and not word.endswith("ss") and stem in known:
            return stem
    return word


def _terms(texts: list[str]) -> list[set[str]]:
    """Per text, its set of terms: folded words and adjacent word pairs."""
    tokenized = [content_words(text) for text in texts]
    known = {w for found in tokenized for w, _, _ in found}
    documents = []
    for found in tokenized:
        folded = [(_fold(w, known), i) for w, _, i in found]
        side_by_side = {
            f"{a} {b}"
            for (a, i), (b, j) in zip(folded, folded[1:], strict=False)
            if j == i + 1 and a != b
        }
        documents.append({key for key, _ in folded} | side_by_side)
    return documents


def phrase_labels(texts: list[str], sources: list[list[int]], groups: list[list[int]]) -> list[str]:
    """One title per group: a phrase of two to six words taken from one of its `sources`
    (indexes into `texts`, most central first: the answers a title may quote), the one that
    best carries the words setting the group apart (class-based TF-IDF over `groups`)."""
    documents = _terms(texts)
    frequency = Counter(term for terms in documents for term in terms)
    total = max(1, len(texts))
    titles = []
    for members, quoted in zip(groups, sources, strict=True):
        found = []
        for least in (2, 1):  # a small group may share no word: then any of its words counts
            weight = _weights(members, documents, frequency, total, least)
            found = [
                (score - RANK_COST * rank, words)
                for rank, i in enumerate(quoted[:CENTRAL])
                for score, words in _spans(texts[i], weight)
            ]
            if found:
                break
        best = max(found, default=None, key=lambda scored: scored[0])
        titles.append(_shown(best[1]) if best else _quote([texts[i] for i in quoted or members]))
    return titles


CENTRAL = 4  # the answers nearest a group's centre a title is drawn from
RANK_COST = 0.25  # a less central answer's phrase must carry this much more weight
LENGTH_COST = 0.2  # per word beyond three
HEAD_BONUS = 0.5  # the last word's weight counts this much more
CUT_COST = 0.3  # per end that cuts a run of content words
_CLAUSE = re.compile(r"[,.;:!?()\[\]\"“”]+|\s[-–—/]+\s|\s+(?:but|because|so|which|and then)\s+")
_WORDS = re.compile(r"[^\W\d_][\w'’-]*|\d+")


def _weights(
    members: list[int], documents, frequency: Counter, total: int, least: int
) -> dict[str, float]:
    """Each term's weight in the group (words, and pairs of words written side by side): its
    share of the group's answers times its rarity in the session; in a group of three or
    more, a term fewer than `least` answers use counts for nothing."""
    inside = Counter(term for i in members for term in documents[i])
    least = least if len(members) > 2 else 1
    return {
        term: count / len(members) * math.log(1 + total / frequency[term])
        for term, count in inside.items()
        if count >= least
    }


def _spans(text: str, weight: dict[str, float]) -> list[tuple[float, list[str]]]:
    """Candidate phrases of `text`: runs of 2-6 words within one clause, from a content word
    to a content word that can end a phrase ("barely" and "funded" rarely do), scored by the
    weight of their terms, most of all the last word's (a phrase's head noun is usually last),
    less a cost for length and for cutting a run of content words ("regional" out of
    "regional steering committee")."""
    found = []
    for clause in _CLAUSE.split(text):
        words = _WORDS.findall(clause)
        content = [_content(w) for w in words] + [False]
        keys = [_key(w, weight) for w in words]
        for start, end in _windows(len(words)):
            if not (content[start] and content[end - 1]) or _weak(words[start], words[end - 1]):
                continue
            terms = set(keys[start:end]) | {
                f"{a} {b}" for a, b in zip(keys[start:end], keys[start + 1 : end], strict=False)
            }
            gained = sum(weight.get(term, 0.0) for term in terms)
            if gained <= 0:
                continue
            cuts = content[end] + (start > 0 and content[start - 1])
            score = gained + HEAD_BONUS * weight.get(keys[end - 1], 0.0)
            score -= LENGTH_COST * max(0, end - start - 3) + CUT_COST * cuts
            found.append((score, words[start:end]))
    return found


def _weak(first: str, last: str) -> bool:
    """A start or an end that rarely makes a title: "Learned what ...", "... barely"."""
    first, last = first.lower(), last.lower()
    if first.endswith("ed") or first in _NOT_A_START:
        return True
    return last.endswith(("ly", "ed")) or last in _NOT_AN_END or last in _NOT_A_START


_NOT_AN_END = frozenset(
    re.findall(
        r"\w+",
        """small big local new good great high low less other same clear real public free long
        short early late strong open whole full few next last first able easy hard actual
        happen come came go goes went help stay move feel felt see saw give gave bring brought
        take took start sit sits kept seem seems happens works otherwise themselves instead regional
        social rural urban economic digital financial political cultural""",
    )
)
_NOT_A_START = frozenset(
    re.findall(
        r"\w+",
        """across between into onto toward towards without within among around behind beyond
        near per via like against along upon""",
    )
)


def _windows(n: int):
    for start in range(n):
        for end in range(start + MIN_WORDS, min(n, start + MAX_WORDS) + 1):
            yield start, end


def _key(word: str, weight: dict[str, float]) -> str:
    lower = word.lower()
    return _fold(lower, set(weight)) if lower not in weight else lower


def _content(word: str) -> bool:
    return bool(content_words(word)) or (word.isupper() and len(word) > 1)


def _shown(words: list[str]) -> str:
    """A phrase as a title: acronyms as typed, shouting lowered, the first letter capital."""
    shown = [w.lower() if w.isupper() and len(w) > 4 else w for w in words]
    title = " ".join(shown)
    return title[:1].upper() + title[1:]


def _quote(texts: list[str]) -> str:
    """For a group with no phrase to draw on: the first words of its shortest answer, up to
    a content word."""
    shortest = min(texts, key=lambda t: (len(t), t))
    words = _WORDS.findall(_CLAUSE.split(shortest)[0]) or _WORDS.findall(shortest)
    words = words[:MAX_WORDS]
    while len(words) > 1 and not _content(words[-1]):
        words.pop()
    return _shown(words) if words else shortest[:60]


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
