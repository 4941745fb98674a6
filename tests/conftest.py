"""Shared fixtures: an app on a migrated SQLite file, HTTP and CLI clients, and helpers that
read like the room's actions. PostgreSQL and Redis fixtures skip with a reason where those
services are not running, unless WORKSHOP_REQUIRE_SERVICES=1 (CI) makes them mandatory."""

from __future__ import annotations

import os
import re
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from workshop import create_app, database
from workshop.extensions import db

TESTS = Path(__file__).parent
AGENDA_FIXTURES = TESTS / "data" / "agendas"
BUNDLED_AGENDAS = TESTS.parent / "sessions"
POSTGRES_URL = os.environ.get(
    "WORKSHOP_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("WORKSHOP_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
PASSWORD = "a long enough password"


def services_required() -> bool:
    return os.environ.get("WORKSHOP_REQUIRE_SERVICES") == "1"


def skip_or_fail(reason: str) -> None:
    if services_required():
        pytest.fail(f"{reason} (WORKSHOP_REQUIRE_SERVICES=1 makes this mandatory)")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def chromium():
    """Debian's Chromium through Playwright, one per test module; skips where it is not
    installed (fails in CI, see skip_or_fail)."""
    from browser_support import CHROMIUM_ARGS, chromium_path

    path = chromium_path()
    if path is None:
        skip_or_fail("Chromium is not installed (apt-get install chromium)")
    from playwright.sync_api import expect, sync_playwright

    # A busy machine (CI shares its cores) can take longer than Playwright's 5 s to show what
    # a page will show; an assertion that holds returns as soon as it does.
    expect.set_options(timeout=15_000)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


_TEMPLATE: list[Path] = []  # this process's migrated SQLite file, made on first use


def fresh_sqlite(target: Path) -> None:
    """A new database at the latest migration. Running the migrations takes about 0.25 s and
    most tests want a database of their own, so each process migrates one file and copies it
    (SQLite's backup API: a consistent copy whatever the journal mode). Each copy gets its own
    installation id, as a database made by `init-db` would."""
    import sqlite3
    import tempfile

    if not _TEMPLATE:
        template = Path(tempfile.mkdtemp(prefix="workshop-template-")) / "template.sqlite"
        database.upgrade(f"sqlite:///{template}")
        _TEMPLATE.append(template)
    target.parent.mkdir(parents=True, exist_ok=True)  # as database.upgrade does
    source, copy = sqlite3.connect(_TEMPLATE[0]), sqlite3.connect(target)
    try:
        source.backup(copy)
        copy.execute("UPDATE installation SET server_id = ?", (uuid.uuid4().hex,))
        copy.commit()
    finally:
        source.close()
        copy.close()


def make_app(tmp_path: Path, **config):
    default = tmp_path / "workshop.sqlite"
    url = config.pop("DATABASE_URL", f"sqlite:///{default}")
    if url == f"sqlite:///{default}" and not default.exists():
        fresh_sqlite(default)
    else:
        database.upgrade(url)  # another database, or one a test made earlier: migrate it
    settings = {
        "TESTING": True,
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "AGENDA_DIR": str(BUNDLED_AGENDAS),
        "WTF_CSRF_ENABLED": False,
        # Tests drive one socket through many events in a row; test_security.py checks the limit.
        "SOCKET_EVENTS_PER_10S": 100_000,
        # The encoders load only where a test asks for them (tests/test_suggestion_runs.py).
        "SUGGEST_AHEAD": False,
    }
    settings.update(config)
    return create_app(settings)


@pytest.fixture
def app(tmp_path):
    app = make_app(tmp_path)
    yield app
    with app.app_context():
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


class AuthActions:
    """Sign a facilitator in and out the way the sign-in form does."""

    def __init__(self, app, client):
        self.app = app
        self.client = client

    def create(self, email: str = "facilitator@example.org", password: str = PASSWORD):
        from workshop import accounts

        with self.app.app_context():
            accounts.create_facilitator(db.session, email, password)
            db.session.commit()
        return email

    def login(self, email: str = "facilitator@example.org", password: str = PASSWORD):
        return self.client.post("/auth/login", data={"email": email, "password": password})

    def logout(self):
        return self.client.post("/auth/logout")


@pytest.fixture
def auth(app, client):
    return AuthActions(app, client)


def csrf_token(html: str) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html) or re.search(
        r'name="csrf_token" value="([^"]+)"', html
    )
    assert match, "page has no CSRF token"
    return match.group(1)


@pytest.fixture
def model_cache(tmp_path, monkeypatch) -> Path:
    """A folder of its own for the encoders' derived model files (WORKSHOP_MODEL_CACHE)."""
    monkeypatch.setenv("WORKSHOP_MODEL_CACHE", str(tmp_path / "models"))
    return tmp_path / "models"


@pytest.fixture
def postgres_url():
    """A fresh PostgreSQL schema for one test, dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(POSTGRES_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    except Exception as error:  # noqa: BLE001 - any failure to reach the server means skip
        admin.dispose()
        skip_or_fail(f"PostgreSQL is not reachable at {POSTGRES_URL}: {error.__class__.__name__}")
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    yield url.render_as_string(hide_password=False)
    with admin.connect() as connection:
        connection.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
    admin.dispose()


@pytest.fixture
def redis_url():
    import redis

    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2).ping()
    except redis.RedisError as error:
        skip_or_fail(f"Redis is not reachable at {REDIS_URL}: {error.__class__.__name__}")
    return REDIS_URL


# Files that start servers and browsers take most of the suite's time. Run first, they are
# shared out between the `make test` processes while the quick files fill the gaps; run
# last (in name order), one of them ended the run alone for minutes.
SLOW_FIRST = (
    "test_e2e_",
    "test_scaleout",
    "test_durability",
    "test_socket_packets",
    "test_suggestion_r",  # (runs, review) these start servers and browsers too
    "test_network",
    "test_rehearse",
)


def pytest_collection_modifyitems(items):
    def slow_first(item) -> int:
        return 0 if item.path.name.startswith(SLOW_FIRST) else 1

    items.sort(key=slow_first)  # stable: each file's tests keep their order
