"""The server falls behind with a room connected: does the room recover, or spiral?

Run: `python -m bench stall [--phones 1000] [--pause drop|SECONDS]`.

The app (one process, SQLite, the theme suggester off) runs the Thrive agenda; `--phones`
phones (the load bench's phone model: on the network they do what the shipped participant
page does, reconnecting, resending and all) join. Twice, once on the retrospective questions
and once with the vote open, the server process is stopped (SIGSTOP) for `--pause` and then
continued (SIGCONT), while every phone sends one answer (then one ballot) at a random moment
from a second before the pause until its end. `--pause drop` (the default) stops it for the
phones' ping window (the handshake's pingInterval + pingTimeout) and 5 s more, so every
phone's connection times out and the whole room reconnects at once when the server comes
back; a shorter pause leaves the connections up while acknowledgements time out and the
pages resend.

Reported for each stall, from the moment the server continues: the seconds until every phone
was connected again with a fresh snapshot (those whose connection dropped) and until every
answer or ballot sent was acknowledged (the target: both within 10 s), how many phones
dropped and how many never came back, submissions never acknowledged or refused, resends;
then, against the database, acknowledged submissions not stored and answers stored twice.
The figures are printed and kept in bench/results/stall-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import signal
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, text

from bench.load_bench import RESULTS, join_all, percentile, prepare_app_session, quiet_collector
from bench.room_steps import AppSteps
from bench.servers import ServerProcess, app_server
from workshop.live.phone_page import SimulatedPhone, Timings

LEAD = 1.0  # submissions start this long before the pause
RECOVERY = 10.0  # the target: reconnected and acknowledged within this after the pause
GIVE_UP = 120.0  # how long after the pause the bench waits for a straggler


def pause_seconds(setting: str, phones: list[SimulatedPhone]) -> float:
    """`drop`: past the phones' ping window, so every connection times out."""
    if setting != "drop":
        return float(setting)
    engine = next(p.socket.engine for p in phones if p.connected)
    return engine.ping_interval + engine.ping_timeout + 5.0


async def submit_answer(phone: SimulatedPhone, rng: random.Random) -> dict | None:
    prompts = ((phone.state or {}).get("segment") or {}).get("prompt_ids") or ["worked_well"]
    return await phone.respond(rng.choice(prompts), f"answer {uuid.uuid4().hex[:8]}")


async def submit_ballot(phone: SimulatedPhone, rng: random.Random) -> dict | None:
    picks = phone.random_picks()
    if picks is None:
        phone.timings.errors.append("ballot: no open vote reached this phone")
        return None
    return await phone.cast_ballot(*picks)


async def stall(
    server: ServerProcess, phones: list[SimulatedPhone], pause: float, submit, rng
) -> dict:
    """Stop the server for `pause` seconds while every phone submits once; how the room
    came back."""
    drops = {id(p): p.socket.drops for p in phones}
    snapshots = {id(p): p.snapshots for p in phones}
    started = time.perf_counter()
    acks: dict[int, tuple[float, dict | None]] = {}

    async def one(phone: SimulatedPhone) -> None:
        await asyncio.sleep(rng.uniform(0, LEAD + pause))
        ack = await submit(phone, phone.rng)
        acks[id(phone)] = (time.perf_counter(), ack)

    submitting = [asyncio.create_task(one(phone)) for phone in phones]
    await asyncio.sleep(LEAD)
    os.kill(server.process.pid, signal.SIGSTOP)
    try:
        await asyncio.sleep(pause)
    finally:
        os.kill(server.process.pid, signal.SIGCONT)
    resumed = time.perf_counter()

    def dropped(phone: SimulatedPhone) -> bool:
        return phone.socket.drops > drops[id(phone)]

    def back(phone: SimulatedPhone) -> bool:
        return phone.connected and (not dropped(phone) or phone.snapshots > snapshots[id(phone)])

    cpu_at_resume = server.cpu_seconds()
    all_back = None
    back_at: dict[int, float] = {}
    while time.perf_counter() - resumed < GIVE_UP:
        now = time.perf_counter()
        for phone in phones:
            if id(phone) not in back_at and dropped(phone) and back(phone):
                back_at[id(phone)] = now - resumed
        if all_back is None and all(back(phone) for phone in phones):
            all_back = now
        if all_back is not None and all(task.done() for task in submitting):
            break
        await asyncio.sleep(0.05)
    recovery_cpu = server.cpu_seconds() - cpu_at_resume
    await asyncio.gather(*submitting)
    answered = [at for at, ack in acks.values() if ack is not None]
    back_times = sorted(back_at.values())
    return {
        "back_after_s": {f"p{q}": round(percentile(back_times, q), 2) for q in (50, 90, 99)},
        "recovery_server_cpu_s": round(recovery_cpu, 1),
        "pause_s": round(pause, 1),
        "submitted": len(phones),
        "dropped": sum(1 for phone in phones if dropped(phone)),
        "not_back": sum(1 for phone in phones if not back(phone)),
        "all_back_after_s": round(all_back - resumed, 2) if all_back else None,
        "all_acknowledged_after_s": round(max(answered) - resumed, 2)
        if len(answered) == len(phones)
        else None,
        "unacknowledged": sum(1 for _, ack in acks.values() if ack is None),
        "refused": sum(1 for _, ack in acks.values() if ack is not None and not ack.get("ok")),
        "acknowledged": [ack for _, ack in acks.values() if ack is not None and ack.get("ok")],
        "seconds_from_start": round(resumed - started, 1),
    }


