"""The one module that knows room names: who receives what, and when.

Each audience gets what it needs and no more: phones get the session state and their own
answers; facilitators get the state, every answer (with participant numbers, and names when
the agenda asked for them) and the counts; the projector gets the state and the counts.
Counts are coalesced: at most one update per `BROADCAST_INTERVAL` seconds per workshop (longer,
to half a second, while many sessions broadcast at once: `_stretched`).
"""

from __future__ import annotations

import threading
from datetime import datetime
from functools import wraps

from flask import current_app

from workshop import voting
from workshop.extensions import db, socketio
from workshop.live import screen, workshops
from workshop.models import Participant, Response, Workshop
from workshop.web import i18n, payloads, screen_payloads, segment_view
from workshop.web.facilitator_turns import give_way
from workshop.web.payloads import FACILITATORS, PARTICIPANTS, SCREENS
from workshop.web.phones_first import after_phones

NAMESPACES = {PARTICIPANTS: "/participant", FACILITATORS: "/facilitator", SCREENS: "/screen"}

_pending: set[tuple[str, int]] = set()
_pending_lock = threading.Lock()


def room(workshop_id: int, audience: str) -> str:
    return f"w{workshop_id}:{audience}"


def participant_room(participant_id: int) -> str:
    return f"p{participant_id}"


def best_effort(emitter):
    """A broadcast runs after the commit: if it fails, the write still stands and the sender
    must not be told otherwise. Clients catch up from the snapshot on their next connect."""

    @wraps(emitter)
    def wrapper(*args, **kwargs):
        try:
            emitter(*args, **kwargs)
        except Exception:  # noqa: BLE001
            current_app.logger.exception("broadcast %s failed", emitter.__name__)

    return wrapper


def language_room(workshop_id: int, lang: str) -> str:
    """The session's phones that read `lang`: each gets the segment rendered in it."""
    return f"{room(workshop_id, PARTICIPANTS)}:{lang}"


@best_effort
def emit_state(workshop: Workshop, now: datetime) -> None:
    payload = payloads.state_payload(workshop, now)
    for audience, namespace in NAMESPACES.items():
        socketio.emit("state", payload, to=room(workshop.id, audience), namespace=namespace)
    give_way()
    emit_segment(workshop)
    give_way()
    emit_screen(workshop)  # the wall shows the answers of the segment that is on


@best_effort
def emit_segment(workshop: Workshop) -> None:
    """The segment as the room's phones show it, to each language's phones in their language:
    rendered once per language (and kept), and each phone fills in its own part. Sent after
    every control and vote change, also one that leaves the view as it was (an extension):
    with several server processes none knows what the others sent last; a phone redraws only
    when the view's key differs from the one it shows."""
    for lang in i18n.LANGUAGES:
        give_way()  # each language's view is a render of its own
        view = segment_view.shared_view(workshop, lang)
        socketio.emit(
            "segment",
            view,
            to=language_room(workshop.id, lang),
            namespace=NAMESPACES[PARTICIPANTS],
        )


@best_effort
def emit_response(
    workshop: Workshop, response: Response, participant: Participant, action: str
) -> None:
    """Tell facilitators about a new, changed, deleted or hidden answer; recount for the room;
    and tell the participant's other tabs or devices that their own answers changed."""
    payload = payloads.facilitator_response_payload(
        response, participant, workshops.agenda_of(workshop)
    )
    socketio.emit(
        "response",
        {"action": action, "response": payload},
        to=room(workshop.id, FACILITATORS),
        namespace=NAMESPACES[FACILITATORS],
    )
    if action in ("created", "edited", "deleted"):
        socketio.emit(
            "own",
            {"action": action, "response": payloads.own_response_payload(response)},
            to=participant_room(participant.id),
            namespace=NAMESPACES[PARTICIPANTS],
        )
    counts_changed(workshop.id)
    coalesce("screen", workshop.id, _emit_screen)  # the answers wall, when it is on


@best_effort
def emit_board(workshop: Workshop) -> None:
    socketio.emit(
        "board",
        payloads.board_payload(workshop),
        to=room(workshop.id, FACILITATORS),
        namespace=NAMESPACES[FACILITATORS],
    )
    coalesce("themes", workshop.id, _emit_themes)


def _emit_themes(workshop_id: int) -> None:
    payload = payloads.themes_payload(workshop_id)
    for audience in (PARTICIPANTS, SCREENS):
        socketio.emit(
            "themes", payload, to=room(workshop_id, audience), namespace=NAMESPACES[audience]
        )


