"""One server for a regional day: many rooms at once, each a table with its own phones,
projector and facilitator, on one app process.

Run: `python -m bench rooms [--rooms 40] [--phones 30]`.

Every room does what `python -m bench load` does for one room, and all rooms do it at the same
time (the worst case of a regional morning): its phones join, answer three times within the
answer window, its facilitator leaves the console for the themes board (`--board-at`), makes
five themes once the answers are in, goes back to the console, moves on twice and opens the
vote, and every phone casts one ballot within the ballot window while the room's projector and
console show the tally. The phones and phases are `bench/load_bench.py`'s (phones that do on
the network what the shipped participant page does: `workshop.live.phone_page`); the
facilitator's laptop is `workshop.live.console_page`, which does what the shipped board and
console pages do (their fragment refreshes, the controls over the socket, the background
posts), at a person's pace (`--think`). For each room: answer and
ballot acknowledgement latency, the time from its last acknowledged ballot until its projector
held a tally counting every ballot, errors; then what was lost or duplicated (acknowledged
answers and ballots against the database), server CPU and peak memory.

The single-room targets every room must hold: ballot ack p95 <= 50 ms, the projector's complete
tally <= 1 s after the room's last ballot, nothing lost.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.load_bench import (
    RESULTS,
    CollectorPauses,
    Watcher,
    answer_phase,
    ballot_phase,
    cpu_model,
    join_all,
    percentile,
    quiet_collector,
    replace_section,
    summary,
    wait_until,
    watch_loop_lag,
    write_latency_trace,
)
from bench.room_steps import AppSteps
from bench.servers import FacilitatorDriver, app_server
from workshop.live.console_page import SimulatedConsole
from workshop.live.simulate import SimulatedPhone, Timings

BALLOT_P95_MS, TALLY_S = 50.0, 1.0
PAUSES = {"typing": (3.0, 8.0), "clicking": (1.0, 3.0)}  # seconds a person takes, before each


class Console(FacilitatorDriver):
    """A facilitator's console as the shipped page uses it: the CSRF token comes from the page
    loaded once, and each button is one request (the plain driver reloads the console page for
    every token, which forty rooms opening their votes at once would pay forty times over)."""

    _csrf = ""

    def _token(self, path: str) -> str:
        if not self._csrf:
            self._csrf = super()._token(path)
        return self._csrf


def prepare_console(url: str) -> Console:
    """Sign in, start the Thrive agenda, go to the retrospective questions."""
    console = Console(url)
    console.sign_in()
    console._csrf = ""  # the sign-in page's token belonged to the signed-out session
    console.start()
    console.control("start")
    console.control("next")
    return console


class Room:
    """One table: its phones, its projector, its facilitator's laptop."""

    voting_began = False

    def __init__(self, url: str, size: int, facilitator: FacilitatorDriver, seed: int):
        self.rng = random.Random(seed)
        self.timings = Timings()
        self.facilitator = facilitator
        self.phones = [
            SimulatedPhone(url, facilitator.code, random.Random(self.rng.random()), self.timings)
            for _ in range(size)
        ]
        self.projector = Watcher(url, "/screen", f"token={facilitator.projector_token}")
        cookies = {cookie.name: cookie.value for cookie in facilitator.http.cookies}
        self.laptop_traffic: list[tuple[float, str]] = []  # (time, what) for the latency trace
        self.laptop = SimulatedConsole(
            url,
            facilitator.workshop_id,
            cookies,
            random.Random(self.rng.random()),
            trace=lambda kind, what: self.laptop_traffic.append((time.time(), f"{kind}:{what}")),
        )
        self.think = 1.0  # times a person's pauses (`play` sets it from --think)
        self.steps = AppSteps(self.laptop, self._pause)
        self.vote_opened = 0.0

    async def join(self) -> None:
        await self.projector.connect()
        await self.laptop.open_console()
        await join_all(self.phones, concurrency=10)

    async def play(self, args) -> dict:
        """Answers, the board, the vote, the ballots, until the projector's tally is complete."""
        phones = self.phones
        board = None
        if args.board_at >= 0:
            board = asyncio.create_task(self._open_board(args.board_at))
        acked = await answer_phase(phones, args.answer_window, self.rng)
        if board is not None:
            await board
        await self.open_vote(args.think)
        await wait_until(lambda: all(p.random_picks() for p in phones if p.connected), 60)
        ballots_ok, last_ack = await ballot_phase(phones, args.ballot_window, self.rng)
        await wait_until(lambda: self.projector.complete_at(ballots_ok) is not None, 30)
        complete = self.projector.complete_at(ballots_ok)
        return {
            "workshop_id": self.facilitator.workshop_id,
            "joined": len(self.timings.join),
            "timings": self.timings,
            "tally_s": round(max(0.0, complete - last_ack), 3) if complete else None,
            "acked_responses": acked,
            "acked_ballots": ballots_ok,
            "vote_s": self.vote_opened,
        }

    async def _open_board(self, after: float) -> None:
        """The facilitator leaves the console for the themes board while answers arrive."""
        await asyncio.sleep(after)
        await self.laptop.open_board()

    async def open_vote(self, think: float) -> None:
        """On the board: five themes; back on the console: next, next, open the vote (the
        steps of `AppSteps`, with the pages' own requests: `SimulatedConsole`). A person takes
        3-8 s to type a theme's title and 1-3 s before each click, times `think` (0: the
        pages as fast as the server answers, forty facilitators within the same second)."""
        started = time.perf_counter()
        if not Room.voting_began:  # a line to line up a profile of the server with
            Room.voting_began = True
            print(f"{datetime.now(UTC):%H:%M:%S} the first room starts making themes", flush=True)
        self.think = think
        await self.steps.run()
        self.vote_opened = round(time.perf_counter() - started, 2)

    async def _pause(self, action: str) -> None:
        await asyncio.sleep(self.rng.uniform(*PAUSES[action]) * self.think)

    async def close(self) -> None:
        await asyncio.gather(*(phone.close() for phone in self.phones), return_exceptions=True)
        await self.laptop.close()
        await self.projector.sio.disconnect()


