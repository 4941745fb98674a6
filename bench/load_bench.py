"""A room of N phones against the real server: join, three answers each within a minute,
then a top-three ballot each within ten seconds, while a projector and a facilitator watch.

Run: `python -m bench load [--phones 100,500,1000,2000] [--modes bare,app,app-nosuggest,scaleout]`
(`--sizes` is the same option).
`app` is the app as it runs by default: the facilitator opens the themes board 20 s into the
answers (`--board-at`), so the theme suggester's encoders load, embed the answers so far and
then every answer as it arrives;
`app-nosuggest` is the same app with that switched off (WORKSHOP_SUGGEST_AHEAD=false);
`scaleout` is two processes sharing PostgreSQL and Redis.
The phones are `workshop.live.phone_page.SimulatedPhone`: on the network they do what the
shipped participant page does (tests/test_e2e_phone_model.py checks it against Chromium).
For each N it records join time, answer and ballot acknowledgement latency (p50, p95, p99,
max), how long each of the facilitator's three steps to the vote (next, next, open the vote,
pressed on the shipped console: `workshop.live.console_page`) took to reach every phone (p50,
p99, max; `bench/room_steps.py`), the time from the last
acknowledged ballot until the projector holds a tally counting every ballot, phones that lost
their connection, answers and ballots never acknowledged, errors, lost and duplicated
submissions (checked in the database), server CPU seconds and peak memory. The bare Flask-SocketIO server does the same fan-out with no
database in the same run, so the app's cost is also given as a ratio to the stack's ceiling.

For digging into a run: BENCH_RSS_TRACE=FILE logs, every 50 ms, the server's memory and the CPU
seconds of its event loop, its other threads and its children, with a line where each phase
starts; BENCH_LATENCY_TRACE=FILE logs every acknowledgement (event, time sent, seconds) and
the generator's own pauses and garbage collections, so slow answers can be lined up with what
the server was doing.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import platform
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

import socketio
from sqlalchemy import create_engine, text

from bench.room_steps import AppSteps, BareSteps, take_steps
from bench.servers import FacilitatorDriver, ServerProcess, app_server, bare_server
from workshop.live.simulate import SimulatedPhone, Timings

RESULTS = Path(__file__).parent / "results"
POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
REDIS = "redis://127.0.0.1:6379/14"


def percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * (len(ordered) - 1))))
    return ordered[index]


def summary(values: list[float]) -> dict[str, float]:
    return {f"p{q}": round(percentile(values, q) * 1000, 1) for q in (50, 95, 99)} | {
        "max": round(max(values) * 1000, 1) if values else float("nan")
    }


class Watcher:
    """The projector (or facilitator) socket: records when each tally arrived."""

    def __init__(self, url: str, namespace: str, query: str, cookie: str = ""):
        self.sio = socketio.AsyncClient(reconnection=True)
        self.url, self.namespace, self.query, self.cookie = url, namespace, query, cookie
        self.tallies: list[tuple[float, int]] = []
        self.sio.on("tally", self._on_tally, namespace=namespace)

    async def _on_tally(self, data: dict) -> None:
        self.tallies.append((time.perf_counter(), data.get("ballots", 0)))

    async def connect(self) -> None:
        headers = {"Cookie": self.cookie} if self.cookie else {}
        await self.sio.connect(
            f"{self.url}?{self.query}",
            namespaces=[self.namespace],
            headers=headers,
            transports=["websocket"],
            # The shipped pages' socket.io-client waits 20 s for the namespace (its `timeout`);
            # python-socketio's 1 s default gave up while forty rooms connected at once.
            wait_timeout=20,
        )

    def complete_at(self, expected: int) -> float | None:
        return next((at for at, count in self.tallies if count >= expected), None)


def mark(phase: str) -> None:
    """With BENCH_RSS_TRACE set, a line in the trace where a phase starts."""
    if os.environ.get("BENCH_RSS_TRACE"):
        with open(os.environ["BENCH_RSS_TRACE"], "a") as trace:
            trace.write(f"# {time.time():.2f} {phase}\n")


async def watch_loop_lag(lags: list[tuple[float, float]], period: float = 0.01) -> None:
    """The load generator's own pauses: how late a short sleep wakes up. A late wake-up delays
    every acknowledgement the generator reads meanwhile, whatever the server did."""
    while True:
        before = time.perf_counter()
        await asyncio.sleep(period)
        late = time.perf_counter() - before - period
        if late > 0.005:
            lags.append((time.time(), late))


class CollectorPauses:
    """The generator's own garbage-collector pauses over 5 ms, as (time, seconds)."""

    def __init__(self) -> None:
        self.pauses: list[tuple[float, float]] = []
        self._started = 0.0

    def __call__(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        elif (took := time.perf_counter() - self._started) > 0.005:
            self.pauses.append((time.time(), took))

    def start(self) -> CollectorPauses:
        gc.callbacks.append(self)
        return self

    def stop(self) -> None:
        gc.callbacks.remove(self)


def write_latency_trace(
    timings: Timings, lags: list[tuple[float, float]], collections: list[tuple[float, float]]
) -> None:
    """With BENCH_LATENCY_TRACE set, every acknowledgement (event, time sent, seconds), every
    pause of the generator's loop over 5 ms ("lag", time, seconds) and every collection of its
    garbage over 5 ms ("gc", time, seconds), one per line."""
    path = os.environ.get("BENCH_LATENCY_TRACE")
    if not path:
        return
    with open(path, "a") as trace:
        for event, sent_at, seconds in timings.sent:
            trace.write(f"{event} {sent_at:.3f} {seconds:.4f}\n")
        for kind, pauses in (("lag", lags), ("gc", collections)):
            for at, seconds in pauses:
                trace.write(f"{kind} {at:.3f} {seconds:.4f}\n")


def quiet_collector() -> None:
    """Keep the generator's own garbage collections from pausing every phone at once. With
    2,000 phones joined it holds millions of objects: a full collection stopped its loop for
    ~0.4 s, several times a run, and a 30-50 ms one every few seconds, which every
    acknowledgement read meanwhile counted as the server's latency, bare stack and app alike.
    The phones built so far are frozen out of every scan (as `workshop.serve` does for the
    server's start-up objects)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(2000, 50, 1000)


async def join_all(phones: list[SimulatedPhone], concurrency: int = 100) -> None:
    gate = asyncio.Semaphore(concurrency)

    async def one(phone: SimulatedPhone) -> None:
        async with gate:
            try:
                await phone.join()
            except Exception as error:  # noqa: BLE001 - counted, reported
                phone.timings.errors.append(f"join: {error.__class__.__name__}: {error}")

    await asyncio.gather(*(one(phone) for phone in phones))


async def answer_phase(
    phones: list[SimulatedPhone], window: float, rng: random.Random
) -> list[str]:
    """Three answers per phone at random moments within the window; returns client ids acked ok."""
    acked: list[str] = []

    async def one(phone: SimulatedPhone) -> None:
        prompts = ((phone.state or {}).get("segment") or {}).get("prompt_ids") or ["worked_well"]
        for at in sorted(rng.uniform(0, window) for _ in range(3)):
            await asyncio.sleep(max(0.0, at - (time.perf_counter() - started)))
            text_value = f"answer {uuid.uuid4().hex[:8]} from a phone"
            ack = await phone.respond(rng.choice(prompts), text_value)
            if ack and ack.get("ok"):
                acked.append(ack["response"]["client_id"])

    started = time.perf_counter()
    await asyncio.gather(*(one(phone) for phone in phones if phone.connected))
    return acked


async def ballot_phase(
    phones: list[SimulatedPhone], window: float, rng: random.Random
) -> tuple[int, float]:
    """One ballot per phone within the window; returns ballots acked ok and when the last was."""
    last_ack = 0.0
    ok = 0

    async def one(phone: SimulatedPhone) -> None:
        nonlocal last_ack, ok
        await asyncio.sleep(rng.uniform(0, window))
        picks = phone.random_picks()
        if picks is None:
            phone.timings.errors.append("ballot: no open vote reached this phone")
            return
        ack = await phone.cast_ballot(*picks)
        if ack and ack.get("ok"):
            ok += 1
            last_ack = max(last_ack, time.perf_counter())

    await asyncio.gather(*(one(phone) for phone in phones if phone.connected))
    return ok, last_ack


async def wait_until(condition, timeout: float) -> bool:
    deadline = time.perf_counter() + timeout
    while time.perf_counter() < deadline:
        if condition():
            return True
        await asyncio.sleep(0.1)
    return condition()


def prepare_app_session(url: str) -> FacilitatorDriver:
    """Sign in, start the Thrive agenda, go to the retrospective questions."""
    facilitator = FacilitatorDriver(url)
    facilitator.sign_in()
    facilitator.start()
    facilitator.control("start")
    facilitator.control("next")
    return facilitator


async def open_board(steps: AppSteps, after: float) -> None:
    """The facilitator leaves the console for the themes board while answers arrive, to start
    clustering (the board embeds the answers so far, then each new one as it comes)."""
    await asyncio.sleep(after)
    await steps.open_board()


async def run_room(
    urls: list[str], n: int, args, facilitator: FacilitatorDriver | None, code: str, token: str
) -> dict:
    rng = random.Random(args.seed)
    timings = Timings()
    phones = [
        SimulatedPhone(urls[i % len(urls)], code, random.Random(rng.random()), timings)
        for i in range(n)
    ]
    projector = Watcher(urls[-1], "/screen", f"token={token}")
    await projector.connect()
    watchers = [projector]
    steps = AppSteps.of(facilitator, args.seed) if facilitator else BareSteps(urls[0])
    if isinstance(steps, AppSteps):
        await steps.laptop.open_console()  # the facilitator's console is open as phones join
    lags: list[tuple[float, float]] = []
    lag_watch = asyncio.create_task(watch_loop_lag(lags))
    collector = CollectorPauses().start()
    mark("join")
    await join_all(phones)
    quiet_collector()
    mark("answers")
    watching = None
    if isinstance(steps, AppSteps) and args.board_at >= 0:
        watching = asyncio.create_task(open_board(steps, args.board_at))
    acked = await answer_phase(phones, args.answer_window, rng)
    if watching is not None:
        await watching
    mark("open vote")
    changes = await take_steps(steps, phones)
    await wait_until(lambda: all(p.random_picks() for p in phones if p.connected), 60)
    mark("ballots")
    ballots_ok, last_ack = await ballot_phase(phones, args.ballot_window, rng)
    mark("ballots done")
    await wait_until(lambda: projector.complete_at(ballots_ok) is not None, 30)
    complete = projector.complete_at(ballots_ok)
    lag_watch.cancel()
    collector.stop()
    write_latency_trace(timings, lags, collector.pauses)
    dropped = sum(
        1 for phone in phones if phone.socket is None or phone.socket.drops or not phone.connected
    )
    await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)
    for screen in watchers:  # an open client left to the event loop's end warns on exit
        await screen.sio.disconnect()
    await steps.close()
    gc.unfreeze()  # this room's phones are garbage now; the next room starts clean
    return {
        "participants": n,
        "joined": len(timings.join),
        "join_ms": summary(timings.join),
        "respond_ms": summary(timings.respond),
        "ballot_ms": summary(timings.ballot),
        "tally_complete_after_last_ballot_ms": round(max(0.0, complete - last_ack) * 1000, 1)
        if complete
        else None,
        "segment_ms": summary(changes["latencies"]),
        "segment_missed": changes["missed"],
        "dropped": dropped,
        "unacked_answers": unacknowledged(timings, "respond"),
        "unacked_ballots": unacknowledged(timings, "ballot"),
        "errors": len(timings.errors),
        "error_samples": sorted(set(timings.errors))[:5],
        "acked_responses": acked,
        "acked_ballots": ballots_ok,
    }


def unacknowledged(timings: Timings, event: str) -> int:
    """Answers or ballots a person sent (or, for a ballot, could not send: no vote on the
    phone) that were never acknowledged."""
    return sum(
        1
        for error in timings.errors
        if error in (f"{event}: never acknowledged", f"{event}: no open vote reached this phone")
    )


def verify_database(database_url: str, acked: list[str], ballots_ok: int) -> dict:
    """Lost: acknowledged but not stored. Duplicated: stored more than once."""
    engine = create_engine(database_url)
    with engine.connect() as connection:
        stored = [row[0] for row in connection.execute(text("SELECT client_id FROM response"))]
        ballots = connection.execute(text("SELECT count(*) FROM ballot")).scalar_one()
    engine.dispose()
    stored_set = set(stored)
    return {
        "lost": sum(1 for client_id in acked if client_id not in stored_set)
        + max(0, ballots_ok - ballots),
        "duplicated": len(stored) - len(stored_set),
    }


def measure(mode: str, n: int, args, workdir: Path) -> dict:
    servers: list[ServerProcess] = []
    database_url = ""
    try:
        if mode == "bare":
            servers = [bare_server(workdir)]
            facilitator, code, token = None, "BARE", "x"
        else:
            env, database_url = {}, f"sqlite:///{workdir / 'a' / 'workshop.sqlite'}"
            if mode == "app-nosuggest":  # the same app with the theme suggester never loaded
                env = {"WORKSHOP_SUGGEST_AHEAD": "false"}
            if mode == "scaleout":
                database_url = fresh_postgres_schema()
                env = {"WORKSHOP_DATABASE_URL": database_url, "WORKSHOP_MESSAGE_QUEUE": REDIS}
            servers = [app_server(workdir / "a", env)]
            if mode == "scaleout":
                servers.append(app_server(workdir / "b", env, init=False))
            facilitator = prepare_app_session(servers[0].url)
            code, token = facilitator.code, facilitator.projector_token
        cpu_before = sum(s.cpu_seconds() for s in servers)
        figures = asyncio.run(run_room([s.url for s in servers], n, args, facilitator, code, token))
        figures["server_cpu_s"] = round(sum(s.cpu_seconds() for s in servers) - cpu_before, 1)
        figures["server_peak_mb"] = round(max(s.peak_rss for s in servers) / 2**20, 1)
        figures["encoder_peak_mb"] = round(max(s.peak_child_rss for s in servers) / 2**20, 1)
        if database_url:
            figures.update(
                verify_database(database_url, figures["acked_responses"], figures["acked_ballots"])
            )
        figures.pop("acked_responses")
        return {"mode": mode, **figures}
    finally:
        for server in servers:
            server.stop()


def fresh_postgres_schema() -> str:
    schema = f"bench_{uuid.uuid4().hex[:8]}"
    engine = create_engine(POSTGRES, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE SCHEMA "{schema}"'))
    engine.dispose()
    return f"{POSTGRES}?options=-csearch_path%3D{schema}"


def table(rows: list[dict]) -> str:
    head = (
        "| mode | N | joined | join p95 | answer p50 / p95 / p99 / max | ballot p50 / p95 / p99 / max "
        "| new segment on every phone p50 / p99 / max | tally complete after last ballot "
        "| dropped phones | unacknowledged answers / ballots | errors | lost | dup | CPU s "
        "| peak MB (encoder process) |\n"
        "| --- | ---: | ---: | ---: | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: |\n"
    )
    lines = []
    for r in rows:
        a, b, c = r["respond_ms"], r["ballot_ms"], r["segment_ms"]
        missed = f" ({r['segment_missed']} never)" if r["segment_missed"] else ""
        lines.append(
            f"| {r['mode']} | {r['participants']} | {r['joined']} | {r['join_ms']['p95']} ms "
            f"| {a['p50']} / {a['p95']} / {a['p99']} / {a['max']} ms "
            f"| {b['p50']} / {b['p95']} / {b['p99']} / {b['max']} ms "
            f"| {c['p50']} / {c['p99']} / {c['max']} ms{missed} "
            f"| {r['tally_complete_after_last_ballot_ms']} ms | {r['dropped']} "
            f"| {r['unacked_answers']} / {r['unacked_ballots']} | {r['errors']} "
            f"| {r.get('lost', '–')} | {r.get('duplicated', '–')} | {r['server_cpu_s']} "
            f"| {peak_memory(r)} |"
        )
    return head + "\n".join(lines) + "\n"


def peak_memory(row: dict) -> str:
    """The server's peak with its children; the encoder process's own peak beside it."""
    encoder = row.get("encoder_peak_mb") or 0
    return f"{row['server_peak_mb']} ({encoder})" if encoder else f"{row['server_peak_mb']}"


def ratios(rows: list[dict]) -> str:
    lines = [
        "| mode | N | answer p95: app / bare | ballot p95: app / bare | new segment p99: app / bare |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    by_key = {(r["mode"], r["participants"]): r for r in rows}
    for (mode, n), row in sorted(by_key.items()):
        bare = by_key.get(("bare", n))
        if mode not in ("app", "app-nosuggest") or bare is None:
            continue
        answer = row["respond_ms"]["p95"] / max(bare["respond_ms"]["p95"], 0.1)
        ballot = row["ballot_ms"]["p95"] / max(bare["ballot_ms"]["p95"], 0.1)
        segment = row["segment_ms"]["p99"] / max(bare["segment_ms"]["p99"], 0.1)
        lines.append(f"| {mode} | {n} | {answer:.1f}× | {ballot:.1f}× | {segment:.1f}× |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench load", description=__doc__)
    parser.add_argument(
        "--sizes",
        "--phones",
        default="100,500,1000,2000",
        help="how many phones in the room, one run per number (comma-separated)",
    )
    parser.add_argument("--modes", default="bare,app,app-nosuggest,scaleout")
    parser.add_argument("--answer-window", type=float, default=60.0)
    parser.add_argument("--ballot-window", type=float, default=10.0)
    parser.add_argument(
        "--board-at",
        type=float,
        default=20.0,
        help="seconds into the answers when the facilitator opens the themes board; "
        "-1: only when preparing the vote, just before the ballots",
    )
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    rows = []
    for n in [int(size) for size in args.sizes.split(",")]:
        for mode in args.modes.split(","):
            with tempfile.TemporaryDirectory(prefix=f"load-{mode}-{n}-") as workdir:
                print(f"running {mode} with {n} participants…", flush=True)
                try:
                    rows.append(measure(mode, n, args, Path(workdir)))
                except Exception as error:  # noqa: BLE001 - one failed run must not lose the others
                    print(f"{mode} with {n} participants failed: {error!r}", flush=True)
                    continue
                print(json.dumps(rows[-1]), flush=True)
    report = (
        table(rows) + "\nApp cost relative to the bare stack in the same run:\n\n" + ratios(rows)
    )
    print(report)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"load-{stamp}.json").write_text(json.dumps(rows, indent=2))
    if not args.no_write:
        write_performance_section(report, args)
    return 0


def cpu_model() -> str:
    """The processor's name as /proc/cpuinfo gives it, for the figures' heading."""
    return next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "?",
    )


def write_performance_section(report: str, args) -> None:
    """Replace the load section of docs/PERFORMANCE.md, keeping every other section."""
    cpu = cpu_model()
    section = (
        "## Load: a room of phones\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({cpu}, "
        f"{__import__('os').cpu_count()} cores), Python {platform.python_version()}. Command: "
        f"`python -m bench load --sizes {args.sizes} --modes {args.modes} --answer-window {args.answer_window:g} "
        f"--ballot-window {args.ballot_window:g} --board-at {args.board_at:g}` (the load generator runs on the same machine).\n\n"
        + report
    )
    replace_section("## Load: a room of phones", section)


PERFORMANCE_MD = Path(__file__).resolve().parent.parent / "docs" / "PERFORMANCE.md"
# Under a bench's figures in docs/PERFORMANCE.md, what people wrote about them (earlier runs,
# what was found): a run replaces the figures above this line and keeps what follows it.
NOTES = "<!-- Written by hand from here to the next section: a bench run keeps it. -->"


def replace_section(heading: str, section: str, path: Path = PERFORMANCE_MD) -> None:
    """Put `section` (a run's figures) in place of the figures under `heading` in
    docs/PERFORMANCE.md, or append it; every other section, and the notes under the figures
    (from the `NOTES` line on), stay as they are."""
    existing = path.read_text() if path.exists() else "# Performance\n"
    start = existing.find(heading)
    if start == -1:
        path.write_text(existing.rstrip() + "\n\n" + section.rstrip() + "\n\n" + NOTES + "\n")
        return
    end = existing.find("\n## ", start + len(heading))
    end = len(existing) if end == -1 else end + 1
    notes_at = existing.find(NOTES, start, end)
    notes = (
        existing[notes_at:end]
        if notes_at != -1
        else NOTES + "\n" + ("\n" if end < len(existing) else "")
    )
    path.write_text(existing[:start] + section.rstrip() + "\n\n" + notes + existing[end:])


if __name__ == "__main__":
    raise SystemExit(main())
