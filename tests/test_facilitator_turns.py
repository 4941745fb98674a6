"""Facilitators take turns and give way to phones: one facilitator's request or event at a
time, the one in its turn letting waiting work run between its steps, and a turn given back
while waiting for something slow."""

from __future__ import annotations

import threading
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from workshop.extensions import db
from workshop.web import facilitator_turns
from workshop.web.facilitator_turns import give_way, takes_turn, turn_given_back


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield app


def in_thread(app, work) -> threading.Thread:
    def run():
        with app.app_context():
            work()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def test_one_facilitator_at_a_time(ctx):
    """A second facilitator's click waits until the first one's is done, then runs."""
    first_in, let_first_go, order = threading.Event(), threading.Event(), []

    @takes_turn
    def first():
        first_in.set()
        let_first_go.wait(5)
        order.append("first done")

    @takes_turn
    def second():
        order.append("second ran")

    one = in_thread(ctx, first)
    assert first_in.wait(5)
    two = in_thread(ctx, second)
    two.join(0.3)
    assert two.is_alive() and order == [], "the second ran during the first one's turn"
    let_first_go.set()
    one.join(5)
    two.join(5)
    assert order == ["first done", "second ran"]


def test_giving_way_happens_only_in_a_turn(ctx, monkeypatch):
    turns = []
    monkeypatch.setattr(facilitator_turns, "after_phones", lambda: turns.append("phones first"))
    give_way()  # a phone's event, a background task: nothing to give way to
    assert turns == []
    takes_turn(give_way)()  # the phones' waiting events as the turn begins, and where it gives way
    assert turns == ["phones first", "phones first"]


def test_a_facilitator_gone_while_phones_go_first_gives_the_turn_back(ctx, monkeypatch):
    """Its connection closed while it let the phones' events go first (the greenlet is
    killed there): the next facilitator still gets a turn instead of waiting for good."""

    def killed():
        raise SystemExit("the facilitator's connection closed")

    monkeypatch.setattr(facilitator_turns, "after_phones", killed)
    with pytest.raises(SystemExit):
        takes_turn(lambda: None)()
    monkeypatch.setattr(facilitator_turns, "after_phones", lambda: None)
    ran = threading.Event()
    next_one = in_thread(ctx, takes_turn(ran.set))
    next_one.join(5)
    assert ran.is_set(), "the turn was never given back"


def test_a_handler_inside_another_shares_its_turn(ctx):
    inner = takes_turn(lambda: "inner ran")
    assert takes_turn(inner)() == "inner ran"  # it would wait for itself otherwise


def test_waiting_for_something_slow_lets_another_facilitator_go(ctx):
    waiting, ran_meanwhile, done = threading.Event(), threading.Event(), threading.Event()

    @takes_turn
    def slow_page():
        with turn_given_back():
            waiting.set()
            assert ran_meanwhile.wait(5), "nobody could take a turn while this one waited"
        done.set()

    @takes_turn
    def click():
        ran_meanwhile.set()

    page = in_thread(ctx, slow_page)
    assert waiting.wait(5)
    in_thread(ctx, click).join(5)
    page.join(5)
    assert done.is_set()


def wait_for_waiters(turn: facilitator_turns.Turn, count: int) -> None:
    for _ in range(500):
        if len(turn._waiting) >= count:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"{count} facilitators never started waiting for a turn")


def test_turns_go_in_the_order_they_were_asked_for():
    """A facilitator coming straight back for another turn waits behind the one already
    waiting (a semaphore lets it through first, again and again while it keeps coming
    back)."""
    turn, order = facilitator_turns.Turn(), []

    def console_connecting():
        with turn:
            order.append("console")

    turn.acquire()
    waiter = threading.Thread(target=console_connecting, daemon=True)
    waiter.start()
    wait_for_waiters(turn, 1)
    turn.release()
    with turn:  # the same board asking again at once
        order.append("board again")
    waiter.join(5)
    assert order == ["console", "board again"]


def test_a_facilitator_waiting_for_a_turn_holds_no_database_connection(ctx):
    """Each request has read something before it waits (the signed-in user): with more
    facilitators waiting than the pool has connections, the one whose turn it was could get
    none, and phones with it (30 s, then errors)."""
    turn, answers = facilitator_turns._turn(), []

    def click():
        db.session.execute(select(1))  # the signed-in user, say
        answers.append(takes_turn(lambda: db.session.execute(select(1)).scalar())())

    turn.acquire()
    waiting = [in_thread(ctx, click) for _ in range(3)]
    wait_for_waiters(turn, 3)
    assert db.engine.pool.checkedout() == 0
    turn.release()
    for thread in waiting:
        thread.join(5)
    assert answers == [1, 1, 1]


class Gone(Exception):
    """What a waiting handler meets when its connection is closed (gevent kills it)."""


@pytest.mark.parametrize("handed_over_first", [False, True], ids=["before", "after"])
def test_a_waiter_that_is_gone_does_not_keep_the_turn(monkeypatch, handed_over_first):
    """Gone before its turn came: it leaves the line. Gone just as its turn was handed over:
    it passes the turn on. Either way the next facilitator gets a turn."""

    class Waiting(threading.Event):
        def wait(self, timeout=None):
            if handed_over_first:
                super().wait(timeout)
            raise Gone

    turn, outcomes = facilitator_turns.Turn(), []

    def waiter_gone():
        try:
            turn.acquire()
        except Gone:
            outcomes.append("gone")

    monkeypatch.setattr(facilitator_turns, "threading", _with_event(Waiting))
    turn.acquire()
    gone = threading.Thread(target=waiter_gone, daemon=True)
    gone.start()
    if not handed_over_first:
        gone.join(5)
        assert not turn._waiting, "a handler that is gone is still in the line"
    else:
        wait_for_waiters(turn, 1)
    monkeypatch.undo()
    turn.release()
    gone.join(5)
    assert outcomes == ["gone"]
    after = threading.Thread(target=lambda: turn.acquire() or turn.release(), daemon=True)
    after.start()
    after.join(5)
    assert not after.is_alive(), "the turn was lost"


def _with_event(event_class) -> SimpleNamespace:
    return SimpleNamespace(Lock=threading.Lock, Event=event_class)
