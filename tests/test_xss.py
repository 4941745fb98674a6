"""User text is data, never markup: script payloads in every user-text field come back only
escaped on every page, as plain JSON strings over the sockets, and as inert text in every
export; the scripts never write HTML; every page carries the Content-Security-Policy.

For each payload a session runs from an agenda uploaded through the editor, with the payload
in every text the agenda has (title, purpose, agreements, segment titles and texts, questions,
join question labels and choices, framework texts). A participant joins with it as their name
and picks it as their role, answers with it, a facilitator makes a theme titled and described
with it, types it in from a paper card and labels a share link with it. Every page is fetched
on the overview, the questions, an open vote, the results segment and after the end.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from markupsafe import escape
from openpyxl import load_workbook
from pypdf import PdfReader
from room import open_room
from security_support import AckSocket
from sqlalchemy import select

from workshop import clock
from workshop.extensions import db
from workshop.models import Candidate, Response, Theme, Workshop
from workshop.results import exports
from workshop.results.build import build_results
from workshop.results.model import FACILITATOR, SHARED

PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "attribute": '"><img src=x onerror=alert(1)>',
    "url": "javascript:alert(1)",
    "template": "{{7*7}}",
}
# What would run if a payload were markup, or a template were evaluated.
LIVE_MARKUP = ("<script>alert", "<img src=x")
STATIC_JS = Path(__file__).parent.parent / "static" / "js"
FORMATS = ("csv", "xlsx", "json", "pdf")


def value(payload: str, field_name: str) -> str:
    """The text typed into one field: the payload first, so that `javascript:` and `">` work
    wherever the text might land, then the field's name to tell the fields apart."""
    return f"{payload} [{field_name}]"


def agenda_toml(payload: str, agenda_id: str) -> str:
    def q(name: str) -> str:
        return json.dumps(value(payload, name))  # a JSON string is a TOML basic string

    return f"""
format = 1
id = "{agenda_id}"
title = {q("agenda")}
purpose = {q("purpose")}
community_agreements = [{q("agreement")}]
facilitator_notes = {q("notes")}

[[join_questions]]
id = "name"
label = {q("name label")}
kind = "text"

[[join_questions]]
id = "role"
label = {q("role label")}
kind = "choice"
choices = [{q("role")}, "Other"]
required = true

[[segments]]
id = "welcome"
kind = "overview"
title = {q("overview")}
minutes = 5
text = {q("overview text")}

[[segments]]
id = "ideas"
kind = "prompts"
title = {q("prompts")}
minutes = 10
framework = "plan"
text = {q("prompts text")}

[[segments.prompts]]
id = "idea"
question = {q("question")}
help = {q("help")}

[[segments]]
id = "vote"
kind = "vote"
title = {q("vote")}
minutes = 5

[segments.vote]
picks = 2

[[segments]]
id = "results"
kind = "results"
title = {q("results")}
minutes = 5

[[frameworks]]
id = "plan"
title = {q("framework")}
description = {q("framework description")}

[[frameworks.pillars]]
title = {q("pillar")}
examples = [{q("pillar example")}]

[[frameworks.pillars.strategies]]
id = "s1"
code = "1.1"
name = {q("strategy")}
description = {q("strategy description")}
examples = [{q("strategy example")}]
details = [{{ label = {q("detail label")}, text = {q("detail")} }}]
"""


# -- one session per payload ----------------------------------------------------------------

