"""Server processes for benchmarks: the app (embedded SQLite, or PostgreSQL + Redis for
scale-out) and the bare Flask-SocketIO stack, each in its own process, sampled for CPU time
and peak memory while it runs."""

from __future__ import annotations

import contextlib
import os
import re
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "benchmark password"
EMAIL = "bench@example.org"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class ServerProcess:
    """One server process with a sampler for its CPU seconds and peak resident memory (its
    children included)."""

    def __init__(self, command: list[str], env: dict[str, str], log: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.command = command
        self.env = {**os.environ, **env, "HOST": "127.0.0.1", "PORT": str(self.port)}
        self.log = log
        self.process: subprocess.Popen | None = None
        self.peak_rss = 0
        self.peak_child_rss = 0  # the largest child alone (the app's encoder process)
        self._sampling = False

    def start(self) -> ServerProcess:
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                self.command, env=self.env, stdout=out, stderr=subprocess.STDOUT, cwd=ROOT
            )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.log.read_text()[-2000:]}")
            try:
                if requests.get(self.url + "/healthz", timeout=1).ok:
                    break
            except requests.RequestException:
                time.sleep(0.1)
        self._sampling = True
        threading.Thread(target=self._sample, daemon=True).start()
        return self

    def _family(self) -> list[psutil.Process]:
        """The server and its children (the app's sentence encoder process): their memory
        and CPU are the server's cost too."""
        handle = psutil.Process(self.process.pid)
        return [handle, *handle.children(recursive=True)]

    def _sample(self) -> None:
        while self._sampling:
            total = 0
            try:
                family = self._family()
                for member in family:
                    with contextlib.suppress(psutil.NoSuchProcess):
                        rss = member.memory_info().rss
                        total += rss
                        if member is not family[0]:
                            self.peak_child_rss = max(self.peak_child_rss, rss)
            except psutil.Error:
                return
            self.peak_rss = max(self.peak_rss, total)
            if os.environ.get("BENCH_RSS_TRACE"):  # a file: one line per sample, for digging
                with open(os.environ["BENCH_RSS_TRACE"], "a") as trace:
                    trace.write(f"{time.time():.2f} {total >> 20} {cpu_trace(family)}\n")
            time.sleep(0.05)

    def cpu_seconds(self) -> float:
        total = 0.0
        for member in self._family():
            try:
                times = member.cpu_times()
            except psutil.NoSuchProcess:
                continue
            total += times.user + times.system
        return total

    def stop(self) -> None:
        self._sampling = False
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()


def cpu_trace(family: list[psutil.Process]) -> str:
    """CPU seconds so far of the server's main thread (the event loop), its other threads
    (the suggestion worker) and its children (the encoder process)."""
    main = others = children = 0.0
    with contextlib.suppress(psutil.NoSuchProcess):
        for thread in family[0].threads():
            seconds = thread.user_time + thread.system_time
            if thread.id == family[0].pid:
                main += seconds
            else:
                others += seconds
    for member in family[1:]:
        with contextlib.suppress(psutil.NoSuchProcess):
            children += sum(member.cpu_times()[:2])
    return f"{main:.2f} {others:.2f} {children:.2f}"


def app_server(
    workdir: Path, env: dict[str, str] | None = None, init: bool = True
) -> ServerProcess:
    """The real app as `make run` serves it (gevent), on a fresh instance folder."""
    env = {"WORKSHOP_INSTANCE_PATH": str(workdir), **(env or {})}
    workdir.mkdir(parents=True, exist_ok=True)
    if init:
        script = str(Path(sys.executable).parent / "workshop")
        run_env = {**os.environ, **env}
        subprocess.run([script, "init-db"], env=run_env, check=True, capture_output=True)
        subprocess.run(
            [script, "create-facilitator", EMAIL, "--password", PASSWORD],
            env=run_env,
            check=False,
            capture_output=True,
        )
    return ServerProcess(
        [sys.executable, "-m", "workshop.serve"], env, workdir / "server.log"
    ).start()


def bare_server(workdir: Path) -> ServerProcess:
    workdir.mkdir(parents=True, exist_ok=True)
    return ServerProcess(
        [sys.executable, "-m", "bench.bare_server"], {}, workdir / "bare.log"
    ).start()


CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class FacilitatorDriver:
    """The facilitator's laptop over plain HTTP: sign in, start a session, run the agenda."""

    def __init__(self, url: str):
        self.url = url
        self.http = requests.Session()
        self.workshop_id: int | None = None
        self.code = ""
        self.projector_token = ""

    def _token(self, path: str) -> str:
        return CSRF.search(self.http.get(self.url + path).text).group(1)

    def sign_in(self) -> None:
        token = self._token("/auth/login")
        reply = self.http.post(
            self.url + "/auth/login",
            data={"email": EMAIL, "password": PASSWORD, "csrf_token": token},
        )
        reply.raise_for_status()

    def start(self, agenda_id: str = "thrive-srt-retrospective") -> None:
        token = self._token("/facilitator/")
        reply = self.http.post(
            f"{self.url}/facilitator/agendas/{agenda_id}/start", data={"csrf_token": token}
        )
        self.workshop_id = int(reply.url.rstrip("/").split("/")[-1])
        page = reply.text
        self.code = re.search(r'<strong class="code">(\w+)</strong>', page).group(1)
        self.projector_token = re.search(r"/screen/([\w-]+)", page).group(1)

    def post(self, path: str, data: dict) -> requests.Response:
        token = self._token(f"/facilitator/w/{self.workshop_id}")
        return self.http.post(
            f"{self.url}/facilitator/w/{self.workshop_id}{path}", data={**data, "csrf_token": token}
        )

    def get(self, path: str) -> requests.Response:
        return self.http.get(f"{self.url}/facilitator/w/{self.workshop_id}{path}")

    def control(self, action: str) -> None:
        self.post("/control", {"action": action}).raise_for_status()
