"""Packets that cannot be read, below the event handlers: each is answered or closes its
connection, is logged once per connection at most (one line, no traceback), and counts against
the connection's event limit.

python-socketio decodes a packet before any handler of ours runs, and logged a traceback for
each one that failed (not JSON, nested too deep, an event that is no list, an unknown or binary
packet type: `workshop/socket_packets.py` makes all of these fail to decode), from any
connection, cookie or not, without a limit; python-engineio did the same for frames that are
no Engine.IO packet. The hooks, all public objects of the two libraries' servers:
- the Engine.IO `message` handler (python-socketio's `_handle_eio_message`) is wrapped: a
  failure there is a packet that could not be read or dispatched;
- at each Engine.IO connect, the new socket's long-polling POST handler and WebSocket handler
  are wrapped, so a frame that is no Engine.IO packet closes the connection instead of raising
  in the transport; and its messages take turns (`socket_turns`).
"""

from __future__ import annotations

import re
from typing import Any

from engineio import exceptions as engineio_exceptions
from engineio import packet as engineio_packet
from flask import current_app
from socketio import packet

from workshop.messages import N_
from workshop.web import security, socket_turns, sockets

LOGGED = "workshop.unreadable_logged"  # in a connection's environ: logged once already
# A packet's header (type, attachments, namespace, ack id), read without its JSON.
HEADER = re.compile(
    r"(?P<type>\d)(?:\d{1,10}-)?(?P<namespace>/[^,?]*)?(?:\?[^,]*)?,?(?P<id>\d{1,15})?"
)
EVENTS = (packet.EVENT, packet.BINARY_EVENT)  # what a client may expect an acknowledgement for
ENGINE_IO_TYPES = {
    engineio_packet.CLOSE,
    engineio_packet.PING,
    engineio_packet.PONG,
    engineio_packet.MESSAGE,
    engineio_packet.UPGRADE,
    engineio_packet.NOOP,
}


def init_app(socketio) -> None:
    server = socketio.server
    if server is None or getattr(server, "_workshop_packet_guard", False):
        return
    handle_message, handle_connect = server._handle_eio_message, server._handle_eio_connect

    def on_message(eio_sid: str, data: Any) -> None:
        try:
            handle_message(eio_sid, data)
        except Exception as error:  # noqa: BLE001 - the packet could not be read or dispatched
            unreadable(server, eio_sid, data, error)
        finally:
            socket_turns.handled(server, eio_sid)

    def on_connect(eio_sid: str, environ: dict) -> Any:
        result = handle_connect(eio_sid, environ)
        _guard_transport(server, eio_sid)
        return result

    # Each message is handled whole (decoded, dispatched, its handler run) in a greenlet of
    # its own, started by the Engine.IO server, one at a time per connection
    # (`socket_turns`); python-socketio's default started a second one per event, ahead of
    # which a connection's next message could be read. Flask-SocketIO's test client turns both
    # off, and calls these two handlers directly; the Engine.IO server calls the handlers
    # registered with it.
    server.async_handlers = False
    server.eio.async_handlers = True
    server._handle_eio_message, server._handle_eio_connect = on_message, on_connect
    server.eio.on("message", on_message)
    server.eio.on("connect", on_connect)
    server._workshop_packet_guard = True


def unreadable(server, eio_sid: str, data: Any, error: Exception) -> None:
    """Answer a Socket.IO packet that could not be read: an error acknowledgement when it is
    an event with an ack id on a namespace the client joined, else close the connection."""
    server._binary_packet.pop(eio_sid, None)  # a half-received binary event never completes
    environ = server.environ.get(eio_sid)
    if environ is None or "flask.app" not in environ:
        close(server, eio_sid)
        return
    header = HEADER.match(data) if isinstance(data, str) else None
    with environ["flask.app"].request_context(environ):
        _log_once(environ, error)
        sid = _joined(server, eio_sid, header)
        if sid is None or header["id"] is None or int(header["type"]) not in EVENTS:
            close(server, eio_sid)
            return
        if security.limits().socket_events.hit(sid):
            ack = sockets.error_ack(N_("the message could not be read"), "malformed")
        else:
            socket_turns.note_over_limit(environ)
            ack = sockets.error_ack(
                N_("too many messages at once: wait a few seconds"), "rate_limited"
            )
    namespace = header["namespace"] or "/"
    reply = server.packet_class(packet.ACK, namespace=namespace, id=int(header["id"]), data=[ack])
    server._send_packet(eio_sid, reply)


