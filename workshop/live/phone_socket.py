"""A phone's Socket.IO connection, made the way the participant page's own client makes it.

The page's script uses socket.io-client 4.8 (engine.io-client 6), and what it does on the wire
is part of what a room of phones costs the server: a first connection long-polls first
(a handshake GET, the namespace's CONNECT in a POST, more GETs while it probes a WebSocket) and
then upgrades; a reconnect goes straight to a WebSocket when one has worked before
(`rememberUpgrade`), else it long-polls again; reconnects wait 1 s, 2 s, 4 s, then at most
5 s, each randomized by ±50 %; an acknowledgement not back within its timeout, or owed when
the connection drops, is an error for the caller. This module makes the same requests at the
same moments (the same state machine as the library: one GET poll and one POST at a time, a
probe that pauses polling once the server answers it), so the load bench measures what real
phones cost, and `tests/test_e2e_phone_model.py` checks it against Chromium running the page.

Only what the page uses is here: text packets, one namespace, events and acknowledgements.
"""

from __future__ import annotations

import asyncio
import json
import random
from collections.abc import Callable
from typing import Any

import aiohttp

from workshop.live.phone_transport import (
    ACK,
    CONNECT,
    CONNECT_ERROR,
    CONNECT_TIMEOUT,
    DISCONNECT,
    EVENT,
    MESSAGE,
    Backoff,
    Engine,
    Trace,
)


