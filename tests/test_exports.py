"""Downloads: CSV (zipped), Excel, JSON and PDF agree with the results page and with an
independent recount; spreadsheet formulas in user text are neutralized; the JSON matches its
schema; the PDF's text can be read back; nothing private leaves; `workshop export` works."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from pypdf import PdfReader
from results_support import (
    EXPECTED,
    FORMULAS,
    HIDDEN_TEXT,
    NAME,
    SPANISH,
    XSS,
    build_reference_session,
    recount,
)
from room import open_room
from sqlalchemy import select, update

from workshop import clock
from workshop.extensions import db
from workshop.models import Candidate, Participant, Response, Theme, Workshop
from workshop.results import exports, tables
from workshop.results.build import build_results
from workshop.results.model import FACILITATOR, SHARED
from workshop.results.pdf_report import pdf_text

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "results-schema.json").read_text())
FORMATS = ("csv", "xlsx", "json", "pdf")


@pytest.fixture(scope="module")
def ref(tmp_path_factory):
    """One finished session for the whole module: these tests only read it."""
    with open_room(tmp_path_factory.mktemp("exports")) as room:
        yield build_reference_session(room)


def results_of(ref, audience=FACILITATOR):
    with ref.room.app.app_context():
        workshop = db.session.get(Workshop, ref.session.id)
        return build_results(db.session, workshop, clock.now(), audience)


def download(ref, fmt: str) -> bytes:
    reply = ref.host.get(f"/facilitator/w/{ref.session.id}/results/download/{fmt}")
    assert reply.status_code == 200, reply.status_code
    assert reply.mimetype == exports.FORMATS[fmt][0]
    assert reply.headers["Content-Disposition"].startswith("attachment; filename=")
    return reply.data


def csv_tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in archive.namelist()
        }


def pdf_lines(data: bytes) -> list[str]:
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return [line.strip() for line in text.splitlines()]


def plain(value: str) -> str:
    """A CSV cell as typed: without the apostrophe that neutralizes formulas."""
    return (
        value[1:]
        if value.startswith("'") and value[1:].startswith(tables.FORMULA_STARTS)
        else value
    )


# -- CSV -------------------------------------------------------------------------------------


def test_csv_tables_agree_with_the_recount(ref):
    tables = csv_tables(download(ref, "csv"))
    assert set(tables) == {"session", "themes", "responses", "ballots", "participation", "agenda"}
    ranked = [row for row in tables["themes"] if row["rank"]]
    assert [
        (
            r["title"],
            int(r["rank"]),
            int(r["points"]),
            int(r["first choices"]),
            int(r["ballots naming it"]),
        )
        for r in ranked
    ] == EXPECTED
    stored = recount(ref.room, ref.session)["responses"]
    listed = {plain(row["text"]): row for row in tables["responses"]}
    assert set(listed) == set(stored)
    for text, row in stored.items():
        assert listed[text]["theme"] == (row["theme"] or "")
        assert listed[text]["hidden"] == ("yes" if row["hidden"] else "no")
        assert int(listed[text]["response"]) == row["id"]
    assert len(tables["ballots"]) == 5


def test_csv_counts_match_the_page(ref):
    tables = csv_tables(download(ref, "csv"))
    page = ref.host.page(f"/facilitator/w/{ref.session.id}/results")
    for row in tables["themes"]:
        if row["rank"]:
            assert f"{row['rank']}. {row['title']}" in page
            assert (
                f'value="{row["points"]}" aria-label="{row["title"]}: {row["points"]} points"'
                in page
            )
    roles = {
        r["group"]: r["count"]
        for r in tables["participation"]
        if r["measure"] == "participants by role"
    }
    assert roles == {
        "Backbone organization": "1",
        "SRT chair": "1",
        "SRT member": "2",
        "Other": "1",
    }
    assert [r["title"] for r in tables["agenda"]] == [
        "Overview & Introduction",
        "Retrospective Questions",
        "Forward Planning",
        "Prioritizing Key Themes",
    ]


def test_csv_neutralizes_formulas_in_user_text(ref):
    tables = csv_tables(download(ref, "csv"))
    texts = [row["text"] for row in tables["responses"]]
    for payload in FORMULAS:
        assert "'" + payload in texts
        assert payload not in texts
    assert {row["name"] for row in tables["responses"]} >= {NAME, '\'=HYPERLINK("http://evil")'}
    assert SPANISH in texts  # ordinary text is left as it is


@pytest.mark.parametrize(
    ("value", "written"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("a = b", "a = b"),
        (7, 7),
    ],
)
def test_neutralize(value, written):
    assert tables.neutralize(value) == written


# -- Excel -----------------------------------------------------------------------------------


def test_the_workbook_opens_and_agrees_with_the_recount(ref):
    book = load_workbook(io.BytesIO(download(ref, "xlsx")))
    assert book.sheetnames == [
        "Session",
        "Themes",
        "Responses",
        "Ballots",
        "Participation",
        "Agenda",
    ]
    themes = list(book["Themes"].iter_rows(min_row=2, values_only=True))
    assert [(t[2], t[0], t[4], t[5], t[6]) for t in themes if t[0] is not None] == EXPECTED
    headers = [cell.value for cell in book["Responses"][1]]
    texts = [
        row[headers.index("text")]
        for row in book["Responses"].iter_rows(min_row=2, values_only=True)
    ]
    assert sorted(texts) == sorted(recount(ref.room, ref.session)["responses"])


def test_the_workbook_keeps_formulas_as_plain_text(ref):
    data = download(ref, "xlsx")
    book = load_workbook(io.BytesIO(data))
    cells = {c.value: c for row in book["Responses"].iter_rows(min_row=2) for c in row}
    for payload in FORMULAS:
        assert cells[payload].data_type == "s"  # text, exactly as typed, never a formula
        assert cells[payload].quotePrefix
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        sheets = [n for n in archive.namelist() if n.startswith("xl/worksheets/")]
        assert not any(re.search(rb"<f[ >]", archive.read(name)) for name in sheets)


# -- JSON ------------------------------------------------------------------------------------


@pytest.mark.parametrize("audience", [FACILITATOR, SHARED])
def test_json_validates_against_its_schema(ref, audience):
    Draft202012Validator.check_schema(SCHEMA)
    data = json.loads(exports.to_json(results_of(ref, audience)))
    Draft202012Validator(SCHEMA).validate(data)
    assert data["audience"] == audience
    # the agenda's Spanish beside its English, for a roll-up read in Spanish
    part = data["participation"]
    worked_well = next(q for q in part["per_question"] if q["prompt_id"] == "worked_well")
    assert worked_well["translations"]["es"]["question"].endswith("¿qué funcionó bien?")
    chair = next(r for r in part["by_role"] if r["role"] == "SRT chair")
    assert chair["translations"] == {"es": "Presidencia de la SRT"}


def test_json_rebuilds_the_tables(ref):
    data = json.loads(download(ref, "json"))
    by_id = {row["id"]: row for row in data["responses"]}
    candidates = {t["candidate_id"]: t["title"] for t in data["themes"] if t["candidate_id"]}
    ranked = [
        (t["title"], t["rank"], t["points"], t["first_choices"], t["ballots"])
        for t in data["themes"]
        if t["rank"]
    ]
    assert ranked == EXPECTED
    points = {title: 0 for title in candidates.values()}
    for ballot in data["vote"]["ballots"]:
        for position, candidate in enumerate(ballot["picks"]):
            points[candidates[candidate]] += data["vote"]["picks"] - position
    assert points == {title: p for title, _, p, _, _ in EXPECTED}
    for theme in data["themes"]:
        for group in theme["questions"]:
            assert all(by_id[i]["theme_title"] == theme["title"] for i in group["response_ids"])
    assert data["participation"]["paper"] == 1
    api = ref.host.get(f"/api/workshops/{ref.session.id}/results").get_json()
    assert {**api, "generated_at": data["generated_at"]} == data  # only the moment differs


# -- PDF -------------------------------------------------------------------------------------


def test_the_pdf_holds_the_ranked_themes_in_order(ref):
    lines = pdf_lines(download(ref, "pdf"))
    ranked = [line for line in lines if re.match(r"^[123]\. ", line)]
    assert ranked[:3] == ["1. Relationships", "2. Childcare", "3. Shared information"]
    assert "10 points · 2 first choices · 4 ballots" in lines
    text = "\n".join(lines)
    for needed in (
        "Purpose",
        "Participation",
        "The agenda as it ran",
        "Cybersecurity",
        "Later idea",
    ):
        assert needed in text


def test_the_pdf_draws_user_text_as_text(ref):
    text = "\n".join(pdf_lines(download(ref, "pdf")))
    assert XSS in text  # no markup interpreted
    assert FORMULAS[0] in text
    assert "Año de colaboración — “muy bien” – sí… and a o" in text  # ő has no glyph: o
    assert HIDDEN_TEXT not in text  # the report is the page: hidden answers are not in it


def test_text_the_pdf_fonts_lack_degrades_gracefully():
    assert pdf_text("Año “sí” – —…€") == "Año “sí” – —…€"
    assert pdf_text("Nguyễn Đức, Łódź") == "Nguyen ?uc, ?ódz"
    assert pdf_text("中文 🙂") == "?? ?"
    assert pdf_text("**bold** <b>x</b> {x}") == "**bold** <b>x</b> {x}"


# -- the PDF in Spanish ----------------------------------------------------------------------

SPANISH_HEADINGS = {  # the report's headings, and the English a Spanish reader must not get
    "Prioridades": "Priorities",
    "Los temas y las respuestas que los respaldan": "Themes and the responses behind them",
    "Participación": "Participation",
    "La agenda tal como se llevó a cabo": "The agenda as it ran",
    "Minutos previstos": "Planned minutes",
    "Clasificación final.": "Final ranking.",
}


@contextmanager
def spanish_title(ref, title: str, title_es: str):
    """The facilitators give a theme (and its candidate on the ballot) a Spanish title."""
    with ref.room.app.app_context():
        for model in (Theme, Candidate):
            db.session.execute(update(model).where(model.title == title).values(title_es=title_es))
        db.session.commit()
    try:
        yield
    finally:
        with ref.room.app.app_context():
            for model in (Theme, Candidate):
                db.session.execute(update(model).where(model.title == title).values(title_es=""))
            db.session.commit()


def test_the_pdf_is_in_the_language_of_the_page_it_is_downloaded_from(ref):
    url = f"/facilitator/w/{ref.session.id}/results/download/pdf"
    with spanish_title(ref, "Childcare", "Cuidado infantil"):
        reply = ref.host.get(url, headers={"Accept-Language": "es"})
    assert reply.status_code == 200
    lines = pdf_lines(reply.data)
    text = "\n".join(lines)
    for spanish, english in SPANISH_HEADINGS.items():
        assert spanish in text and english not in text, english
    assert "10 puntos · 2 primeras opciones · 4 boletas" in lines
    assert "2. Cuidado infantil" in lines  # the theme's Spanish title
    assert "Al mirar hacia atrás el último año de nuestra mesa subregional" in text  # the agenda's
    assert re.search(r"Participante \d", text) and not re.search(r"Participant \d", text)
    assert "points ·" not in text and "ballots cast" not in text
    english = "\n".join(pdf_lines(download(ref, "pdf")))
    assert "Priorities" in english and "2. Childcare" in english and "Prioridades" not in english


def test_workshop_export_writes_a_spanish_pdf_when_asked(ref, tmp_path):
    out = tmp_path / "informe.pdf"
    args = ["export", ref.session.code, "--format", "pdf", "--out", str(out), "--lang", "es"]
    result = ref.room.app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    text = "\n".join(pdf_lines(out.read_bytes()))
    assert "Prioridades" in text and "Priorities" not in text


# -- privacy ---------------------------------------------------------------------------------


def every_text(ref, fmt: str, data: bytes) -> str:
    if fmt == "pdf":
        return "\n".join(pdf_lines(data))
    if fmt in ("csv", "xlsx"):
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return data.decode()


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_download_holds_cookies_tokens_or_addresses(ref, fmt):
    text = every_text(ref, fmt, download(ref, fmt))
    with ref.room.app.app_context():
        secrets = list(db.session.scalars(select(Participant.token_hash)))
        secrets += list(db.session.scalars(select(Response.client_id)))
        workshop = db.session.get(Workshop, ref.session.id)
        secrets += [workshop.projector_token, workshop.code]
    phones = [phone for phone in ref.phones.values() if hasattr(phone, "http")]
    cookies = [phone.http.get_cookie(f"wsp_{ref.session.id}").value for phone in phones]
    for secret in secrets + cookies:
        assert secret not in text
    assert "127.0.0.1" not in text and "localhost" not in text and "Werkzeug" not in text


# -- the command line ------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", FORMATS)
def test_workshop_export_writes_each_format(ref, tmp_path, fmt):
    out = tmp_path / f"results.{fmt}"
    runner = ref.room.app.test_cli_runner()
    result = runner.invoke(args=["export", ref.session.code, "--format", fmt, "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    magic = {"csv": b"PK", "xlsx": b"PK", "json": b"{", "pdf": b"%PDF"}[fmt]
    assert out.read_bytes().startswith(magic)


def test_workshop_export_by_number_and_for_sharing(ref, tmp_path):
    out = tmp_path / "shared.json"
    runner = ref.room.app.test_cli_runner()
    args = ["export", str(ref.session.id), "--format", "json", "--out", str(out), "--shared"]
    assert runner.invoke(args=args).exit_code == 0
    data = json.loads(out.read_text())
    assert data["audience"] == "shared" and HIDDEN_TEXT not in out.read_text()
    assert NAME not in out.read_text()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["NOPE99"], "no session has the number or join code 'NOPE99'"),
        (["99999999999999999999"], "no session has the number or join code"),
        (["1", "--out", "/nonexistent/dir/x.csv"], "cannot write /nonexistent/dir/x.csv"),
    ],
)
def test_workshop_export_errors_are_one_line(ref, tmp_path, args, message):
    args = ["export", *args, "--format", "csv"]
    if "--out" not in args:
        args += ["--out", str(tmp_path / "x.zip")]
    result = ref.room.app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 1
    assert message in result.output
    assert "Traceback" not in result.output and len(result.output.strip().splitlines()) == 1


def test_an_unknown_format_is_not_found(ref):
    assert ref.host.get(f"/facilitator/w/{ref.session.id}/results/download/exe").status_code == 404
