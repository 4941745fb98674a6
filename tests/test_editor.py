"""The agenda editor over HTTP: copy, new, edit, list buttons, outlines, upload, download,
preview, who may see what, and that a running session keeps the agenda it started with."""

from __future__ import annotations

import io
import re
from html import unescape
from html.parser import HTMLParser

import pytest
from agenda_strategies import EDITOR, agendas
from conftest import BUNDLED_AGENDAS, PASSWORD, csrf_token, make_app
from hypothesis import given, settings

from workshop.agenda import store as agenda_store
from workshop.agenda.library import read_agenda_file
from workshop.agenda.model import AgendaError
from workshop.agenda.parse import parse_agenda
from workshop.editor.data import agenda_to_form_data, form_data_to_dict
from workshop.extensions import db
from workshop.live import workshops
from workshop.models import Facilitator, Workshop

THRIVE = "thrive-srt-retrospective"
COPY_URL = f"/facilitator/editor/edit/{THRIVE}-copy"
WORKED_WELL = "segments-1-prompts-0-question"


class EditorForm(HTMLParser):
    """The fields of the page's editor form as a browser would send them (text boxes with
    CRLF line breaks, the selected option, checked boxes only)."""

    def __init__(self, html: str, marker: str = "data-editor"):
        super().__init__()
        self.marker, self.inside, self.fields = marker, False, {}
        self.textarea: list[str] | None = None
        self.select: dict | None = None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.inside = self.marker in a
        elif not self.inside:
            return
        elif tag == "input" and a.get("type") not in ("submit", "file", "checkbox"):
            self.fields[a["name"]] = a.get("value") or ""
        elif tag == "input" and a.get("type") == "checkbox" and "checked" in a:
            self.fields[a["name"]] = a.get("value") or "on"
        elif tag == "textarea":
            self.textarea = [a["name"], ""]
        elif tag == "select":
            self.select = {"name": a["name"], "value": None}
        elif (
            tag == "option"
            and self.select is not None
            and (self.select["value"] is None or "selected" in a)
        ):
            self.select["value"] = a.get("value", "")

    def handle_data(self, data):
        if self.textarea is not None:
            self.textarea[1] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.inside = False
        elif tag == "textarea" and self.textarea:
            name, text = self.textarea
            text = text.replace("\r\n", "\n").removeprefix("\n")  # as the HTML parser does
            self.fields[name] = text.replace("\n", "\r\n")
            self.textarea = None
        elif tag == "select" and self.select:
            self.fields[self.select["name"]] = self.select["value"] or ""
            self.select = None


def fields_of(response) -> dict[str, str]:
    return EditorForm(response.get_data(as_text=True)).fields


def submit(client, url: str, page, action: str = "save", **changes):
    data = {**fields_of(page), **changes, "action": action}
    return client.post(url, data=data)


def copy_thrive(client):
    response = client.post(f"/facilitator/editor/copy/{THRIVE}")
    assert response.headers["Location"] == COPY_URL
    return client.get(COPY_URL)


def saved(app, agenda_id: str, email: str = "facilitator@example.org"):
    with app.app_context():
        owner = db.session.query(Facilitator).filter_by(email=email).one()
        row = agenda_store.find_saved(db.session, owner.id, agenda_id)
        return agenda_store.agenda_of(row) if row else None


@pytest.fixture
def signed_in(auth):
    auth.create()
    auth.login()
    return auth


# --- library entry points -------------------------------------------------------------------


def test_copy_makes_an_editable_copy_listed_as_yours(app, client, signed_in):
    page = copy_thrive(client)
    assert page.status_code == 200 and b"Edit agenda" in page.data
    copy = saved(app, f"{THRIVE}-copy")
    original = read_agenda_file(BUNDLED_AGENDAS / f"{THRIVE}.toml")
    assert copy.title == original.title + " (copy)" and copy.segments == original.segments
    dashboard = client.get("/facilitator/").get_data(as_text=True)
    assert "Your agendas" in dashboard and "Edit: " + copy.title in dashboard


def test_a_second_copy_gets_its_own_id(app, client, signed_in):
    copy_thrive(client)
    response = client.post(f"/facilitator/editor/copy/{THRIVE}")
    assert response.headers["Location"].endswith(f"{THRIVE}-copy-2")


def test_new_agenda_starts_from_sensible_defaults(client, signed_in):
    page = client.get("/facilitator/editor/new").get_data(as_text=True)
    for title in (
        "Overview &amp; introduction",
        "Retrospective",
        "Forward planning",
        "Prioritizing",
    ):
        assert f'value="{title}"' in page
    assert "Planned time: <strong>30–45 min</strong>" in page


