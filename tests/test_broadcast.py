"""Coalesced broadcasts on a busy server: the interval grows with the number of sessions
broadcasting at once (a regional day: forty rooms voting on one server), never past half a
second, so each room's projector still holds its complete tally within a second."""

from __future__ import annotations

import pytest

from workshop.extensions import socketio
from workshop.web import broadcast


@pytest.mark.parametrize(
    ("configured", "busy", "interval"),
    [
        (0.25, 1, 0.25),  # one room: as configured
        (0.25, 10, 0.25),  # up to ten rooms at once: as configured
        (0.25, 16, 0.4),  # then in proportion
        (0.25, 40, 0.5),  # forty: half a second
        (0.25, 400, 0.5),  # never longer than that
        (1.0, 40, 1.0),  # a longer interval configured stays as it is
    ],
)
def test_the_interval_grows_with_the_sessions_broadcasting_at_once(configured, busy, interval):
    assert broadcast._stretched(configured, busy) == pytest.approx(interval)


def test_each_session_waits_as_long_as_the_sessions_already_waiting_say(app, monkeypatch):
    """The twentieth session with a tally waiting is flushed after 0.5 s, the first ones
    after 0.25 s; a session already waiting schedules nothing more."""
    scheduled: list[tuple[tuple[str, int], float]] = []
    monkeypatch.setattr(
        socketio,
        "start_background_task",
        lambda _flush, _app, key, _emitter, interval: scheduled.append((key, interval)),
    )
    monkeypatch.setattr(broadcast, "_pending", set())
    with app.app_context():
        for workshop_id in range(1, 21):
            broadcast.coalesce("tally", workshop_id, lambda _id: None)
        broadcast.coalesce("tally", 3, lambda _id: None)
    assert len(scheduled) == 20
    intervals = dict(scheduled)
    assert intervals[("tally", 1)] == pytest.approx(0.25)
    assert intervals[("tally", 10)] == pytest.approx(0.25)
    assert intervals[("tally", 16)] == pytest.approx(0.4)
    assert intervals[("tally", 20)] == pytest.approx(0.5)