@best_effort
def emit_vote(workshop: Workshop) -> None:
    for audience, payload in payloads.vote_payloads(workshop, NAMESPACES).items():
        socketio.emit(
            "vote", payload, to=room(workshop.id, audience), namespace=NAMESPACES[audience]
        )
    give_way()
    emit_segment(workshop)


@best_effort
def tally_changed(workshop_id: int) -> None:
    coalesce("tally", workshop_id, _emit_tally)


def _emit_tally(workshop_id: int) -> None:
    """One recount per flush, sent to facilitators in full and to screens unless hidden."""
    vote_round = voting.latest_round_of(db.session, workshop_id)
    full = payloads.round_tally_payload(workshop_id, vote_round, FACILITATORS)
    socketio.emit(
        "tally", full, to=room(workshop_id, FACILITATORS), namespace=NAMESPACES[FACILITATORS]
    )
    for_room = full if not full.get("hidden") else {k: v for k, v in full.items() if k != "rows"}
    socketio.emit("tally", for_room, to=room(workshop_id, SCREENS), namespace=NAMESPACES[SCREENS])


@best_effort
def emit_screen(workshop: Workshop) -> None:
    """The facilitators' choices for the projector and the answers wall, to screens only."""
    socketio.emit(
        "screen",
        screen_payloads.screen_payload(workshop),
        to=room(workshop.id, SCREENS),
        namespace=NAMESPACES[SCREENS],
    )


def _emit_screen(workshop_id: int) -> None:
    """After answers changed: only a wall that is on needs them. The wall is off by default,
    so its choices (one small row) are read before the session and its agenda: with forty
    rooms answering, loading each room's session four times a second was a tenth of the
    server's time (py-spy, python -m bench rooms)."""
    if not screen.choices(db.session, workshop_id).wall_prompts:
        return
    payload = screen_payloads.screen_payload(db.session.get(Workshop, workshop_id))
    if payload["wall"]["prompt_ids"]:
        socketio.emit(
            "screen", payload, to=room(workshop_id, SCREENS), namespace=NAMESPACES[SCREENS]
        )


@best_effort
def counts_changed(workshop_id: int) -> None:
    """Schedule one counts update for screens and facilitators, coalescing bursts."""
    coalesce("counts", workshop_id, _emit_counts)


def coalesce(kind: str, workshop_id: int, emitter) -> None:
    """Run `emitter(workshop_id)` once per BROADCAST_INTERVAL however many changes arrive:
    a tally goes to the projector a few times a second, not once per ballot."""
    interval = current_app.config.get("BROADCAST_INTERVAL", 0.25)
    if interval <= 0:
        emitter(workshop_id)
        return
    key = (kind, workshop_id)
    with _pending_lock:
        if key in _pending:
            return
        _pending.add(key)
        interval = _stretched(interval, len({pending[1] for pending in _pending}))
    socketio.start_background_task(
        _flush, current_app._get_current_object(), key, emitter, interval
    )


BUSY_WORKSHOPS = 10  # sessions with a broadcast waiting at once before the interval grows
LONGEST_INTERVAL = 0.5  # seconds


def _stretched(interval: float, busy: int) -> float:
    """The coalescing interval with `busy` sessions broadcasting at once: as configured up to
    ten, then longer in proportion, to at most half a second. Forty rooms voting at once
    recount half as often (a tenth of the server's time went to their tallies, py-spy,
    `python -m bench rooms`), and each projector's tally is still complete within a second of
    its room's last ballot. A longer interval configured stays as it is."""
    return max(interval, min(LONGEST_INTERVAL, interval * busy / BUSY_WORKSHOPS))


def _flush(app, key: tuple[str, int], emitter, interval: float) -> None:
    socketio.sleep(interval)
    after_phones()  # a recount for the room's screens: the ballots waiting go first
    with _pending_lock:
        _pending.discard(key)
    with app.app_context():
        try:
            emitter(key[1])
        except Exception:  # noqa: BLE001 - a background broadcast must never kill the worker
            app.logger.exception("broadcast %s failed", key[0])
        finally:
            db.session.remove()


def _emit_counts(workshop_id: int) -> None:
    payload = payloads.counts_payload(workshop_id)
    for audience in (FACILITATORS, SCREENS):
        socketio.emit(
            "counts", payload, to=room(workshop_id, audience), namespace=NAMESPACES[audience]
        )