class PhoneSocket:
    """socket.io-client's Manager and one namespace's Socket: connects, reconnects with its
    backoff, sends events (acknowledged within a timeout, as `socket.timeout(ms).emit`) and
    hands the server's events to `handlers` (name → function of the payload; `connect` and
    `disconnect` too). `prior_websocket` is the page's memory that a WebSocket worked."""

    def __init__(
        self,
        base_url: str,
        namespace: str,
        query: dict[str, str],
        http: aiohttp.ClientSession,
        handlers: dict[str, Callable[..., Any]],
        rng: random.Random,
        trace: Trace | None = None,
    ):
        self.base_url = base_url.rstrip("/")
        self.namespace = namespace
        self.query = query
        self.http = http
        self.handlers = handlers
        self.rng = rng
        self.trace: Trace = trace or (lambda kind, what: None)
        self.backoff = Backoff(rng)
        self.engine: Engine | None = None
        self.connected = False
        self.prior_websocket = False
        self.reconnecting = False
        self.closed = False
        self.next_id = 0
        self.acks: dict[int, tuple[str, Callable[..., None], asyncio.TimerHandle | None]] = {}
        self.received: list[tuple[str, Any]] = []  # events before the namespace's CONNECT
        self.drops = 0  # connections lost (not closed by the page)
        self.timer: asyncio.TimerHandle | None = None

    # -- connecting ------------------------------------------------------------------------

    def connect(self) -> None:
        """Open the connection; what follows arrives through the handlers."""
        self.closed = False
        self._open(first=True)

    def _open(self, first: bool = False) -> None:
        engine = Engine(self, websocket_first=self.prior_websocket)
        self.engine = engine
        engine.open()
        asyncio.ensure_future(self._opening(engine, first))

    async def _opening(self, engine: Engine, first: bool) -> None:
        try:
            await asyncio.wait_for(asyncio.shield(engine.opened), CONNECT_TIMEOUT)
        except (TimeoutError, ConnectionError, aiohttp.ClientError) as error:
            engine.on_close(f"open failed: {error}")
            self.trace("socket", "connect failed")
            if engine is self.engine and not self.closed:
                self.reconnecting = False
                self._reconnect()
            return
        if engine is not self.engine or self.closed:
            engine.close()
            return
        self.reconnecting = False
        if not first:
            self.backoff.reset()
        self._send(f"{CONNECT}{self.namespace},")

    def _reconnect(self) -> None:
        if self.reconnecting or self.closed:
            return
        self.reconnecting = True
        delay = self.backoff.duration()
        self.timer = asyncio.get_running_loop().call_later(delay, self._open)

    def on_engine_close(self, engine: Engine, reason: str) -> None:
        if engine is not self.engine:
            return
        was_connected = self.connected
        self.connected = False
        self.drops += was_connected and not self.closed
        self.trace("socket", f"closed: {reason}")
        self._clear_acks()
        if was_connected and "disconnect" in self.handlers:
            self.handlers["disconnect"](reason)
        if not self.closed:
            self.backoff.reset()
            self._reconnect()

    def _clear_acks(self) -> None:
        """Acknowledgements owed on a lost connection never come: each waiting sender hears
        so at once (socket.io-client's `_clearAcks`)."""
        owed, self.acks = self.acks, {}
        for _event, callback, timer in owed.values():
            if timer is not None:
                timer.cancel()
            callback(ConnectionError("socket has been disconnected"), None)

    # -- packets ---------------------------------------------------------------------------

    def _send(self, packet: str) -> None:
        if self.engine is not None:
            self.engine.send_packet(MESSAGE + packet)

    def on_message(self, data: str) -> None:
        kind, rest = data[:1], data[1:]
        namespace, _, rest = rest.partition(",") if rest.startswith("/") else ("/", "", rest)
        if namespace != self.namespace:
            return
        digits = len(rest) - len(rest.lstrip("0123456789"))
        ack_id = int(rest[:digits]) if digits else None
        body = json.loads(rest[digits:]) if rest[digits:] else None
        if kind == CONNECT:
            self._on_connect()
        elif kind == EVENT and body:
            self._on_event(body[0], body[1] if len(body) > 1 else None)
        elif kind == ACK and ack_id in self.acks:
            event, callback, timer = self.acks.pop(ack_id)
            if timer is not None:
                timer.cancel()
            self.trace("ack", event)
            callback(None, body[0] if body else None)
        elif kind == CONNECT_ERROR:
            self.trace("socket", "connect_error")
        elif kind == DISCONNECT:
            self.trace("socket", "server disconnect")
            self.closed = True  # the client does not reconnect after this
            self.connected = False
            self._clear_acks()
            if self.engine is not None:
                self.engine.close()

    def _on_event(self, name: str, payload: Any) -> None:
        if not self.connected:  # held until CONNECT, then handled first (emitBuffered)
            self.received.append((name, payload))
            return
        self.trace("recv", name)
        if name in self.handlers:
            self.handlers[name](payload)

    def _on_connect(self) -> None:
        self.connected = True
        held, self.received = self.received, []
        for name, payload in held:
            self._on_event(name, payload)
        self.trace("socket", "connected")
        if "connect" in self.handlers:
            self.handlers["connect"]()

    # -- sending ---------------------------------------------------------------------------

    def emit(
        self,
        event: str,
        data: Any,
        callback: Callable[[Exception | None, Any], None] | None = None,
        timeout: float | None = None,
    ) -> None:
        """`socket.timeout(timeout).emit(event, data, callback)`: the callback gets
        (error, None) when no acknowledgement came in time or the connection dropped."""
        packet = f"{EVENT}{self.namespace},"
        if callback is not None:
            ack_id, self.next_id = self.next_id, self.next_id + 1
            timer = None
            if timeout is not None:
                timer = asyncio.get_running_loop().call_later(timeout, self._ack_timed_out, ack_id)
            self.acks[ack_id] = (event, callback, timer)
            packet += str(ack_id)
        self.trace("send", event)
        if self.engine is not None and self.engine.ping_expired():
            return  # the connection is gone; the page's timeout reports it
        self._send(packet + json.dumps([event, data], separators=(",", ":")))

    def _ack_timed_out(self, ack_id: int) -> None:
        pending = self.acks.pop(ack_id, None)
        if pending is not None:
            self.trace("timeout", pending[0])
            pending[1](TimeoutError("operation has timed out"), None)

    async def call(self, event: str, data: Any, timeout: float) -> Any:
        """Emit and wait for the acknowledgement (raises TimeoutError or ConnectionError)."""
        future = asyncio.get_running_loop().create_future()

        def done(error: Exception | None, ack: Any) -> None:
            if not future.done():
                future.set_exception(error) if error else future.set_result(ack)

        self.emit(event, data, done, timeout)
        return await future

    def reconnect(self) -> None:
        """Connect again after `close` (a phone back from sleep), as its client would."""
        self.closed = False
        self.backoff.reset()
        self._open()

    async def wait_closed(self) -> None:
        if self.engine is not None:
            await self.engine.wait_closed()

    def close(self) -> None:
        """The page goes away: no reconnect, nothing more sent or handled."""
        self.closed = True
        self.connected = False
        if self.timer is not None:
            self.timer.cancel()
        if self.engine is not None:
            self.engine.close()
        for _event, _callback, timer in self.acks.values():
            if timer is not None:
                timer.cancel()
        self.acks = {}
