"""Configuration layers, lowest first: these defaults, `instance/config.py`, `WORKSHOP_*`
environment variables, then the mapping a test passes to `create_app`."""

from __future__ import annotations

import os
import secrets
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import Flask

PROJECT_ROOT = Path(__file__).resolve().parent.parent

try:
    VERSION = version("workshop")
except PackageNotFoundError:  # running from a source tree that was never installed
    VERSION = "0.0.0"


class Defaults:
    DATABASE_URL = ""  # empty: SQLite in the instance folder
    MESSAGE_QUEUE = ""  # e.g. redis://127.0.0.1:6379/0 to share events between processes
    # The queue's channel: Redis delivers published messages to every database number, so two
    # deployments (or two test runs) on one Redis server need channels of their own.
    MESSAGE_QUEUE_CHANNEL = "flask-socketio"
    ASYNC_MODE = "threading"  # `workshop.serve` switches to gevent before it builds the app
    AGENDA_DIR = str(PROJECT_ROOT / "sessions")
    # Compressed copies of static/ named by their content (web/static_files.py); empty: the
    # user's cache (XDG_CACHE_HOME or ~/.cache)/workshop/static.
    STATIC_CACHE = ""
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    PARTICIPANT_COOKIE_DAYS = 30
    WTF_CSRF_TIME_LIMIT = None  # a facilitator may leave a form open for a whole session
    SOCKETIO_CORS_ORIGINS: list[str] | None = None  # None: same origin only
    MAX_CONTENT_LENGTH = 1024 * 1024
    LOGIN_FAILURES_PER_MINUTE = 5  # per account
    LOGIN_FAILURES_PER_MINUTE_PER_ADDRESS = 30
    WRONG_CODES_PER_MINUTE = 30  # per address: guessing a join code takes ~10^8 tries
    SOCKET_EVENTS_PER_10S = 40  # per connection: a person answers or votes a few times a minute
    SOCKET_UNREADABLE_LOGS_PER_MINUTE = 20  # log lines about unreadable packets, per process
    TRUSTED_PROXIES = 0  # reverse proxies in front that set X-Forwarded-For/-Proto/-Host
    PUBLIC_URL = ""  # e.g. http://192.168.1.20:5000 so phones and the QR code use the venue address
    # The address `workshop.serve` listens on (it sets this): 0.0.0.0 answers phones on the
    # network, 127.0.0.1 only this machine. None: served some other way, not known.
    SERVE_HOST: str | None = None
    BROADCAST_INTERVAL = 0.25  # seconds between coalesced count updates to screens and facilitators
    # Once a facilitator opens a session's themes board, embed its answers for theme
    # suggestions as they arrive, so the click finds the work done (this loads the two
    # sentence encoders in a child process, 200-310 MB, when the board is first opened).
    SUGGEST_AHEAD = True


def load_config(app: Flask, test_config: dict | None) -> None:
    app.config.from_object(Defaults)
    app.config.from_pyfile("config.py", silent=True)
    app.config.from_prefixed_env("WORKSHOP")
    if test_config:
        app.config.update(test_config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(Path(app.instance_path))
    if not app.config["DATABASE_URL"]:
        app.config["DATABASE_URL"] = f"sqlite:///{Path(app.instance_path) / 'workshop.sqlite'}"
    app.config["SQLALCHEMY_DATABASE_URI"] = app.config["DATABASE_URL"]
    if str(app.config.get("PUBLIC_URL", "")).startswith("https://"):
        # Served over HTTPS: cookies must never travel over plain HTTP.
        app.config["SESSION_COOKIE_SECURE"] = True
        app.config["REMEMBER_COOKIE_SECURE"] = True


def _instance_secret(instance: Path) -> str:
    """A random key kept in the instance folder, so cookies survive restarts without a
    hard-coded secret. Created with owner-only permissions."""
    path = instance / "secret_key"
    if path.exists():
        return path.read_text().strip()
    key = secrets.token_hex(32)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process started at the same moment and won
        return path.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(key)
    return key
