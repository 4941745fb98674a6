"""The stack's ceiling: a bare Flask-SocketIO server (gevent, as the app runs) that speaks the
same protocol to phones and the projector and does the same fan-out, with no database, no
validation and no templates. The load benchmark runs it beside the app, so the app's cost is
reported as a ratio to what the stack itself allows on the same machine at the same time."""

from gevent import monkey

monkey.patch_all()

import itertools  # noqa: E402
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
    return '<form><input type="hidden" name="csrf_token" value="x"><input type="radio" name="role" value="Member"></form>'


@app.post("/w/<code>/join")
def join(code):
    response = make_response(redirect(f"/w/{code}"))
    response.set_cookie("wsp", secrets.token_urlsafe(16))
    return response


def state():
    return {
        "status": "running",
        "segment": {"index": 3, "kind": "vote", "id": "vote", "prompt_ids": []},
    }


@socketio.on("connect", namespace="/participant")
def participant_connect(auth=None):
    join_room("participants")
    emit("snapshot", {"state": state(), "vote": {"round": ROUND}, "responses": [], "themes": []})


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
