"""Real servers and a real browser for end-to-end tests.

`LiveServer` runs `python -m workshop.serve` (gevent, the same server `make run` uses) in a
subprocess on a free port, and can be killed and restarted on the same database. `chromium`
launches Debian's Chromium through Playwright; the tests skip with a reason when it is not
installed, unless WORKSHOP_REQUIRE_SERVICES=1 (CI) makes them mandatory.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# Settings the commands do not need and this process must not take on: an app made with a
# message queue sets it on the one Socket.IO extension for good, and every later test in this
# process that uses Flask-SocketIO's test client fails ("cannot be used with a message queue").
WITHOUT_A_QUEUE = ("WORKSHOP_MESSAGE_QUEUE", "WORKSHOP_MESSAGE_QUEUE_CHANNEL")


class LiveServer:
    """One server process; `restart()` keeps the port, the database and the secret key."""

    def __init__(self, instance: Path, env: dict[str, str] | None = None, port: int | None = None):
        self.instance = instance
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "WORKSHOP_INSTANCE_PATH": str(instance),
            "HOST": "127.0.0.1",
            "PORT": str(self.port),
            "PYTHONUNBUFFERED": "1",
            **(env or {}),
        }
        self.process: subprocess.Popen | None = None
        self.log = instance / f"server-{self.port}.log"

    def cli(self, *args: str) -> subprocess.CompletedProcess:
        script = Path(sys.executable).parent / "workshop"
        return subprocess.run(
            [str(script), *args], env=self.env, capture_output=True, text=True, check=True
        )

    def prepare(self, email: str, password: str) -> LiveServer:
        """`workshop init-db` and `workshop create-facilitator`, run in this process: the same
        commands as `cli(...)` with this server's settings, without starting Python twice
        more (about 6 s a server, most of it importing the app). The commands run in an app
        of ours, whose connections are closed before the server starts."""
        from click.testing import CliRunner

        from workshop import create_app
        from workshop.cli import main
        from workshop.extensions import db

        settings = {
            name: value
            for name, value in self.env.items()
            if name.startswith("WORKSHOP_") and name not in WITHOUT_A_QUEUE
        }
        runner = CliRunner()
        with runner.isolation(env=settings):
            app = create_app()
        with app.app_context():
            try:
                for args in (["init-db"], ["create-facilitator", email, "--password", password]):
                    result = runner.invoke(main, args, env=settings)
                    if result.exit_code != 0:
                        raise RuntimeError(f"workshop {args[0]} failed: {result.output}")
            finally:
                db.session.remove()
                db.engine.dispose()
        return self

    def start(self) -> LiveServer:
        self.instance.mkdir(parents=True, exist_ok=True)
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "workshop.serve"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        self._wait_until_up()
        return self

    def _wait_until_up(self, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    return
            except requests.RequestException:
                time.sleep(0.1)
        raise RuntimeError(f"server did not start: {self.log.read_text()[-2000:]}")

    def kill(self) -> None:
        """SIGKILL: no clean shutdown, as in a power cut or an OOM kill."""
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    def restart(self) -> None:
        self.kill()
        self.start()

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


# Where the tests leave the pictures a person looks at before resolving (git-ignored).
SCREENSHOTS = Path(__file__).resolve().parent.parent / "screenshots"

# Chromium now and then refuses one capture with "Unable to capture screenshot" and takes the
# same picture when asked again a moment later; seen in CI on a busy machine, on a page just
# navigated to. It is a browser hiccup, not something the page did, so it is asked again.
# (Waiting for a drawn frame first is no help to a page without JavaScript: it never answers.)
REFUSED = "Unable to capture screenshot"


def screenshot(page, path: Path | str, full_page: bool = False, attempts: int = 3) -> None:
    """The page as drawn now, saved as a PNG at `path` (its folder is made)."""
    from playwright.sync_api import Error

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in range(1, attempts + 1):
        try:
            page.screenshot(path=str(path), full_page=full_page)
            return
        except Error as error:
            if REFUSED not in str(error) or attempt == attempts:
                raise
            time.sleep(0.25 * attempt)


# Chrome DevTools' "Slow 3G" preset: 400 kbit/s each way (x0.8), 2 s round trips (400 ms x5).
SLOW_3G = {
    "offline": False,
    "latency": 2000,
    "downloadThroughput": 50_000,
    "uploadThroughput": 50_000,
}


def live_session(
    instance: Path,
    email: str = "light@example.org",
    password: str = "a long enough password",
    env: dict[str, str] | None = None,
):
    """A running server with a session started from the Thrive agenda and moved to its
    retrospective questions. Returns (server, join code); the caller stops the server."""
    csrf = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
    server = LiveServer(instance, env).prepare(email, password)
    server.start()
    http = requests.Session()

    def post(page: str, action: str, data: dict) -> requests.Response:
        token = csrf.search(http.get(page).text).group(1)
        return http.post(action, data={**data, "csrf_token": token})

    post(
        server.url + "/auth/login",
        server.url + "/auth/login",
        {"email": email, "password": password},
    )
    started = post(
        server.url + "/facilitator/",
        server.url + "/facilitator/agendas/thrive-srt-retrospective/start",
        {},
    )
    for action in ("start", "next"):
        post(started.url, started.url + "/control", {"action": action})
    # The facilitator's hands, for tests that move the session on: control("next").
    server.control = lambda action: post(started.url, started.url + "/control", {"action": action})
    return server, re.search(r'<strong class="code">(\w+)</strong>', started.text).group(1)


# Wraps the Socket.IO client as it loads, to tell when the page has its snapshot over the
# upgraded WebSocket (nothing the page sends or receives changes).
WATCH_SOCKET = """
(() => {
  window.__firstLoad = { snapshot: false, websocket: false };
  let wrapped;
  Object.defineProperty(window, "io", {
    configurable: true,
    get() { return wrapped; },
    set(io) {
      wrapped = Object.assign(function () {
        const socket = io.apply(this, arguments);
        socket.on("snapshot", () => { window.__firstLoad.snapshot = true; });
        socket.io.on("open", () => {
          const engine = socket.io.engine;
          engine.on("upgrade", () => { window.__firstLoad.websocket = true; });
          if (engine.transport.name === "websocket") { window.__firstLoad.websocket = true; }
        });
        return socket;
      }, io);
    },
  });
})();
"""


def measure_participant_pages(
    browser, server_url: str, code: str, network: dict | None = SLOW_3G
) -> dict:
    """A phone's whole first visit, from an empty cache: the join page, joining (the form's
    post and its redirect), the live page with its stylesheet, scripts and the Socket.IO
    client, and the socket's traffic until the page has its snapshot over the upgraded
    WebSocket. Counted: every byte the phone received (HTTP responses with their headers,
    long-polling included) and every WebSocket frame either way. Then the same visit again
    from the warm cache (a phone that comes back)."""
    context = browser.new_context(**PHONE)
    context.add_init_script(WATCH_SOCKET)
    first = _visit(context, f"{server_url}/w/{code}", network, join=True)
    again = _visit(context, f"{server_url}/w/{code}", network, join=False)
    context.close()
    return {"first visit": first, "coming back": again}


def _visit(context, url: str, network: dict | None, join: bool) -> dict:
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    cdp.send("Network.enable")
    if network:
        cdp.send("Network.emulateNetworkConditions", network)
    received: dict[str, float] = {}
    kinds: dict[str, str] = {}
    by_kind: dict[str, float] = {}
    frames = [0]
    cdp.on("Network.responseReceived", lambda e: kinds.__setitem__(e["requestId"], e["type"]))
    cdp.on(
        "Network.loadingFinished",
        lambda e: received.__setitem__(e["requestId"], e["encodedDataLength"]),
    )

    def frame(event: dict) -> None:
        frames[0] += len(event["response"]["payloadData"].encode())

    cdp.on("Network.webSocketFrameReceived", frame)
    cdp.on("Network.webSocketFrameSent", frame)
    usable = {}
    started = time.perf_counter()
    page.goto(url, wait_until="commit")
    if join:
        button = page.get_by_role("button", name="Join the session")
        button.wait_for(timeout=60_000)
        usable["join_s"] = round(time.perf_counter() - started, 2)
        page.locator("input[type=radio]").first.check()
        started = time.perf_counter()
        button.click()
    page.locator("form.respond-form button").first.wait_for(state="visible", timeout=60_000)
    usable["answer_s"] = round(time.perf_counter() - started, 2)  # after the click
    page.wait_for_function(
        "() => window.__firstLoad.snapshot && window.__firstLoad.websocket", timeout=60_000
    )
    page.wait_for_load_state("load")
    page.close()
    for request, size in received.items():
        kind = kinds.get(request, "Redirect")
        by_kind[kind] = by_kind.get(kind, 0) + size
    by_kind["WebSocket frames"] = frames[0]
    return {
        "bytes": int(sum(by_kind.values())),
        "requests": sum(1 for size in received.values() if size),  # not from the cache
        **usable,
        "by_kind": {kind: int(size) for kind, size in sorted(by_kind.items())},
    }


CSRF_FIELD = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Visitor:
    """A person without a browser (a facilitator setting up, a phone answering): pages
    fetched and forms posted with their own cookies, which a browser context can take over."""

    def __init__(self, base: str):
        self.base, self.http = base, requests.Session()

    def get(self, path: str) -> requests.Response:
        reply = self.http.get(self.base + path)
        reply.raise_for_status()
        return reply

    def post(self, page: str, action: str, data: dict) -> requests.Response:
        token = CSRF_FIELD.search(self.get(page).text).group(1)
        reply = self.http.post(self.base + action, data={**data, "csrf_token": token})
        reply.raise_for_status()
        return reply

    def cookies(self) -> list[dict]:
        """The cookies to hand a browser context, so it is this same person."""
        return [{"name": c.name, "value": c.value, "url": self.base} for c in self.http.cookies]
