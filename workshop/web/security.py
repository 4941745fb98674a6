"""Security headers and rate limits.

The Content-Security-Policy allows no inline script: pages hand their initial state over in
`<script type="application/json">`, which browsers never execute, and load one script file.
Rate limits on addresses and accounts (failed sign-ins, wrong join codes) are kept with the
`limits` library where every process sees them: in Redis when the app has a message queue
(`WORKSHOP_MESSAGE_QUEUE`, so several processes behind a proxy share one count), else in this
process's memory. Limits on one socket connection stay in the process that holds the
connection: a connection lives in one process, so its count is the same there, and the room's
busiest path pays no Redis round trip per event.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from flask import Flask, request
from limits import RateLimitItemPerSecond
from limits.storage import MemoryStorage, RedisStorage
from limits.strategies import MovingWindowRateLimiter

CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Share links and join codes live in URLs: never send them to another site.
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def init_app(app: Flask) -> None:
    app.extensions["rate_limits"] = Limits(app.config)

    @app.after_request
    def add_security_headers(response):
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if request.is_secure:
            response.headers.setdefault("Strict-Transport-Security", "max-age=31536000")
        return response


class RateLimiter:
    """At most `limit` events per `window` seconds per key (a sliding window), in this
    process: for per-connection limits, on the path every socket event takes."""

    def __init__(self, limit: int, window: float, max_keys: int = 100_000):
        self.limit = limit
        self.window = window
        self.max_keys = max_keys
        self.events: dict[str, deque[float]] = {}
        self.lock = threading.Lock()

    def hit(self, key: str, now: float | None = None) -> bool:
        """Record one event; False when the key is over its limit (the event is refused)."""
        now = time.monotonic() if now is None else now
        with self.lock:
            if len(self.events) > self.max_keys:
                self.events.clear()  # a crude bound on memory under a flood of distinct keys
            recent = self.events.setdefault(key, deque())
            while recent and recent[0] <= now - self.window:
                recent.popleft()
            if len(recent) >= self.limit:
                return False
            recent.append(now)
            return True

    def blocked(self, key: str, now: float | None = None) -> bool:
        """Whether the key is over its limit, without counting an event."""
        now = time.monotonic() if now is None else now
        with self.lock:
            recent = self.events.get(key)
            return bool(recent) and sum(1 for t in recent if t > now - self.window) >= self.limit

    def reset(self) -> None:
        with self.lock:
            self.events.clear()


class SharedLimiter:
    """At most `limit` events per `window` seconds per key, counted in a `limits` storage that
    every process of a deployment shares (or this process alone, with memory storage)."""

    def __init__(self, strategy: MovingWindowRateLimiter, name: str, limit: int, window: int):
        self.strategy, self.name = strategy, name
        self.item = RateLimitItemPerSecond(limit, window)

    def hit(self, key: str) -> bool:
        """Record one event; False when the key is over its limit (the event is refused)."""
        return self.strategy.hit(self.item, self.name, key)

    def blocked(self, key: str) -> bool:
        """Whether the key is over its limit, without counting an event."""
        return not self.strategy.test(self.item, self.name, key)

    def reset(self) -> None:
        self.strategy.storage.reset()


def shared_storage(config) -> MemoryStorage | RedisStorage:
    """Redis when the deployment has a Redis message queue; its keys carry the queue's channel,
    which is already one deployment's own (two on one Redis server must not share counts)."""
    queue = config["MESSAGE_QUEUE"] or ""
    if queue.startswith(("redis://", "rediss://")):
        prefix = f"workshop-limits:{config['MESSAGE_QUEUE_CHANNEL']}"
        return RedisStorage(queue, key_prefix=prefix)
    return MemoryStorage()


class Limits:
    """One app's limiters. Failed sign-ins: per account and per address. Wrong join codes: per
    address (phones on one venue wifi share an address, so only wrong codes count, never
    successful joins). Socket events: per connection, so one flooding phone is refused
    without slowing the room."""

    def __init__(self, config):
        shared = MovingWindowRateLimiter(shared_storage(config))
        self.failed_logins_by_account = SharedLimiter(
            shared, "failed-logins-by-account", config["LOGIN_FAILURES_PER_MINUTE"], 60
        )
        self.failed_logins_by_address = SharedLimiter(
            shared, "failed-logins-by-address", config["LOGIN_FAILURES_PER_MINUTE_PER_ADDRESS"], 60
        )
        self.wrong_codes_by_address = SharedLimiter(
            shared, "wrong-codes-by-address", config["WRONG_CODES_PER_MINUTE"], 60
        )
        self.socket_events = RateLimiter(config["SOCKET_EVENTS_PER_10S"], 10)
        # Log lines about unreadable socket packets (web/packet_guard.py): one per connection,
        # and no more than this a minute however many connections send them.
        self.unreadable_logs = RateLimiter(config["SOCKET_UNREADABLE_LOGS_PER_MINUTE"], 60)


def limits() -> Limits:
    from flask import current_app

    return current_app.extensions["rate_limits"]


def client_address() -> str:
    return request.remote_addr or "unknown"