PAGES = {  # page → who fetches it, and its path
    "join page": ("anonymous", "/w/{code}"),
    "live page": ("phone", "/w/{code}"),
    "live fragment": ("phone", "/w/{code}/segment"),
    "theme page": ("phone", "/w/{code}/themes/{theme}"),
    "projector": ("anonymous", "/screen/{token}"),
    "projector fragment": ("anonymous", "/screen/{token}/segment"),
    "console": ("host", "/facilitator/w/{id}"),
    "board": ("host", "/facilitator/w/{id}/board/"),
    "board fragment": ("host", "/facilitator/w/{id}/board/fragment"),
    "vote panel": ("host", "/facilitator/w/{id}/vote"),
    "paper page": ("host", "/facilitator/w/{id}/paper/"),
    "results": ("host", "/facilitator/w/{id}/results"),
    "shared results": ("anonymous", "/shared/{share}"),
    "dashboard": ("host", "/facilitator/"),
    "agenda page": ("host", "/facilitator/agendas/{agenda}"),
    "agenda preview": ("host", "/facilitator/editor/preview/{agenda}"),
    "agenda editor": ("host", "/facilitator/editor/edit/{agenda}"),
    "wrong code page": ("anonymous", "/join?code={raw}"),
    "sign-in page": ("anonymous", "/auth/login?next={raw}"),
}
# Where each field must show (as escaped text) at least once.
SHOWN = {
    "agenda": ["join page", "live page", "projector", "console", "dashboard", "agenda page",
               "agenda preview", "agenda editor", "results", "shared results"],
    "purpose": ["live page", "projector", "agenda preview", "agenda editor", "results"],
    "agreement": ["live page", "projector", "agenda page"],
    "notes": ["agenda page", "agenda editor"],
    "name label": ["join page", "agenda preview"],
    "role": ["join page", "paper page", "results", "shared results"],
    "overview text": ["live page", "live fragment", "projector", "projector fragment",
                      "shared segment"],
    "question": ["live page", "live fragment", "projector", "theme page", "console", "board",
                 "paper page", "results", "shared results", "agenda preview", "shared segment"],
    "help": ["live page", "agenda preview"],
    "strategy": ["live page", "board", "results", "agenda preview"],
    "strategy description": ["live page", "agenda page"],
    "detail": ["agenda editor"],
    "name": ["console"],
    "answer": ["live page", "live fragment", "theme page", "console", "board", "board fragment",
               "results", "shared results"],
    "hidden answer": ["console", "board", "results"],
    "paper card": ["theme page", "console", "board", "paper page", "results", "shared results"],
    "theme": ["live page", "theme page", "projector", "projector fragment", "console", "board",
              "vote panel", "paper page", "results", "shared results", "shared segment"],
    "description": ["live page", "theme page", "board", "results", "shared results",
                    "shared segment"],
    "label": ["results"],
}  # fmt: skip


@dataclass
class Page:
    moment: str
    status: int
    body: str
    headers: dict[str, str]


@dataclass
class Run:
    payload: str
    pages: dict[str, list[Page]] = field(default_factory=dict)
    events: list[tuple[str, str, Any]] = field(default_factory=list)
    downloads: dict[str, Any] = field(default_factory=dict)  # the replies
    exported: dict[str, dict[str, bytes]] = field(default_factory=dict)

    def value(self, name: str) -> str:
        return value(self.payload, name)


def run_session(room, name: str, payload: str) -> Run:
    run = Run(payload)
    host = room.facilitator()
    agenda_id = f"xss-{name}"
    upload = {"file": (io.BytesIO(agenda_toml(payload, agenda_id).encode()), "agenda.toml")}
    assert host.post("/facilitator/editor/upload", upload).status_code == 302
    session = host.start(agenda_id)
    host.control(session, "start")
    phone = room.phone(session, name=run.value("name"), role=run.value("role"))
    second = room.phone(session, role="Other")
    sockets = [
        host.connect("/facilitator", f"workshop={session.id}"),
        phone.connect("/participant", f"code={session.code}"),
        AckSocket(room.app, "/screen", f"token={session.token}"),
    ]
    where = {"code": session.code, "token": session.token, "id": session.id}
    where |= {"agenda": agenda_id, "raw": payload, "theme": 0, "share": ""}
    browsers = {"host": host, "phone": phone, "anonymous": room.anonymous()}

    def capture(moment: str) -> None:
        for page, (who, path) in PAGES.items():
            if "{theme}" in path and not where["theme"] or "{share}" in path and not where["share"]:
                continue  # not made yet
            reply = browsers[who].get(path.format(**where))
            body = reply.get_data(as_text=True)
            run.pages.setdefault(page, []).append(
                Page(moment, reply.status_code, body, dict(reply.headers))
            )
        for socket in sockets:
            for event, data in socket.events():
                run.events.append((socket.namespace, event, without_views(event, data)))
                if socket.namespace == "/participant" and event in ("segment", "snapshot"):
                    view = data if event == "segment" else data["segment"]
                    page = Page(moment, 200, view["html"], {})
                    run.pages.setdefault("shared segment", []).append(page)

    capture("overview")
    host.control(session, "next")
    answer_id = phone.answer(run.value("answer"), prompt_id="idea")
    hidden_id = second.answer(run.value("hidden answer"), prompt_id="idea")
    host.post(f"/facilitator/w/{session.id}/responses/{hidden_id}/hide", {"hidden": "1"})
    paper_id = _paper_card(room, host, session, run)
    where["theme"] = _theme(room, host, session, run, [answer_id, paper_id])
    capture("questions")
    host.control(session, "next")
    assert host.vote(session, "open").status_code == 302
    with room.app.app_context():
        candidate = db.session.scalar(select(Candidate.id).order_by(Candidate.id.desc()))
    round_id = room.rounds(session)[-1]["id"]
    assert phone.ballot(round_id, candidate).status_code == 302
    capture("vote open")
    host.vote(session, "close", round_id=str(round_id))
    host.control(session, "next")
    where["share"] = _share_link(host, session, run)
    capture("results segment")
    host.control(session, "end")
    capture("ended")
    for fmt in FORMATS:
        run.downloads[fmt] = host.get(f"/facilitator/w/{session.id}/results/download/{fmt}")
        shared = browsers["anonymous"].get(f"/shared/{where['share']}/download/{fmt}")
        run.downloads[f"shared {fmt}"] = shared
    run.exported = _exports(room, session.id)
    for socket in sockets:
        socket.client.disconnect(socket.namespace)
    return run


