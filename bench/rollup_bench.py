"""A regional roll-up of many tables: how long the real server takes to render it.

Run: `python -m bench rollup [--sessions 50] [--answers 10000] [--repeat 7]`.

A fresh app instance gets one collection of SESSIONS tables holding ANSWERS answers in all,
each table imported the way a table's export is (`workshop.collections.members.import_export`,
the path of the browser upload and `workshop import`): eight themes per table linked to the
Thrive plan's strategies (one to two strategies, one to none), a ranked vote of three picks by
every participant, and every theme in a confirmed regional theme, so the page draws every
answer (the heaviest case). Then the server (`python -m workshop.serve`, gevent, as `make run`)
is asked for the roll-up page, each weighting, the JSON API and the four downloads, REPEAT
times each, over HTTP with the owner's cookie; the figures are wall-clock times seen by the
client. The target (issue 23): the page in at most 1 s.
"""

from __future__ import annotations

import argparse
import json
import platform
import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.load_bench import replace_section
from bench.servers import EMAIL, FacilitatorDriver, app_server

STRATEGIES = [
    ("access-childcare", "Access to childcare"),
    ("access-transportation", "Access to transportation"),
    ("affordable-housing", "Employer support for affordable housing"),
    ("education-workforce-ecosystem", "Robust regional education and workforce training ecosystem"),
    ("entrepreneurial-ecosystem", "Entrepreneurial ecosystem for high-growth startups and main street businesses"),
    ("access-technology", "Access to technology"),
    ("healthcare-pathways", "Pathways to quality jobs in healthcare"),
    ("clean-economy", "Clean economy innovation and adoption"),
]  # fmt: skip
THEMES = ["Childcare", "Transit", "Housing", "Training", "Small business", "Broadband",
          "Health careers", "Meetings"]  # fmt: skip
QUESTION = ("worked_well", "What worked well in the SRT this past year?")
TARGET_S = 1.0


def export_of(number: int, answers: int, participants: int, rng: random.Random) -> dict:
    """One table's results export (docs/results-schema.json) with `answers` answers."""
    created = datetime(2024, 9, 10, 16, tzinfo=UTC) + timedelta(minutes=number)
    stamp = created.strftime("%Y-%m-%dT%H:%M:%SZ")
    points = {t: 0 for t in THEMES}
    for _ in range(participants):
        for position, title in enumerate(rng.sample(THEMES, 3)):
            points[title] += 3 - position
    order = sorted(THEMES, key=lambda t: -points[t])
    responses = [
        _response(i, THEMES.index(THEMES[i % 8]) + 1, stamp) for i in range(1, answers + 1)
    ]
    themes = []
    for title in order:
        theme_id = THEMES.index(title) + 1
        links = [] if title == "Meetings" else STRATEGIES[theme_id - 1 : theme_id + (theme_id % 2)]
        ids = [r["id"] for r in responses if r["theme_id"] == theme_id]
        themes.append(_theme(title, theme_id, order.index(title) + 1, points[title], links, ids))
    return {
        "schema_version": 1,
        "generated_at": stamp,
        "audience": "shared",
        "names_included": False,
        "workshop": {"id": number, "title": "SRT retrospective", "agenda_id": "thrive-srt-retrospective",
                     "purpose": "", "status": "ended", "created_at": stamp, "started_at": stamp,
                     "ended_at": stamp},
        "vote": {"round": 1, "status": "closed", "picks": 3, "ranked": True, "opened_at": stamp,
                 "closed_at": stamp, "ballots_cast": participants, "ballots": []},
        "themes": themes,
        "responses": responses,
        "participation": {"participants": participants, "paper": 0, "responding": participants,
                          "ballots_cast": participants,
                          "by_role": [{"role": "SRT member", "participants": participants, "paper": 0}],
                          "per_question": [{"prompt_id": QUESTION[0], "question": QUESTION[1],
                                            "segment_id": "retrospective", "segment_title": "Retrospective",
                                            "responses": answers, "hidden": None}]},
        "agenda_run": [],
        "source": {"server_id": "b" * 32},
        "plan": [{"id": i, "name": n, "pillar": "", "framework": "rep", "translations": {}} for i, n in STRATEGIES],
    }  # fmt: skip


def _response(number: int, theme_id: int, stamp: str) -> dict:
    return {"id": number, "prompt_id": QUESTION[0], "question": QUESTION[1], "segment_id": "retrospective",
            "segment_title": "Retrospective", "theme_id": theme_id, "theme_title": THEMES[theme_id - 1],
            "text": f"Answer {number}: more {THEMES[theme_id - 1].lower()} support near the training sites",
            "strategy": None, "created_at": stamp, "participant": 1 + number % 30, "role": "SRT member",
            "paper": False, "hidden": False}  # fmt: skip


