"""An outline's tree of entries (`outline_tree`) made into a framework, with the reasons a
person should check the result (English `Message`s, shown in the reader's language by the
editor). No Flask here."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from workshop.agenda.model import Detail, Framework, Pillar, Strategy
from workshop.agenda.outline_lines import cells_text, detail_of, is_header_row, plain, split_name
from workshop.agenda.outline_tree import Node
from workshop.messages import N_, Message
from workshop.text import ascii_folded

# A fact under a strategy with one of these labels is its description when it has none.
DESCRIBING = {"objective", "description", "summary", "goal", "objetivo", "descripción", "meta"}
LONG_NAME = 150


@dataclass
class _Strategy:
    name: str
    code: str = ""
    description: list[str] = field(default_factory=list)
    details: list[tuple[str, str]] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)


@dataclass
class _Pillar:
    title: str
    description: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    strategies: list[_Strategy] = field(default_factory=list)
    between: list[str] = field(default_factory=list)  # text found between its strategies
    times: int = 1  # how many parts of the outline it was read from


def is_group(node: Node) -> bool:
    """An entry whose list is a pillar's strategies (headings always group what follows)."""
    line = node.line
    if line.kind in ("root", "heading"):
        return True
    if line.kind == "labelled" and line.group_label:
        return bool(node.children)
    if line.kind == "numbered":
        return any(child.line.kind in ("numbered", "labelled") for child in node.children)
    return False


class _Builder:
    def __init__(self) -> None:
        self.title = ""
        self.description: list[str] = []
        self.pillars: list[_Pillar] = []
        self.unread: list[str] = []

    def place(self, node: Node) -> None:
        items = [child for child in node.children if not is_group(child)]
        if items:
            self.pillars.append(self._pillar(node, items))
        elif node.line.kind == "root":
            self.description += node.body
        elif not self.title and not self.pillars and node.line.kind != "root":
            self.title = _title_of(node)[0]
            self.description += node.body + node.after_first_child
        else:
            self.unread += node.body + node.after_first_child + node.examples
            if not node.children:
                self.unread.insert(len(self.unread) - len(node.body), _title_of(node)[0])
        if node.line.kind == "root" and items:
            self.pillars[-1].description, self.description = [], node.body
        for child in node.children:
            if is_group(child):
                self.place(child)

    def _pillar(self, node: Node, items: list[Node]) -> _Pillar:
        title, lead = _title_of(node)
        return _Pillar(
            title,
            description=[lead, *node.body] if lead else list(node.body),
            examples=list(node.examples),
            strategies=[_strategy(item) for item in items],
            between=list(node.after_first_child),
        )


def _title_of(node: Node) -> tuple[str, str]:
    """A heading's title, and the description written on the same line, if any."""
    line = node.line
    if line.kind == "heading":
        return line.text, ""
    name, rest = split_name(line.text)
    if not name and line.kind == "labelled":
        return f"{line.label} {line.code}", rest
    return name, rest


def _strategy(node: Node) -> _Strategy:
    line = node.line
    name, lead = split_name(line.text)
    strategy = _Strategy(name, line.code, [lead] if lead else [])
    open_fact = False  # after `Costs:` alone, the lines below are that fact's text
    for text in node.body:
        fact = detail_of(text)
        if fact:
            strategy.details.append(fact)
            open_fact = not fact[1]
        elif open_fact:
            label, known = strategy.details[-1]
            if known or not is_header_row(text):
                row = cells_text(text)
                strategy.details[-1] = (label, f"{known}; {row}" if known else row)
        else:
            strategy.description.append(cells_text(text))
    strategy.details = [(label, text) for label, text in strategy.details if text]
    strategy.description += node.after_first_child
    strategy.examples = _examples_under(node) + node.examples
    if not "".join(strategy.description) and strategy.details:
        label, text = strategy.details[0]
        if label.casefold() in DESCRIBING:
            strategy.description, strategy.details = [text], strategy.details[1:]
    if not strategy.name:  # `1.1 – a description` with no name: its first words name it
        strategy.name = " ".join(" ".join(strategy.description).split()[:8])
    return strategy


def _examples_under(node: Node) -> list[str]:
    found = []
    for child in node.children:
        text = " ".join([cells_text(child.line.text), *child.body, *child.after_first_child])
        found.append(plain(text))
        found += _examples_under(child) + child.examples
    return [example for example in found if example]