def test_new_agenda_saves_with_an_id_made_from_the_title(app, client, signed_in):
    page = client.get("/facilitator/editor/new")
    response = submit(client, "/facilitator/editor/new", page, title="Board Retreat 2025")
    assert response.headers["Location"] == "/facilitator/agendas/board-retreat-2025"
    assert saved(app, "board-retreat-2025").segments[3].vote.picks == 3


# --- saving keeps everything; validation is parse_agenda's ----------------------------------


@pytest.mark.parametrize("path", sorted(BUNDLED_AGENDAS.glob("*.toml")), ids=lambda p: p.stem)
def test_saving_an_unchanged_copy_keeps_every_field(app, client, signed_in, path):
    original = read_agenda_file(path)
    client.post(f"/facilitator/editor/copy/{original.id}")
    url = f"/facilitator/editor/edit/{original.id}-copy"
    response = submit(client, url, client.get(url))
    assert response.status_code == 302
    copy = saved(app, f"{original.id}-copy")
    assert copy.segments == original.segments and copy.frameworks == original.frameworks
    assert copy.join_questions == original.join_questions and copy.purpose == original.purpose


@settings(max_examples=60, deadline=None)
@given(agendas(EDITOR))
def test_the_form_holds_any_agenda_without_loss(agenda):
    assert parse_agenda(form_data_to_dict(agenda_to_form_data(agenda))) == agenda


def test_changed_duration_and_prompt_are_saved(app, client, signed_in):
    page = copy_thrive(client)
    changes = {"segments-1-minutes": "12-20", WORKED_WELL: "What went best this year?"}
    assert submit(client, COPY_URL, page, **changes).status_code == 302
    segment = saved(app, f"{THRIVE}-copy").segments[1]
    assert (segment.duration.planned_minutes, segment.duration.limit_minutes) == (12, 20)
    assert segment.prompts[0].question == "What went best this year?"


INVALID = [
    ("title", "", "title", "This must not be empty."),
    ("agenda_id", "Not A Slug", "agenda_id", "must be a short id"),
    ("segments-1-minutes", "ten", "segments-1-minutes", "range such as 10-15"),
    ("segments-1-minutes", "20-10", "segments-1-minutes", "no larger than max"),
    ("segments-1-kind", "quiz", "segments-1-kind", "unknown kind 'quiz'"),
    ("segments-1-prompts-1-id", "worked_well", "segments-1-prompts-1-id", "Duplicate prompt id"),
    ("segments-1-prompts-0-max_responses", "99", "segments-1-prompts-0-max_responses", "1 to 50"),
    ("segments-1-prompts-0-max_length", "lots", "segments-1-prompts-0-max_length", "20 to 2000"),
    ("segments-1-prompts-0-question", " ", "segments-1-prompts-0-question", "must not be empty"),
    ("segments-3-vote-picks", "0", "segments-3-vote-picks", "1 to 10"),
    ("segments-3-vote-candidates", "list", "segments-3-vote-candidate_list", "at least one"),
    ("segments-3-vote-candidates", "strategies", "segments-3-vote-candidates", "needs the segment"),
    ("segments-0-framework", "nope", "segments-0-framework", "no framework with id 'nope'"),
    ("join_questions-1-choices", "Only one", "join_questions-1-choices", "at least two"),
    ("join_questions-0-choices", "A\r\nB", "join_questions-0-choices", "only a choice question"),
    (
        "frameworks-0-pillars-0-strategies-1-id",
        "cybersecurity",
        "frameworks-0-pillars-0-strategies-2-id",
        "Duplicate strategy id",
    ),
    (
        "frameworks-0-pillars-0-strategies-0-name",
        "",
        "frameworks-0-pillars-0-strategies-0-name",
        "must not be empty",
    ),
]


