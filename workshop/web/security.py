"""Security headers and rate limits.

The Content-Security-Policy allows no inline script: pages hand their initial state over in
`<script type="application/json">`, which browsers never execute, and load one script file.
Rate limits are kept in memory per process: enough to stop a guessing loop or one flooding
phone; with several processes each enforces its own share.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from flask import Flask, request

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
    """At most `limit` events per `window` seconds per key (a sliding window)."""

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


class Limits:
    """One app's limiters. Failed sign-ins: per account and per address. Wrong join codes: per
    address (phones on one venue wifi share an address, so only wrong codes count, never
    successful joins). Socket events: per connection, so one flooding phone is refused
    without slowing the room."""

    def __init__(self, config):
        self.failed_logins_by_account = RateLimiter(config["LOGIN_FAILURES_PER_MINUTE"], 60)
        self.failed_logins_by_address = RateLimiter(
            config["LOGIN_FAILURES_PER_MINUTE_PER_ADDRESS"], 60
        )
        self.wrong_codes_by_address = RateLimiter(config["WRONG_CODES_PER_MINUTE"], 60)
        self.socket_events = RateLimiter(config["SOCKET_EVENTS_PER_10S"], 10)
        # Log lines about unreadable socket packets (web/packet_guard.py): one per connection,
        # and no more than this a minute however many connections send them.
        self.unreadable_logs = RateLimiter(config["SOCKET_UNREADABLE_LOGS_PER_MINUTE"], 60)


def limits() -> Limits:
    from flask import current_app

    return current_app.extensions["rate_limits"]


def client_address() -> str:
    return request.remote_addr or "unknown"