def _theme(title, theme_id, rank, points, links, ids) -> dict:
    return {"rank": rank, "tied": False, "title": title, "description": "", "source": "theme",
            "candidate_id": 100 + theme_id, "theme_id": theme_id, "points": points, "first_choices": 0,
            "ballots": 0, "response_count": len(ids), "strategies": [{"id": i, "name": n} for i, n in links],
            "questions": [{"prompt_id": QUESTION[0], "question": QUESTION[1], "response_ids": ids}]}  # fmt: skip


def build_collection(instance: Path, sessions: int, answers: int, seed: int) -> int:
    """The collection, imported and grouped in-process on the instance's database."""
    from workshop import accounts, clock, create_app
    from workshop.collections import members, regional, store
    from workshop.collections.build import tables_of
    from workshop.extensions import db

    app = create_app({"INSTANCE_PATH": str(instance)})
    rng = random.Random(seed)
    with app.app_context():
        owner = accounts.find_facilitator(db.session, EMAIL)
        collection = store.create_collection(db.session, owner.id, "Regional day", clock.now())
        per_table = [answers // sessions + (i < answers % sessions) for i in range(sessions)]
        for number, count in enumerate(per_table, start=1):
            data = json.dumps(export_of(number, count, rng.randint(20, 35), rng)).encode()
            details = members.TableDetails(name=f"Table {number:02d}")
            members.import_export(
                db.session, collection, data, f"t{number}.json", clock.now(), details
            )
        db.session.commit()
        tables = tables_of(db.session, collection)
        known = {(t.member_id, th.theme_id) for t in tables for th in t.snapshot.themes}
        for theme_id, title in enumerate(THEMES, start=1):
            refs = [(t.member_id, theme_id) for t in tables]
            regional.make_group(db.session, collection, refs, title, known, clock.now())
        db.session.commit()
        return collection.id


def timed(driver: FacilitatorDriver, path: str, repeat: int) -> dict:
    times, size = [], 0
    for _ in range(repeat):
        started = time.perf_counter()
        reply = driver.http.get(driver.url + path)
        times.append(time.perf_counter() - started)
        reply.raise_for_status()
        size = len(reply.content)
    return {
        "median_s": round(statistics.median(times), 3),
        "max_s": round(max(times), 3),
        "bytes": size,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench rollup", description=__doc__)
    parser.add_argument("--sessions", type=int, default=50)
    parser.add_argument("--answers", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rollup-") as workdir:
        instance = Path(workdir)
        server = app_server(instance)
        try:
            started = time.perf_counter()
            collection_id = build_collection(instance, args.sessions, args.answers, args.seed)
            print(
                f"imported {args.sessions} tables in {time.perf_counter() - started:.1f} s",
                flush=True,
            )
            driver = FacilitatorDriver(server.url)
            driver.sign_in()
            base = f"/facilitator/collections/{collection_id}/"
            rows = {
                "page, each table equal": timed(driver, base, args.repeat),
                "page, weighted by participants": timed(driver, base + "?weight=participants", args.repeat),
                "JSON API": timed(driver, f"/api/collections/{collection_id}/rollup", args.repeat),
                **{f"download {f}": timed(driver, base + f"download/{f}", max(3, args.repeat // 2))
                   for f in ("csv", "xlsx", "json", "pdf")},
            }  # fmt: skip
        finally:
            server.stop()
    report = table(rows, args)
    print(report)
    if not args.no_write:
        write_section(report, args)
    return 0 if rows["page, each table equal"]["median_s"] <= TARGET_S else 1


def table(rows: dict, args) -> str:
    lines = ["| request | median | max | size |", "| --- | ---: | ---: | ---: |"]
    for name, r in rows.items():
        lines.append(
            f"| {name} | {r['median_s'] * 1000:.0f} ms | {r['max_s'] * 1000:.0f} ms | {r['bytes'] // 1024} KiB |"
        )
    return "\n".join(lines) + "\n"


def write_section(report: str, args) -> None:
    load = Path("/proc/loadavg").read_text().split()[0] if Path("/proc/loadavg").exists() else "?"
    section = (
        "## Regional roll-up: a page of many tables\n\n"
        f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()} "
        f"(1-minute load {load} when it ended), Python {platform.python_version()}. Command: "
        f"`python -m bench rollup --sessions {args.sessions} --answers {args.answers} --repeat {args.repeat}`: "
        f"{args.sessions} imported tables, {args.answers} answers, every theme in a regional theme "
        "(every answer on the page). Target: the page in at most 1 s.\n\n" + report
    )
    replace_section("## Regional roll-up: a page of many tables", section)


if __name__ == "__main__":
    raise SystemExit(main())
