"""Facilitators' work gives way to phones.

One server process serves every room from one thread (gevent). A facilitator's click or page
runs without a break: opening a vote 40-70 ms (its payloads, the ballot rendered in each
language), a timer control about 30 ms, the console or a board refresh 15-60 ms. On a regional
day forty facilitators' clicks came in bunches while other rooms were voting, and a ballot
waited behind several of them (`python -m bench rooms`). So facilitators take turns: one
facilitator request or socket event at a time in a process (`takes_turn`), and the one whose
turn it is lets waiting phone work go ahead between its steps (`give_way`). Phones never wait
for a turn; a facilitator waits for the others' clicks, a few milliseconds each.

Taking turns also keeps a session's broadcasts in the order of its changes although they give
way in between: no other facilitator's change can be sent meanwhile. Waiting for something
slow (the suggestion worker) is done with the turn given back (`turn_given_back`).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from flask import current_app

from workshop.extensions import socketio

_holding: ContextVar[bool] = ContextVar("holding_a_facilitator_turn", default=False)


def _turn() -> threading.Semaphore:
    """One per app, made on first use: after `workshop.serve` has let gevent patch
    `threading`, so waiting for it lets other work run."""
    turn = current_app.extensions.get("facilitator_turn")
    if turn is None:
        turn = current_app.extensions.setdefault("facilitator_turn", threading.Semaphore(1))
    return turn


def takes_turn(handler):
    """Run `handler` (a facilitator's view or socket event) in a turn of its own."""

    @wraps(handler)
    def wrapper(*args, **kwargs):
        if _holding.get():  # already in one (a handler calling another)
            return handler(*args, **kwargs)
        turn = _turn()
        with turn:
            token = _holding.set(True)
            try:
                return handler(*args, **kwargs)
            finally:
                _holding.reset(token)

    return wrapper


def give_way() -> None:
    """In a facilitator's turn, let waiting phone work run now; elsewhere, nothing."""
    if _holding.get():
        socketio.sleep(0)


@contextmanager
def turn_given_back() -> Iterator[None]:
    """Wait for something slow without holding up the other facilitators."""
    if not _holding.get():
        yield
        return
    turn = _turn()
    turn.release()
    _holding.set(False)
    try:
        yield
    finally:
        turn.acquire()
        _holding.set(True)
