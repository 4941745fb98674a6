"""The stack's ceiling: a bare Flask-SocketIO server (gevent, as the app runs) that speaks the
same protocol to phones and the projector and does the same fan-out, with no database, no
validation and no templates. The load benchmark runs it beside the app, so the app's cost is
reported as a ratio to what the stack itself allows on the same machine at the same time.

Its phones are the load bench's phone model (`workshop.live.phone_page`), so it serves what
that model reads: a join form, a live page with its initial state, a snapshot with the
segment's view, and on `POST /advance` the next segment to every phone (`state` and `segment`,
one view for the room), the last of them a ballot form."""

from gevent import monkey

monkey.patch_all()

import itertools  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import secrets  # noqa: E402
import time  # noqa: E402

from flask import Flask, jsonify, make_response, redirect, request  # noqa: E402
from flask_socketio import SocketIO, emit, join_room  # noqa: E402

app = Flask(__name__)
app.config["SECRET_KEY"] = secrets.token_hex(16)
socketio = SocketIO(app, async_mode="gevent")
ballots: dict[str, list[int]] = {}
counter = itertools.count(1)
pending = {"tally": False}
stage = {"index": 1}  # the segment on: answers first, the vote from VOTE_AT on
VOTE_AT = 4
CANDIDATES = [
    {"id": i, "title": f"Theme {i}", "description": "", "theme_id": i} for i in range(1, 6)
]
ROUND = {
    "id": 1,
    "number": 1,
    "is_open": True,
    "picks": 3,
    "ranked": True,
    "hide_tally": False,
    "candidates": CANDIDATES,
}


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")


@app.get("/w/<code>")
def page(code):
    if not request.cookies.get("wsp"):
        return (
            '<form><input type="hidden" name="csrf_token" value="x">'
            '<input type="radio" name="role" value="Member"></form>'
        )
    initial = json.dumps({"lang": "en", "state": state()})
    return f'<script type="application/json" id="initial-state">{initial}</script>'


@app.post("/w/<code>/join")
def join(code):
    response = make_response(redirect(f"/w/{code}"))
    response.set_cookie("wsp", secrets.token_urlsafe(16))
    return response


@app.post("/advance")
def advance():
    """The facilitator's next step: the room's phones get the new state and segment."""
    stage["index"] += 1
    socketio.emit("state", state(), to="participants", namespace="/participant")
    socketio.emit("segment", view(), to="participants", namespace="/participant")
    return jsonify(ok=True)


def state():
    voting = stage["index"] >= VOTE_AT
    segment = {
        "index": stage["index"],
        "kind": "vote" if voting else "prompts",
        "id": "vote" if voting else f"segment-{stage['index']}",
        "prompt_ids": [] if voting else ["worked_well"],
    }
    return {"status": "running", "segment": segment}


def view():
    """The segment as every phone sees it (one for the room, as the app shares one per
    language); from VOTE_AT on, a ranked ballot form as the app's."""
    html = f"<section><h2>Segment {stage['index']}</h2></section>"
    if stage["index"] >= VOTE_AT:
        options = "".join(f'<option value="{c["id"]}">{c["title"]}</option>' for c in CANDIDATES)
        picks = "".join(
            f'<select name="pick-{n}"><option value="">-</option>{options}</select>'
            for n in range(1, ROUND["picks"] + 1)
        )
        html += (
            f'<form data-ballot-form><input type="hidden" name="round_id" value="1">{picks}</form>'
        )
    return {"key": f"{stage['index']}.running.en", "html": html}


@socketio.on("connect", namespace="/participant")
def participant_connect(auth=None):
    join_room("participants")
    emit(
        "snapshot",
        {"state": state(), "segment": view(), "responses": [], "ballot": None, "themes": []},
    )


@socketio.on("sync", namespace="/participant")
def sync(data=None):
    return {"server_now": int(time.time() * 1000)}


@socketio.on("connect", namespace="/screen")
def screen_connect(auth=None):
    join_room("screens")
    emit("snapshot", {"state": state(), "vote": {"round": ROUND}})


@socketio.on("connect", namespace="/facilitator")
def facilitator_connect(auth=None):
    join_room("facilitators")


@socketio.on("respond", namespace="/participant")
def respond(data):
    response = {
        "id": next(counter),
        "client_id": data["client_id"],
        "prompt_id": data["prompt_id"],
        "text": data["text"],
    }
    socketio.emit(
        "response",
        {"action": "created", "response": response},
        to="facilitators",
        namespace="/facilitator",
    )
    emit("own", {"action": "created", "response": response})
    return {"ok": True, "response": response, "duplicate": False}


@socketio.on("ballot", namespace="/participant")
def ballot(data):
    ballots[request.sid] = data["picks"]
    if not pending["tally"]:
        pending["tally"] = True
        socketio.start_background_task(flush_tally)
    return {
        "ok": True,
        "ballot": {"round_id": 1, "picks": data["picks"], "client_id": data["client_id"]},
    }


def flush_tally():
    socketio.sleep(float(os.environ.get("WORKSHOP_BROADCAST_INTERVAL", "0.25")))
    pending["tally"] = False
    points = dict.fromkeys(range(1, 6), 0)
    for picks in ballots.values():
        for position, candidate in enumerate(picks):
            points[candidate] = points.get(candidate, 0) + 3 - position
    rows = [{"candidate_id": c, "points": p} for c, p in points.items()]
    payload = {
        "round_id": 1,
        "ballots": len(ballots),
        "participants": len(ballots),
        "hidden": False,
        "rows": rows,
    }
    for room, namespace in (("screens", "/screen"), ("facilitators", "/facilitator")):
        socketio.emit("tally", payload, to=room, namespace=namespace)


if __name__ == "__main__":
    started = time.time()
    # The same server set-up as the app: Nagle off, the garbage collector kept quiet.
    from workshop.serve import quiet_garbage_collector, wsgi_server

    quiet_garbage_collector()
    wsgi_server(app, "127.0.0.1", int(os.environ["PORT"]), log_output=False).serve_forever()