async def run_stalls(server: ServerProcess, args) -> dict:
    rng = random.Random(args.seed)
    timings = Timings()
    facilitator = prepare_app_session(server.url)
    phones = [
        SimulatedPhone(server.url, facilitator.code, random.Random(rng.random()), timings)
        for _ in range(args.phones)
    ]
    await join_all(phones)
    quiet_collector()
    phones = [phone for phone in phones if phone.connected]
    pause = pause_seconds(args.pause, phones)
    answers = await stall(server, phones, pause, submit_answer, rng)
    steps = AppSteps.of(facilitator, args.seed)
    await steps.run()
    deadline = time.perf_counter() + 60
    while not all(p.random_picks() for p in phones) and time.perf_counter() < deadline:
        await asyncio.sleep(0.1)
    ballots = await stall(server, phones, pause, submit_ballot, rng)
    await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)
    await steps.close()
    return {
        "phones": args.phones,
        "joined": len(phones),
        "answers": answers,
        "ballots": ballots,
        "resent": dict(timings.resent),
        "errors": len(timings.errors),
        "error_samples": sorted(set(timings.errors))[:5],
    }


def check_database(database: Path, row: dict) -> None:
    """Acknowledged but not stored, and answers stored more than once (by client id)."""
    answers = [ack["response"]["client_id"] for ack in row["answers"].pop("acknowledged")]
    ballots = row["ballots"].pop("acknowledged")
    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        stored = [r[0] for r in connection.execute(text("SELECT client_id FROM response"))]
        ballot_rows = connection.execute(text("SELECT count(*) FROM ballot")).scalar_one()
    engine.dispose()
    row["answers"]["not_stored"] = len(set(answers) - set(stored))
    row["answers"]["stored_twice"] = len(stored) - len(set(stored))
    row["ballots"]["not_stored"] = max(0, len(ballots) - ballot_rows)
    row["ballots"]["stored"] = ballot_rows


def measure(args, workdir: Path) -> dict:
    server = app_server(workdir, {"WORKSHOP_SUGGEST_AHEAD": "false"})
    try:
        cpu_before = server.cpu_seconds()
        row = asyncio.run(run_stalls(server, args))
        row["server_cpu_s"] = round(server.cpu_seconds() - cpu_before, 1)
        row["server_peak_mb"] = round(server.peak_rss / 2**20, 1)
        check_database(workdir / "workshop.sqlite", row)
        return row
    finally:
        server.stop()


def report(row: dict) -> str:
    lines = [
        "| stall | phones | pause | dropped | back after: p50 / p90 / all | all acknowledged after "
        "| server CPU s until then | never back | unacknowledged | refused | not stored "
        "| stored twice |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name in ("answers", "ballots"):
        s = row[name]
        b = s["back_after_s"]
        lines.append(
            f"| {name} | {row['joined']} | {s['pause_s']} s | {s['dropped']} "
            f"| {b['p50']} / {b['p90']} / {s['all_back_after_s']} s "
            f"| {s['all_acknowledged_after_s']} s | {s['recovery_server_cpu_s']} | {s['not_back']} "
            f"| {s['unacknowledged']} | {s['refused']} | {s['not_stored']} "
            f"| {s.get('stored_twice', '–')} |"
        )
    return (
        "\n".join(lines) + f"\n\nResent by the pages: {row['resent']}; errors: {row['errors']}.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench stall", description=__doc__)
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument(
        "--pause",
        default="drop",
        help="seconds the server stops, or 'drop': past the phones' ping window",
    )
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="stall-") as workdir:
        row = measure(args, Path(workdir))
    print(json.dumps(row), flush=True)
    print(report(row))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"stall-{stamp}.json").write_text(json.dumps(row, indent=2))
    return 0
