"""The Engine.IO layer of a phone's connection (engine.io-client 6, under the page's
socket.io-client 4.8): long-polling that probes a WebSocket and upgrades to it, or a WebSocket
from the start; pings answered; reconnection delays. `phone_socket.PhoneSocket` is the
Socket.IO layer above it and says why this exists."""

from __future__ import annotations

import asyncio
import json
import random
import string
from collections.abc import Callable
from typing import Protocol

import aiohttp

SEPARATOR = "\x1e"  # between Engine.IO packets in a long-polling payload
# Engine.IO packet types
OPEN, CLOSE, PING, PONG, MESSAGE, UPGRADE, NOOP = "0123456"
# Socket.IO packet types
CONNECT, DISCONNECT, EVENT, ACK, CONNECT_ERROR = "01234"
CONNECT_TIMEOUT = 20.0  # socket.io-client's Manager `timeout`

Trace = Callable[[str, str], None]


class Owner(Protocol):
    """What an Engine needs of the Socket.IO layer above it (`phone_socket.PhoneSocket`)."""

    base_url: str
    query: dict[str, str]
    http: aiohttp.ClientSession
    trace: Trace
    prior_websocket: bool

    def on_message(self, data: str) -> None: ...

    def on_engine_close(self, engine: Engine, reason: str) -> None: ...


class Backoff:
    """socket.io-client's reconnection delays: 1 s doubling to at most 5 s (the page's
    `reconnectionDelayMax`), each moved by up to ±50 % at random."""

    def __init__(self, rng: random.Random, first=1.0, maximum=5.0, factor=2, jitter=0.5):
        self.rng, self.first, self.maximum, self.factor, self.jitter = (
            rng, first, maximum, factor, jitter,
        )  # fmt: skip
        self.attempts = 0

    def duration(self) -> float:
        ms = self.first * 1000 * self.factor**self.attempts
        self.attempts += 1
        rand = self.rng.random()
        deviation = int(rand * self.jitter * ms)
        ms = ms - deviation if int(rand * 10) & 1 == 0 else ms + deviation
        return int(min(ms, self.maximum * 1000)) / 1000

    def reset(self) -> None:
        self.attempts = 0


