"""Pasted plan outline → reference framework (pillars → strategies → examples).

Facilitators copy a region's plan out of a document editor, so the text arrives as Markdown
(`### Pillar`, `* **Name \\-** description`, `### Examples:`), as plain text with ALL-CAPS
headings and numbered tactics (`1.1 Name<TAB>description`), or as UTF-8 that was once read
as Windows-1252 (`â€“`). `parse_outline` reads all of these into a `Framework` the editor shows
for review; it never fails, since the facilitator corrects the result in the form.
No Flask here.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

from workshop.agenda.model import Framework, Pillar, Strategy

HEADING_LEVEL_WEAK = 7  # bold-only or ALL-CAPS lines: deeper than any Markdown heading
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~:])")
HASH_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*$")
BULLET = re.compile(r"^(\s*)(?:[-*+•‣◦▪●·–]|\d{1,2}[.)])\s+(.*)$")
TACTIC = re.compile(r"^(\s*)(\d{1,2}(?:\.\d{1,2})+)\.?\s+(.*)$")
RULE = re.compile(r"^[\s\-–—_=*|:]*$")
BOLD_LEAD = re.compile(r"^(\*\*|__)(.+?)\1\s*(.*)$")
SEPARATORS = re.compile(r"\t+|\s+[-–—]\s+|:\s+")
LEADING_SEPARATOR = re.compile(r"^\s*(?:[-–—:]\s*)+")
EXAMPLES_HEADING = re.compile(r"^(?:examples?|tactics|next steps)\s*:?$", re.IGNORECASE)


def _mojibake_pattern() -> re.Pattern:
    """A UTF-8 sequence misread as Windows-1252: a lead character and its continuations."""
    continuation = []
    for byte in range(0x80, 0xC0):
        try:
            continuation.append(bytes([byte]).decode("cp1252"))
        except UnicodeDecodeError:  # bytes cp1252 leaves undefined come through as Latin-1
            continuation.append(chr(byte))
    cont = "[" + re.escape("".join(continuation)) + "]"
    # Only the leads real mojibake starts with (Â Ã Ä Å, â, ï, ð), so that genuine text such
    # as "CAFÉ’s" is never "repaired".
    return re.compile(f"[\u00c2-\u00c5]{cont}|[\u00e2\u00ef]{cont}{{2}}|\u00f0{cont}{{3}}")


MOJIBAKE = _mojibake_pattern()


def _unmangle(match: re.Match) -> str:
    raw = bytearray()
    for char in match.group(0):
        try:
            raw += char.encode("cp1252")
        except UnicodeEncodeError:
            raw.append(ord(char))
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:  # not mojibake after all: keep what was typed
        return match.group(0)


def clean_text(text: str) -> str:
    """Undo mojibake and Markdown escapes; tidy spaces. Bold markers are kept for the parser."""
    text = MOJIBAKE.sub(_unmangle, text).replace("\u00a0", " ")
    return MARKDOWN_ESCAPE.sub(r"\1", text)


def _plain(text: str) -> str:
    text = re.sub(r"(\*\*|__)", "", text)
    return re.sub(r"\s+", " ", text).strip(" \t*")


def slug_for(text: str, taken: set[str], fallback: str) -> str:
    """A short id from a name, unique within `taken` (which it extends)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    words = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower().replace("&", " and ")).strip("-")
    if len(words) > 48:  # cut at a word boundary
        words = words[:49].rsplit("-", 1)[0]
    base = words or fallback
    candidate, number = base, 2
    while candidate in taken:
        candidate, number = f"{base}-{number}", number + 1
    taken.add(candidate)
    return candidate


@dataclass
class _Line:
    kind: str  # heading, bullet, tactic, text
    text: str
    level: int = 0  # heading level or bullet indent
    code: str = ""


def _classify(raw: str) -> _Line | None:
    line = raw.rstrip()
    if not line.strip() or RULE.match(line):
        return None
    if match := HASH_HEADING.match(line):
        title = _plain(match.group(2))
        return _Line("heading", title, len(match.group(1))) if title else None
    if match := TACTIC.match(line):
        return _Line("tactic", match.group(3).strip(), len(match.group(1).expandtabs(4)), match[2])
    if match := BULLET.match(line):
        return _Line("bullet", match.group(2).strip(), len(match.group(1).expandtabs(4)))
    if _is_weak_heading(line.strip()):
        return _Line("heading", _plain(line), HEADING_LEVEL_WEAK)
    return _Line("text", line.strip())


