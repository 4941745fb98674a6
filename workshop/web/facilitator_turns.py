"""Facilitators' work gives way to phones.

One server process serves every room from one thread (gevent). A facilitator's click or page
runs without a break: opening a vote 40-70 ms (its payloads, the ballot rendered in each
language), a timer control about 30 ms, the console or a board refresh 15-60 ms. On a regional
day forty facilitators' clicks came in bunches while other rooms were voting, and a ballot
waited behind several of them (`python -m bench rooms`). So facilitators take turns: one
facilitator request or socket event at a time in a process (`takes_turn`), and the one whose
turn it is lets the phones' waiting events go first as the turn begins and between its steps
(`give_way`, `phones_first`). Phones never wait for a turn; a facilitator waits for the others'
clicks, a few milliseconds each.

Turns go in the order they were asked for (`Turn`): a facilitator coming back for another
turn waits behind those already waiting. Taking turns also keeps a session's broadcasts in the
order of its changes although they give way in between: no other facilitator's change can be
sent meanwhile. Waiting for something slow (the suggestion worker) is done with the turn given
back (`turn_given_back`).
"""

from __future__ import annotations

import threading
from collections import deque
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from functools import wraps

from flask import current_app

from workshop.extensions import db
from workshop.web.phones_first import after_phones

_holding: ContextVar[bool] = ContextVar("holding_a_facilitator_turn", default=False)


class Turn:
    """One holder at a time, handed on in the order asked for. A semaphore will not do: under
    gevent a released semaphore goes to whoever asks next before a waiter wakes up, so a
    facilitator's page coming back for turn after turn could go ahead of one already waiting
    (forty rooms' boards and consoles, `python -m bench rooms --think 0`), for as long as it
    kept coming back."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._held = False
        self._waiting: deque[threading.Event] = deque()

    def acquire(self) -> None:
        with self._lock:
            if not self._held:
                self._held = True
                return
            handed_over = threading.Event()
            self._waiting.append(handed_over)
        try:
            handed_over.wait()
        except BaseException:  # the waiter is gone (its connection closed)
            if not self._withdraw(handed_over):
                self.release()  # the turn was handed over meanwhile: pass it on
            raise

    def _withdraw(self, waiter: threading.Event) -> bool:
        with self._lock:
            if waiter in self._waiting:
                self._waiting.remove(waiter)
                return True
            return False

    def release(self) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()  # still held: it is the next one's now
            else:
                self._held = False

    def __enter__(self) -> Turn:
        self.acquire()
        return self

    def __exit__(self, *exc_info) -> None:
        self.release()


def _turn() -> Turn:
    """One per app, made on first use: after `workshop.serve` has let gevent patch
    `threading`, so waiting for it lets other work run."""
    turn = current_app.extensions.get("facilitator_turn")
    if turn is None:
        turn = current_app.extensions.setdefault("facilitator_turn", Turn())
    return turn


def takes_turn(handler):
    """Run `handler` (a facilitator's view or socket event) in a turn of its own."""

    @wraps(handler)
    def wrapper(*args, **kwargs):
        if _holding.get():  # already in one (a handler calling another)
            return handler(*args, **kwargs)
        turn = _turn()
        _let_go_of_the_database()
        turn.acquire()
        token = _holding.set(True)
        try:
            # Inside the try: a facilitator gone while it waits here still gives the turn back.
            after_phones()  # the click waited for its turn; phones that sent meanwhile go first
            return handler(*args, **kwargs)
        finally:
            if _holding.get():  # not if it was lost while given back (`turn_given_back`)
                turn.release()
            _holding.reset(token)

    return wrapper


def _let_go_of_the_database() -> None:
    """End the session's transaction (so far only reads: the signed-in user, the session
    asked for) before waiting, so that its connection goes back to the pool. Facilitators
    waiting for a turn while each held a connection took all fifteen of the pool's: the one
    whose turn it was, and the phones, then waited 30 s for one and failed (`python -m bench
    rooms --think 0`). What was read is read again when next used."""
    session = db.session()
    if session.in_transaction():
        session.commit()


def give_way() -> None:
    """In a facilitator's turn, let waiting phone work run first; elsewhere, nothing."""
    if _holding.get():
        after_phones()


@contextmanager
def turn_given_back() -> Iterator[None]:
    """Wait for something slow without holding up the other facilitators."""
    if not _holding.get():
        yield
        return
    turn = _turn()
    _let_go_of_the_database()
    _holding.set(False)
    turn.release()
    try:
        yield
    finally:
        turn.acquire()
        _holding.set(True)
