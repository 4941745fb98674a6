"""Pasted plan outline → reference framework (pillars → strategies → examples).

The lines (`outline_lines`) are nested into a tree by what they look like, outermost first:
Markdown headings by level, then bold or ALL-CAPS lines, then labelled headings (`Goal 2`,
`Strategy 1: …`, `Objective 1.1`) by the depth of their number, then numbered items (`1.` holds
`1.1` and `1a`), then bullets by indentation. Text belongs to the entry above it. Then the
tree becomes a framework: an entry holding a list is a pillar, the list's entries are its
strategies, and whatever is nested under a strategy (or follows an "Examples:" or "Next
steps" line) is its examples. `Label: text` lines under a strategy are its reference facts.

`read_outline` never fails: it returns what it read and, when the shape left room for
doubt, why (the editor then shows the reading before it changes anything). No Flask here.
"""

from __future__ import annotations

from dataclasses import dataclass

from workshop.agenda.model import Framework
from workshop.agenda.outline_build import build_framework, slug_for
from workshop.agenda.outline_lines import clean_text, read_lines, split_name
from workshop.agenda.outline_tree import read_tree

__all__ = [
    "UNTITLED",
    "Reading",
    "clean_text",
    "parse_outline",
    "read_outline",
    "slug_for",
    "split_name",
]


@dataclass(frozen=True)
class Reading:
    """What an outline was read as, and what a person should check before it is used."""

    framework: Framework
    doubts: tuple[str, ...] = ()


UNTITLED = "Reference framework"  # a pasted outline's title when it has no heading


def read_outline(
    text: str, framework_id: str = "plan", title: str = "", untitled: str = UNTITLED
) -> Reading:
    """Read a pasted outline into a framework, with the reasons to check it, if any. Its
    title is `title`, else the outline's own heading, else `untitled` (the reader's words)."""
    tree, unread = read_tree(read_lines(text))
    framework, doubts = build_framework(tree, unread, framework_id, title, untitled)
    return Reading(framework, tuple(doubts))


def parse_outline(text: str, framework_id: str = "plan", title: str = "") -> Framework:
    """The framework `read_outline` reads. Pillars with nothing under them are left out; a
    pillar before any heading has an empty title, for the facilitator (or a merge) to fill in."""
    return read_outline(text, framework_id, title).framework