def _is_weak_heading(line: str) -> bool:
    """`**Whole line bold**` or a short ALL-CAPS line reads as a heading in pasted documents."""
    if re.fullmatch(r"(\*\*|__)[^*_]+\1:?", line):
        return True
    letters = [c for c in line if c.isalpha()]
    return len(letters) >= 3 and len(line) <= 100 and all(c.isupper() for c in letters)


def split_name(text: str) -> tuple[str, str]:
    """`**Name -** description`, `Name<TAB>description`, `Name – description` or `Name: …`."""
    if match := BOLD_LEAD.match(text):
        name, rest = match.group(2), match.group(3)
        name = re.sub(r"\s*[-–—:]\s*$", "", name)
        return _plain(name), _plain(LEADING_SEPARATOR.sub("", rest))
    match = SEPARATORS.search(text)
    if match and 0 < match.start() <= 120:
        return _plain(text[: match.start()]), _plain(text[match.end() :])
    return _plain(text), ""


@dataclass
class _Draft:
    """A pillar being read: strategies as mutable dicts until the outline ends."""

    title: str
    description: list[str] = field(default_factory=list)
    examples: list[str] = field(default_factory=list)
    strategies: list[dict] = field(default_factory=list)
    in_examples: bool = False
    base_indent: int | None = None


class _Reader:
    def __init__(self, pillar_level: int):
        self.pillar_level = pillar_level
        self.title = ""
        self.description: list[str] = []
        self.pillars: list[_Draft] = []

    def current(self) -> _Draft:
        if not self.pillars:
            self.pillars.append(_Draft(""))
        return self.pillars[-1]

    def heading(self, line: _Line) -> None:
        if EXAMPLES_HEADING.match(line.text):
            self.current().in_examples = True
        elif line.level >= self.pillar_level:
            self.pillars.append(_Draft(line.text))
        elif not self.title and not self.pillars:
            self.title = line.text

    def item(self, line: _Line) -> None:
        pillar = self.current()
        if pillar.base_indent is None or line.level < pillar.base_indent:
            pillar.base_indent = line.level
        if pillar.in_examples:
            pillar.examples.append(_plain(line.text))
        elif line.kind == "bullet" and line.level > pillar.base_indent and pillar.strategies:
            pillar.strategies[-1]["examples"].append(_plain(line.text))
        else:
            name, description = split_name(line.text)
            strategy = {"code": line.code, "name": name, "description": [description]}
            pillar.strategies.append({**strategy, "examples": []})

    def text(self, line: _Line) -> None:
        if EXAMPLES_HEADING.match(_plain(line.text)):
            self.current().in_examples = True
        elif self.pillars and self.pillars[-1].strategies:
            self.pillars[-1].strategies[-1]["description"].append(_plain(line.text))
        elif self.pillars:
            self.pillars[-1].description.append(_plain(line.text))
        else:
            self.description.append(_plain(line.text))


def _pillar_level(lines: list[_Line]) -> int:
    """The heading level that introduces strategies: the last heading before the first item."""
    level = HEADING_LEVEL_WEAK
    for line in lines:
        if line.kind == "heading" and not EXAMPLES_HEADING.match(line.text):
            level = line.level
        elif line.kind in ("bullet", "tactic"):
            return level
    return level


def parse_outline(text: str, framework_id: str = "plan", title: str = "") -> Framework:
    """Read a pasted outline. Pillars with nothing under them are left out; a pillar
    before any heading has an empty title, for the facilitator (or a merge) to fill in."""
    lines = [line for raw in clean_text(text).splitlines() if (line := _classify(raw))]
    reader = _Reader(_pillar_level(lines))
    for line in lines:
        handle = {"heading": reader.heading, "text": reader.text}.get(line.kind, reader.item)
        handle(line)
    taken: set[str] = set()
    pillars = tuple(
        _pillar(draft, taken) for draft in reader.pillars if draft.strategies or draft.examples
    )
    return Framework(
        id=framework_id,
        title=title or reader.title or "Reference framework",
        pillars=pillars,
        description=" ".join(reader.description),
    )


def _pillar(draft: _Draft, taken: set[str]) -> Pillar:
    strategies = tuple(
        Strategy(
            id=slug_for(s["name"], taken, "strategy"),
            name=s["name"],
            code=s["code"],
            description=" ".join(part for part in s["description"] if part),
            examples=tuple(e for e in s["examples"] if e),
        )
        for s in draft.strategies
    )
    examples = tuple(e for e in draft.examples if e)
    return Pillar(draft.title, strategies, " ".join(draft.description), examples)