@pytest.mark.parametrize(
    ("name", "value", "shown_at", "words"), INVALID, ids=[i[0] + "=" + i[1] for i in INVALID]
)
def test_each_mistake_is_shown_beside_its_field_in_plain_words(
    app, client, signed_in, name, value, shown_at, words
):
    page = copy_thrive(client)
    response = submit(
        client, COPY_URL, page, **{name: value, "purpose": "Typed before the mistake"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    error = html.split(f'id="{shown_at}-error">', 1)[1].split("</p>", 1)[0]
    assert words.lower() in unescape(error).lower()
    assert f'href="#{shown_at}"' in html  # the summary at the top links to the field
    assert fields_of(response)["purpose"] == "Typed before the mistake"  # nothing is lost
    assert saved(app, f"{THRIVE}-copy").purpose != "Typed before the mistake"


def test_an_id_used_by_the_shared_library_is_refused(client, signed_in):
    response = submit(client, COPY_URL, copy_thrive(client), agenda_id=THRIVE)
    assert response.status_code == 400
    assert b"shared library already has the id" in response.data


def test_renaming_moves_the_agenda_to_its_new_id(app, client, signed_in):
    response = submit(client, COPY_URL, copy_thrive(client), agenda_id="thrive-2025")
    assert response.headers["Location"] == "/facilitator/agendas/thrive-2025"
    assert saved(app, f"{THRIVE}-copy") is None and saved(app, "thrive-2025") is not None


# --- list buttons re-render the form with the typed data kept --------------------------------


def segment_titles(response) -> list[str]:
    fields = fields_of(response)
    return [fields[f"segments-{n}-title"] for n in range(10) if f"segments-{n}-title" in fields]


def test_move_down_reorders_and_keeps_what_was_typed(app, client, signed_in):
    page = copy_thrive(client)
    response = submit(client, COPY_URL, page, "segments-0:down", **{"segments-0-title": "Welcome"})
    assert response.status_code == 200
    assert segment_titles(response)[:2] == ["Retrospective Questions", "Welcome"]
    assert b'value="segments-1:down" formaction' in response.data and b"autofocus" in response.data
    assert (
        saved(app, f"{THRIVE}-copy").segments[0].title == "Overview & Introduction"
    )  # not saved yet


def test_move_up_then_save_keeps_the_new_order(app, client, signed_in):
    moved = submit(client, COPY_URL, copy_thrive(client), "segments-3:up")
    submit(client, COPY_URL, moved)
    assert [s.id for s in saved(app, f"{THRIVE}-copy").segments] == [
        "overview",
        "retrospective",
        "prioritizing",
        "forward-planning",
    ]


def test_add_and_remove_segments_and_prompts(client, signed_in):
    page = copy_thrive(client)
    added = submit(client, COPY_URL, page, "segments:add")
    assert len(segment_titles(added)) == 5 and fields_of(added)["segments-4-id"] == "segment"
    with_prompt = submit(client, COPY_URL, added, "segments-1-prompts:add")
    assert fields_of(with_prompt)["segments-1-prompts-2-id"] == "prompt"
    removed = submit(client, COPY_URL, with_prompt, "segments-0:remove")
    assert segment_titles(removed)[0] == "Retrospective Questions"
    assert "segments-0-prompts-2-id" in fields_of(removed)


def test_add_strategy_and_reference_fact(client, signed_in):
    page = copy_thrive(client)
    response = submit(client, COPY_URL, page, "frameworks-0-pillars-0-strategies:add")
    assert fields_of(response)["frameworks-0-pillars-0-strategies-3-id"] == "strategy"
    response = submit(client, COPY_URL, response, "frameworks-0-pillars-0-strategies-3-details:add")
    assert "frameworks-0-pillars-0-strategies-3-details-0-label" in fields_of(response)


def test_a_stale_button_changes_nothing(client, signed_in):
    page = copy_thrive(client)
    response = submit(client, COPY_URL, page, "segments-9:remove", title="Still here")
    assert len(segment_titles(response)) == 4 and fields_of(response)["title"] == "Still here"


# --- paste a plan --------------------------------------------------------------------------

OUTLINE = """### Quality Job Access Strategies
* **Clean energy careers \\-** Connect residents to solar and storage jobs
    * Partner with community colleges
"""


def test_an_outline_adds_strategies_to_the_matching_pillar(app, client, signed_in):
    page = copy_thrive(client)
    response = submit(client, COPY_URL, page, "outline", outline=OUTLINE, outline_target="rep")
    assert b"Read 1 pillar, 1 strategy and 1 example from the outline" in response.data
    fields = fields_of(response)
    assert fields["frameworks-0-pillars-1-strategies-5-name"] == "Clean energy careers"
    assert fields["outline"] == ""
    submit(client, COPY_URL, response)
    strategy = saved(app, f"{THRIVE}-copy").frameworks[0].strategy("clean-energy-careers")
    assert strategy.examples == ("Partner with community colleges",)


def test_an_outline_can_become_a_new_framework(client, signed_in):
    page = client.get("/facilitator/editor/new")
    text = (BUNDLED_AGENDAS.parent / "tests/data/outlines/thrive-strategies.md").read_text()
    response = submit(client, "/facilitator/editor/new", page, "outline", outline=text)
    fields = fields_of(response)
    assert fields["frameworks-0-id"] == "plan" and fields["frameworks-0-pillars-2-strategies-5-id"]
    assert '<option value="plan">' in response.get_data(as_text=True)  # segments may show it


def test_text_without_a_list_is_kept_with_a_hint(client, signed_in):
    page = copy_thrive(client)
    response = submit(client, COPY_URL, page, "outline", outline="Just prose.", outline_target="")
    assert (
        b"has no bullet points" in response.data and fields_of(response)["outline"] == "Just prose."
    )


def test_an_agenda_without_segments_says_so_above_the_list(client, signed_in):
    page = copy_thrive(client)
    data = {k: v for k, v in fields_of(page).items() if not k.startswith("segments-")}
    response = client.post(COPY_URL, data={**data, "action": "save"})
    assert response.status_code == 400
    assert b'id="segments-error">This needs at least one entry.' in response.data


# --- files: download, upload ---------------------------------------------------------------


@pytest.mark.parametrize("agenda_id", [THRIVE, f"{THRIVE}-copy"])
def test_any_agenda_downloads_as_a_file_workshop_check_accepts(
    app, client, signed_in, runner, tmp_path, agenda_id
):
    copy_thrive(client)
    response = client.get(f"/facilitator/editor/download/{agenda_id}.toml")
    assert response.headers["Content-Disposition"] == f'attachment; filename="{agenda_id}.toml"'
    path = tmp_path / f"{agenda_id}.toml"
    path.write_bytes(response.data)
    assert runner.invoke(args=["check", str(path)]).exit_code == 0
    expected = read_agenda_file(BUNDLED_AGENDAS / f"{THRIVE}.toml")
    assert read_agenda_file(path).segments == expected.segments


def upload(client, content: bytes, filename: str = "retreat.toml", **extra):
    data = {"file": (io.BytesIO(content), filename), **extra}
    return client.post("/facilitator/editor/upload", data=data, content_type="multipart/form-data")


def test_an_uploaded_file_becomes_your_agenda(app, client, signed_in):
    text = (
        (BUNDLED_AGENDAS / f"{THRIVE}.toml")
        .read_bytes()
        .replace(b'id = "thrive-srt-retrospective"\n', b"")
    )
    response = upload(client, text, "retreat.toml")
    assert response.headers["Location"] == "/facilitator/agendas/retreat"  # id from the file name
    assert (
        saved(app, "retreat").frameworks
        == read_agenda_file(BUNDLED_AGENDAS / f"{THRIVE}.toml").frameworks
    )


def test_an_upload_with_a_taken_id_is_saved_under_a_free_one(app, client, signed_in):
    content = (BUNDLED_AGENDAS / f"{THRIVE}.toml").read_bytes()
    assert upload(client, content).headers["Location"].endswith(f"{THRIVE}-2")
    again = upload(client, content.replace(b"September 2024", b"Sept"), "x.toml")
    assert again.headers["Location"].endswith(f"{THRIVE}-3")


def test_an_upload_can_replace_your_agenda_with_the_same_id(app, client, signed_in):
    copy_thrive(client)
    content = (BUNDLED_AGENDAS / f"{THRIVE}.toml").read_bytes()
    content = content.replace(b'id = "thrive-srt-retrospective"', f'id = "{THRIVE}-copy"'.encode())
    response = upload(client, content.replace(b"September 2024", b"Sept"), replace="y")
    assert response.headers["Location"].endswith(f"{THRIVE}-copy")
    assert saved(app, f"{THRIVE}-copy").title.endswith("Sept")


BAD_UPLOADS = [
    (b"title = 'T'\n\xff\xfe", "file is not UTF-8 text (invalid byte at offset 12)"),
    (b"title = \n", "not valid TOML"),
    (b"x" * (256 * 1024 + 1), "file is too large (262,145 bytes, at most 262,144)"),
    (
        b'title = "T"\n[[segments]]\nid = "a"\nkind = "prompts"\ntitle = "Q"\nminutes = 0\n',
        "segments[0].minutes: must be a positive number",
    ),
]


@pytest.mark.parametrize(
    ("content", "message"), BAD_UPLOADS, ids=["not-utf8", "not-toml", "too-large", "invalid"]
)
def test_a_bad_upload_gets_the_same_message_as_workshop_check(
    app, client, signed_in, tmp_path, content, message
):
    response = upload(client, content, "bad.toml")
    assert response.status_code == 400
    assert f"bad.toml: {message}" in unescape(response.get_data(as_text=True))
    path = tmp_path / "bad.toml"
    path.write_bytes(content)
    with pytest.raises(AgendaError) as caught:
        read_agenda_file(path)
    assert unescape(response.get_data(as_text=True)).count(caught.value.lines("bad.toml")[0]) == 1


def test_an_upload_without_a_file_asks_for_one(client, signed_in):
    response = client.post(
        "/facilitator/editor/upload", data={}, content_type="multipart/form-data"
    )
    assert response.status_code == 400 and b"Choose a .toml file." in response.data


# --- preview, detail page, delete ----------------------------------------------------------


def test_preview_shows_each_segment_and_the_total_time(client, signed_in):
    page = client.get(f"/facilitator/editor/preview/{THRIVE}").get_data(as_text=True)
    assert "4 segments, 30–45 min planned in total." in page
    assert "Looking back on the past year of our subregional table, what worked well?" in page
    assert "Up to 5 answers of 280 characters, each optionally tagged with a strategy." in page
    assert "Community agreements" in page and "A ballot of 3 picks, ranked" in page


def test_the_agenda_page_offers_copy_download_and_edit_for_your_own(client, signed_in):
    bundled = client.get(f"/facilitator/agendas/{THRIVE}").get_data(as_text=True)
    assert f"/facilitator/editor/copy/{THRIVE}" in bundled and "Download TOML" in bundled
    assert f"/facilitator/editor/edit/{THRIVE}" not in bundled
    copy_thrive(client)
    own = client.get(f"/facilitator/agendas/{THRIVE}-copy").get_data(as_text=True)
    assert f'href="{COPY_URL}"' in own


def test_deleting_your_agenda(app, client, signed_in):
    copy_thrive(client)
    response = client.post(f"/facilitator/editor/delete/{THRIVE}-copy")
    assert response.headers["Location"] == "/facilitator/"
    assert saved(app, f"{THRIVE}-copy") is None
    assert client.get(COPY_URL).status_code == 404


# --- who may do what -----------------------------------------------------------------------


def test_editor_pages_need_a_signed_in_facilitator(client):
    for url in (
        "/facilitator/editor/new",
        f"/facilitator/editor/preview/{THRIVE}",
        "/facilitator/editor/upload",
    ):
        assert client.get(url).headers["Location"].startswith("/auth/login")
    assert client.post(f"/facilitator/editor/copy/{THRIVE}").status_code == 302


OTHERS = [
    ("get", COPY_URL),
    ("post", COPY_URL),
    ("get", f"/facilitator/editor/preview/{THRIVE}-copy"),
    ("get", f"/facilitator/editor/download/{THRIVE}-copy.toml"),
    ("post", f"/facilitator/editor/delete/{THRIVE}-copy"),
    ("post", f"/facilitator/editor/copy/{THRIVE}-copy"),
    ("get", f"/facilitator/agendas/{THRIVE}-copy"),
    ("post", f"/facilitator/agendas/{THRIVE}-copy/start"),
]


@pytest.mark.parametrize(("method", "url"), OTHERS, ids=[f"{m} {u}" for m, u in OTHERS])
def test_another_facilitators_agenda_is_not_found(app, client, auth, method, url):
    auth.create()
    auth.login()
    copy_thrive(client)
    auth.logout()
    auth.create("other@example.org")
    auth.login("other@example.org")
    assert getattr(client, method)(url).status_code == 404
    assert saved(app, f"{THRIVE}-copy") is not None
    assert "(copy)" not in client.get("/facilitator/").get_data(as_text=True)


def test_csrf_is_enforced_on_every_editor_form(tmp_path):
    app = make_app(tmp_path, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    from workshop import accounts

    with app.app_context():
        accounts.create_facilitator(db.session, "f@example.org", PASSWORD)
        db.session.commit()
    token = csrf_token(client.get("/auth/login").get_data(as_text=True))
    client.post(
        "/auth/login", data={"email": "f@example.org", "password": PASSWORD, "csrf_token": token}
    )
    for url in (
        f"/facilitator/editor/copy/{THRIVE}",
        "/facilitator/editor/new",
        "/facilitator/editor/upload",
    ):
        refused = client.post(url, data={"title": "T", "action": "save"})
        assert refused.status_code == 400 and b"form expired" in refused.data.lower()
    token = csrf_token(client.get("/facilitator/").get_data(as_text=True))
    assert (
        client.post(f"/facilitator/editor/copy/{THRIVE}", data={"csrf_token": token}).status_code
        == 302
    )
    page = client.get(COPY_URL)
    assert fields_of(page)["csrf_token"]
    assert submit(client, COPY_URL, page, title="With a token").status_code == 302
    refused = client.post(f"/facilitator/editor/delete/{THRIVE}-copy")
    assert refused.status_code == 400


# --- a live session keeps the agenda it started with ---------------------------------------


def test_editing_after_starting_does_not_change_the_running_session(app, client, signed_in):
    page = copy_thrive(client)
    started = client.post(f"/facilitator/agendas/{THRIVE}-copy/start")
    console = started.headers["Location"]
    submit(
        client,
        COPY_URL,
        page,
        **{WORKED_WELL: "A question written later", "segments-1-minutes": "30"},
    )
    with app.app_context():
        workshop = db.session.query(Workshop).one()
        running = workshops.agenda_of(workshop)
    assert running.prompt("worked_well").question.startswith("Looking back on the past year")
    assert running.segments[1].duration.planned_minutes == 10
    assert "A question written later" not in client.get(console).get_data(as_text=True)
    assert saved(app, f"{THRIVE}-copy").prompt("worked_well").question == "A question written later"


def test_a_session_started_from_your_agenda_uses_it(app, client, signed_in):
    page = copy_thrive(client)
    submit(client, COPY_URL, page, **{WORKED_WELL: "What went best this year?"})
    client.post(f"/facilitator/agendas/{THRIVE}-copy/start")
    with app.app_context():
        snapshot = workshops.agenda_of(db.session.query(Workshop).one())
    assert snapshot.prompt("worked_well").question == "What went best this year?"


def test_the_framework_choice_shows_what_each_segment_has(client, signed_in):
    page = copy_thrive(client)
    assert "(not in this agenda)" not in page.get_data(as_text=True)
    assert fields_of(page)["segments-2-framework"] == "rep"
    assert fields_of(page)["segments-1-framework"] == ""


# --- pasted plans: what was read, checked before it changes anything; and their size --------

DOUBTFUL_OUTLINE = """GOAL 2
Strengthen our export-oriented industry clusters
  • LA BioMed opens a bioscience incubator
Port of Los Angeles
  • AltaSea breaks ground on a blue economy hub
"""
WORD_PLAN = """Strategy 1: Carbon-Neutral Economy\r
Grow the carbon-neutral economy.\r
1.1 Expand Funding – Expand access to funding.\r
1.2 Build Awareness – Build awareness of opportunities.\r
Strategy 2: Small Business\r
2.1 Develop Support Networks – Connect small business owners.\r
"""


def test_a_doubtful_outline_is_shown_before_it_changes_anything(client, signed_in):
    page = copy_thrive(client)
    before = fields_of(page)
    response = submit(client, COPY_URL, page, "outline", outline=DOUBTFUL_OUTLINE)
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Check what was read" in html and "Text between the strategies" in html
    assert "Strengthen our export-oriented industry clusters" in html  # the pillar read
    shown = fields_of(response)
    assert {k: v for k, v in shown.items() if k != "outline"} == {
        k: v for k, v in before.items() if k != "outline"
    }
    assert shown["outline"].replace("\r\n", "\n").strip() == DOUBTFUL_OUTLINE.strip()
    added = submit(client, COPY_URL, response, "outline_add")
    fields = fields_of(added)
    assert (
        fields["frameworks-1-pillars-0-title"] == "Strengthen our export-oriented industry clusters"
    )
    assert fields["frameworks-1-pillars-0-strategies-0-name"] == (
        "LA BioMed opens a bioscience incubator"
    )
    assert fields["outline"] == "" and "Check what was read" not in added.get_data(as_text=True)


def test_a_plan_pasted_from_word_is_added_at_once_pillar_by_pillar(client, signed_in):
    page = client.get("/facilitator/editor/new")
    response = submit(client, "/facilitator/editor/new", page, "outline", outline=WORD_PLAN)
    assert b"Read 2 pillars, 3 strategies and 0 examples" in response.data
    fields = fields_of(response)
    assert fields["frameworks-0-pillars-0-title"] == "Carbon-Neutral Economy"
    assert fields["frameworks-0-pillars-0-description"] == "Grow the carbon-neutral economy."
    assert fields["frameworks-0-pillars-0-strategies-1-code"] == "1.2"
    assert fields["frameworks-0-pillars-1-title"] == "Small Business"
    assert fields["frameworks-0-pillars-1-strategies-0-name"] == "Develop Support Networks"


@pytest.fixture
def small_limit(tmp_path):
    """An app taking forms of at most 64 KB, with CSRF checks on, and a signed-in editor."""
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=64 * 1024, WTF_CSRF_ENABLED=True)
    client = app.test_client()
    from conftest import AuthActions

    AuthActions(app, client).create()
    login = client.get("/auth/login").get_data(as_text=True)
    data = {"email": "facilitator@example.org", "password": PASSWORD}
    client.post("/auth/login", data={**data, "csrf_token": csrf_token(login)})
    library = client.get("/facilitator/").get_data(as_text=True)
    copied = client.post(
        f"/facilitator/editor/copy/{THRIVE}", data={"csrf_token": csrf_token(library)}
    )
    assert copied.headers["Location"] == COPY_URL
    yield app, client
    with app.app_context():
        db.engine.dispose()


def test_an_outline_over_the_size_limit_keeps_everything_else_typed(small_limit):
    app, client = small_limit
    page = client.get(COPY_URL)
    data = {**fields_of(page), "title": "Our own retreat", "action": "outline"}
    data["segments-1-prompts-0-question"] = "What worked best this year?"
    data["outline"] = "- A strategy: with a long description\n" * 3000  # about 110 KB
    response = client.post(COPY_URL, data=data)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "<h1>Edit agenda</h1>" in html and "Request Entity Too Large" not in html
    kept = fields_of(response)
    assert kept["title"] == "Our own retreat"
    assert kept["segments-1-prompts-0-question"] == "What worked best this year?"
    assert kept["outline"] == ""
    assert re.search(
        r'id="outline-error">This was 1\d\d KB, more than the editor takes at once '
        r"\(64 KB for the whole form\)",
        html,
    )
    assert 'href="#outline"' in html  # the summary at the top leads to the field
    assert saved(app, f"{THRIVE}-copy").title != "Our own retreat"  # nothing stored


def test_an_oversized_form_still_needs_its_csrf_token(small_limit):
    _, client = small_limit
    response = client.post(COPY_URL, data={"title": "X", "outline": "x" * 100_000})
    assert response.status_code == 400
    assert "X" not in fields_of(response).values()


def test_far_too_much_shows_the_agenda_as_last_saved(small_limit):
    app, client = small_limit
    page = client.get(COPY_URL)
    data = {**fields_of(page), "title": "Changed", "outline": "x" * 400_000}
    response = client.post(COPY_URL, data=data)
    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "could not be read, so nothing was changed: this is the agenda as last saved." in html
    assert fields_of(response)["title"] == saved(app, f"{THRIVE}-copy").title


def test_an_upload_over_the_size_limit_says_so_on_the_upload_page(small_limit):
    _, client = small_limit
    page = client.get("/facilitator/editor/upload").get_data(as_text=True)
    data = {"csrf_token": csrf_token(page), "file": (io.BytesIO(b"#" * 100_000), "big.toml")}
    response = client.post(
        "/facilitator/editor/upload", data=data, content_type="multipart/form-data"
    )
    assert response.status_code == 413
    assert b"The file is over the limit of 64 KB." in response.data
    assert b"Upload an agenda file" in response.data


def test_an_oversized_post_from_a_stranger_gets_the_plain_error(tmp_path):
    app = make_app(tmp_path, MAX_CONTENT_LENGTH=64 * 1024, WTF_CSRF_ENABLED=True)
    response = app.test_client().post("/facilitator/editor/new", data={"x": "y" * 100_000})
    assert response.status_code == 413
    assert b"Request Entity Too Large" in response.data


# --- in Spanish -----------------------------------------------------------------------------


def text_of(response) -> str:
    """A page's words as a reader sees them, without attributes (aria-labels are checked in
    the HTML)."""
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", response.get_data(as_text=True), flags=re.S)
    return " ".join(unescape(re.sub(r"<[^>]+>", "", html)).split())


@pytest.fixture
def in_spanish(client, signed_in):
    """A signed-in facilitator who picked Spanish (the `lang` cookie)."""
    client.get("/facilitator/?lang=es")
    return client


# The editor's own words (not the agenda's, which stay as the facilitator wrote them).
EDITOR_WORDS = {
    "Editar la agenda": "Edit agenda",
    "Acerca de esta agenda": "About this agenda",
    "Preguntas al unirse": "Questions when joining",
    "Título del segmento": "Segment title",
    "Minutos previstos": "Planned minutes",
    "Notas solo para el equipo de facilitación": "Notes for facilitators only",
    "Agregar segmento": "Add segment",
    "Ajustes de la votación": "Vote settings",
    "Marcos de referencia": "Reference frameworks",
    "Agregar estrategia": "Add strategy",
    "Pegar un plan": "Paste a plan",
    "Leer el esquema": "Read the outline",
    "Tiempo previsto:": "Planned time:",
    "Eliminar esta agenda": "Delete this agenda",
}


def test_the_editor_speaks_spanish(in_spanish, app):
    response = copy_thrive(in_spanish)
    html, text = response.get_data(as_text=True), text_of(response)
    assert '<html lang="es">' in html
    assert saved(app, f"{THRIVE}-copy").title.endswith(" (copia)")  # the copy, in her words
    for spanish, english in EDITOR_WORDS.items():
        assert spanish in text and english not in text, english
    assert "Introducción: propósito, acuerdos y agenda" in text  # a segment kind's choice
    assert "30–45 min" in text  # the planned time, as the reader writes it
    for english in ('aria-label="Move', 'aria-label="Remove', "Segment 2:"):
        assert english not in html
    assert 'aria-label="Bajar: segmento 2, Retrospective Questions"' in html


def test_new_upload_and_preview_pages_speak_spanish(in_spanish):
    new = text_of(in_spanish.get("/facilitator/editor/new"))
    assert "Nueva agenda" in new and "Título" in new and "Agregar segmento" in new
    upload = text_of(in_spanish.get("/facilitator/editor/upload"))
    assert "Subir un archivo de agenda" in upload and "Archivo de agenda (.toml)" in upload
    assert "Upload" not in upload and "Replace my agenda" not in upload
    preview = text_of(in_spanish.get(f"/facilitator/editor/preview/{THRIVE}"))
    assert "4 segmentos, 30–45 min previstos en total." in preview
    assert "En los teléfonos" in preview and "On phones" not in preview
    # the agenda's own Spanish texts, as Spanish phones show them
    assert "¿qué funcionó bien?" in preview


def test_a_mistake_is_explained_in_spanish_beside_its_field(in_spanish):
    page = copy_thrive(in_spanish)
    response = submit(in_spanish, COPY_URL, page, title="", **{"segments-1-minutes": "ten"})
    assert response.status_code == 400
    text = text_of(response)
    assert "2 cosas por corregir antes de guardar" in text
    assert "Título: Este campo no puede estar vacío." in text
    assert (
        "Segmento 2, Minutos previstos: Este campo debe ser un número positivo o un rango como "
        "10-15 (de 0.5 a 480)." in text
    )
    assert "must not be empty" not in text and "things to fix" not in text


def test_a_malformed_upload_is_explained_in_spanish(in_spanish):
    bad_minutes = BAD_UPLOADS[3][0]
    text = text_of(upload(in_spanish, bad_minutes, "bad.toml"))
    assert (
        "bad.toml: segments[0].minutes: debe ser un número positivo o un rango [mín, máx] "
        "(de 0.5 a 480)" in text
    )
    assert "must be a positive number" not in text
    text = text_of(upload(in_spanish, BAD_UPLOADS[0][0], "bad.toml"))
    assert "bad.toml: el archivo no es texto UTF-8 (byte no válido en la posición 12)" in text
    text = text_of(upload(in_spanish, b"title = Hola\n", "bad.toml"))
    assert (
        "bad.toml: no es TOML válido en la línea 1, columna 9: el valor no es válido (un texto "
        'va entre comillas: "así")' in text
    )
    assert "not valid" not in text and "Invalid value" not in text
    missing = in_spanish.post(
        "/facilitator/editor/upload", data={}, content_type="multipart/form-data"
    )
    assert "Elija un archivo .toml." in text_of(missing)


def test_a_pasted_outline_is_reported_in_spanish(in_spanish):
    page = copy_thrive(in_spanish)
    response = submit(in_spanish, COPY_URL, page, "outline", outline=DOUBTFUL_OUTLINE)
    text = text_of(response)
    assert "Revise lo que se leyó" in text
    assert "se leyó como su descripción: compruebe que no falte ninguna estrategia" in text
    assert "Text between" not in text
    added = submit(in_spanish, COPY_URL, response, "outline_add")
    assert "Se leyeron 1 pilar, 2 estrategias y" in text_of(added)


def test_a_pasted_outline_without_a_heading_is_titled_in_spanish(in_spanish):
    page = copy_thrive(in_spanish)
    added = submit(in_spanish, COPY_URL, page, "outline", outline="- Buses\n- Guarderías")
    titles = [v for k, v in fields_of(added).items() if re.fullmatch(r"frameworks-\d+-title", k)]
    assert titles[-1] == "Marco de referencia"
