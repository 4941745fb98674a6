"""The agenda timer as data. Time is always a parameter (`now`); `clock.now()` is the one
place the clock is read.

A running segment stores `ends_at` (when its planned time is up); a paused one stores the
seconds left (negative once past the planned time). Every device counts down from this,
corrected for its clock offset, so no per-second server loop exists.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from workshop.agenda.model import Agenda, Segment
from workshop.messages import N_
from workshop.models import SegmentRun, Workshop

# What the room sees as the timer runs out: within plan, past the planned time but within the
# range's upper bound, then overtime.
ON_TIME, OVER_PLANNED, OVERTIME = "on-time", "over-planned", "overtime"
CONTROL_ACTIONS = ("start", "pause", "resume", "extend", "next", "previous", "reopen", "end")
MAX_EXTRA_SECONDS = 8 * 3600


class TimerError(ValueError):
    """A control that does not fit the session's state (e.g. pause while paused). Like
    `ActionError`: an English template marked with `N_` and its parameters."""

    def __init__(self, message: str, **params: object):
        super().__init__(message.format(**params) if params else message)
        self.template = message
        self.params = params


@dataclass(frozen=True)
class TimerView:
    status: str  # lobby | running | paused | ended
    segment_index: int
    remaining_seconds: float | None
    grace_seconds: float  # from the planned end to the upper bound of the range
    ends_at: datetime | None

    @property
    def phase(self) -> str:
        if self.remaining_seconds is None or self.remaining_seconds > 0:
            return ON_TIME
        return OVER_PLANNED if -self.remaining_seconds < self.grace_seconds else OVERTIME


def current_segment(workshop: Workshop, agenda: Agenda) -> Segment | None:
    if 0 <= workshop.segment_index < len(agenda.segments):
        return agenda.segments[workshop.segment_index]
    return None


def remaining(workshop: Workshop, now: datetime) -> float | None:
    """Seconds until the planned end of the current segment; negative once past it."""
    if workshop.timer_running and workshop.ends_at is not None:
        return (workshop.ends_at - now).total_seconds()
    return workshop.remaining_seconds


def view(workshop: Workshop, agenda: Agenda, now: datetime) -> TimerView:
    segment = current_segment(workshop, agenda)
    if workshop.ended_at is not None:
        status = "ended"
    elif segment is None:
        status = "lobby"
    else:
        status = "running" if workshop.timer_running else "paused"
    grace = 0.0
    if segment is not None:
        grace = float(segment.duration.limit_seconds - segment.duration.planned_seconds)
    left = remaining(workshop, now) if segment is not None and status != "ended" else None
    ends_at = workshop.ends_at if status == "running" else None
    return TimerView(status, workshop.segment_index, left, grace, ends_at)


def refusal(action: str, status: str, segment_index: int, segment_count: int) -> str | None:
    """Why `action` makes no sense in this state (an English template marked with `N_`), or
    None when it does. The one rule for what the console enables (facilitator.js mirrors it
    on every `state`) and for what the server refuses."""
    if action == "reopen":
        return None if status == "ended" else N_("this session has not ended")
    if status == "ended":
        return N_("this session has ended")
    if action == "start":
        return N_("the session has already started") if status != "lobby" else None
    if action == "end":
        return None
    if status == "lobby":
        return N_("start the session first")
    if action == "pause" and status != "running":
        return N_("the timer is not running")
    if action == "resume" and status != "paused":
        return N_("the timer is not paused")
    if action == "next" and segment_index >= segment_count - 1:
        return N_("this is the last segment: end the session instead")
    if action == "previous" and segment_index <= 0:
        return N_("this is the first segment")
    return None


def enabled_controls(status: str, segment_index: int, segment_count: int) -> dict[str, bool]:
    """Each control and whether it makes sense now: what the console enables."""
    return {
        action: refusal(action, status, segment_index, segment_count) is None
        for action in CONTROL_ACTIONS
    }


def apply_control(
    workshop: Workshop, agenda: Agenda, action: str, now: datetime, *, seconds: float = 0
) -> list[SegmentRun]:
    """Change the timer for one facilitator control. Returns SegmentRun rows to add.
    A control that makes no sense now is refused by the same rule the console enables by."""
    if action in CONTROL_ACTIONS:
        status = view(workshop, agenda, now).status
        reason = refusal(action, status, workshop.segment_index, len(agenda.segments))
        if reason is not None:
            raise TimerError(reason)
    handlers = {
        "start": _start,
        "pause": _pause,
        "resume": _resume,
        "next": lambda w, a, n: _go_to(w, a, n, _started(w) + 1),
        "previous": lambda w, a, n: _go_to(w, a, n, _started(w) - 1),
        "end": _end,
        "reopen": _reopen,
    }
    if action == "extend":
        runs = _extend(workshop, agenda, now, seconds)
    elif action in handlers:
        runs = handlers[action](workshop, agenda, now)
    else:
        raise TimerError(N_("unknown control '{action}'"), action=action)
    return runs


def _start(workshop: Workshop, agenda: Agenda, now: datetime) -> list[SegmentRun]:
    if workshop.segment_index >= 0:
        raise TimerError(N_("the session has already started"))
    return _go_to(workshop, agenda, now, 0)


def _pause(workshop: Workshop, agenda: Agenda, now: datetime) -> list[SegmentRun]:
    if current_segment(workshop, agenda) is None or not workshop.timer_running:
        raise TimerError(N_("the timer is not running"))
    workshop.remaining_seconds = remaining(workshop, now)
    workshop.timer_running = False
    workshop.ends_at = None
    return []


def _resume(workshop: Workshop, agenda: Agenda, now: datetime) -> list[SegmentRun]:
    if current_segment(workshop, agenda) is None or workshop.timer_running:
        raise TimerError(N_("the timer is not paused"))
    workshop.ends_at = now + timedelta(seconds=workshop.remaining_seconds or 0)
    workshop.remaining_seconds = None
    workshop.timer_running = True
    return []


def _extend(workshop: Workshop, agenda: Agenda, now: datetime, seconds: float) -> list[SegmentRun]:
    if current_segment(workshop, agenda) is None:
        raise TimerError(N_("start the session first"))
    if not 0 < seconds <= 3600:
        raise TimerError(N_("extend by between 1 second and 60 minutes"))
    if workshop.extra_seconds + seconds > MAX_EXTRA_SECONDS:
        raise TimerError(N_("this segment has been extended as far as it can be"))
    workshop.extra_seconds += seconds
    if workshop.timer_running and workshop.ends_at is not None:
        workshop.ends_at += timedelta(seconds=seconds)
    else:
        workshop.remaining_seconds = (workshop.remaining_seconds or 0) + seconds
    return []


def _started(workshop: Workshop) -> int:
    if workshop.segment_index < 0:
        raise TimerError(N_("start the session first"))
    return workshop.segment_index


def _go_to(workshop: Workshop, agenda: Agenda, now: datetime, index: int) -> list[SegmentRun]:
    if index < 0:
        raise TimerError(N_("this is the first segment"))
    if index >= len(agenda.segments):
        raise TimerError(N_("this is the last segment: end the session instead"))
    segment = agenda.segments[index]
    workshop.segment_index = index
    workshop.timer_running = True
    workshop.ends_at = now + timedelta(seconds=segment.duration.planned_seconds)
    workshop.remaining_seconds = None
    workshop.extra_seconds = 0
    return [SegmentRun(workshop_id=workshop.id, segment_index=index, started_at=now)]


def _end(workshop: Workshop, agenda: Agenda, now: datetime) -> list[SegmentRun]:
    workshop.remaining_seconds = remaining(workshop, now) if workshop.segment_index >= 0 else None
    workshop.ended_at = now
    workshop.timer_running = False
    workshop.ends_at = None
    return []


def _reopen(workshop: Workshop, agenda: Agenda, now: datetime) -> list[SegmentRun]:
    """An ended session back where it ended, paused (or in the lobby if it never started):
    answers, themes and ballots were never touched; closed votes stay closed."""
    workshop.ended_at = None
    workshop.timer_running = False
    workshop.ends_at = None
    if current_segment(workshop, agenda) is None:
        workshop.remaining_seconds = None
        return []
    if workshop.remaining_seconds is None:
        workshop.remaining_seconds = 0.0
    return [
        SegmentRun(workshop_id=workshop.id, segment_index=workshop.segment_index, started_at=now)
    ]


def due_for_auto_advance(workshop: Workshop, agenda: Agenda, now: datetime) -> bool:
    """True when the current segment asks to move on by itself and its time is up."""
    segment = current_segment(workshop, agenda)
    if segment is None or not segment.auto_advance or workshop.ended_at is not None:
        return False
    left = remaining(workshop, now)
    return workshop.timer_running and left is not None and left <= 0