async def run_day(url: str, facilitators: list[FacilitatorDriver], args) -> tuple[list[dict], int]:
    """Every room joins at once, then every room runs its session at once. Returns each
    room's figures and how often the generator itself paused over 5 ms."""
    lags: list[tuple[float, float]] = []
    lag_watch = asyncio.create_task(watch_loop_lag(lags))
    collector = CollectorPauses().start()
    rooms = [
        Room(url, args.phones, facilitator, args.seed * 1000 + index)
        for index, facilitator in enumerate(facilitators)
    ]
    await asyncio.gather(*(room.join() for room in rooms))
    quiet_collector()  # the generator's own collections must not count as server latency
    results = await asyncio.gather(*(room.play(args) for room in rooms))
    await asyncio.gather(*(room.close() for room in rooms))
    lag_watch.cancel()
    collector.stop()
    for index, room in enumerate(rooms):  # with BENCH_LATENCY_TRACE: every room's, then the pauses
        write_latency_trace(
            room.timings, lags if index == 0 else [], [] if index else collector.pauses
        )
        if trace := os.environ.get("BENCH_LATENCY_TRACE"):
            with open(trace, "a") as out:  # and what each facilitator's laptop asked, when
                out.writelines(
                    f"laptop {at:.3f} {what.replace(' ', '_')}\n"
                    for at, what in room.laptop_traffic
                )
    longest = max((seconds for _, seconds in lags), default=0)
    print(
        f"generator: {len(lags)} loop pauses over 5 ms (longest {longest:.3f} s), "
        f"{len(collector.pauses)} collections over 5 ms",
        flush=True,
    )
    return list(results), len(lags)