def without_views(event: str, data: Any) -> Any:
    """A socket payload without the HTML of a shared segment view: that is a page (escaped
    markup), checked as the pages are ("shared segment")."""
    if event == "segment":
        return {key: item for key, item in data.items() if key != "html"}
    if event == "snapshot" and "segment" in data:
        return {**data, "segment": without_views("segment", data["segment"])}
    return data


def _paper_card(room, host, session, run: Run) -> int:
    base = f"/facilitator/w/{session.id}/paper/"
    assert host.post(base, {"role": run.value("role")}).status_code == 302
    person = re.search(r"/paper/(\d+)/answers", host.page(base)).group(1)
    form = {"prompt_id": "idea", "text": run.value("paper card")}
    assert host.post(f"{base}{person}/answers", form).status_code == 302
    with room.app.app_context():
        query = select(Response.id).where(Response.text == run.value("paper card"))
        return db.session.scalar(query)


def _theme(room, host, session, run: Run, answers: list[int]) -> int:
    host.board(session, "create", new_title=run.value("theme"), response_ids=answers)
    with room.app.app_context():
        theme = db.session.scalar(select(Theme.id).where(Theme.workshop_id == session.id))
    fields = {
        f"title-{theme}": run.value("theme"),
        f"description-{theme}": run.value("description"),
    }
    assert host.board(session, f"update:{theme}", **fields).status_code == 302
    assert host.board(session, f"link:{theme}", **{f"strategy-{theme}": "s1"}).status_code == 302
    return theme


def _share_link(host, session, run: Run) -> str:
    path = f"/facilitator/w/{session.id}/results"
    form = {"expires_in_days": "0", "label": run.value("label")}
    assert host.post(path + "/share", form).status_code == 302
    return re.search(r"/shared/([A-Za-z0-9_-]+)", host.page(path)).group(1)


def _exports(room, workshop_id: int) -> dict[str, dict[str, bytes]]:
    """Every format rendered by workshop.exports for both audiences."""
    with room.app.app_context():
        workshop = db.session.get(Workshop, workshop_id)
        return {
            audience: {
                fmt: exports.RENDERERS[fmt](
                    build_results(db.session, workshop, clock.now(), audience)
                )
                for fmt in FORMATS
            }
            for audience in (FACILITATOR, SHARED)
        }


@pytest.fixture(scope="module")
def room(tmp_path_factory):
    with open_room(tmp_path_factory.mktemp("xss")) as room:
        yield room


@pytest.fixture(scope="module", params=list(PAYLOADS), ids=list(PAYLOADS))
def run(request, room):
    return run_session(room, request.param, PAYLOADS[request.param])


# -- pages -----------------------------------------------------------------------------------


