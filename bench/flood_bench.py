"""One phone floods the server while the room answers: do the others notice?

Run: `python -m bench flood [--phones 1000] [--events 10000] [--every 20] [--before 15]`.

The app (one process, SQLite, as `make run` serves it) runs the Thrive agenda on its
retrospective questions. `--phones` phones (the load bench's phone model, which does on the
network what the shipped participant page does) join and answer, each at random moments, one
answer every `--every` seconds on average (20 s: a thousand phones send 50 answers a second,
the load bench's pace). After `--before` seconds one more phone, in a process of its own,
sends `--events` answers over its socket as fast as it can, each waiting for its
acknowledgement. The room keeps answering through the flood and `--after` seconds beyond it.

Reported: the room's answer acknowledgement latency (p50, p95, p99, max, how many) for the
answers sent before the flood and for those sent during it (from its first event until its last
reply), and their p95 ratio (the target: during ≤ 2× before); what the flooder got back
(acknowledged and stored, refused as rate-limited, other refusals, no reply, lost when the
server closed its connection) and how fast it sent; the room's phones that lost their connection, answers never acknowledged, and answers
acknowledged but not stored or stored twice (checked in the database); server CPU and peak
memory. The figures are printed and kept in bench/results/flood-*.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import multiprocessing
import random
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench import flooder
from bench.load_bench import (
    RESULTS,
    join_all,
    prepare_app_session,
    quiet_collector,
    summary,
    unacknowledged,
    verify_database,
)
from bench.servers import app_server
from workshop.live.phone_page import SimulatedPhone, Timings

SETTLE = 2.0  # seconds of answers after the joins before "before" counts


async def keep_answering(
    phone: SimulatedPhone, every: float, until: dict, acked: list[str], rng: random.Random
) -> None:
    """Answer at random moments, one every `every` seconds on average, until `until["at"]`."""
    prompts = ((phone.state or {}).get("segment") or {}).get("prompt_ids") or ["worked_well"]
    while True:
        await asyncio.sleep(rng.uniform(0, 2 * every))
        if time.time() >= until["at"]:
            return
        ack = await phone.respond(rng.choice(prompts), f"answer {uuid.uuid4().hex[:8]}")
        if ack and ack.get("ok"):
            acked.append(ack["response"]["client_id"])


def start_flooder(url: str, code: str, events: int):
    """The flooding phone's process, joined and waiting for "go"."""
    context = multiprocessing.get_context("spawn")
    ours, theirs = context.Pipe()
    process = context.Process(target=flooder.run, args=(url, code, events, theirs), daemon=True)
    process.start()
    if not ours.poll(120) or ours.recv() != "ready":
        raise RuntimeError("the flooding phone did not join within two minutes")
    return process, ours


async def run_flood(url: str, code: str, args) -> dict:
    rng = random.Random(args.seed)
    timings = Timings()
    phones = [
        SimulatedPhone(url, code, random.Random(rng.random()), timings) for _ in range(args.phones)
    ]
    await join_all(phones)
    quiet_collector()
    loop = asyncio.get_running_loop()
    process, pipe = await loop.run_in_executor(None, start_flooder, url, code, args.events)
    until = {"at": float("inf")}
    acked: list[str] = []
    answering = [
        asyncio.create_task(keep_answering(phone, args.every, until, acked, phone.rng))
        for phone in phones
        if phone.connected
    ]
    began = time.time()
    await asyncio.sleep(args.before + SETTLE)
    pipe.send("go")
    flood = await loop.run_in_executor(None, pipe.recv)
    until["at"] = time.time() + args.after
    await asyncio.gather(*answering)
    process.join(10)
    dropped = sum(1 for phone in phones if phone.socket is None or phone.socket.drops)
    await asyncio.gather(*(phone.close() for phone in phones), return_exceptions=True)
    sent = [(at, seconds) for event, at, seconds in timings.sent if event == "respond"]
    before = [s for at, s in sent if began + SETTLE <= at < flood["started"]]
    during = [s for at, s in sent if flood["started"] <= at <= flood["last_reply"]]
    return {
        "phones": args.phones,
        "joined": len(timings.join),
        "before_ms": summary(before) | {"n": len(before)},
        "during_ms": summary(during) | {"n": len(during)},
        "flood": flood_figures(flood),
        "dropped": dropped,
        "unacked_answers": unacknowledged(timings, "respond"),
        "errors": len(timings.errors),
        "error_samples": sorted(set(timings.errors))[:5],
        "acked_responses": acked,
    }