def verify(database_url: str, rooms: list[dict]) -> dict:
    """Lost: acknowledged but not stored, per room; duplicated: stored twice."""
    engine = create_engine(database_url)
    lost = duplicated = 0
    with engine.connect() as connection:
        for room in rooms:
            stored = list(
                connection.execute(
                    text("SELECT client_id FROM response WHERE workshop_id = :w"),
                    {"w": room["workshop_id"]},
                ).scalars()
            )
            ballots = connection.execute(
                text(
                    "SELECT count(*) FROM ballot JOIN vote_round ON vote_round.id = ballot.round_id "
                    "WHERE vote_round.workshop_id = :w"
                ),
                {"w": room["workshop_id"]},
            ).scalar_one()
            stored_set = set(stored)
            room["lost"] = sum(1 for c in room["acked_responses"] if c not in stored_set) + max(
                0, room["acked_ballots"] - ballots
            )
            room["duplicated"] = len(stored) - len(stored_set)
            lost, duplicated = lost + room["lost"], duplicated + room["duplicated"]
    engine.dispose()
    return {"lost": lost, "duplicated": duplicated}


def measure(args, workdir: Path) -> dict:
    env = {} if args.board_at >= 0 else {"WORKSHOP_SUGGEST_AHEAD": "false"}
    server = app_server(workdir, env)
    try:
        facilitators = [prepare_console(server.url) for _ in range(args.rooms)]
        cpu_before, steal_before = server.cpu_seconds(), host_steal_seconds()
        started = time.perf_counter()
        rooms, generator_pauses = asyncio.run(run_day(server.url, facilitators, args))
        wall = time.perf_counter() - started
        cpu = server.cpu_seconds() - cpu_before
        totals = verify(f"sqlite:///{workdir / 'workshop.sqlite'}", rooms)
        row = summarize(rooms, totals, cpu, wall, server.peak_rss, server.peak_child_rss, args)
        row["host_steal_s"] = round(host_steal_seconds() - steal_before, 1)
        row["generator_pauses"] = generator_pauses
        return row
    finally:
        server.stop()


def host_steal_seconds() -> float:
    """CPU time the virtual machine's host gave to others while this machine wanted it, so
    far (Linux, `/proc/stat`): on a shared host the same code's figures followed it."""
    try:
        fields = Path("/proc/stat").read_text().split("\n", 1)[0].split()
        return int(fields[8]) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return 0.0


def worst_tally(per_room: list[dict]) -> float:
    """The slowest room's seconds to a complete tally; infinite where a room never had one.
    A room's 0.0 is a tally that arrived with its last ballot's acknowledgement (a flush
    already due when the ballot came), not a missing one."""
    return max(float("inf") if r["tally_s"] is None else r["tally_s"] for r in per_room)


def summarize(rooms, totals, cpu, wall, peak, child_peak, args) -> dict:
    everyone = Timings()
    for room in rooms:
        for name in ("join", "respond", "ballot", "errors"):
            getattr(everyone, name).extend(getattr(room["timings"], name))
    per_room = [
        {
            "room": index + 1,
            "joined": room["joined"],
            "ballot_p95_ms": round(percentile(room["timings"].ballot, 95) * 1000, 1),
            "answer_p95_ms": round(percentile(room["timings"].respond, 95) * 1000, 1),
            "tally_s": room["tally_s"],
            "vote_s": room["vote_s"],
            "errors": len(room["timings"].errors),
            "lost": room["lost"],
            "duplicated": room["duplicated"],
        }
        for index, room in enumerate(rooms)
    ]
    holding = [
        r for r in per_room
        if r["ballot_p95_ms"] <= BALLOT_P95_MS and r["tally_s"] is not None
        and r["tally_s"] <= TALLY_S and r["lost"] == 0 and r["joined"] == args.phones
    ]  # fmt: skip
    return {
        "rooms": args.rooms,
        "phones_per_room": args.phones,
        "joined": len(everyone.join),
        "join_ms": summary(everyone.join),
        "respond_ms": summary(everyone.respond),
        "ballot_ms": summary(everyone.ballot),
        "worst_room_ballot_p95_ms": max(r["ballot_p95_ms"] for r in per_room),
        "worst_room_tally_s": worst_tally(per_room),
        "rooms_holding_targets": len(holding),
        "errors": len(everyone.errors),
        "error_samples": sorted(set(everyone.errors))[:5],
        **totals,
        "server_cpu_s": round(cpu, 1),
        "wall_s": round(wall, 1),
        "server_peak_mb": round(peak / 2**20, 1),
        "encoder_peak_mb": round(child_peak / 2**20, 1),
        "per_room": per_room,
    }