class Markup(HTMLParser):
    """The tags, attributes and script contents of a page, as a browser would parse them."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.scripts: list[tuple[dict, str]] = []
        self._script: dict | None = None
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        if tag == "script":
            self._script, self._text = dict(attrs), ""

    def handle_data(self, data):
        if self._script is not None:
            self._text += data

    def handle_endtag(self, tag):
        if tag == "script" and self._script is not None:
            self.scripts.append((self._script, self._text))
            self._script = None


URL_ATTRIBUTES = ("href", "src", "action", "formaction", "data-fragment", "xlink:href")


def assert_inert(body: str) -> None:
    """No markup the page's authors did not write: no event handler attributes, no script
    that is not a file or JSON data, no javascript: URLs, nothing of the payloads live."""
    parsed = Markup(body)
    for tag, attrs in parsed.tags:
        handlers = [name for name in attrs if name.startswith("on")]
        assert not handlers, f"<{tag}> has event handlers {handlers}"
        for name in URL_ATTRIBUTES:
            url = re.sub(r"\s", "", attrs.get(name) or "").lower()
            assert not url.startswith("javascript:"), f"<{tag} {name}={attrs[name]!r}>"
        assert not (tag == "img" and attrs.get("src") == "x"), "an injected <img>"
    for attrs, text in parsed.scripts:
        assert "src" in attrs or attrs.get("type") == "application/json", attrs
        if attrs.get("type") == "application/json":
            json.loads(text)  # whole: no payload closed the script element early
    for fragment in LIVE_MARKUP:
        assert fragment not in body, fragment


@pytest.mark.parametrize("page", [*PAGES, "shared segment"])
def test_a_page_holds_user_text_only_as_escaped_text(run, page):
    fetched = run.pages[page]
    assert fetched, f"{page} was never fetched"
    for copy in fetched:
        expected = (404,) if page == "wrong code page" else (200,)
        assert copy.status in expected, (copy.moment, copy.status)
        assert_inert(copy.body)


@pytest.mark.parametrize("field_name", list(SHOWN))
def test_user_text_shows_as_text_where_it_belongs(run, field_name):
    """The escaped text is there, so its absence as markup above is no accident; a template
    payload such as {{7*7}} is shown as typed, not evaluated."""
    wanted = str(escape(run.value(field_name)))
    missing = [
        page for page in SHOWN[field_name] if not any(wanted in p.body for p in run.pages[page])
    ]
    assert missing == [], f"{wanted!r} is not shown on {missing}"


NOT_SHOWN = {  # docs/protocol.md §3.7: what never reaches an audience
    "projector": ["name", "answer", "hidden answer", "paper card"],
    "projector fragment": ["name", "answer", "hidden answer", "paper card"],
    "live page": ["name", "hidden answer", "paper card"],
    "live fragment": ["name", "hidden answer", "paper card"],
    # the view every phone shares: nobody's answers at all (each phone draws in its own)
    "shared segment": ["name", "answer", "hidden answer", "paper card"],
    "theme page": ["name", "hidden answer"],
    "shared results": ["name", "hidden answer"],
}


@pytest.mark.parametrize("page", list(NOT_SHOWN))
def test_a_page_shows_no_text_its_audience_may_not_see(run, page):
    private = [str(escape(run.value(name))) for name in NOT_SHOWN[page]]
    for copy in run.pages[page]:
        assert not [text for text in private if text in copy.body], copy.moment


@pytest.mark.parametrize("page", list(PAGES))
def test_every_page_carries_the_content_security_policy(run, page):
    for copy in run.pages[page]:
        policy = copy.headers.get("Content-Security-Policy", "")
        assert "script-src 'self'" in policy and "object-src 'none'" in policy, copy.moment
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
        assert copy.headers.get("X-Content-Type-Options") == "nosniff"


# -- sockets ---------------------------------------------------------------------------------


def strings(data: Any) -> list[str]:
    if isinstance(data, str):
        return [data]
    if isinstance(data, dict):
        return [s for key, item in data.items() for s in strings(key) + strings(item)]
    if isinstance(data, list):
        return [s for item in data for s in strings(item)]
    return []


SOCKET_TEXTS = {  # what each audience's events carry, as typed
    "/facilitator": ["answer", "hidden answer", "paper card", "theme", "description"],
    "/participant": ["answer", "theme", "description"],
    "/screen": ["theme", "description"],
}


NOT_CARRIED = {
    "/participant": ["name", "hidden answer", "paper card"],
    "/screen": ["name", "answer", "hidden answer", "paper card"],
}


@pytest.mark.parametrize("namespace", list(NOT_CARRIED))
def test_socket_updates_carry_no_text_their_audience_may_not_see(run, namespace):
    carried = [s for ns, _, data in run.events if ns == namespace for s in strings(data)]
    private = [run.value(name) for name in NOT_CARRIED[namespace]]
    assert not [s for s in carried for text in private if text in s]


@pytest.mark.parametrize("namespace", list(SOCKET_TEXTS))
def test_socket_updates_carry_user_text_as_plain_strings(run, namespace):
    carried = [s for ns, _, data in run.events if ns == namespace for s in strings(data)]
    for name in SOCKET_TEXTS[namespace]:
        assert run.value(name) in carried, name
    escaped = str(escape(run.payload))
    if escaped != run.payload:
        assert not [s for s in carried if escaped in s], "HTML-escaped text in a JSON payload"


def test_scripts_never_write_html():
    """The page scripts set user text with textContent; none assigns or writes markup."""
    writes = re.compile(r"\.(innerHTML|outerHTML)\s*[+]?=|insertAdjacentHTML|document\.write")
    found = {
        path.name: writes.findall(path.read_text())
        for path in sorted(STATIC_JS.glob("*.js"))
        if writes.search(path.read_text())
    }
    assert list(STATIC_JS.glob("*.js")) and found == {}


# -- exports ---------------------------------------------------------------------------------

IN_EXPORTS = {
    FACILITATOR: ("agenda", "question", "name", "role", "answer", "hidden answer", "paper card",
                  "theme", "description"),
    SHARED: ("agenda", "question", "role", "answer", "paper card", "theme", "description"),
}  # fmt: skip
PRIVATE = ("name", "hidden answer")  # never leave through a share link
NOT_IN_REPORT = ("name", "hidden answer")  # the PDF report leaves both out for everyone


def export_texts(fmt: str, data: bytes) -> list[str]:
    """Every text cell or string of an export, as a reader of that format gets it."""
    if fmt == "csv":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return [
                cell
                for name in archive.namelist()
                for row in csv.reader(io.StringIO(archive.read(name).decode("utf-8-sig")))
                for cell in row
            ]
    if fmt == "xlsx":
        book = load_workbook(io.BytesIO(data))
        cells = [cell for sheet in book for row in sheet.iter_rows() for cell in row]
        assert not [c.coordinate for c in cells if c.data_type == "f"], "a formula cell"
        return [c.value for c in cells if isinstance(c.value, str)]
    if fmt == "json":
        return strings(json.loads(data))
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return [re.sub(r"\s+", "", text)]


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("audience", [FACILITATOR, SHARED])
def test_exports_hold_user_text_as_inert_text(run, fmt, audience):
    data = run.exported[audience][fmt]
    texts = export_texts(fmt, data)
    for name in IN_EXPORTS[audience]:
        if fmt == "pdf" and name in NOT_IN_REPORT:
            continue
        wanted = run.value(name)
        if fmt == "pdf":  # extracted text loses its line breaks and spaces
            assert re.sub(r"\s+", "", wanted) in texts[0], name
        else:
            assert wanted in texts or any(wanted in t for t in texts), name
    escaped = str(escape(run.payload))
    if escaped != run.payload:
        assert not [t for t in texts if escaped in t], "HTML-escaped text in an export"
    if audience == SHARED:
        assert not [n for n in PRIVATE if any(run.value(n) in t for t in texts)]
    if fmt == "pdf":
        assert not re.search(rb"/(JavaScript|JS|Launch|URI)\b", data), "an active PDF action"


@pytest.mark.parametrize("fmt", FORMATS)
def test_downloads_are_attachments_with_the_security_headers(run, fmt):
    for name in (fmt, f"shared {fmt}"):
        reply = run.downloads[name]
        assert reply.status_code == 200 and reply.mimetype == exports.FORMATS[fmt][0], name
        assert reply.headers["Content-Disposition"].startswith("attachment;"), name
        assert "script-src 'self'" in reply.headers["Content-Security-Policy"], name
        assert reply.headers["X-Content-Type-Options"] == "nosniff", name
