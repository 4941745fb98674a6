"""The lines of an outline nested into a tree of entries (see `outline`). No Flask here."""

from __future__ import annotations

from dataclasses import dataclass, field

from workshop.agenda.outline_lines import Line, cells_text, is_header_row


@dataclass
class Node:
    """An entry of the outline with what is nested under it."""

    line: Line
    children: list[Node] = field(default_factory=list)
    body: list[str] = field(default_factory=list)  # its text lines, in order
    examples: list[str] = field(default_factory=list)  # from an "Examples:" part
    after_first_child: list[str] = field(default_factory=list)  # text between its entries

    @property
    def rank(self) -> tuple[int, int]:
        """Smaller is outer: headings, then labelled headings, numbers, bullets."""
        line = self.line
        if line.kind == "heading":
            return (0, line.level)
        if line.kind == "labelled" and line.group_label:
            return (1, line.level)
        if line.kind in ("numbered", "labelled"):
            return (2, line.level)
        if line.kind == "lettered":
            return (2, 9)
        return (3, line.indent * 10 + line.level)  # by indentation, then Word's `o` and `§`

    def holds(self, other: Node) -> bool:
        """Whether `other`, on a later line, is nested under this entry."""
        mine, theirs = self.line, other.line
        if mine.kind == "root":
            return True
        both_listed = mine.is_item and theirs.is_item and "numbered" not in (mine.kind, theirs.kind)
        if both_listed and theirs.indent != mine.indent:
            return theirs.indent > mine.indent  # nested lists by indentation
        if mine.kind == theirs.kind == "numbered":
            return theirs.level > mine.level  # 1.1 under 1., whatever the indentation
        return other.rank > self.rank


ROOT = Line("root", "")


class _Reader:
    """Nests the lines into a tree of `Node`s, keeping "Examples:" parts apart."""

    def __init__(self) -> None:
        self.root = Node(ROOT)
        self.stack: list[Node] = [self.root]
        self.examples_for: Node | None = None  # the entry an "Examples:" part belongs to
        self.examples_indent: int | None = None
        self.awaiting_name: Node | None = None  # `GOAL 2` with its name on the next line
        self.unread: list[str] = []

    def read(self, lines: list[Line | None]) -> Node:
        for line in lines:
            if line is None:
                continue
            if line.kind == "section":
                continue  # "Strategies:" alone names what follows; nothing to keep
            if self.examples_for is not None and self._example(line):
                continue
            if line.kind == "examples":
                self._start_examples(line)
            elif line.kind == "text":
                self._text(line)
            else:
                self._entry(Node(line))
        return self.root

    def _entry(self, node: Node) -> None:
        while not self.stack[-1].holds(node):
            self.stack.pop()
        self.stack[-1].children.append(node)
        self.stack.append(node)
        named = node.line.kind != "labelled" or node.line.text
        self.awaiting_name = None if named else node

    def _text(self, line: Line) -> None:
        if self.awaiting_name is not None and len(line.text) <= 200:
            self.awaiting_name.line.text, self.awaiting_name = line.text, None
            return
        self.awaiting_name = None
        owner = self.stack[-1]
        # A line less indented than a list entry is not part of that entry.
        while owner.line.is_item and owner.line.indent > line.indent and len(self.stack) > 1:
            owner = self.stack[self.stack.index(owner) - 1]
        (owner.after_first_child if owner.children else owner.body).append(line.text)

    def _start_examples(self, line: Line) -> None:
        owner = self.stack[-1]
        if line.level:  # `### Examples:`: the part of the heading at that level
            at = (0, line.level)
            index = len(self.stack) - 1
            while index > 0 and self.stack[index].rank > at:
                index -= 1
            owner = self.stack[index]
            del self.stack[index + 1 :]
        self.examples_for, self.examples_indent = owner, None

    def _example(self, line: Line) -> bool:
        """Add `line` to the "Examples:" part under way; False when it ends that part."""
        owner = self.examples_for
        if line.looks_like_heading() or line.kind == "section":
            self.examples_for = None
            return False
        if line.is_item:
            if self.examples_indent is not None and line.indent < self.examples_indent:
                self.examples_for = None
                return False
            if self.examples_indent is None:
                self.examples_indent = line.indent
            owner.examples.append(cells_text(line.text))
        elif owner.examples and line.indent > (self.examples_indent or 0):
            owner.examples[-1] += " " + cells_text(line.text)
        elif not (not owner.examples and is_header_row(line.text)):
            owner.examples.append(cells_text(line.text))
        return True


def read_tree(lines: list[Line | None]) -> tuple[Node, list[str]]:
    """The outline's entries under a root, and the lines that fitted nowhere."""
    reader = _Reader()
    return reader.read(lines), reader.unread