class Engine:
    """One Engine.IO connection (engine.io-client's `Socket`): long-polling that upgrades to a
    WebSocket, or a WebSocket from the start."""

    def __init__(self, owner: Owner, websocket_first: bool):
        self.owner = owner
        self.http = owner.http
        self.trace = owner.trace
        self.state = "opening"
        self.transport = "websocket" if websocket_first else "polling"
        self.sid = ""
        self.write_buffer: list[str] = []
        self.writable = False
        self.upgrading = False
        self.polling = False
        self.poll_complete = asyncio.Event()
        self.drained = asyncio.Event()
        self.ws: aiohttp.ClientWebSocketResponse | None = None
        self.tasks: set[asyncio.Task] = set()
        self.closing: list[asyncio.Future] = []
        self.opened = asyncio.get_running_loop().create_future()
        # Whoever waited for the opening may have given up on it (the connect timeout).
        self.opened.add_done_callback(lambda f: f.cancelled() or f.exception())
        self.ping_timer: asyncio.TimerHandle | None = None
        self.ping_deadline = 0.0

    # -- opening ---------------------------------------------------------------------------

    def open(self) -> None:
        self.trace("socket", f"open {self.transport}")
        if self.transport == "websocket":
            self._spawn(self._websocket_only())
        else:
            self._spawn(self._poll_loop())

    def _spawn(self, coroutine) -> None:
        task = asyncio.ensure_future(coroutine)
        self.tasks.add(task)
        task.add_done_callback(self.tasks.discard)

    def url(self, transport: str, with_sid: bool = True) -> str:
        query = {**self.owner.query, "EIO": "4", "transport": transport}
        if self.sid and with_sid:
            query["sid"] = self.sid
        if transport == "polling":  # engine.io-client busts caches with a random `t`
            query["t"] = "".join(random.choices(string.ascii_lowercase + string.digits, k=8))
        base = self.owner.base_url
        if transport == "websocket":
            base = "ws" + base.removeprefix("http")
        return f"{base}/socket.io/?" + "&".join(f"{k}={v}" for k, v in query.items())

    def _handshake(self, data: str) -> None:
        handshake = json.loads(data)
        self.sid = handshake["sid"]
        self.ping_interval = handshake["pingInterval"] / 1000
        self.ping_timeout = handshake["pingTimeout"] / 1000
        upgrades = [u for u in handshake.get("upgrades", []) if u == "websocket"]
        self.state = "open"
        self.owner.prior_websocket = self.transport == "websocket"
        self.writable = True
        if not self.opened.done():
            self.opened.set_result(None)
        self.flush()
        if self.transport == "polling" and upgrades:
            self._spawn(self._probe())
        self._reset_ping_timeout()

    def _reset_ping_timeout(self) -> None:
        if self.ping_timer is not None:
            self.ping_timer.cancel()
        loop = asyncio.get_running_loop()
        delay = self.ping_interval + self.ping_timeout
        self.ping_deadline = loop.time() + delay
        self.ping_timer = loop.call_later(delay, self.on_close, "ping timeout")

    def ping_expired(self) -> bool:
        expired = self.ping_deadline and asyncio.get_running_loop().time() > self.ping_deadline
        if expired:
            asyncio.get_running_loop().call_soon(self.on_close, "ping timeout")
        return bool(expired)

    # -- long-polling ----------------------------------------------------------------------

    async def _poll_loop(self) -> None:
        """One GET at a time, the next as soon as the last returned, until the transport is
        paused for an upgrade or closed."""
        while self.state in ("opening", "open") and self.transport == "polling":
            self.polling = True
            self.poll_complete.clear()
            url = self.url("polling")
            self.trace("http", "GET /socket.io/ polling")
            try:
                async with self.http.get(url) as reply:
                    body = await reply.text()
                    if reply.status != 200:
                        raise ConnectionError(f"HTTP {reply.status}: {body[:80]}")
            except (TimeoutError, aiohttp.ClientError, ConnectionError) as error:
                self._fail(f"xhr poll error: {error}")
                return
            for packet in body.split(SEPARATOR):
                if self.state == "closed":
                    return
                if packet == CLOSE:
                    self.on_close("transport close")
                    return
                self._packet(packet, over="polling")
            self.polling = False
            self.poll_complete.set()
            if self.upgrading:  # the transport is being paused: no next poll
                return

    async def _post(self, packets: list[str]) -> None:
        self.trace("http", "POST /socket.io/ polling")
        try:
            headers = {"Content-Type": "text/plain;charset=UTF-8", "Origin": self.owner.base_url}
            async with self.http.post(
                self.url("polling"), data=SEPARATOR.join(packets).encode(), headers=headers
            ) as reply:
                await reply.read()
                if reply.status != 200:
                    raise ConnectionError(f"HTTP {reply.status}")
        except (TimeoutError, aiohttp.ClientError, ConnectionError) as error:
            self._fail(f"xhr post error: {error}")
            return
        self.writable = True
        self.drained.set()
        self._drain(len(packets))

    # -- the WebSocket ---------------------------------------------------------------------

    async def _connect_websocket(self, with_sid: bool) -> aiohttp.ClientWebSocketResponse:
        self.trace("socket", "websocket")
        return await self.http.ws_connect(
            self.url("websocket", with_sid), origin=self.owner.base_url
        )

    async def _websocket_only(self) -> None:
        try:
            self.ws = await self._connect_websocket(with_sid=False)
        except (TimeoutError, aiohttp.ClientError, OSError) as error:
            self._fail(f"websocket error: {error}")
            return
        await self._read_websocket()

    async def _probe(self) -> None:
        """Open a WebSocket beside the polling, ping it with "probe"; on its pong, let the
        running GET and POST finish, then move every later packet to the WebSocket."""
        ws = None
        try:
            ws = await self._connect_websocket(with_sid=True)
            await ws.send_str(PING + "probe")
            reply = await ws.receive()
            if reply.type != aiohttp.WSMsgType.TEXT or reply.data != PONG + "probe":
                return
            if await self._pause_polling():
                await self._upgrade(ws)
        except (TimeoutError, aiohttp.ClientError, OSError):
            return  # the probe failed: stay on long-polling
        finally:
            if ws is not None and ws is not self.ws and not ws.closed:
                await ws.close()  # a probe that lost (or the connection closed meanwhile)

    async def _pause_polling(self) -> bool:
        """Let the GET and the POST under way finish; False when the connection closed."""
        if self.state != "open":
            return False
        self.upgrading = True
        self.owner.prior_websocket = True
        if self.polling:
            await self.poll_complete.wait()
        if not self.writable:
            await self.drained.wait()
        return self.state != "closed"

    async def _upgrade(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws, self.transport = ws, "websocket"
        await ws.send_str(UPGRADE)
        self.upgrading = False
        self.writable = True
        self.flush()
        await self._read_websocket()

    async def _read_websocket(self) -> None:
        ws = self.ws
        while True:
            try:
                message = await ws.receive()
            except (TimeoutError, aiohttp.ClientError, OSError):
                break
            if message.type != aiohttp.WSMsgType.TEXT:
                break
            self._packet(message.data, over="websocket")
            if self.state == "closed":
                return
        self.on_close("transport close")

    # -- packets ---------------------------------------------------------------------------

    def _packet(self, packet: str, over: str) -> None:
        kind, data = packet[:1], packet[1:]
        if kind == OPEN:
            self._handshake(data)
        elif kind == PING:
            self.send_packet(PONG)
            self._reset_ping_timeout()
        elif kind == MESSAGE:
            self.owner.on_message(data)
        elif kind == CLOSE:
            self.on_close("transport close")

    def send_packet(self, packet: str) -> None:
        if self.state in ("closing", "closed"):
            return
        self.write_buffer.append(packet)
        self.flush()

    def flush(self) -> None:
        if self.state == "closed" or not self.writable or self.upgrading:
            return
        if not self.write_buffer:
            return
        packets = list(self.write_buffer)
        # Not writable from now, as engine.io-client's transport marks itself when it starts
        # a write: set inside the POST's task, a second flush before the task ran sent the same
        # packets again, and an upgrade saw no POST under way and went ahead of it (HTTP 400).
        self.writable = False
        if self.transport == "polling":
            self.drained.clear()
            self._spawn(self._post(packets))
        else:
            self._spawn(self._send_websocket(packets))

    async def _send_websocket(self, packets: list[str]) -> None:
        try:
            for packet in packets:
                await self.ws.send_str(packet)
        except (aiohttp.ClientError, OSError, ConnectionError):
            pass  # the reader notices the closed socket
        await asyncio.sleep(0)  # engine.io-client drains on the next tick
        self.writable = True
        self._drain(len(packets))

    def _drain(self, sent: int) -> None:
        del self.write_buffer[:sent]
        if self.write_buffer:
            self.flush()

    # -- closing ---------------------------------------------------------------------------

    def _fail(self, reason: str) -> None:
        self.owner.prior_websocket = False
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(reason))
        self.on_close(reason)

    def on_close(self, reason: str) -> None:
        if self.state == "closed":
            return
        was_open = self.state in ("open", "closing")
        self.state = "closed"
        if self.ping_timer is not None:
            self.ping_timer.cancel()
        if not self.opened.done():
            self.opened.set_exception(ConnectionError(reason))
        if self.ws is not None and not self.ws.closed:
            self._spawn_detached(self.ws.close())
        for task in list(self.tasks):
            if task is not asyncio.current_task():
                task.cancel()
        if was_open:
            self.owner.on_engine_close(self, reason)

    def _spawn_detached(self, coroutine) -> None:
        self.closing.append(asyncio.ensure_future(coroutine))

    async def wait_closed(self) -> None:
        """Until the WebSocket is closed and every task of this connection has ended."""
        await asyncio.gather(*self.closing, *self.tasks, return_exceptions=True)

    def close(self) -> None:
        """The page goes away (a reload, a link followed): the browser drops the connection."""
        self.on_close("forced close")
