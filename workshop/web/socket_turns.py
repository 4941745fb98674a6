"""One event at a time per connection, and a connection over its event limit served only when
the server has nothing else to do: a phone that floods the server waits its own turn instead
of taking everyone else's.

python-socketio handed each event to its handler in a new greenlet as soon as it was read, and
python-engineio's WebSocket reader reads on without yielding while the next frame is already
buffered: a phone that sent 10,000 events at once put 10,000 handlers in the event loop's
queue, ahead of every other phone's next answer, whose acknowledgement then waited up to 9 s
(`python -m bench flood`, 100 phones). Now each message is handled whole in one greenlet
(`packet_guard.init_app`), and a connection's next message is handed over only once its
previous one was handled: each connection has at most one handler queued, and what a flooder
sends waits in its own connection (TCP pushes back on it) rather than in the server's queue.
Once a connection has been refused for sending too many events (`note_over_limit`), its next
message also waits a moment and until the event loop is idle, so its refusals take only some
of the spare time. A
phone's own events were already handled in order where it mattered (one SQLite writer), and
now always are.
"""

from __future__ import annotations

import time
from typing import Any

from engineio import packet as engineio_packet

# A handler that takes longer than this (none should) no longer holds its connection's next
# message: the connection is served again rather than stuck behind it.
TURN_WAIT = 30.0
OVER_LIMIT = "workshop.over_limit"  # in a connection's environ: when it was last refused
OVER_LIMIT_FOR = 10.0  # seconds a refusal keeps a connection behind the others (the limit's window)
# A connection over its limit: at most one message per this many seconds, and only when the
# event loop is idle. A refusal costs ~0.5 ms of CPU, so a flood takes at most a quarter of a
# core, leaving the room's phones a server that is not busy (a busy process also waits longer
# for the CPU whenever it wakes up).
BEHIND_PAUSE = 0.002
TURN = "_workshop_turn"


class Turn:
    """A connection's turn: `done` once its last message was handled; `behind` while it is
    over its event limit."""

    def __init__(self, server: Any) -> None:
        self.done = server.create_event()
        self.done.set()
        self.behind = False
        self.async_mode = server.async_mode
        self.sleep = server.sleep

    def wait(self) -> None:
        self.done.wait(TURN_WAIT)
        if self.behind:
            self._after_the_others()
        self.done.clear()

    def _after_the_others(self) -> None:
        self.sleep(BEHIND_PAUSE)
        if self.async_mode == "gevent":
            import gevent

            gevent.idle()  # returns when no other greenlet, timer or connection is waiting


def take_turns(socket: Any) -> None:
    """Gate a new Engine.IO socket: its next message waits for its previous one's handler."""
    turn = Turn(socket.server)
    receive = socket.receive

    def receive_in_turn(pkt: engineio_packet.Packet) -> None:
        if pkt.packet_type != engineio_packet.MESSAGE:
            receive(pkt)
            return
        turn.wait()
        try:
            receive(pkt)  # starts the handler, which calls `handled` when it is done
        except BaseException:
            turn.done.set()
            raise

    socket.receive = receive_in_turn
    setattr(socket, TURN, turn)


def handled(server: Any, eio_sid: str) -> None:
    """A message of this connection has been handled (`server`: the Socket.IO server): its
    next one may go, after the others' when the connection is over its limit."""
    turn = getattr(server.eio.sockets.get(eio_sid), TURN, None)
    if turn is None:
        return
    refused_at = (server.environ.get(eio_sid) or {}).get(OVER_LIMIT)
    turn.behind = refused_at is not None and time.monotonic() - refused_at < OVER_LIMIT_FOR
    turn.done.set()


def note_over_limit(environ: dict) -> None:
    """The connection was just refused an event for sending too many."""
    environ[OVER_LIMIT] = time.monotonic()