def _joined(server, eio_sid: str, header: re.Match | None) -> str | None:
    """The Socket.IO session of the packet's namespace, if the client joined it."""
    if header is None:
        return None
    namespace = header["namespace"] or "/"
    sid = server.manager.sid_from_eio_sid(eio_sid, namespace)
    return sid if sid is not None and server.manager.is_connected(sid, namespace) else None


def close(server, eio_sid: str) -> None:
    """End the connection without waiting for the client to collect the close packet (a
    long-polling client that never polls again would hold the waiting request forever, as
    python-engineio's own `disconnect` does), and forget it at once: a later request on it is
    then an invalid session (400), where python-engineio answered a closed one 500."""
    socket = server.eio.sockets.pop(eio_sid, None)
    if socket is not None and not socket.closed:
        socket.close(wait=False, reason=server.eio.reason.SERVER_DISCONNECT)
    elif socket is None and eio_sid in server.environ:  # Flask-SocketIO's test client
        server._handle_eio_disconnect(eio_sid, server.reason.SERVER_DISCONNECT)


# -- the Engine.IO transports ---------------------------------------------------------------


def _guard_transport(server, eio_sid: str) -> None:
    socket = server.eio.sockets.get(eio_sid)
    if socket is None:  # the test client has no Engine.IO socket
        return
    socket_turns.take_turns(socket)
    post, websocket = socket.handle_post_request, socket._websocket_handler

    def handle_post_request(environ: dict) -> Any:
        try:
            return post(environ)
        except Exception as error:  # noqa: BLE001 - no Engine.IO payload, or an unknown type
            # Closed here without waiting; python-engineio then answers 400 (for its own
            # errors it would close the socket and wait for a poll that may never come).
            _unreadable_frame(server, eio_sid, error)
            raise engineio_exceptions.EngineIOError() from None

    socket.handle_post_request = handle_post_request
    socket._websocket_handler = lambda ws: websocket(
        _CheckedFrames(ws, lambda error: _unreadable_frame(server, eio_sid, error))
    )


def _unreadable_frame(server, eio_sid: str, error: Exception) -> None:
    environ = server.environ.get(eio_sid)
    if environ is not None and "flask.app" in environ:
        with environ["flask.app"].app_context():
            _log_once(environ, error)
    close(server, eio_sid)


class _CheckedFrames:
    """A WebSocket whose frames are checked before python-engineio decodes them: a frame that
    is no Engine.IO packet ends the connection as if the client had closed it."""

    def __init__(self, ws: Any, on_unreadable) -> None:
        self._ws, self._on_unreadable = ws, on_unreadable

    def __getattr__(self, name: str) -> Any:
        return getattr(self._ws, name)

    def wait(self) -> Any:
        frame = self._ws.wait()
        if frame is None or isinstance(frame, bytes | bytearray):
            return frame  # binary frames are messages; Socket.IO refuses them in turn
        if frame[:1] == "4" and frame[1:2].isdigit():
            return frame  # a Socket.IO packet, the bulk of the traffic: always an Engine.IO one
        try:
            kind = engineio_packet.Packet(encoded_packet=frame).packet_type
        except Exception as error:  # noqa: BLE001
            self._on_unreadable(error)
            return None
        if kind not in ENGINE_IO_TYPES:
            self._on_unreadable(ValueError(f"unknown Engine.IO packet type {kind}"))
            return None
        return frame


# -- logging --------------------------------------------------------------------------------


def _log_once(environ: dict, error: Exception) -> None:
    """One line per connection; a flood of new connections is cut to a number of lines a
    minute (SOCKET_UNREADABLE_LOGS_PER_MINUTE)."""
    if environ.get(LOGGED):
        return
    environ[LOGGED] = True
    if not security.limits().unreadable_logs.hit("process"):
        return
    current_app.logger.warning(
        "a socket connection sent a packet that could not be read (%s: %s); it is answered"
        " or closed, and further ones on this connection are not logged",
        type(error).__name__,
        str(error)[:120],
    )
