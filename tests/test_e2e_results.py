"""Results end to end, in a real browser against the real server.

The session is built quickly over HTTP, with each person's own cookies and the pages' CSRF
tokens: a facilitator starts the Thrive retrospective, three phones join and answer, answers
become themes, the room votes and the vote closes. Then, in the browser, the facilitator opens
"Results and downloads" from the console, downloads every format and makes a share link, which
a fresh browser (no account, no cookies) opens to see the ranking, and nothing else.
"""

from __future__ import annotations

import io
import json
import re
import uuid
import zipfile

import pytest
import requests
from browser_support import LiveServer
from conftest import PASSWORD, csrf_token

pytestmark = pytest.mark.browser
FACILITATOR = "evaluation@example.org"
ROLES = ("SRT chair", "SRT member", "Backbone organization")
ANSWERS = ("Peer networking across sectors", "Shared dashboards", "Año de confianza — “sí”")
# Ballots, first choice first: Relationships 3+3+2 = 8 points, Shared information 2+3 = 5.
BALLOTS = (
    ("Relationships", "Shared information"),
    ("Relationships",),
    ("Shared information", "Relationships"),
)


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    live = LiveServer(tmp_path_factory.mktemp("e2e-results"))
    live.prepare(FACILITATOR, PASSWORD)
    live.start()
    yield live
    live.stop()


@pytest.fixture(scope="module")
def browser(chromium):
    return chromium


class Person:
    """Someone without a browser: their own cookies, and each form's CSRF token."""

    def __init__(self, base: str):
        self.base, self.http = base, requests.Session()

    def submit(self, page: str, action: str, data: dict) -> requests.Response:
        token = csrf_token(self.http.get(self.base + page).text)
        reply = self.http.post(self.base + action, data={**data, "csrf_token": token})
        reply.raise_for_status()
        return reply


def build_voted_session(base: str) -> tuple[str, str]:
    """A closed vote on two themes; returns the console path and the join code."""
    host = Person(base)
    host.submit("/auth/login", "/auth/login", {"email": FACILITATOR, "password": PASSWORD})
    started = host.submit(
        "/facilitator/", "/facilitator/agendas/thrive-srt-retrospective/start", {}
    )
    console = started.url.removeprefix(base)
    code = re.search(r'<strong class="code">(\w+)</strong>', started.text).group(1)
    phones = [Person(base) for _ in ROLES]
    for phone, role in zip(phones, ROLES, strict=True):
        phone.submit(f"/w/{code}", f"/w/{code}/join", {"name": "", "role": role})
    for action in ("start", "next"):
        host.submit(console, console + "/control", {"action": action})
    for phone, text in zip(phones, ANSWERS, strict=True):
        answer = {"prompt_id": "worked_well", "text": text, "client_id": uuid.uuid4().hex}
        phone.submit(f"/w/{code}", f"/w/{code}/responses", answer)
    for action in ("next", "next"):
        host.submit(console, console + "/control", {"action": action})
    make_themes_and_vote(host, phones, console, code)
    return console, code


def make_themes_and_vote(host: Person, phones: list[Person], console: str, code: str) -> None:
    api = "/api/workshops/" + console.rsplit("/", 1)[-1] + "/results"
    ids = {r["text"]: r["id"] for r in host.http.get(host.base + api).json()["responses"]}
    groups = {"Relationships": ANSWERS[:1], "Shared information": ANSWERS[1:]}
    for title, texts in groups.items():
        data = {"op": "create", "new_title": title, "response_ids": [ids[t] for t in texts]}
        host.submit(console + "/board/", console + "/board/", data)
    host.submit(console, console + "/vote", {"op": "open", "source": "themes"})
    candidates = {
        t["title"]: t["candidate_id"] for t in host.http.get(host.base + api).json()["themes"]
    }
    round_id = re.search(
        r'name="round_id" value="(\d+)"', host.http.get(host.base + console).text
    ).group(1)
    for phone, picks in zip(phones, BALLOTS, strict=True):
        ballot = {"round_id": round_id, "client_id": uuid.uuid4().hex}
        ballot.update({f"pick-{n}": candidates[t] for n, t in enumerate(picks, start=1)})
        phone.submit(f"/w/{code}", f"/w/{code}/ballot", ballot)
    host.submit(console, console + "/vote", {"op": "close", "round_id": round_id})


