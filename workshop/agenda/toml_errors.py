"""What the TOML parser says is wrong with a file, as a `Message` a reader gets in their own
language: where (line and column) and what. Python's parser says it in English, e.g.
"Invalid value (at line 3, column 9)"; the complaints Python 3.11 makes are worded here
again, with a hint where the usual cause is known. A complaint not listed (another Python's
wording) keeps the parser's own words."""

from __future__ import annotations

import ast
import re

from workshop.messages import N_, Message

WHERE = re.compile(
    r"^(?P<what>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)$",
    re.DOTALL,
)

# (the parser's words, as a pattern; ours, with its named parts as parameters)
WORDED = [
    (r"Invalid value", N_('the value is not valid (text needs quotes: "like this")')),
    (r"Expected '=' after a key in a key/value pair", N_("a name is not followed by =")),
    (
        r"Expected newline or end of document after a statement",
        N_("more follows a value on its line"),
    ),
    (r"Expected '\]' at the end of a table declaration", N_("a [heading] is not closed with ]")),
    (
        r"Expected '\]\]' at the end of an array declaration",
        N_("a [[heading]] is not closed with ]]"),
    ),
    (r"Invalid statement", N_("the line is neither name = value nor a [heading]")),
    (
        r"Invalid initial character for a key part",
        N_("a name starts with a character names cannot start with"),
    ),
    (r"Cannot overwrite a value", N_("a value is given twice")),
    (r"Cannot declare (?P<key>.+) twice", N_("{key} is given twice")),
    (r"Cannot redefine namespace (?P<key>.+)", N_("{key} is given twice")),
    (
        r"Cannot mutate immutable namespace (?P<key>.+)",
        N_("{key} was given whole before and cannot be added to"),
    ),
    (r"Duplicate inline table key (?P<key>.+)", N_("{key} is given twice")),
    (r"Unterminated string", N_("a text is not closed with its quote")),
    (r"Unclosed array", N_("a list is not closed with ]")),
    (r"Unclosed inline table", N_("a table written on one line is not closed")),
    (
        r"Unescaped '\\' in a string",
        N_("a backslash in a text starts no known escape (write \\\\ for one)"),
    ),
    (r"Invalid hex value", N_("an escape such as \\u00e9 has a wrong hexadecimal number")),
    (
        r"Escaped character is not a Unicode scalar value",
        N_("an escape names no Unicode character"),
    ),
    (r"Invalid date or datetime", N_("a date or time is not valid")),
    (r"Illegal character (?P<char>.+)", N_("the character {char} is not allowed there")),
    (r"Found invalid character (?P<char>.+)", N_("the character {char} is not allowed there")),
    (r"Expected (?P<char>.+)", N_("{char} was expected there")),
]
COMPLAINTS = [(re.compile(f"^{pattern}$", re.DOTALL), words) for pattern, words in WORDED]


def toml_problem(said: str) -> Message:
    """What the parser `said` (`str` of its TOMLDecodeError) as one Message: where, then what."""
    where = WHERE.match(said)
    if where is None:
        return Message(N_("not valid TOML: {error}"), error=said)
    what = _complaint(where["what"])
    if where["line"] is None:
        return Message(N_("not valid TOML at the end of the file: {problem}"), problem=what)
    message = N_("not valid TOML at line {line}, column {column}: {problem}")
    return Message(message, line=int(where["line"]), column=int(where["column"]), problem=what)


def _complaint(text: str) -> str:
    for pattern, words in COMPLAINTS:
        found = pattern.match(text)
        if found:
            return Message(
                words, **{name: _name(value) for name, value in found.groupdict().items()}
            )
    return text


def _name(text: str) -> str:
    """A key as the file writes it: ('segments', 'x') → segments.x; a character as quoted."""
    try:
        value = ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
    if isinstance(value, tuple) and all(isinstance(part, str) for part in value):
        return ".".join(value)
    return repr(value) if isinstance(value, str) else text
