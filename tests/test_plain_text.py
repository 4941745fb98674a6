"""Text arrives plain: a participant's answer pasted from PowerPoint (whose line breaks are
vertical tabs) or holding a NUL no longer breaks the facilitator's Excel download or, on
PostgreSQL, the answer itself. Forms, socket events and imported exports all go through
`workshop.text.plain`; the spreadsheets make plain what was stored before.

Every path runs on SQLite and on PostgreSQL, which refuses a NUL in text outright."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import pytest
from collections_support import TABLES, export_of
from openpyxl import load_workbook
from room import RETRO, RETRO_PROMPT, new_client_id, open_room
from sqlalchemy import select, update
from werkzeug.routing import IntegerConverter
from werkzeug.security import generate_password_hash

from workshop.extensions import db
from workshop.models import Facilitator, Participant, Response, Theme
from workshop.text import plain, plain_data

POWERPOINT = "Site visits\x0bwith the employers"  # two lines of a PowerPoint text box
NUL = "Child\x00care"
UNSEEN = "\x1b[31mTransit\x07"  # a terminal's colour codes and a bell


# -- the rule ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("sent", "kept"),
    [
        (POWERPOINT, "Site visits\nwith the employers"),
        ("one\r\ntwo\rthree\x0cfour\u2028five\x85six", "one\ntwo\nthree\nfour\nfive\nsix"),
        (NUL, "Childcare"),
        (UNSEEN, "[31mTransit"),
        ("lone \ud800 surrogate\ufffe", "lone  surrogate"),
        ("tabs\tstay, and ñ, é, “quotes”, 🚌 too", "tabs\tstay, and ñ, é, “quotes”, 🚌 too"),
    ],
)
def test_line_breaks_become_line_feeds_and_unseen_characters_go(sent, kept):
    assert plain(sent) == kept


def test_every_text_of_a_decoded_event_is_made_plain():
    assert plain_data({"text\x00": [POWERPOINT, {"x": NUL}], "n": 3, "ok": None}) == {
        "text": ["Site visits\nwith the employers", {"x": "Childcare"}], "n": 3, "ok": None
    }  # fmt: skip


# -- in the room, on both databases -----------------------------------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def room(request, tmp_path):
    config = {}
    if request.param == "postgresql":
        config["DATABASE_URL"] = request.getfixturevalue("postgres_url")
    with open_room(tmp_path, **config) as room:
        yield room


@pytest.fixture
def session(room):
    host = room.facilitator()
    session = host.start()
    host.go_to(session, RETRO)
    return host, session


def stored_texts(room) -> list[str]:
    with room.app.app_context():
        return list(db.session.scalars(select(Response.text).order_by(Response.id)))


def test_answers_pasted_with_unseen_characters_are_stored_as_typed(room, session):
    """The form and the socket event; a NUL on PostgreSQL was a server error."""
    _, live = session
    phone = room.phone(live)
    assert phone.post(f"/w/{live.code}/responses", {
        "prompt_id": RETRO_PROMPT, "text": POWERPOINT, "client_id": new_client_id(),
    }).status_code == 302  # fmt: skip
    for text in (NUL, UNSEEN):
        reply = phone.socket().emit(
            "respond", {"prompt_id": RETRO_PROMPT, "text": text, "client_id": new_client_id()}
        )
        assert reply["ok"], reply
    assert stored_texts(room) == ["Site visits\nwith the employers", "Childcare", "[31mTransit"]


def test_names_titles_and_searches_with_a_nul_are_no_server_error(room, session):
    host, live = session
    phone = room.phone(live, name="Ana\x00 María\x0b")
    with room.app.app_context():
        names = list(db.session.scalars(select(Participant.name)))
    assert "Ana María" in names
    reply = host.socket(live).emit("board", {"op": "create", "title": "Child\x00care\x0b"})
    assert reply["ok"], reply
    assert host.board(live, "create", new_title="Bus\x00es").status_code in (200, 302)
    with room.app.app_context():
        assert sorted(db.session.scalars(select(Theme.title))) == ["Buses", "Childcare"]
    assert host.get(f"/facilitator/w/{live.id}/board/?q=Bus%00").status_code == 200
    signed_out = room.anonymous()
    reply = signed_out.post("/auth/login", {"email": "x\x00@example.org", "password": "wrong"})
    assert reply.status_code == 400 and "Traceback" not in reply.get_data(as_text=True)
    assert phone.get(f"/join?code={live.code}%00").status_code in (200, 302)


def test_a_password_is_compared_as_typed(room):
    """A password is never stored as text, so it keeps every character it was set with."""
    password = "correct\x07horse battery"
    with room.app.app_context():
        db.session.add(
            Facilitator(
                email="bell@example.org",
                password_hash=generate_password_hash(password, method="pbkdf2:sha256:1"),
            )
        )
        db.session.commit()
    signed_out = room.anonymous()
    wrong = signed_out.post(
        "/auth/login", {"email": "bell@example.org", "password": plain(password)}
    )
    assert wrong.status_code == 400  # refused, as any wrong password
    right = signed_out.post("/auth/login", {"email": "bell@example.org", "password": password})
    assert right.status_code == 302


def csv_path(live) -> str:
    return f"/facilitator/w/{live.id}/results/download/csv"


def test_the_excel_download_opens_with_answers_stored_before_text_was_made_plain(room, session):
    """An answer stored with a vertical tab (before this change, or by another way in) made
    the Excel download a server error; it now opens and agrees with the CSV."""
    host, live = session
    room.phone(live).answer("Site visits")
    with room.app.app_context():
        db.session.execute(update(Response).values(text=POWERPOINT))
        db.session.commit()
    reply = host.get(f"/facilitator/w/{live.id}/results/download/xlsx")
    assert reply.status_code == 200
    sheet = load_workbook(io.BytesIO(reply.data))["Responses"]
    column = next(c for c in sheet[1] if c.value == "text").column - 1
    assert [row[column].value for row in sheet.iter_rows(min_row=2)] == [
        "Site visits\nwith the employers"
    ]
    archive = zipfile.ZipFile(io.BytesIO(host.get(csv_path(live)).data))
    rows = list(csv.DictReader(io.StringIO(archive.read("responses.csv").decode("utf-8-sig"))))
    assert [row["text"] for row in rows] == ["Site visits\nwith the employers"]


def test_an_imported_export_with_unseen_characters_rolls_up_into_every_download(room):
    owner = room.facilitator()
    reply = owner.post("/facilitator/collections/", {"name": "Inland\x00 tables"})
    base = reply.headers["Location"].removesuffix("tables")
    document = export_of(TABLES[0], 11)
    document["themes"][0]["title"] = "Child\x00care\x0bnear work"
    document["responses"][0]["text"] = POWERPOINT
    document["plan"][0]["name"] = "Cyber\x00security"
    body = json.dumps(document).encode()
    reply = owner.post(base + "import", {"files": [(io.BytesIO(body), "north.json")]})
    assert reply.status_code == 302, reply.get_data(as_text=True)
    for fmt in ("csv", "xlsx", "json", "pdf"):
        assert owner.get(base + f"download/{fmt}").status_code == 200, fmt
    rollup = owner.get(base + "download/json").get_json()
    assert rollup["collection"]["name"] == "Inland tables"
    assert "\x00" not in json.dumps(rollup) and "\\u0000" not in json.dumps(rollup)


def test_a_nul_anywhere_in_an_address_is_no_server_error(room, session):
    """Every page and action, signed in and not, with a NUL in each part of its path and in
    the arguments it reads: PostgreSQL refused a projector's token holding one (a 500)."""
    host, _ = session
    errors = []
    for rule in room.app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = rule.rule
        for name in rule.arguments:
            numeric = isinstance(rule._converters[name], IntegerConverter)
            path = re.sub(f"<[^>]*{name}>", "1" if numeric else "AB%00C", path)
        query = "?q=%00&code=%00&lang=%00&weight=%00&prompt=%00&next=%00"
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for who in (host, room.anonymous()):
                reply = who.http.open(path + query, method=method, data={"text": "\x00"})
                if reply.status_code >= 500:
                    errors.append(f"{method} {path}: {reply.status_code}")
    assert errors == []
