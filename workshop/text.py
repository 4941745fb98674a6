"""Text as people meant it: what arrives from a form, a socket event or an imported file is
made plain before anything reads it.

Pasted text carries characters nobody sees: PowerPoint separates the lines of a text box with a
vertical tab, Word a page with a form feed, and a phone keyboard or a hand-edited file may add
other control characters. They break what comes after: PostgreSQL refuses a NUL in text, and an
Excel download refuses every C0 control but tab and line feed (a participant's pasted answer
made the facilitator's spreadsheet fail). So every line break becomes a line feed, and the
other control characters, lone surrogates and the two non-characters XML refuses are dropped.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

LINE_BREAK = re.compile("\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
UNSEEN = re.compile("[\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# Either of the two: most text has neither, and one search says so.
NOT_PLAIN = re.compile(
    "[\r\x0b\x0c\x85\u2028\u2029\x00-\x08\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]"
)


def plain(text: str) -> str:
    """`text` with line feeds for line breaks and without characters nobody typed to be seen."""
    if NOT_PLAIN.search(text) is None:
        return text
    return UNSEEN.sub("", LINE_BREAK.sub("\n", text))


def plain_data(value: Any) -> Any:
    """Every text in a decoded JSON value made plain, keys included."""
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, dict):
        return {plain_data(key): plain_data(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain_data(item) for item in value]
    return value


def ascii_folded(text: str) -> str:
    """`text` in ASCII, accents folded ("Comité otoño" -> "Comite otono"), for ids and file
    names; what has no ASCII form is dropped."""
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
