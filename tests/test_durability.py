"""Nothing lost: the server is killed (SIGKILL) in the middle of an answer storm and of a
ballot storm, restarted, and the phones reconnect and resend what was never acknowledged.
Every submission ends up stored exactly once, the tally equals a recount, and the timer and
the current segment are what they were. A phone that was away reconnects to the present."""

from __future__ import annotations

import asyncio
import random
import re

import pytest
import requests
import socketio
from browser_support import LiveServer
from conftest import PASSWORD
from sqlalchemy import create_engine, text

from workshop.live.simulate import SimulatedPhone, Timings
from workshop.voting.counting import tally

EMAIL = "durable@example.org"
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
PHONES = 24


class Facilitator:
    def __init__(self, url: str):
        self.url, self.http = url, requests.Session()
        self._post("/auth/login", "/auth/login", {"email": EMAIL, "password": PASSWORD})
        reply = self._post(
            "/facilitator/", "/facilitator/agendas/thrive-srt-retrospective/start", {}
        )
        self.console = reply.url.removeprefix(url)
        self.code = re.search(r'<strong class="code">(\w+)</strong>', reply.text).group(1)

    def _post(self, page: str, action: str, data: dict) -> requests.Response:
        token = CSRF.search(self.http.get(self.url + page).text).group(1)
        reply = self.http.post(self.url + action, data={**data, "csrf_token": token})
        reply.raise_for_status()
        return reply

    def act(self, path: str, data: dict) -> None:
        self._post(self.console, self.console + path, data)


@pytest.fixture
def server(tmp_path):
    live = LiveServer(tmp_path / "instance", {"WORKSHOP_BROADCAST_INTERVAL": "0.1"})
    live.prepare(EMAIL, PASSWORD)
    yield live.start()
    live.stop()


def database(server: LiveServer):
    return create_engine(f"sqlite:///{server.instance / 'workshop.sqlite'}")


def timer_row(server: LiveServer) -> tuple:
    engine = database(server)
    with engine.connect() as connection:
        row = connection.execute(
            text("SELECT segment_index, ends_at, timer_running FROM workshop")
        ).one()
    engine.dispose()
    return tuple(row)


async def storm_with_a_kill(
    server: LiveServer, phones: list[SimulatedPhone], send, acked, kill_after: int
) -> None:
    """Run every phone's sends; SIGKILL and restart the server once `kill_after` were acked."""

    async def killer() -> None:
        while acked() < kill_after:
            await asyncio.sleep(0.01)
        await asyncio.get_running_loop().run_in_executor(None, server.restart)

    kill = asyncio.create_task(killer())
    await asyncio.gather(*(send(phone) for phone in phones))
    await kill


async def answers_and_ballots(server: LiveServer, facilitator: Facilitator) -> dict:
    rng = random.Random(7)
    timings = Timings()
    phones = [
        SimulatedPhone(server.url, facilitator.code, random.Random(i), timings)
        for i in range(PHONES)
    ]
    for phone in phones:
        await phone.join()
    sent: list[str] = []

    async def answer(phone: SimulatedPhone) -> None:
        for n in range(5):
            await asyncio.sleep(rng.uniform(0, 0.4))
            ack = await phone.respond("worked_well", f"answer {n} from a phone")
            sent.append(ack["response"]["client_id"])

    await storm_with_a_kill(
        server, phones, answer, lambda: len(timings.respond), kill_after=PHONES * 2
    )
    timer_after_answers = timer_row(server)

    await asyncio.get_running_loop().run_in_executor(None, open_vote, facilitator)
    await asyncio.sleep(1)
    final: dict[int, list[int]] = {}

    async def vote(phone: SimulatedPhone) -> None:
        for _ in range(2):  # vote, then change the vote: only the latest counts
            await asyncio.sleep(rng.uniform(0, 0.4))
            round_id, picks = phone.random_picks()
            ack = await phone.cast_ballot(round_id, picks)
            final[id(phone)] = ack["ballot"]["picks"]

    await storm_with_a_kill(server, phones, vote, lambda: len(timings.ballot), kill_after=PHONES)
    await asyncio.gather(*(phone.close() for phone in phones))
    return {
        "sent": sent,
        "final": list(final.values()),
        "errors": timings.errors,
        "timer": timer_after_answers,
    }


def open_vote(facilitator: Facilitator) -> None:
    for title in ("Meetings", "Relationships", "Funding", "Data"):
        facilitator.act("/board/", {"op": "create", "new_title": title})
    facilitator.act("/control", {"action": "next"})
    facilitator.act("/control", {"action": "next"})
    facilitator.act("/vote", {"op": "open", "source": "themes"})


def test_killed_server_loses_nothing_and_stores_nothing_twice(server):
    facilitator = Facilitator(server.url)
    facilitator.act("/control", {"action": "start"})
    facilitator.act("/control", {"action": "next"})
    before = timer_row(server)
    result = asyncio.run(answers_and_ballots(server, facilitator))

    assert result["timer"] == before  # the segment and its end time survived the kill
    engine = database(server)
    with engine.connect() as connection:
        stored = [r[0] for r in connection.execute(text("SELECT client_id FROM response"))]
        ballots = connection.execute(text("SELECT id FROM ballot ORDER BY id")).scalars().all()
        picks = connection.execute(
            text("SELECT ballot_id, candidate_id FROM ballot_pick ORDER BY ballot_id, rank")
        ).all()
        candidate_ids = (
            connection.execute(text("SELECT id FROM candidate ORDER BY position")).scalars().all()
        )
    engine.dispose()
    assert sorted(stored) == sorted(result["sent"]) and len(stored) == PHONES * 5  # once each
    assert len(ballots) == PHONES  # one ballot per participant per round
    by_ballot: dict[int, list[int]] = {}
    for ballot_id, candidate_id in picks:
        by_ballot.setdefault(ballot_id, []).append(candidate_id)
    assert sorted(map(tuple, by_ballot.values())) == sorted(
        map(tuple, result["final"])
    )  # the latest counts
    recount = tally(candidate_ids, list(by_ballot.values()), 3, True)
    assert vote_results(server, facilitator) == [
        (r.candidate_id, r.points, r.rank) for r in recount
    ]


def vote_results(server: LiveServer, facilitator: Facilitator) -> list[tuple]:
    """What the facilitator's console receives on (re)connect, after the restarts."""
    client = socketio.Client()
    snapshots: list[dict] = []
    client.on("snapshot", snapshots.append, namespace="/facilitator")
    workshop_id = facilitator.console.rstrip("/").split("/")[-1]
    cookie = "; ".join(f"{k}={v}" for k, v in facilitator.http.cookies.items())
    client.connect(
        f"{server.url}?workshop={workshop_id}",
        headers={"Cookie": cookie},
        namespaces=["/facilitator"],
    )
    client.sleep(0.5)
    client.disconnect()
    rows = snapshots[0]["vote"]["round"]["results"]
    return [(r["candidate_id"], r["points"], r["rank"]) for r in rows]


def test_a_phone_away_for_a_long_time_wakes_up_in_the_present(server):
    facilitator = Facilitator(server.url)
    facilitator.act("/control", {"action": "start"})

    async def scenario() -> dict:
        phone = SimulatedPhone(server.url, facilitator.code, random.Random(1), Timings())
        await phone.join()
        phone.go_away()  # the screen locks; the phone drops off the wifi
        await asyncio.get_running_loop().run_in_executor(
            None, facilitator.act, "/control", {"action": "next"}
        )
        await asyncio.get_running_loop().run_in_executor(
            None, facilitator.act, "/control", {"action": "next"}
        )
        await phone.come_back()
        await phone.close()
        return phone.state, phone.segment_index()

    state, shown = asyncio.run(scenario())
    assert state["segment"]["id"] == "forward-planning" and shown == 2
    assert state["timer"]["running"] and state["timer"]["ends_at"] > state["server_now"]
