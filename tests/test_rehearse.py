"""`workshop rehearse`: a facilitator fills a live session with simulated phones before the real
day. They join by the code, answer the open questions from the sample answers shipped with the
package, vote when voting opens, and stop when the session ends. Run as the facilitator runs
it: the console script, against a real server."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest
from browser_support import LiveServer
from conftest import PASSWORD
from sqlalchemy import create_engine, text
from test_durability import EMAIL, Facilitator

from workshop.live.simulate import sample_answers

PHONES = 6


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("rehearse"))
    for command in (["init-db"], ["create-facilitator", EMAIL, "--password", PASSWORD]):
        live.cli(*command)
    yield live.start()
    live.stop()


def stored(server: LiveServer, query: str) -> list[tuple]:
    engine = create_engine(f"sqlite:///{server.instance / 'workshop.sqlite'}")
    with engine.connect() as connection:
        rows = [tuple(row) for row in connection.execute(text(query))]
    engine.dispose()
    return rows


def wait_until(condition, what: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.2)
    raise AssertionError(f"the rehearsal never got there: {what}")


def test_rehearse_fills_a_session_with_phones_that_answer_and_vote(server):
    facilitator = Facilitator(server.url)
    facilitator.act("/control", {"action": "start"})
    facilitator.act("/control", {"action": "next"})  # the retrospective questions
    script = Path(sys.executable).parent / "workshop"
    rehearsal = subprocess.Popen(
        [str(script), "rehearse", facilitator.code.lower(), "--participants", str(PHONES)]
        + ["--url", server.url, "--pace", "0.05"],
        env=server.env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        answered = "SELECT count(DISTINCT participant_id) FROM response"
        wait_until(lambda: stored(server, answered) == [(PHONES,)], "every phone answers")
        samples = sample_answers()
        for prompt_id, answer in stored(server, "SELECT prompt_id, text FROM response"):
            assert answer in samples["prompts"].get(prompt_id, samples["generic"]["answers"])

        for title in ("Relationships", "Funding"):
            facilitator.act("/board/", {"op": "create", "new_title": title})
        facilitator.act("/control", {"action": "next"})
        facilitator.act("/control", {"action": "next"})  # prioritizing: the vote
        facilitator.act("/vote", {"op": "open", "source": "themes"})
        ballots = "SELECT count(*) FROM ballot"
        wait_until(lambda: stored(server, ballots) == [(PHONES,)], "every phone votes")

        facilitator.act("/control", {"action": "end"})
        out, err = rehearsal.communicate(timeout=60)
    finally:
        if rehearsal.poll() is None:
            rehearsal.kill()
    assert rehearsal.returncode == 0, err
    answers = stored(server, "SELECT count(*) FROM response")[0][0]
    assert f"{PHONES} simulated participants joined session {facilitator.code}" in out
    assert f"Session ended: {answers} answers and {PHONES} ballots stored." in out


def test_rehearse_says_plainly_when_there_is_no_such_session(server):
    script = Path(sys.executable).parent / "workshop"
    done = subprocess.run(
        [str(script), "rehearse", "NOSUCH", "--participants", "2", "--url", server.url],
        env=server.env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode != 0
    assert "could not join session NOSUCH" in done.stderr
    assert "Traceback" not in done.stderr