def sign_in(page, base: str) -> None:
    page.goto(base + "/auth/login")
    page.get_by_label("E-mail").fill(FACILITATOR)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


def fetch(page, link_name: str) -> bytes:
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    download = info.value
    # Named after the session's title and date (issue 20).
    assert re.fullmatch(
        r"thrive-inland-socal-[a-z0-9-]+-\d{4}-\d\d-\d\d-results\.\w+", download.suggested_filename
    )
    with open(download.path(), "rb") as handle:
        return handle.read()


def check_downloads(page) -> None:
    from openpyxl import load_workbook
    from pypdf import PdfReader

    with zipfile.ZipFile(io.BytesIO(fetch(page, "Spreadsheet tables (CSV, zipped)"))) as archive:
        themes = archive.read("themes.csv").decode("utf-8-sig").splitlines()
    assert themes[1].startswith("1,no,Relationships,theme,8,2,3,")
    book = load_workbook(io.BytesIO(fetch(page, "Excel workbook (XLSX)")))
    assert book["Themes"]["C2"].value == "Relationships" and book["Themes"]["E2"].value == 8
    data = json.loads(fetch(page, "Data (JSON)"))
    assert [(t["title"], t["points"]) for t in data["themes"]] == [
        ("Relationships", 8),
        ("Shared information", 5),
    ]
    pdf = PdfReader(io.BytesIO(fetch(page, "Report (PDF)")))
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert text.index("1. Relationships") < text.index("2. Shared information")
    assert "Año de confianza — “sí”" in text


def test_downloads_and_a_share_link_after_the_vote(server, browser):
    from playwright.sync_api import expect

    console, code = build_voted_session(server.url)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = desk.new_page()
    sign_in(page, server.url)
    page.goto(server.url + console)
    page.get_by_role("link", name="Results and downloads").click()
    expect(page.get_by_role("heading", name="Priorities")).to_be_visible()
    expect(page.locator("[data-ranking] li").first).to_contain_text("8 points")
    check_downloads(page)

    page.get_by_label("Who is it for?").fill("Claremont Evaluation Center")
    page.get_by_label("The link stops working after").select_option(label="30 days")
    page.get_by_role("button", name="Create share link").click()
    share_url = page.get_by_label("New share link").input_value()
    assert re.fullmatch(re.escape(server.url) + r"/shared/[A-Za-z0-9_-]{43}", share_url)
    expect(page.get_by_role("cell", name="Claremont Evaluation Center", exact=True)).to_be_visible()

    reader = browser.new_context(viewport={"width": 1024, "height": 800}).new_page()
    reader.goto(share_url)
    ranking = reader.locator("[data-ranking] li")
    expect(ranking.first).to_contain_text("Relationships")
    expect(ranking.first).to_contain_text("8 points")
    expect(ranking.nth(1)).to_contain_text("Shared information")
    expect(reader.get_by_role("heading", name="Participants by role")).to_be_visible()
    assert code not in reader.content()
    assert "Create share link" not in reader.content()
    reader.goto(server.url + console)  # the link opens nothing else
    expect(reader.get_by_role("button", name="Sign in")).to_be_visible()

    page.get_by_role("button", name=re.compile("Revoke the link Claremont")).click()
    expect(page.get_by_text("The share link no longer works.")).to_be_visible()
    reader.goto(share_url)
    expect(reader.get_by_text("expired or been revoked")).to_be_visible()
