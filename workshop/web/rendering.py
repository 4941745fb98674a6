"""Rendering a big page without holding up every room on the server.

One server process answers every phone of every room from one thread (gevent): while it
renders a page, nothing else runs. A facilitator's board of a few hundred answers, the console
with its stream, a results or roll-up page take from 15 ms to over 100 ms to render, and on a
regional day the ballots of other rooms waited behind forty facilitators' pages
(`python -m bench rooms`). `render_page` renders the same template in pieces and lets the
phones' waiting events (a ballot, an answer) run first between them every few milliseconds
(`phones_first`): the page takes as long as before, a phone no longer waits for all of it.
"""

from __future__ import annotations

import time

from flask import stream_template

from workshop.web.phones_first import after_phones

SLICE = 0.005  # seconds of rendering before waiting work gets its turn


def render_page(template_name: str, **context) -> str:
    """`render_template`, letting other work run every `SLICE` seconds of rendering."""
    pieces: list[str] = []
    began = time.perf_counter()
    for piece in stream_template(template_name, **context):
        pieces.append(piece)
        if time.perf_counter() - began > SLICE:
            after_phones()
            began = time.perf_counter()
    return "".join(pieces)
