"""A form post over the size limit (`MAX_CONTENT_LENGTH`), read anyway so that the page can
be shown again with everything that fits.

Werkzeug refuses such a body before reading any of it (a `413` raised where the form is
first read: the CSRF check, before any view). For the agenda editor, where a pasted plan can
be that large, the error handler reads the body itself, up to a few times the limit, drops
the largest fields until the rest fits, and gives back the rest with what was dropped, so
the editor can say which field was too large and keep everything else that was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import unquote_plus

from werkzeug.datastructures import MultiDict

URLENCODED = "application/x-www-form-urlencoded"
READ_AT_MOST = 4  # times the limit: beyond that the body is not read at all


@dataclass(frozen=True)
class Oversized:
    """What was sent: the fields kept, those dropped with their size in bytes, and in all."""

    kept: MultiDict
    dropped: tuple[tuple[str, int], ...]
    total: int


def read_oversized(request, limit: int) -> Oversized | None:
    """The form of a post over `limit`, without its largest fields; None when it cannot be
    read (not a plain form post, sent without a length, or far too large to read)."""
    length = request.content_length
    if request.mimetype != URLENCODED or length is None or length > READ_AT_MOST * limit:
        return None
    body = _read(request.environ["wsgi.input"], length)
    if body is None:
        return None
    fields = [part.partition(b"=") for part in body.split(b"&") if part]
    sizes = sorted(((len(part[2]), index) for index, part in enumerate(fields)), reverse=True)
    dropped: set[int] = set()
    total = len(body)
    for size, index in sizes:
        if total <= limit:
            break
        dropped.add(index)
        total -= size
    kept = MultiDict(
        (_text(name), _text(value))
        for index, (name, _, value) in enumerate(fields)
        if index not in dropped
    )
    gone = tuple((_text(fields[i][0]), len(fields[i][2])) for i in sorted(dropped))
    return Oversized(kept, gone, len(body))


def _read(stream, length: int) -> bytes | None:
    chunks, left = [], length
    while left > 0:
        chunk = stream.read(min(left, 64 * 1024))
        if not chunk:
            return None  # the client stopped sending: nothing trustworthy to show
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _text(raw: bytes) -> str:
    return unquote_plus(raw.decode("latin-1"), encoding="utf-8", errors="replace")


def size_text(size: int) -> str:
    """A size as people say it: 800 KB, 1.5 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024))} KB"
    megabytes = size / (1024 * 1024)
    return f"{megabytes:.1f} MB".replace(".0 MB", " MB")
