"""Socket.IO handlers, one namespace per audience. Thin: identify, call `actions`, acknowledge.

Socket.IO does not run Flask's request hooks, so every handler checks who is asking itself.
Who a client is comes from the cookies of its handshake (the participant cookie set by the
HTTP join, or the facilitator's sign-in) and the session it names in the handshake query:
`/participant?code=CODE`, `/facilitator?workshop=ID`, `/screen?token=TOKEN`. Every event gets an
acknowledgement: `{"ok": true, ...}` or `{"ok": false, "error": message, "code": code}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import current_app, request
from flask_socketio import ConnectionRefusedError, emit, join_room

from workshop import clock
from workshop.extensions import db
from workshop.ids import as_id
from workshop.live import participants, responses, workshops
from workshop.live.timing import CONTROL_ACTIONS
from workshop.messages import N_, ActionError
from workshop.models import Participant, Workshop
from workshop.text import plain_data
from workshop.web import (
    actions,
    broadcast,
    i18n,
    identity,
    payloads,
    phone_snapshot,
    screen_payloads,
    security,
    socket_turns,
)
from workshop.web.broadcast import NAMESPACES
from workshop.web.facilitator_turns import takes_turn
from workshop.web.payloads import FACILITATORS, PARTICIPANTS, SCREENS

MAX_EVENT_BYTES = 16 * 1024


def error_ack(message: str, code: str, **params: Any) -> dict[str, Any]:
    """A refusal from a message marked with `N_` (and its parameters)."""
    return refusal(ActionError(message, code, **params))


def refusal(error: ActionError) -> dict[str, Any]:
    """In the language of the page that opened the socket: its handshake carries the cookie."""
    return {"ok": False, "error": i18n.socket_error_text(error), "code": error.code}


def refused_text(message: str) -> str:
    return i18n.socket_error_text(ActionError(message, "refused"))


def over_limit() -> bool:
    """Count this event against the connection's limit; True when it is over (refused), and
    then the connection waits behind the others for a while (`socket_turns`)."""
    if security.limits().socket_events.hit(request.sid):
        return False
    socket_turns.note_over_limit(request.environ)
    return True


def guarded(handler: Callable[[dict[str, Any]], dict[str, Any] | None]):
    """Turn every failure into an error acknowledgement; nothing half-done stays in the session."""

    @wraps(handler)
    def wrapper(data: Any = None, *extra: Any) -> dict[str, Any]:
        if over_limit():
            return error_ack(N_("too many messages at once: wait a few seconds"), "rate_limited")
        if extra or (data is not None and not isinstance(data, dict)):
            return error_ack(N_("the event's payload must be one object"), "malformed")
        if data and len(json.dumps(data, default=str)) > MAX_EVENT_BYTES:
            return error_ack(N_("the event is too large"), "too_large")
        try:
            return {"ok": True, **(handler(plain_data(data or {})) or {})}
        except ActionError as error:
            db.session.rollback()
            return refusal(error)
        except Exception:  # noqa: BLE001 - never let one event drop the connection
            db.session.rollback()
            current_app.logger.exception("socket event %s failed", handler.__name__)
            return error_ack(N_("something went wrong on the server; try again"), "server")

    return wrapper


def refusing(handler):
    """A connect handler that fails unexpectedly refuses the connection with a reason and
    leaves a log entry, instead of a silent rejection."""

    @wraps(handler)
    def wrapper(auth: Any = None) -> None:
        try:
            handler(auth)
        except ConnectionRefusedError:
            raise
        except Exception:  # noqa: BLE001
            db.session.rollback()
            current_app.logger.exception("socket connect to %s failed", request.namespace)
            raise ConnectionRefusedError(
                refused_text(N_("the server could not connect you; try again"))
            ) from None

    return wrapper


def _sync_ack() -> dict[str, Any]:
    return {"server_now": payloads.epoch_ms(clock.now())}


# -- participants ---------------------------------------------------------------------------


def _participant_context() -> tuple[Workshop, Participant]:
    """Who this connection is: checked from the cookie once at connect, then remembered in the
    connection's own session, so each answer costs one query for both rows."""
    ids = identity.connection()
    found = None
    if "workshop_id" in ids and "participant_id" in ids:
        found = participants.with_workshop(db.session, ids["workshop_id"], ids["participant_id"])
    if found is None:
        raise ActionError(N_("join the session first"), "not_joined")
    return found


