"""The lines of a pasted plan outline: cleaned, then classified by what they look like.

Plans arrive copied out of Word, Google Docs or a PDF viewer, so the same structure comes in
many shapes: Markdown (`### Pillar`, `* **Name \\-** description`), labelled headings
(`Strategy 1: Name`, `GOAL 2`, `Objetivo 3 – Nombre`), numbered items (`1.`, `1.1`, `1.1.`,
`1a`), bullets (`•`, `-`, `*`, Word's `o` and `§`), descriptions after a dash, a colon or a
tab, Windows line endings, non-breaking spaces, and UTF-8 once read as Windows-1252 (`â€“`).
This module says what each line is; `outline` builds the framework from them. No Flask here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Headings: Markdown `#` levels 1-6; a bold-only or ALL-CAPS line is weaker than any of them.
WEAK_HEADING_LEVEL = 7
MARKDOWN_ESCAPE = re.compile(r"\\([\\`*_{}\[\]()#+\-.!|>~:$])")
INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u00ad]")
WIDE_SPACES = re.compile("[\u00a0\u2007\u202f\u2000-\u200a\u3000]")
HASH_HEADING = re.compile(r"^(#{1,6})\s*(.*?)\s*#*$")
# Word pastes bullets as symbols (`•`, `·`, `§`, `o` and its private-use Symbol glyphs); an
# ASCII bullet needs a space after it, so `**bold**` and `-5` stay text.
SYMBOL_BULLETS = "•‣◦▪●·§■□➢►✓❖○\uf0b7\uf0a7\uf0d8\uf076\uf0fc"
BULLET = re.compile(
    rf"^(\s*)(?:([-*+–—])\s+|([{SYMBOL_BULLETS}])\s*|(o)(?:\t| {{2,}})\s*|(?<=\s)(o)\s+)(.*)$"
)
# Word writes its second and third list levels with these, often without indenting them.
DEEPER_BULLETS = {"o": 1, "◦": 1, "○": 1, "\uf0a7": 2, "§": 2, "▪": 2, "■": 2}
# `1.1`, `1.1.`, `1.1)`, `1a`, `1a.`, `1.a)`; and `1.` or `1)`, where the mark is needed.
COMPOUND = re.compile(
    r"^(\s*)(\d{1,2}(?:\.\d{1,2})+(?:[a-z](?![a-z]))?|\d{1,2}\.?[a-z])[.)]?\s+(.*)$"
)
SIMPLE = re.compile(r"^(\s*)(\d{1,2})[.)]\s+(.*)$")
LETTERED = re.compile(r"^(\s*)\(?[a-z][.)]\s+(.*)$")
GROUP_LABELS = (
    "strategy|strategic priority|goal|pillar|objective|priority|focus area|"
    "estrategia|meta|objetivo|pilar|prioridad|eje|área|area"
)
ITEM_LABELS = "tactic|action|táctica|tactica|acción|accion"
LABELLED = re.compile(
    rf"^\s*(?P<label>(?i:{GROUP_LABELS}|{ITEM_LABELS}))\s+(?i:#|no\.\s*|n\.?º\s*)?"
    r"(?P<code>\d{1,2}(?:\.\d{1,2})*[a-z]?|[A-Z]|[IVX]{1,4})"
    r"(?:\s*[:.)\-–—]\s*|\s+|$)(?P<name>.*)$"
)
RULE = re.compile(r"^[\s\-–—_=*|:.]*$")
BOLD_LEAD = re.compile(r"^(\*\*|__)(.+?)\1\s*(.*)$")
SEPARATORS = re.compile(r"\t+|\s+-{1,2}\s+|\s+[–—]\s+|:\s+")
LEADING_SEPARATOR = re.compile(r"^\s*(?:[-–—:]\s*)+")
PAGE_NUMBER = re.compile(r"\t+\d{1,3}$")  # a table of contents' page number
# A line alone that announces examples for the pillar or strategy above it.
EXAMPLES = re.compile(
    r"^(?:examples?|for example|next steps|tasks|action steps|key actions|actions|"
    r"ejemplos?|por ejemplo|pr[oó]ximos pasos|siguientes pasos|tareas|acciones)\s*:?$",
    re.IGNORECASE,
)
# A line alone that only names the kind of list below it: no content of its own.
SECTION = re.compile(
    r"^(?:(?:our |key |the )?(?:strategies|tactics|goals|objectives|pillars|priorities)"
    r"(?: and (?:strategies|tactics|objectives))?|"
    r"estrategias|t[aá]cticas|metas|objetivos|pilares|prioridades)\s*:?$",
    re.IGNORECASE,
)
DETAIL = re.compile(r"^([A-ZÁÉÍÓÚÑ][\w’'&/()\- ]{0,38}?):\s*(.*)$")
ITEM_KINDS = ("labelled", "numbered", "lettered", "bullet")


@dataclass
class Line:
    """One line of the outline: `kind` is heading, labelled, numbered, lettered, bullet,
    examples (a marker), section (ignored) or text."""

    kind: str
    text: str
    indent: int = 0
    level: int = 0  # a heading's level; a number's depth (1 for `1.`, 2 for `1.1` or `1a`)
    code: str = ""
    label: str = ""  # a labelled line's word: "Strategy", "Goal", "Táctica", ...
    group_label: bool = False  # "Strategy 1" groups what follows; "Tactic 1.1" is an item

    @property
    def is_item(self) -> bool:
        return self.kind in ITEM_KINDS

    def looks_like_heading(self) -> bool:
        """A line that starts a new part of the plan, even among a list of next steps."""
        if self.kind in ("heading", "examples") or (self.kind == "labelled" and self.group_label):
            return True
        return self.kind == "numbered" and (self.level > 1 or is_all_caps(self.text))


def clean_text(text: str) -> str:
    """Undo mojibake and Markdown escapes; make every space a plain one and drop invisible
    characters. Bold markers are kept for the line reader."""
    text = MOJIBAKE.sub(_unmangle, text)
    text = INVISIBLE.sub("", WIDE_SPACES.sub(" ", text))
    return MARKDOWN_ESCAPE.sub(r"\1", text)


def read_lines(text: str) -> list[Line | None]:
    """Every line of `text`, classified; None for a blank line or a rule."""
    return [classify(raw) for raw in clean_text(text).splitlines()]


def classify(raw: str) -> Line | None:
    line = PAGE_NUMBER.sub("", raw.rstrip())
    if not line.strip() or RULE.match(line):
        return None
    indent = len(line) - len(line.lstrip())
    indent = len(line[:indent].expandtabs(4))
    if match := HASH_HEADING.match(line.strip()):
        return _heading(plain(match.group(2)), len(match.group(1)), indent)
    stripped = plain(line)
    if EXAMPLES.match(stripped):
        return Line("examples", stripped, indent)
    if SECTION.match(stripped):
        return Line("section", stripped, indent)
    if labelled := _labelled(stripped, indent):
        return labelled
    return _item(line, indent) or _weak_heading(line.strip(), indent)


def _heading(title: str, level: int, indent: int) -> Line | None:
    if not title:
        return None
    if EXAMPLES.match(title):
        return Line("examples", title, indent, level)
    if SECTION.match(title):
        return Line("section", title, indent, level)
    return _labelled(title, indent) or Line("heading", title, indent, level)


def _labelled(text: str, indent: int) -> Line | None:
    match = LABELLED.match(text)
    if not match:
        return None
    label, code, name = match.group("label", "code", "name")
    grouping = re.fullmatch(GROUP_LABELS, label, re.IGNORECASE) is not None
    return Line("labelled", plain(name), indent, _depth(code), code, label, grouping)


def _depth(code: str) -> int:
    """1 for `1`, 2 for `1.1`, `1a` or `1.a`, 3 for `1.1.1` or `1.1a`."""
    return code.count(".") + 1 + (1 if re.search(r"\d[a-z]$", code) else 0)


def _item(line: str, indent: int) -> Line | None:
    if match := COMPOUND.match(line) or SIMPLE.match(line):
        code = match.group(2)
        return Line("numbered", match.group(3).strip(), indent, _depth(code), code)
    if match := LETTERED.match(line):
        return Line("lettered", match.group(2).strip(), indent)
    if match := BULLET.match(line):
        glyph = next(mark for mark in match.groups()[1:5] if mark)
        text = match.group(6).strip()
        return Line("bullet", text, indent, DEEPER_BULLETS.get(glyph, 0)) if text else None
    return None


def _weak_heading(line: str, indent: int) -> Line:
    """`**Whole line bold**` or a short ALL-CAPS line reads as a heading in pasted documents."""
    if re.fullmatch(r"(\*\*|__)[^*_]+\1:?", line) or (len(line) <= 100 and is_all_caps(line)):
        return Line("heading", plain(line).rstrip(":"), indent, WEAK_HEADING_LEVEL)
    return Line("text", line, indent)


def is_all_caps(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    return len(letters) >= 3 and all(c.isupper() for c in letters)


def plain(text: str) -> str:
    """Text without bold markers, tabs or runs of spaces."""
    text = re.sub(r"(\*\*|__)", "", text)
    return re.sub(r"\s+", " ", text).strip(" \t*")


def split_name(text: str) -> tuple[str, str]:
    """`**Name -** description`, `Name<TAB>description`, `Name – description` or `Name: …`.
    Cells after a second tab join the description in brackets."""
    if match := BOLD_LEAD.match(text):
        name, rest = match.group(2), match.group(3)
        name = re.sub(r"\s*[-–—:]\s*$", "", name)
        return plain(name), plain(LEADING_SEPARATOR.sub("", rest))
    match = SEPARATORS.search(text)
    if match and 0 < match.start() <= 150:
        name, rest = text[: match.start()], text[match.end() :]
        return plain(name), cells_text(rest)
    return plain(text), ""


def cells_text(text: str) -> str:
    """A row of tab-separated cells as one line: `Task<TAB>Lead<TAB>When` → `Task (Lead; When)`."""
    cells = [plain(cell) for cell in text.split("\t") if plain(cell)]
    if len(cells) <= 1:
        return cells[0] if cells else ""
    return f"{cells[0]} ({'; '.join(cells[1:])})"


def is_header_row(text: str) -> bool:
    """A table's header row (`Task<TAB>Responsible Party<TAB>Timeline`): short cells only."""
    cells = [cell.strip() for cell in text.split("\t") if cell.strip()]
    short = all(len(cell.split()) <= 3 and not re.search(r"\d", cell) for cell in cells)
    return len(cells) >= 2 and short


def detail_of(text: str) -> tuple[str, str] | None:
    """`Objective: Expand access…` → ("Objective", "Expand access…"): a labelled fact."""
    match = DETAIL.match(text)
    if not match or len(match.group(1).split()) > 4:
        return None
    return match.group(1).strip(), cells_text(match.group(2))


# -- text that was UTF-8 once read as Windows-1252 -------------------------------------------


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
