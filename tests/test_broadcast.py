"""Coalesced broadcasts on a busy server: the interval grows with the number of sessions
broadcasting at once (a regional day: forty rooms voting on one server), never past half a
second, so each room's projector still holds its complete tally within a second."""

from __future__ import annotations

import pytest
from room import VOTE, open_room

from workshop.extensions import db, socketio
from workshop.models import Workshop
from workshop.web import broadcast, payloads
from workshop.web.payloads import FACILITATORS, SCREENS


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


def test_a_recount_waits_for_the_phones_events_that_have_arrived(app, monkeypatch):
    """A flush (a room's tally, its counts) is work no phone waits on: after its interval it
    lets the ballots and answers already arrived be served first (`phones_first`)."""
    steps: list[str] = []
    monkeypatch.setattr(socketio, "sleep", lambda seconds: steps.append(f"slept {seconds}"))
    monkeypatch.setattr(broadcast, "after_phones", lambda: steps.append("phones first"))
    broadcast._flush(app, ("tally", 7), lambda workshop_id: steps.append("recounted"), 0.5)
    assert steps == ["slept 0.5", "phones first", "recounted"]


@pytest.mark.parametrize("hide_tally", [False, True])
def test_a_vote_read_once_for_every_audience_is_what_each_would_read_alone(tmp_path, hide_tally):
    """Opening, closing or hiding a vote sends it to phones, facilitators and screens from one
    read of the round and its tally: each gets what it would have read on its own (phones and
    screens no hidden rows, facilitators every row)."""
    with open_room(tmp_path) as room:
        host = room.facilitator()
        session = host.start()
        phones = [room.phone(session) for _ in range(3)]
        host.go_to(session, VOTE)
        for title in ("Networking", "Childcare", "Transit"):
            host.board(session, "create", new_title=title)
        host.vote(session, "open", source="themes")
        round_id = room.rounds(session)[0]["id"]
        if hide_tally:
            host.vote(session, "hide_tally", round_id=round_id, hidden="1")
        candidates = list(room.rounds(session)[0]["candidates"].values())
        for phone, first in zip(phones, (0, 1, 0), strict=True):
            phone.ballot(round_id, candidates[first], candidates[2], candidates[1 - first])
        with room.app.app_context():
            workshop = db.session.get(Workshop, session.id)
            together = payloads.vote_payloads(workshop, broadcast.NAMESPACES)
            alone = {a: payloads.vote_payload(workshop, a) for a in broadcast.NAMESPACES}
    assert together == alone
    assert together[FACILITATORS]["tally"]["ballots"] == 3
    # 3, 2, 1 points a ballot: Networking 3+1+3, Transit 2+2+2, Childcare 1+3+1
    assert [row["points"] for row in together[FACILITATORS]["tally"]["rows"]] == [7, 6, 5]
    assert ("rows" in together[SCREENS]["tally"]) is not hide_tally