def report(row: dict) -> str:
    a, b, j = row["respond_ms"], row["ballot_ms"], row["join_ms"]
    return (
        "| rooms x phones | joined | join p95 | answer p50 / p95 / p99 / max | ballot p50 / p95 / p99 / max "
        "| worst room: ballot p95 | worst room: tally complete after its last ballot | rooms holding every target "
        "| errors | lost | dup | CPU s (wall s) | peak MB (encoder) | host steal s | generator pauses over 5 ms |\n"
        "| --- | ---: | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {row['rooms']} x {row['phones_per_room']} | {row['joined']} | {j['p95']} ms "
        f"| {a['p50']} / {a['p95']} / {a['p99']} / {a['max']} ms | {b['p50']} / {b['p95']} / {b['p99']} / {b['max']} ms "
        f"| {row['worst_room_ballot_p95_ms']} ms | {row['worst_room_tally_s']} s | {row['rooms_holding_targets']} of {row['rooms']} "
        f"| {row['errors']} | {row['lost']} | {row['duplicated']} | {row['server_cpu_s']} ({row['wall_s']}) "
        f"| {row['server_peak_mb']} ({row['encoder_peak_mb']}) | {row['host_steal_s']} | {row['generator_pauses']} |\n"
    )  # fmt: skip


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench rooms", description=__doc__)
    parser.add_argument("--rooms", type=int, default=40)
    parser.add_argument("--phones", type=int, default=30)
    parser.add_argument("--answer-window", type=float, default=60.0)
    parser.add_argument("--ballot-window", type=float, default=10.0)
    parser.add_argument(
        "--board-at", type=float, default=20.0,
        help="seconds into the answers when each room's facilitator opens its board; -1: never "
        "(and the suggester off)",
    )  # fmt: skip
    parser.add_argument(
        "--think", type=float, default=1.0,
        help="the facilitators' pace: 1 types a title in 3-8 s and clicks 1-3 s apart; 0 clicks "
        "as fast as the server answers",
    )  # fmt: skip
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    load_before = Path("/proc/loadavg").read_text().split()[0]
    with tempfile.TemporaryDirectory(prefix="rooms-") as workdir:
        print(
            f"{args.rooms} rooms of {args.phones} phones (1-minute load {load_before})…", flush=True
        )
        row = measure(args, Path(workdir))
    text_report = report(row)
    print(json.dumps({k: v for k, v in row.items() if k != "per_room"}), flush=True)
    print(text_report)
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"rooms-{stamp}.json").write_text(json.dumps(row, indent=2))
    if not args.no_write:
        write_section(text_report, args, load_before)
    return 0 if row["rooms_holding_targets"] == args.rooms else 1


def write_section(text_report: str, args, load_before: str) -> None:
    cpu = cpu_model()
    section = (
        "## One server for a regional day: many rooms at once\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} ({cpu}, "
        f"{os.cpu_count()} cores; 1-minute load {load_before} before the run), Python "
        f"{platform.python_version()}. Command: `python -m bench rooms --rooms {args.rooms} "
        f"--phones {args.phones} --answer-window {args.answer_window:g} --ballot-window "
        f"{args.ballot_window:g} --board-at {args.board_at:g} --think {args.think:g}` (the load generator runs on the same "
        "machine). Targets for every room: ballot ack p95 <= 50 ms, its projector's complete tally "
        "<= 1 s after its last ballot, nothing lost.\n\n" + text_report
    )
    replace_section("## One server for a regional day: many rooms at once", section)


if __name__ == "__main__":
    raise SystemExit(main())