def _merge_repeats(pillars: list[_Pillar]) -> list[_Pillar]:
    """A pillar whose title comes again (a plan repeats its heading on every page) is one."""
    merged: dict[str, _Pillar] = {}
    kept = []
    for pillar in pillars:
        key = pillar.title.casefold()
        same = merged.get(key) if key else None
        if same is None:
            merged[key] = pillar
            kept.append(pillar)
            continue
        same.times += 1
        same.description += [p for p in pillar.description if p not in same.description]
        same.examples += [e for e in pillar.examples if e not in same.examples]
        same.between += pillar.between
        for strategy in pillar.strategies:
            _add_strategy(same, strategy)
    return kept


def _add_strategy(pillar: _Pillar, strategy: _Strategy) -> None:
    def same(other: _Strategy) -> bool:
        if strategy.code and other.code:
            return strategy.code == other.code
        return strategy.name.casefold() == other.name.casefold()

    earlier = next((other for other in pillar.strategies if same(other)), None)
    if earlier is None:
        pillar.strategies.append(strategy)
        return
    earlier.description = (
        earlier.description if "".join(earlier.description) else strategy.description
    )
    earlier.details += [d for d in strategy.details if d not in earlier.details]
    earlier.examples += [e for e in strategy.examples if e not in earlier.examples]


def _doubts(pillars: list[_Pillar], unread: list[str]) -> list[Message]:
    doubts = [doubt for pillar in pillars for doubt in _pillar_doubts(pillar)]
    long = [s.name for p in pillars for s in p.strategies if len(s.name) > LONG_NAME]
    if len(long) == 1:
        message = N_(
            "A strategy name is over {limit} characters: a description may have been read as "
            "a name (“{text}”)."
        )
        doubts.append(Message(message, limit=LONG_NAME, text=_short(long[0])))
    elif long:
        message = N_(
            "{count} strategy names are over {limit} characters: a description may have been "
            "read as a name (“{text}”)."
        )
        doubts.append(Message(message, count=len(long), limit=LONG_NAME, text=_short(long[0])))
    unread = [line for line in unread if line]
    if len(unread) == 1:
        message = N_("A line was not read, as it is not part of a list (“{text}”).")
        doubts.append(Message(message, text=_short(unread[0])))
    elif unread:
        message = N_("{count} lines were not read, as they are not part of a list (“{text}”).")
        doubts.append(Message(message, count=len(unread), text=_short(unread[0])))
    return doubts


def _pillar_doubts(pillar: _Pillar) -> list[Message]:
    name = (
        f"“{pillar.title}”" if pillar.title else Message(N_("the pillar before the first heading"))
    )
    doubts = []
    if pillar.times > 1:
        message = N_("{name} appears {times} times: read as one pillar.")
        doubts.append(Message(message, name=name, times=pillar.times))
    if pillar.between:
        message = N_(
            "Text between the strategies of {name} was read as its description: check that no "
            "strategy is missing (“{text}”)."
        )
        doubts.append(Message(message, name=name, text=_short(pillar.between[0])))
    nested = [s.code for s in pillar.strategies if re.search(r"\d[.a-z]", s.code)]
    firsts = sorted({re.split(r"[.a-z]", code)[0] for code in nested})
    if len(firsts) > 1 and not pillar.title.strip().isdigit():
        message = N_("The numbers in {name} ({numbers}) suggest more than one pillar.")
        doubts.append(Message(message, name=name, numbers=", ".join(firsts)))
    return doubts


def _short(text: str, limit: int = 60) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def build_framework(
    root: Node, unread: list[str], framework_id: str, title: str, untitled: str
) -> tuple[Framework, list[str]]:
    builder = _Builder()
    builder.place(root)
    pillars = _merge_repeats(builder.pillars)
    doubts = _doubts(pillars, builder.unread + unread)
    taken: set[str] = set()
    framework = Framework(
        id=framework_id,
        title=title or builder.title or untitled,
        pillars=tuple(_frozen(pillar, taken) for pillar in pillars),
        description=_joined(builder.description),
    )
    return framework, doubts


def _frozen(pillar: _Pillar, taken: set[str]) -> Pillar:
    strategies = tuple(
        Strategy(
            id=slug_for(s.name, taken, "strategy"),
            name=s.name,
            code=s.code,
            description=_joined(s.description),
            details=tuple(Detail(label, text) for label, text in s.details),
            examples=tuple(s.examples),
        )
        for s in pillar.strategies
    )
    description = _joined(pillar.description + pillar.between)
    return Pillar(pillar.title, strategies, description, tuple(pillar.examples))


def _joined(parts: list[str]) -> str:
    return " ".join(plain(part) for part in parts if plain(part))


def slug_for(text: str, taken: set[str], fallback: str) -> str:
    """A short id from a name, unique within `taken` (which it extends)."""
    ascii_text = ascii_folded(text)
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("&", " and ")).strip("-")
    if len(words) > 48:  # cut at a word boundary
        words = words[:49].rsplit("-", 1)[0]
    base = words or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate
