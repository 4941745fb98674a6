"""Scale-out on existing engines: two server processes share one live session through
PostgreSQL and Redis (Flask-SocketIO's message queue). A phone on one process follows the
facilitator on the other, and its ballot reaches the projector on the other; the rate limits
on addresses and accounts count across both; theme suggestions asked for on one are followed
and reviewed on the other."""

from __future__ import annotations

import os
import re
import time
import uuid

import pytest
import requests
import socketio
from browser_support import LiveServer
from conftest import PASSWORD

pytestmark = [pytest.mark.postgres, pytest.mark.redis]
EMAIL = "scale@example.org"
WRONG_CODES = 6  # per address a minute, for this test's servers
LOGIN_FAILURES = 4  # per account a minute
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


class Events:
    """Collects what a socket client receives, by event name."""

    def __init__(self, client: socketio.Client, namespace: str, names: tuple[str, ...]):
        self.received: dict[str, list] = {name: [] for name in names}
        for name in names:
            client.on(
                name, lambda data, name=name: self.received[name].append(data), namespace=namespace
            )

    def wait_for(self, name: str, condition, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            match = next((item for item in self.received[name] if condition(item)), None)
            if match is not None:
                return match
            time.sleep(0.05)
        raise AssertionError(
            f"no matching {name} event within {timeout}s: {self.received[name][-3:]}"
        )


@pytest.fixture
def two_servers(tmp_path, postgres_url, redis_url):
    env = {
        "WORKSHOP_DATABASE_URL": postgres_url,
        "WORKSHOP_MESSAGE_QUEUE": redis_url,
        # A channel of this test's own: another test run on the same Redis must not reach it.
        "WORKSHOP_MESSAGE_QUEUE_CHANNEL": f"workshop-test-{tmp_path.name}-{os.getpid()}",
        "WORKSHOP_SECRET_KEY": "shared-by-every-process",  # cookies signed by one are valid on the other
        "WORKSHOP_WRONG_CODES_PER_MINUTE": str(WRONG_CODES),
        "WORKSHOP_LOGIN_FAILURES_PER_MINUTE": str(LOGIN_FAILURES),
    }
    first = LiveServer(tmp_path / "a", env)
    first.prepare(EMAIL, PASSWORD)
    second = LiveServer(tmp_path / "b", env)
    servers = [first.start(), second.start()]
    yield servers
    for server in servers:
        server.stop()


def post_form(
    http: requests.Session, page_url: str, action_url: str, data: dict
) -> requests.Response:
    token = CSRF.search(http.get(page_url).text).group(1)
    return http.post(action_url, data={**data, "csrf_token": token})


def start_session(url: str) -> tuple[requests.Session, int, str, str]:
    http = requests.Session()
    post_form(
        http, url + "/auth/login", url + "/auth/login", {"email": EMAIL, "password": PASSWORD}
    )
    reply = post_form(
        http, url + "/facilitator/", url + "/facilitator/agendas/thrive-srt-retrospective/start", {}
    )
    workshop_id = int(reply.url.rstrip("/").split("/")[-1])
    code = re.search(r'<strong class="code">(\w+)</strong>', reply.text).group(1)
    token = re.search(r"/screen/([\w-]+)", reply.text).group(1)
    return http, workshop_id, code, token


def join_phone(url: str, code: str) -> tuple[socketio.Client, Events]:
    http = requests.Session()
    post_form(http, f"{url}/w/{code}", f"{url}/w/{code}/join", {"role": "SRT member"})
    phone = socketio.Client()
    events = Events(phone, "/participant", ("snapshot", "state", "vote"))
    cookie = "; ".join(f"{k}={v}" for k, v in http.cookies.items())
    phone.connect(f"{url}?code={code}", headers={"Cookie": cookie}, namespaces=["/participant"])
    return phone, events


def test_two_processes_share_one_live_session(two_servers):
    first, second = two_servers
    http, workshop_id, code, token = start_session(first.url)
    console = f"{first.url}/facilitator/w/{workshop_id}"

    def control(action: str) -> None:
        post_form(http, console, console + "/control", {"action": action}).raise_for_status()

    projector = socketio.Client()
    screen = Events(projector, "/screen", ("snapshot", "tally", "vote"))
    projector.connect(f"{first.url}?token={token}", namespaces=["/screen"])
    phone, events = join_phone(second.url, code)

    control("start")  # the facilitator acts on the first process...
    events.wait_for(
        "state", lambda s: s["segment"] and s["segment"]["id"] == "overview"
    )  # ...the phone on the second follows
    for title in ("Meetings", "Funding"):
        post_form(
            http, console + "/board/", console + "/board/", {"op": "create", "new_title": title}
        )
    for _ in range(3):
        control("next")
    events.wait_for("state", lambda s: s["segment"]["kind"] == "vote")
    post_form(
        http, console, console + "/vote", {"op": "open", "source": "themes"}
    ).raise_for_status()
    opened = events.wait_for("vote", lambda v: v["round"] and v["round"]["is_open"])["round"]

    picks = [c["id"] for c in opened["candidates"]]
    ack = phone.call(
        "ballot",
        {"round_id": opened["id"], "picks": picks, "client_id": "scaleout-ballot-1"},
        namespace="/participant",
    )
    assert ack["ok"], ack
    tally = screen.wait_for(
        "tally", lambda t: t["ballots"] == 1
    )  # the projector on the first process sees it
    assert tally["rows"][0]["title"] == "Meetings" and tally["rows"][0]["points"] == 3
    phone.disconnect()
    projector.disconnect()


def test_a_guesser_gets_each_limit_once_however_many_processes_answer(two_servers):
    """Before, each process counted on its own: alternating between two, a guesser had twice
    the wrong join codes and twice the failed sign-ins."""
    servers = two_servers
    guesser = requests.Session()
    statuses = [
        guesser.get(f"{servers[n % 2].url}/join?code=ZZZZZZ").status_code
        for n in range(WRONG_CODES + 1)
    ]
    assert statuses == [404] * WRONG_CODES + [429]
    for server in servers:  # the address is now refused by both
        assert guesser.get(f"{server.url}/join?code=ZZZZZZ").status_code == 429

    def sign_in(server, password: str) -> int:
        http = requests.Session()
        form = {"email": EMAIL, "password": password}
        return post_form(
            http, server.url + "/auth/login", server.url + "/auth/login", form
        ).status_code

    tries = [sign_in(servers[n % 2], "not the password") for n in range(LOGIN_FAILURES)]
    assert tries == [400] * LOGIN_FAILURES
    for server in servers:  # even the right password waits now, on either process
        assert sign_in(server, PASSWORD) == 429


ANSWERS = [
    "Monthly meetings built trust between partners",
    "Networking across sectors helped our members",
    "Trust grew through regular monthly meetings",
    "Childcare near training sites is still missing",
    "Parents cannot attend training without childcare",
    "More employers should join the table earlier",
]


def test_suggestions_asked_for_on_one_process_are_followed_and_reviewed_on_the_other(
    two_servers,
):
    """The process that got the click makes the suggestions; the page that follows them may
    reach the other process (no proxy sticks a facilitator to one). Before, runs lived in the
    memory of the first: the second answered the run's page with a redirect to the board and
    "Those suggestions are no longer here (the server restarted)"."""
    first, second = two_servers
    http, workshop_id, code, _ = start_session(first.url)
    console = f"{first.url}/facilitator/w/{workshop_id}"
    for action in ("start", "next"):  # the retrospective questions
        post_form(http, console, console + "/control", {"action": action}).raise_for_status()
    for n in range(0, len(ANSWERS), 2):
        phone, page = requests.Session(), f"{second.url}/w/{code}"
        post_form(phone, page, page + "/join", {"role": "SRT member"})
        for text in ANSWERS[n : n + 2]:
            answer = {"prompt_id": "worked_well", "client_id": uuid.uuid4().hex, "text": text}
            post_form(phone, page, page + "/responses", answer).raise_for_status()

    token = CSRF.search(http.get(console + "/board/").text).group(1)
    asked = http.post(console + "/board/suggest", data={"csrf_token": token}, allow_redirects=False)
    assert asked.status_code == 302, asked.text[:500]
    run = asked.headers["Location"].removeprefix(first.url)
    assert re.fullmatch(rf"/facilitator/w/{workshop_id}/board/suggest/[\w-]+", run)

    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:  # what the waiting page's script asks, on the second
        progress = http.get(second.url + run, headers={"Accept": "application/json"}).json()
        if progress["done"]:
            break
        assert 0 <= progress["percent"] <= 100
        time.sleep(0.3)
    review = http.get(second.url + run)
    assert review.url == second.url + run, "sent back to the board: the run was not found"
    assert "Keep this suggestion" in review.text
    listed = re.findall(r'name="responses-\d+" value="([\d,]+)"', review.text)
    assert sorted(int(i) for ids in listed for i in ids.split(",")) == list(
        range(1, len(ANSWERS) + 1)
    )
