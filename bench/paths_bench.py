"""CPU per answer and per ballot on the room's two busiest paths, without the network.

Run: `python -m bench paths [--participants 500] [--repeats 5]`.
A session of the bundled Thrive agenda on a fresh SQLite file; N phones join with the page's
form and open a socket (Flask-SocketIO's test client: the server's own event dispatch, Flask
context and handlers, without the network); each sends one answer and then one top-three
ballot on five themes, and every event must be acknowledged ok (the tally to the projector is
coalesced as in a live room). The
figure is CPU microseconds per operation (process time, so another busy process on the machine
slows it less than wall time), the median of the repeats. The load benchmark shows what a room
feels; this one shows what each change to these paths costs, with much less noise.
"""

from __future__ import annotations

import argparse
import platform
import statistics
import tempfile
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from bench.load_bench import replace_section

ROOT = Path(__file__).resolve().parent.parent
AGENDA = "thrive-srt-retrospective"
PHONES = "/participant"
THEMES = ("Meetings", "Relationships", "Communication", "Funding", "Data")


def new_client_id() -> str:
    return uuid.uuid4().hex


def make_app(folder: Path):
    from workshop import create_app, database

    url = f"sqlite:///{folder / 'workshop.sqlite'}"
    database.upgrade(url)
    return create_app(
        {
            "SECRET_KEY": "bench",
            "DATABASE_URL": url,
            "INSTANCE_PATH": str(folder / "instance"),
            "AGENDA_DIR": str(ROOT / "sessions"),
            "SUGGEST_AHEAD": False,
            "WTF_CSRF_ENABLED": False,  # the join form's token: a phone's page would carry it
            "SOCKET_EVENTS_PER_10S": 1_000_000,
        }
    )


def one_room(participants: int) -> tuple[float, float]:
    """CPU µs per answer and per ballot in one fresh room, each sent as a Socket.IO event."""
    from workshop import accounts
    from workshop.agenda.library import read_agenda_file
    from workshop.extensions import db, socketio
    from workshop.live import workshops
    from workshop.models import Workshop
    from workshop.web import actions

    with tempfile.TemporaryDirectory(prefix="paths-") as folder:
        app = make_app(Path(folder))
        with app.app_context():
            owner = accounts.create_facilitator(db.session, "bench@example.org", "bench password")
            agenda = read_agenda_file(ROOT / "sessions" / f"{AGENDA}.toml")
            workshop = workshops.start_workshop(db.session, owner, agenda)
            db.session.commit()
            workshop_id, code = workshop.id, workshop.code
            answers = {q.id: q.choices[0] if q.choices else "Bench" for q in agenda.join_questions}
        phones = [join(app, socketio, code, answers) for _ in range(participants)]
        with app.test_request_context():
            workshop = db.session.get(Workshop, workshop_id)
            actions.control(workshop, "start")
            actions.control(workshop, "next")
            prompt = agenda.segments[1].prompts[0].id
            db.session.remove()
        started = time.process_time()
        for phone in phones:
            text = f"answer {uuid.uuid4().hex[:8]} from a phone"
            answer = {"prompt_id": prompt, "text": text, "client_id": new_client_id()}
            expect_ok(phone.emit("respond", answer, callback=True, namespace=PHONES))
        per_answer = (time.process_time() - started) / participants * 1e6

        with app.test_request_context():
            workshop = db.session.get(Workshop, workshop_id)
            actions.control(workshop, "next")
            actions.control(workshop, "next")
            for title in THEMES:
                actions.board(workshop, "create", {"title": title})
            round_id = actions.vote(workshop, "open", {"source": "themes"})["round_id"]
            vote = [e for e in phones[0].get_received(PHONES) if e["name"] == "vote"][-1]
            candidates = [c["id"] for c in vote["args"][0]["round"]["candidates"]]
            db.session.remove()
        started = time.process_time()
        for n, phone in enumerate(phones):
            picks = [candidates[(n + k) % len(candidates)] for k in range(3)]
            ballot = {"round_id": round_id, "picks": picks, "client_id": new_client_id()}
            expect_ok(phone.emit("ballot", ballot, callback=True, namespace=PHONES))
        per_ballot = (time.process_time() - started) / participants * 1e6
        time.sleep(2 * app.config["BROADCAST_INTERVAL"])  # the last coalesced tally goes out
        for phone in phones:
            phone.disconnect(namespace=PHONES)
        with app.app_context():
            db.engine.dispose()
    return per_answer, per_ballot


def join(app, socketio, code: str, answers: dict[str, str]):
    """A phone joins with the page's form (the cookie it gets names it) and opens its socket."""
    http = app.test_client()
    reply = http.post(f"/w/{code}/join", data=answers)
    if reply.status_code != 302:
        raise RuntimeError(f"join refused: {reply.status_code}")
    return socketio.test_client(
        app, namespace=PHONES, query_string=f"code={code}", flask_test_client=http
    )


def expect_ok(ack: dict) -> None:
    if not ack.get("ok"):
        raise RuntimeError(f"refused: {ack}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench paths", description=__doc__)
    parser.add_argument("--participants", type=int, default=500)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--no-write", action="store_true", help="do not update docs/PERFORMANCE.md")
    args = parser.parse_args(argv)
    rooms = [one_room(args.participants) for _ in range(args.repeats)]
    answer = statistics.median(r[0] for r in rooms)
    ballot = statistics.median(r[1] for r in rooms)
    spread = (
        f"answers {min(r[0] for r in rooms):.0f}–{max(r[0] for r in rooms):.0f} µs, "
        f"ballots {min(r[1] for r in rooms):.0f}–{max(r[1] for r in rooms):.0f} µs"
    )
    print(f"CPU per answer {answer:.0f} µs, per ballot {ballot:.0f} µs ({spread})")
    if not args.no_write:
        replace_section(
            "## Hot paths: CPU per answer and ballot",
            "## Hot paths: CPU per answer and ballot\n\n"
            f"Measured {datetime.now(UTC):%Y-%m-%d %H:%M} UTC on {platform.node()}, Python "
            f"{platform.python_version()}. Command: `python -m bench paths --participants "
            f"{args.participants} --repeats {args.repeats}` (median of the repeats; {spread}).\n\n"
            "| path | CPU per operation |\n| --- | ---: |\n"
            f"| answer (load, check, store, commit, acknowledgement) | {answer:.0f} µs |\n"
            f"| ballot (check, store, commit) | {ballot:.0f} µs |\n",
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
