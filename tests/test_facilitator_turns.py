"""Facilitators take turns and give way to phones: one facilitator's request or event at a
time, the one in its turn letting waiting work run between its steps, and a turn given back
while waiting for something slow."""

from __future__ import annotations

import threading

import pytest

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
    monkeypatch.setattr(facilitator_turns.socketio, "sleep", lambda seconds: turns.append(seconds))
    give_way()  # a phone's event, a background task: nothing to give way to
    assert turns == []
    takes_turn(give_way)()
    assert turns == [0]


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