def participant_connect(auth: Any = None) -> None:
    workshop = workshops.find_by_code(db.session, request.args.get("code", ""))
    participant = identity.current_participant(workshop) if workshop else None
    if workshop is None or participant is None:
        raise ConnectionRefusedError(refused_text(N_("join the session first")))
    identity.remember_connection(workshop_id=workshop.id, participant_id=participant.id)
    actions.refresh(workshop)
    # The page names its language in the handshake query (`lang=`), which current_language
    # reads first; a client that does not gets its handshake's cookie or Accept-Language.
    lang = i18n.current_language()
    join_room(broadcast.room(workshop.id, PARTICIPANTS))
    join_room(broadcast.language_room(workshop.id, lang))
    join_room(broadcast.participant_room(participant.id))
    emit("snapshot", phone_snapshot.snapshot(workshop, participant, lang))


@guarded
def sync(data: dict[str, Any]) -> dict[str, Any]:
    """The server's clock, so a device can correct its countdown for its own clock's offset."""
    return _sync_ack()


@guarded
def respond(data: dict[str, Any]) -> dict[str, Any]:
    workshop, participant = _participant_context()
    submission = responses.Submission(
        prompt_id=data.get("prompt_id"),
        text=data.get("text"),
        client_id=data.get("client_id"),
        strategy_id=data.get("strategy_id"),
    )
    response, created = actions.respond(workshop, participant, submission)
    return {"response": payloads.own_response_payload(response), "duplicate": not created}


@guarded
def edit_response(data: dict[str, Any]) -> dict[str, Any]:
    workshop, participant = _participant_context()
    response = actions.edit_response(
        workshop, participant, data.get("id"), data.get("text"), data.get("strategy_id")
    )
    return {"response": payloads.own_response_payload(response)}


@guarded
def delete_response(data: dict[str, Any]) -> dict[str, Any]:
    workshop, participant = _participant_context()
    response = actions.delete_response(workshop, participant, data.get("id"))
    return {"id": response.id}


# -- facilitators ---------------------------------------------------------------------------


def _facilitated_workshop() -> Workshop:
    workshop_id = as_id(request.args.get("workshop", ""))
    workshop = db.session.get(Workshop, workshop_id) if workshop_id is not None else None
    if workshop is None or not identity.facilitates(workshop):
        raise ActionError(N_("only a facilitator of this session may do that"), "forbidden")
    return workshop


@takes_turn
def facilitator_connect(auth: Any = None) -> None:
    try:
        workshop = _facilitated_workshop()
    except ActionError as error:
        raise ConnectionRefusedError(refusal(error)["error"]) from None
    actions.refresh(workshop)
    join_room(broadcast.room(workshop.id, FACILITATORS))
    listed = payloads.facilitator_responses(workshop)
    emit(
        "snapshot",
        {
            "state": payloads.state_payload(workshop, clock.now()),
            "responses": listed,
            "counts": payloads.counts_payload(workshop.id),
            "board": payloads.board_payload(workshop),
            "vote": payloads.vote_payload(workshop, FACILITATORS),
        },
    )


@guarded
@takes_turn
def control(data: dict[str, Any]) -> dict[str, Any]:
    workshop = _facilitated_workshop()
    action = data.get("action")
    seconds = data.get("seconds", 0)
    if (
        not isinstance(action, str)
        or action not in CONTROL_ACTIONS
        or not isinstance(seconds, int | float)
        or isinstance(seconds, bool)
        or not -MAX_CONTROL_SECONDS <= seconds <= MAX_CONTROL_SECONDS  # also NaN, ±inf
    ):
        names = ", ".join(CONTROL_ACTIONS)
        raise ActionError(
            N_("control needs an action ({names}) and a number of seconds"),
            "malformed",
            names=names,
        )
    actions.control(workshop, action, float(seconds))
    return {"state": payloads.state_payload(workshop, clock.now())}


@guarded
@takes_turn
def hide_response(data: dict[str, Any]) -> dict[str, Any]:
    workshop = _facilitated_workshop()
    hidden = data.get("hidden", True)
    if not isinstance(hidden, bool):
        raise ActionError(N_("hidden must be true or false"), "malformed")
    response = actions.hide_response(workshop, data.get("id"), hidden)
    return {"id": response.id, "hidden": response.hidden}


# -- the projector --------------------------------------------------------------------------


def screen_connect(auth: Any = None) -> None:
    workshop = workshops.find_by_projector_token(db.session, request.args.get("token", ""))
    if workshop is None:
        raise ConnectionRefusedError(refused_text(N_("no such screen")))
    actions.refresh(workshop)
    join_room(broadcast.room(workshop.id, SCREENS))
    emit(
        "snapshot",
        {
            "state": payloads.state_payload(workshop, clock.now()),
            "counts": payloads.counts_payload(workshop.id),
            "themes": payloads.themes_payload(workshop.id)["themes"],
            "vote": payloads.vote_payload(workshop, SCREENS),
            "screen": screen_payloads.screen_payload(workshop),
        },
    )


