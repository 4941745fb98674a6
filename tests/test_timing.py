"""The agenda timer as pure data: every control takes an explicit `now`, no database, no clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from workshop.agenda.parse import parse_agenda
from workshop.live import timing
from workshop.live.timing import ON_TIME, OVER_PLANNED, OVERTIME, TimerError
from workshop.models import Workshop

T0 = datetime(2024, 9, 12, 9, 0, tzinfo=UTC)
AGENDA = parse_agenda(
    {
        "id": "timing",
        "title": "Timing test",
        "segments": [
            {"id": "welcome", "kind": "overview", "title": "Welcome", "minutes": 5},
            {
                "id": "retro",
                "kind": "prompts",
                "title": "Look back",
                "minutes": [10, 15],
                "prompts": [{"id": "went_well", "question": "What went well?"}],
            },
            {"id": "close", "kind": "break", "title": "Close", "minutes": 2, "auto_advance": True},
        ],
    }
)
WELCOME, RETRO, CLOSE = 0, 1, 2


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def lobby() -> Workshop:
    return Workshop(
        id=1,
        segment_index=-1,
        timer_running=False,
        ends_at=None,
        remaining_seconds=None,
        extra_seconds=0,
        ended_at=None,
    )


def control(workshop: Workshop, action: str, now: datetime, seconds: float = 0):
    return timing.apply_control(workshop, AGENDA, action, now, seconds=seconds)


def running_retro(started: datetime = T0) -> Workshop:
    """A session whose 10–15 minute retrospective segment started at `started`."""
    workshop = lobby()
    control(workshop, "start", started)
    control(workshop, "next", started)
    return workshop


def paused_retro(after: float) -> Workshop:
    workshop = running_retro()
    control(workshop, "pause", at(after))
    return workshop


# -- start, pause, resume, extend -------------------------------------------------------------


def test_a_new_session_waits_in_the_lobby_without_a_timer():
    view = timing.view(lobby(), AGENDA, T0)
    assert view.status == "lobby"
    assert view.remaining_seconds is None and view.ends_at is None
    assert timing.current_segment(lobby(), AGENDA) is None


def test_start_runs_the_first_segment_until_its_planned_end():
    workshop = lobby()
    runs = control(workshop, "start", T0)
    assert workshop.segment_index == WELCOME
    assert workshop.timer_running is True
    assert workshop.ends_at == T0 + timedelta(minutes=5)
    view = timing.view(workshop, AGENDA, at(60))
    assert (view.status, view.remaining_seconds, view.ends_at) == ("running", 240, at(300))
    assert [(run.segment_index, run.started_at) for run in runs] == [(WELCOME, T0)]


def test_pause_keeps_the_time_left():
    workshop = running_retro()
    runs = control(workshop, "pause", at(130))
    assert runs == []
    assert workshop.timer_running is False and workshop.ends_at is None
    assert workshop.remaining_seconds == 470
    view = timing.view(workshop, AGENDA, at(5000))  # time passing while paused changes nothing
    assert (view.status, view.remaining_seconds, view.ends_at) == ("paused", 470, None)


def test_resume_counts_down_again_from_the_time_left():
    workshop = paused_retro(after=130)
    control(workshop, "resume", at(1000))
    assert workshop.timer_running is True
    assert workshop.ends_at == at(1000 + 470)
    assert workshop.remaining_seconds is None
    assert timing.view(workshop, AGENDA, at(1070)).remaining_seconds == 400


def test_resume_after_pausing_past_the_planned_time_stays_past_it():
    workshop = paused_retro(after=700)
    assert workshop.remaining_seconds == -100
    control(workshop, "resume", at(2000))
    assert workshop.ends_at == at(1900)
    assert timing.view(workshop, AGENDA, at(2000)).phase == OVER_PLANNED


@pytest.mark.parametrize("seconds", [60, 300])
def test_extend_while_running_moves_the_planned_end(seconds):
    workshop = running_retro()
    control(workshop, "extend", at(100), seconds=seconds)
    assert workshop.ends_at == at(600 + seconds)
    assert workshop.extra_seconds == seconds
    assert timing.view(workshop, AGENDA, at(100)).remaining_seconds == 500 + seconds


@pytest.mark.parametrize("seconds", [60, 300])
def test_extend_while_paused_adds_to_the_time_left(seconds):
    workshop = paused_retro(after=100)
    control(workshop, "extend", at(200), seconds=seconds)
    assert workshop.timer_running is False and workshop.ends_at is None
    assert workshop.remaining_seconds == 500 + seconds
    control(workshop, "resume", at(300))
    assert workshop.ends_at == at(300 + 500 + seconds)


def test_extensions_add_up():
    workshop = running_retro()
    control(workshop, "extend", at(10), seconds=60)
    control(workshop, "extend", at(20), seconds=300)
    assert workshop.ends_at == at(600 + 360)
    assert workshop.extra_seconds == 360


# -- moving through the agenda ----------------------------------------------------------------


def test_next_starts_the_following_segment_with_its_own_planned_time():
    workshop = lobby()
    control(workshop, "start", T0)
    control(workshop, "extend", at(10), seconds=60)
    runs = control(workshop, "next", at(200))
    assert workshop.segment_index == RETRO
    assert workshop.ends_at == at(200 + 600)
    assert workshop.extra_seconds == 0  # an extension belongs to the segment it was given to
    assert [(run.segment_index, run.started_at) for run in runs] == [(RETRO, at(200))]


def test_next_from_a_paused_segment_runs_the_next_one():
    workshop = lobby()
    control(workshop, "start", T0)
    control(workshop, "pause", at(30))
    control(workshop, "next", at(90))
    assert (workshop.segment_index, workshop.timer_running) == (RETRO, True)
    assert workshop.ends_at == at(90 + 600) and workshop.remaining_seconds is None


def test_previous_goes_back_one_segment_with_a_fresh_timer():
    workshop = running_retro()
    runs = control(workshop, "previous", at(400))
    assert workshop.segment_index == WELCOME
    assert workshop.ends_at == at(400 + 300)
    assert [run.segment_index for run in runs] == [WELCOME]


def test_previous_from_the_first_segment_stays_on_the_first():
    workshop = lobby()
    control(workshop, "start", T0)
    with pytest.raises(TimerError, match="first segment"):
        control(workshop, "previous", at(30))
    assert workshop.segment_index == WELCOME
    assert workshop.ends_at == at(300)  # its timer runs on undisturbed
    assert timing.view(workshop, AGENDA, at(30)).status == "running"


def test_next_past_the_last_segment_is_refused_and_changes_nothing():
    workshop = lobby()
    control(workshop, "start", T0)
    control(workshop, "next", at(10))
    control(workshop, "next", at(20))
    with pytest.raises(TimerError, match="last segment"):
        control(workshop, "next", at(30))
    assert workshop.segment_index == CLOSE
    assert workshop.ends_at == at(20 + 120)


def test_end_stops_the_timer():
    workshop = running_retro()
    runs = control(workshop, "end", at(100))
    assert runs == []
    assert workshop.ended_at == at(100)
    assert workshop.timer_running is False and workshop.ends_at is None
    view = timing.view(workshop, AGENDA, at(200))
    assert (view.status, view.remaining_seconds, view.ends_at) == ("ended", None, None)


def test_end_of_a_running_segment_records_the_time_it_had_left():
    workshop = running_retro()
    control(workshop, "end", at(100))
    assert workshop.remaining_seconds == 500


def test_end_of_a_paused_segment_records_the_time_it_had_left():
    workshop = paused_retro(after=100)
    control(workshop, "end", at(300))
    assert workshop.remaining_seconds == 500


def test_a_session_can_end_from_the_lobby():
    workshop = lobby()
    control(workshop, "end", T0)
    assert timing.view(workshop, AGENDA, T0).status == "ended"
    assert workshop.remaining_seconds is None


# -- phases: on time, past the planned time, overtime ----------------------------------------


@pytest.mark.parametrize(
    ("elapsed", "phase"),
    [(0, ON_TIME), (599, ON_TIME), (601, OVER_PLANNED), (899, OVER_PLANNED), (901, OVERTIME)],
)
def test_phase_of_a_ten_to_fifteen_minute_segment(elapsed, phase):
    view = timing.view(running_retro(), AGENDA, at(elapsed))
    assert view.grace_seconds == 300
    assert view.remaining_seconds == 600 - elapsed
    assert view.phase == phase


@pytest.mark.parametrize(
    ("paused_after", "phase"), [(300, ON_TIME), (700, OVER_PLANNED), (1000, OVERTIME)]
)
def test_a_paused_timer_keeps_its_phase(paused_after, phase):
    assert timing.view(paused_retro(paused_after), AGENDA, at(9999)).phase == phase


def test_a_fixed_length_segment_is_overtime_as_soon_as_its_time_is_up():
    workshop = lobby()
    control(workshop, "start", T0)
    view = timing.view(workshop, AGENDA, at(301))
    assert view.grace_seconds == 0
    assert view.phase == OVERTIME


def test_an_extension_brings_an_overtime_segment_back_on_time():
    workshop = running_retro()
    assert timing.view(workshop, AGENDA, at(950)).phase == OVERTIME
    control(workshop, "extend", at(950), seconds=600)
    assert timing.view(workshop, AGENDA, at(950)).phase == ON_TIME


# -- controls that do not fit the state -------------------------------------------------------


def test_pause_while_paused_is_refused():
    workshop = paused_retro(after=100)
    with pytest.raises(TimerError, match="not running"):
        control(workshop, "pause", at(200))
    assert workshop.remaining_seconds == 500


def test_resume_while_running_is_refused():
    workshop = running_retro()
    with pytest.raises(TimerError, match="not paused"):
        control(workshop, "resume", at(100))
    assert workshop.ends_at == at(600)


def test_start_twice_is_refused():
    workshop = running_retro()
    with pytest.raises(TimerError, match="already started"):
        control(workshop, "start", at(100))
    assert (workshop.segment_index, workshop.ends_at) == (RETRO, at(600))


@pytest.mark.parametrize("action", ["pause", "resume", "extend", "next", "previous"])
def test_controls_other_than_start_are_refused_in_the_lobby(action):
    workshop = lobby()
    with pytest.raises(TimerError):
        control(workshop, action, T0, seconds=60)
    assert (workshop.segment_index, workshop.timer_running) == (-1, False)


@pytest.mark.parametrize("action", [a for a in timing.CONTROL_ACTIONS if a != "reopen"])
def test_every_control_after_the_end_is_refused(action):
    workshop = running_retro()
    control(workshop, "end", at(100))
    with pytest.raises(TimerError, match="ended"):
        control(workshop, action, at(200), seconds=60)
    assert (workshop.segment_index, workshop.ended_at) == (RETRO, at(100))


@pytest.mark.parametrize("action", ["", "skip", "NEXT", "extend-60", "reset"])
def test_unknown_control_is_refused(action):
    workshop = running_retro()
    with pytest.raises(TimerError, match="unknown control"):
        control(workshop, action, at(100))
    assert (workshop.segment_index, workshop.ends_at) == (RETRO, at(600))


@pytest.mark.parametrize("seconds", [0, -60, 3601, float("nan"), float("inf")])
def test_extend_out_of_range_is_refused(seconds):
    workshop = running_retro()
    with pytest.raises(TimerError, match="between 1 second and 60 minutes"):
        control(workshop, "extend", at(100), seconds=seconds)
    assert (workshop.ends_at, workshop.extra_seconds) == (at(600), 0)


def test_extend_by_a_whole_hour_is_allowed():
    workshop = running_retro()
    control(workshop, "extend", at(100), seconds=3600)
    assert workshop.ends_at == at(600 + 3600)


def test_a_segment_cannot_be_extended_past_eight_hours_in_all():
    workshop = running_retro()
    for _ in range(8):
        control(workshop, "extend", at(100), seconds=3600)
    with pytest.raises(TimerError, match="as far as it can"):
        control(workshop, "extend", at(100), seconds=1)
    assert workshop.extra_seconds == timing.MAX_EXTRA_SECONDS


# -- which controls make sense: one rule for the console's buttons and the server ----------


def enabled(status: str, index: int, count: int = 3) -> set[str]:
    return {a for a, ok in timing.enabled_controls(status, index, count).items() if ok}


def test_the_lobby_offers_start_and_end_only():
    assert enabled("lobby", -1) == {"start", "end"}


def test_a_running_segment_offers_pause_not_resume():
    assert enabled("running", RETRO) == {"pause", "extend", "previous", "next", "end"}


def test_a_paused_segment_offers_resume_not_pause():
    assert enabled("paused", RETRO) == {"resume", "extend", "previous", "next", "end"}


def test_the_first_segment_has_no_previous_and_the_last_no_next():
    assert "previous" not in enabled("running", WELCOME)
    assert "next" not in enabled("paused", CLOSE)
    assert {"next", "previous"} <= enabled("running", RETRO)


def test_an_ended_session_offers_only_reopen():
    assert enabled("ended", RETRO) == {"reopen"}
    assert enabled("ended", -1) == {"reopen"}


def every_state() -> list[Workshop]:
    """A session in each state the console can meet: lobby; running or paused on the first,
    a middle and the last segment; ended from the lobby and from a segment."""
    states = [lobby()]
    for index in (WELCOME, RETRO, CLOSE):
        for pause in (False, True):
            workshop = lobby()
            control(workshop, "start", T0)
            for _ in range(index):
                control(workshop, "next", T0)
            if pause:
                control(workshop, "pause", at(10))
            states.append(workshop)
    for ended in (lobby(), running_retro()):
        control(ended, "end", at(20))
        states.append(ended)
    return states


@pytest.mark.parametrize("action", timing.CONTROL_ACTIONS)
def test_a_control_is_accepted_exactly_when_the_console_enables_it(action):
    """The server refuses what the console disables, with the reason, and changes nothing;
    what the console enables works."""
    for workshop in every_state():
        status = timing.view(workshop, AGENDA, at(30)).status
        allowed = timing.enabled_controls(status, workshop.segment_index, len(AGENDA.segments))
        before = (workshop.segment_index, workshop.ended_at, workshop.timer_running)
        if allowed[action]:
            control(workshop, action, at(30), seconds=60)
            continue
        reason = timing.refusal(action, status, workshop.segment_index, len(AGENDA.segments))
        with pytest.raises(TimerError, match=reason.split(":")[0]):
            control(workshop, action, at(30), seconds=60)
        assert (workshop.segment_index, workshop.ended_at, workshop.timer_running) == before


def test_reopen_brings_an_ended_session_back_paused_with_the_time_it_had_left():
    workshop = running_retro()
    control(workshop, "end", at(100))
    runs = control(workshop, "reopen", at(5000))
    view = timing.view(workshop, AGENDA, at(6000))
    assert (view.status, view.segment_index, view.remaining_seconds) == ("paused", RETRO, 500)
    assert workshop.ended_at is None
    assert [(run.segment_index, run.started_at) for run in runs] == [(RETRO, at(5000))]
    control(workshop, "resume", at(6000))
    assert workshop.ends_at == at(6500)


def test_reopen_of_a_session_ended_in_the_lobby_goes_back_to_the_lobby():
    workshop = lobby()
    control(workshop, "end", T0)
    assert control(workshop, "reopen", at(10)) == []
    assert timing.view(workshop, AGENDA, at(10)).status == "lobby"
    control(workshop, "start", at(20))
    assert workshop.segment_index == WELCOME


def test_reopen_of_a_session_that_has_not_ended_is_refused():
    workshop = running_retro()
    with pytest.raises(TimerError, match="has not ended"):
        control(workshop, "reopen", at(10))
    assert workshop.ends_at == at(600)


# -- segments that move on by themselves ------------------------------------------------------


def on_close(started: datetime = T0) -> Workshop:
    """A session on its last segment, a 2-minute one marked auto_advance."""
    workshop = running_retro()
    control(workshop, "next", started)
    return workshop


def test_auto_advance_segment_is_due_once_its_time_is_up():
    workshop = on_close()
    assert not timing.due_for_auto_advance(workshop, AGENDA, at(119))
    assert timing.due_for_auto_advance(workshop, AGENDA, at(120))
    assert timing.due_for_auto_advance(workshop, AGENDA, at(4000))


def test_auto_advance_waits_while_paused():
    workshop = on_close()
    control(workshop, "pause", at(200))
    assert not timing.due_for_auto_advance(workshop, AGENDA, at(300))


def test_auto_advance_respects_an_extension():
    workshop = on_close()
    control(workshop, "extend", at(60), seconds=60)
    assert not timing.due_for_auto_advance(workshop, AGENDA, at(179))
    assert timing.due_for_auto_advance(workshop, AGENDA, at(180))


def test_segments_without_auto_advance_never_move_on_by_themselves():
    assert not timing.due_for_auto_advance(running_retro(), AGENDA, at(10_000))
    assert not timing.due_for_auto_advance(lobby(), AGENDA, at(10_000))


def test_an_ended_session_is_never_due_for_auto_advance():
    workshop = on_close()
    control(workshop, "end", at(10))
    assert not timing.due_for_auto_advance(workshop, AGENDA, at(10_000))
