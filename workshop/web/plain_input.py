"""Every form field and query argument reaches the app as plain text (`workshop.text.plain`):
one place for all forms, WTForms' and our own, so none can store a NUL that PostgreSQL refuses
or a vertical tab that breaks the Excel download. A part of a path (a projector's token, an
agenda's id) holding a control character matches no page: a 404, where PostgreSQL refused the
lookup. Socket events are made plain where they are dispatched (`sockets.guarded`), imported
files where they are read.

A password is kept as typed: it is compared, never shown or stored as text.
"""

from __future__ import annotations

from flask import Request
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import UnicodeConverter

from workshop.text import plain

AS_TYPED = "password"  # a field whose name holds this keeps its characters


class PlainTextFields(ImmutableMultiDict):
    """Werkzeug's read-only fields, each text value made plain (files are left alone)."""

    def __init__(self, mapping=None):
        super().__init__(mapping)
        for key, values in dict.items(self):
            if AS_TYPED in str(key):
                continue
            dict.__setitem__(self, key, [plain(v) if isinstance(v, str) else v for v in values])


class PlainTextRequest(Request):
    parameter_storage_class = PlainTextFields


class PlainPathPart(UnicodeConverter):
    """`<name>` and `<string:name>` in routes: any characters but a slash or a control one."""

    def __init__(self, map, *args, **kwargs) -> None:
        super().__init__(map, *args, **kwargs)
        self.regex = self.regex.replace("[^/]", "[^/\\x00-\\x1f\\x7f]", 1)