@guarded
def ballot(data: dict[str, Any]) -> dict[str, Any]:
    ids = identity.connection()  # checked at connect; no rows to load on this busy path
    if "participant_id" not in ids:
        raise ActionError(N_("join the session first"), "not_joined")
    stored, picks, changed = actions.cast_ballot(
        ids["workshop_id"],
        ids["participant_id"],
        data.get("round_id"),
        data.get("picks"),
        data.get("client_id"),
    )
    return {
        "ballot": {"round_id": stored.round_id, "picks": picks, "client_id": stored.client_id},
        "duplicate": not changed,
    }


@guarded
@takes_turn
def board(data: dict[str, Any]) -> dict[str, Any]:
    workshop = _facilitated_workshop()
    return actions.board(workshop, data.get("op"), data)


@guarded
@takes_turn
def vote(data: dict[str, Any]) -> dict[str, Any]:
    workshop = _facilitated_workshop()
    return actions.vote(workshop, data.get("op"), data)


@guarded
@takes_turn
def accept_suggestions(data: dict[str, Any]) -> dict[str, Any]:
    workshop = _facilitated_workshop()
    accepted = actions.accept_suggestions(workshop, data.get("groups"))
    return {"theme_ids": accepted.theme_ids, "skipped": accepted.skipped}


def unknown_event(event: str, *args: Any) -> dict[str, Any]:
    """Any event a namespace does not handle still gets an answer, so clients never hang."""
    if over_limit():
        return error_ack(N_("too many messages at once: wait a few seconds"), "rate_limited")
    name = str(event)
    if name.startswith(RESERVED_MARK) and name[len(RESERVED_MARK) :] in RESERVED_NAMES:
        name = name[len(RESERVED_MARK) :]
    name = name[:40]
    return error_ack(N_("unknown event '{event}'"), "unknown_event", event=name)


def init_app(socketio) -> None:
    """Register every handler on its audience's namespace."""
    handlers = {
        PARTICIPANTS: {
            "connect": refusing(participant_connect),
            "sync": sync,
            "respond": respond,
            "edit_response": edit_response,
            "delete_response": delete_response,
            "ballot": ballot,
        },
        FACILITATORS: {
            "connect": refusing(facilitator_connect),
            "sync": sync,
            "control": control,
            "hide_response": hide_response,
            "board": board,
            "vote": vote,
            "accept_suggestions": accept_suggestions,
        },
        SCREENS: {"connect": refusing(screen_connect), "sync": sync},
    }
    for audience, events in handlers.items():
        for event, handler in events.items():
            socketio.on_event(event, handler, namespace=NAMESPACES[audience])
        socketio.on_event("*", unknown_event, namespace=NAMESPACES[audience])
    _answer_reserved_names_as_unknown(socketio.server)


RESERVED_MARK = "\x00reserved\x00"  # no client can name an event this by accident
RESERVED_NAMES = ("connect", "disconnect", "*")


# Past this (and NaN, ±inf) a number of seconds is malformed; timing refuses smaller absurd
# values itself. It keeps float() from overflowing on a 400-digit integer.
MAX_CONTROL_SECONDS = 10**9


def _answer_reserved_names_as_unknown(server) -> None:
    """A client may send an event named 'connect', 'disconnect' or '*'. python-socketio would
    re-run the connect handler (a snapshot, outside the per-connection rate limit), leave a
    'disconnect' unanswered and fail on '*'. Renaming them on the way in sends them through
    the catch-all: rate-limited and answered as unknown. (This wraps a private method of
    python-socketio 5, pinned below 6 in pyproject.toml; tests/test_fuzz.py checks it.)"""
    if server is None or getattr(server, "_workshop_reserved_guard", False):
        return
    handle = server._handle_event_internal
    reserved = {*server.reserved_events, *RESERVED_NAMES}

    def handle_event(server_, sid, eio_sid, data, namespace, ack_id):
        if data and not isinstance(data[0], str):  # e.g. `42[["x"]]`: a name that is no name
            data = [str(data[0]), *data[1:]]
        elif data and data[0] in reserved:
            data = [RESERVED_MARK + data[0], *data[1:]]
        return handle(server_, sid, eio_sid, data, namespace, ack_id)

    server._handle_event_internal = handle_event
    server._workshop_reserved_guard = True