def flood_figures(flood: dict) -> dict:
    replies = flood["replies"]
    sending = max(flood["all_sent"] - flood["started"], 1e-6)
    return {
        "events": flood["sent"],
        "acknowledged": replies.get("ok", 0),
        "rate_limited": replies.get("rate_limited", 0),
        "other_refusals": sum(
            n
            for kind, n in replies.items()
            if kind not in ("ok", "rate_limited", "no reply", "connection lost")
        ),
        "no_reply": replies.get("no reply", 0),
        # the server closed the flooder's connection (its pongs wait behind its own flood)
        "connection_lost": replies.get("connection lost", 0),
        "sent_per_s": round(flood["sent"] / sending),
        "seconds_to_last_reply": round(flood["last_reply"] - flood["started"], 2),
        "flooder_dropped": flood["dropped"],
        "replies": replies,
    }


def measure(args, workdir: Path) -> dict:
    server = app_server(workdir, {"WORKSHOP_SUGGEST_AHEAD": "false"})
    try:
        facilitator = prepare_app_session(server.url)
        cpu_before = server.cpu_seconds()
        row = asyncio.run(run_flood(server.url, facilitator.code, args))
        row["server_cpu_s"] = round(server.cpu_seconds() - cpu_before, 1)
        row["server_peak_mb"] = round(server.peak_rss / 2**20, 1)
        flood_ok = row["flood"]["acknowledged"]
        database = verify_database(
            f"sqlite:///{workdir / 'workshop.sqlite'}", row["acked_responses"], 0
        )
        row["lost"], row["duplicated"] = database["lost"], database["duplicated"]
        row["stored_from_flood"] = stored_flood(workdir / "workshop.sqlite")
        row["flood"]["stored_matches_acknowledged"] = row["stored_from_flood"] == flood_ok
        row.pop("acked_responses")
        return row
    finally:
        server.stop()


def stored_flood(database: Path) -> int:
    from sqlalchemy import create_engine, text

    engine = create_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        count = connection.execute(
            text("SELECT count(*) FROM response WHERE text LIKE 'flood %'")
        ).scalar_one()
    engine.dispose()
    return count


def report(row: dict) -> str:
    b, d, f = row["before_ms"], row["during_ms"], row["flood"]
    ratio = d["p95"] / max(b["p95"], 0.1)
    return (
        "| phones | room's answers before the flood: p50 / p95 / p99 / max (n) "
        "| during it | p95 during / before | flood: events, sent per s, to last reply "
        "| flooder: acknowledged / rate-limited / other refusals / no reply / connection lost "
        "| other phones dropped "
        "| unacknowledged answers | lost | dup | CPU s | peak MB |\n"
        "| ---: | --- | --- | ---: | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: |\n"
        f"| {row['phones']} | {b['p50']} / {b['p95']} / {b['p99']} / {b['max']} ms ({b['n']}) "
        f"| {d['p50']} / {d['p95']} / {d['p99']} / {d['max']} ms ({d['n']}) | {ratio:.1f}× "
        f"| {f['events']}, {f['sent_per_s']}/s, {f['seconds_to_last_reply']} s "
        f"| {f['acknowledged']} / {f['rate_limited']} / {f['other_refusals']} / {f['no_reply']} "
        f"/ {f['connection_lost']} "
        f"| {row['dropped']} | {row['unacked_answers']} | {row['lost']} | {row['duplicated']} "
        f"| {row['server_cpu_s']} | {row['server_peak_mb']} |\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench flood", description=__doc__)
    parser.add_argument("--phones", type=int, default=1000)
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument(
        "--every", type=float, default=20.0, help="seconds between a phone's answers, on average"
    )
    parser.add_argument("--before", type=float, default=15.0)
    parser.add_argument("--after", type=float, default=3.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="flood-") as workdir:
        row = measure(args, Path(workdir))
    print(json.dumps(row), flush=True)
    print(report(row))
    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    (RESULTS / f"flood-{stamp}.json").write_text(json.dumps(row, indent=2))
    return 0
