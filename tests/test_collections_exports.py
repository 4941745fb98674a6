"""The roll-up's four downloads (CSV, Excel, JSON, PDF) agree with each other and with the hand
recount of tests/test_collections_rollup.py; the JSON validates against
docs/rollup-schema.json; `workshop rollup` writes the same files."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import pytest
from collections_support import QUESTION_ES, TABLES, export_bytes
from conftest import PASSWORD
from jsonschema import Draft202012Validator
from openpyxl import load_workbook
from pypdf import PdfReader

from workshop import accounts
from workshop.extensions import db

SCHEMA = json.loads((Path(__file__).parent.parent / "docs" / "rollup-schema.json").read_text())
# By hand (tests/test_collections_rollup.py): each table counting equally, and by participants.
EQUAL = [
    ("Access to childcare", 1, 28.3),  # 34/120
    ("Access to transportation", 2, 23.3),  # 28/120
    ("Employer support for affordable housing", 3, 19.2),  # 23/120
    ("Robust regional education and workforce training ecosystem", 4, 7.5),  # 9/120
    ("Entrepreneurial ecosystem for high-growth startups and main street businesses", 5, 7.5),
]
WEIGHTED = {  # strategy: (rank, score %), 134/576, 122/576, 110/576, 52/576, 30/576
    "Employer support for affordable housing": (1, 23.3),
    "Access to childcare": (2, 21.2),
    "Access to transportation": (3, 19.1),
    "Robust regional education and workforce training ecosystem": (4, 9.0),
    "Entrepreneurial ecosystem for high-growth startups and main street businesses": (5, 5.2),
}
MATRIX_NORTH = {"Access to childcare": 41.7, "Access to transportation": 25.0}  # 10/24, 6/24


def new_collection(folder: Path, name: str = "SRT retrospectives"):
    """An app of its own with its owner signed in: (app, client, the new collection's address)."""
    from conftest import make_app

    app = make_app(folder)
    with app.app_context():
        accounts.create_facilitator(db.session, "owner@example.org", PASSWORD)
        db.session.commit()
    client = app.test_client()
    client.post("/auth/login", data={"email": "owner@example.org", "password": PASSWORD})
    reply = client.post("/facilitator/collections/", data={"name": name})
    return app, client, reply.headers["Location"].removesuffix("tables")


@pytest.fixture(scope="module")
def region(tmp_path_factory):
    app, client, base = new_collection(tmp_path_factory.mktemp("rollup-exports"))
    for number, spec in enumerate(TABLES, start=11):
        files = {"files": (io.BytesIO(export_bytes(spec, number)), f"{spec.name}.json")}
        reply = client.post(base + "import", data={**files, "table_name": spec.name})
        assert reply.status_code == 302
    yield app, client, base
    with app.app_context():
        db.engine.dispose()


def download(region, fmt: str) -> bytes:
    _, client, base = region
    reply = client.get(f"{base}download/{fmt}")
    assert reply.status_code == 200
    assert reply.headers["Content-Disposition"].startswith('attachment; filename="rollup-srt-')
    return reply.data


def csv_tables(data: bytes) -> dict[str, list[dict[str, str]]]:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return {
            name.removesuffix(".csv"): list(
                csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig")))
            )
            for name in archive.namelist()
        }


def test_the_json_validates_against_its_schema(region):
    document = json.loads(download(region, "json"))
    errors = sorted(Draft202012Validator(SCHEMA).iter_errors(document), key=str)
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors[:5]]


def test_the_json_holds_the_hand_recount(region):
    document = json.loads(download(region, "json"))
    ranked = [
        (s["name"], s["scores"]["equal"]["rank"], round(s["scores"]["equal"]["score"] * 100, 1))
        for s in document["strategies"]
        if s["scores"]["equal"]["rank"]
    ]
    assert ranked == EQUAL
    weighted = {
        s["name"]: (
            s["scores"]["participants"]["rank"],
            round(s["scores"]["participants"]["score"] * 100, 1),
        )
        for s in document["strategies"]
        if s["scores"]["participants"]["rank"]
    }
    assert weighted == WEIGHTED
    north = [t["name"] for t in document["tables"]].index("North")
    cells = {s["name"]: s["cells"][north] for s in document["strategies"]}
    assert cells["Access to childcare"] == {"points": 10, "share": round(10 / 24, 6), "rank": 1}
    south = [t["name"] for t in document["tables"]].index("South")
    by_name = {s["name"]: s for s in document["strategies"]}
    housing = by_name["Employer support for affordable housing"]["cells"][south]
    assert housing == {"points": 2.5, "share": round(5 / 24, 6), "rank": 2}  # half of 5 of 12
    east = [t["name"] for t in document["tables"]].index("East")
    assert all(s["cells"][east] is None for s in document["strategies"])
    assert [(o["theme"], round(o["share"] * 100, 1)) for o in document["not_in_plan"]] == [
        ("Arts and culture", 41.7),
        ("Meetings", 29.2),
    ]


def test_csv_and_excel_agree_with_the_json(region):
    document = json.loads(download(region, "json"))
    tables = csv_tables(download(region, "csv"))
    assert set(tables) == {
        "rollup", "tables", "strategies", "matrix", "cells", "regional_themes",
        "regional_theme_answers", "not_in_plan", "participation", "questions", "over_time",
    }  # fmt: skip
    from_json = [
        (s["name"], str(s["scores"]["equal"]["rank"] or ""), round(s["scores"]["equal"]["score"] * 100, 1),
         str(s["scores"]["participants"]["rank"] or ""), round(s["scores"]["participants"]["score"] * 100, 1))
        for s in document["strategies"]
    ]  # fmt: skip
    from_csv = [
        (r["strategy"], r["rank"], float(r["score (%)"]), r["rank weighted by participants"],
         float(r["score weighted by participants (%)"]))
        for r in tables["strategies"]
    ]  # fmt: skip
    assert from_csv == from_json
    book = load_workbook(io.BytesIO(download(region, "xlsx")))
    assert [s.lower() for s in book.sheetnames] == list(tables)
    rows = list(book["Strategies"].iter_rows(min_row=2, values_only=True))
    assert [(r[2], r[0] or "", r[4]) for r in rows] == [
        (name, int(rank) if rank else "", score) for name, rank, score, _, _ in from_csv
    ]
    # The matrix sheet: strategies down, tables across, shares in % (blank: no vote).
    matrix = {r["strategy"]: r for r in tables["matrix"]}
    for strategy, share in MATRIX_NORTH.items():
        assert float(matrix[strategy]["North"]) == share
    assert matrix["Access to childcare"]["East"] == ""
    sheet = list(book["Matrix"].iter_rows(values_only=True))
    assert sheet[0] == ("strategy", *(t["name"] for t in document["tables"]))
    assert sheet[1][0] == "Access to childcare" and sheet[1][4] == 41.7  # North, 4th table


def test_the_pdf_holds_the_same_ranking_and_matrix(region):
    text = "\n".join(
        page.extract_text() for page in PdfReader(io.BytesIO(download(region, "pdf"))).pages
    )
    positions = [text.index(f"{rank}. {name[:40]}") for name, rank, _ in EQUAL]
    assert positions == sorted(positions)
    for name, rank, score in EQUAL:
        assert f"{rank}. {name[:40]}" in text and f"{score}%" in text
    assert "41.7% (1)" in text  # North's childcare cell, with its rank at the table
    assert "Left out (no ballot): East" in text
    assert "Arts and culture" in text and "Meetings" in text


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# The roll-up PDF's fixed words, in Spanish, and the English a Spanish reader must not get.
SPANISH_WORDS = {
    "Cómo se clasifican las estrategias": "How strategies are ranked",
    "Las estrategias en todas las mesas": "Strategies across tables",
    "Temas regionales": "Regional themes",
    "Participación": "Participation",
    "No se cuentan (sin boletas): East": "Left out (no ballot)",
    # the ranking rule, as the roll-up page says it in Spanish
    "La puntuación de una estrategia es la media de sus partes en las mesas": "average of its",
}


def test_the_pdf_is_in_the_language_of_the_page_it_is_downloaded_from(region):
    _, client, base = region
    reply = client.get(f"{base}download/pdf", headers={"Accept-Language": "es"})
    assert reply.status_code == 200
    text = pdf_text(reply.data)
    for spanish, english in SPANISH_WORDS.items():
        assert spanish in text and english not in text, english
    # the plan's strategies as the agenda names them in Spanish
    assert "1. Acceso al cuidado infantil" in text and "Access to childcare" not in text
    assert "41.7% (1)" in text
    # questions and roles in the words the exports give for Spanish; a role they leave
    # untranslated as it is
    assert f"{QUESTION_ES}: 19 respuestas" in text and "What worked well" not in text
    assert "Presidencia de la SRT 1, Integrante de la SRT 4" in text  # Desert
    assert "Integrante de la SRT 2, Other 1" in text  # West


def test_workshop_rollup_writes_a_spanish_pdf_when_asked(region, tmp_path):
    app, _, _ = region
    out = tmp_path / "resumen.pdf"
    args = ["rollup", "SRT retrospectives", "--format", "pdf", "--out", str(out), "--lang", "es"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    text = pdf_text(out.read_bytes())
    assert "Cómo se clasifican las estrategias" in text and "How strategies" not in text
    english = pdf_text(download(region, "pdf"))  # English stays the default
    assert "How strategies are ranked" in english and "Cómo se clasifican" not in english


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "json", "pdf"])
def test_workshop_rollup_writes_what_the_page_downloads(region, tmp_path, fmt):
    app, _, base = region
    out = tmp_path / f"rollup.{fmt}"
    result = app.test_cli_runner().invoke(
        args=["rollup", "SRT retrospectives", "--format", fmt, "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert "roll-up of 6 tables" in result.output
    if fmt == "json":
        written, served = json.loads(out.read_bytes()), json.loads(download(region, "json"))
        written.pop("generated_at"), served.pop("generated_at")
        assert written == served
    else:
        assert out.stat().st_size > 1000


def test_workshop_rollup_errors_are_one_line(region, tmp_path):
    app, _, _ = region
    result = app.test_cli_runner().invoke(
        args=["rollup", "no such thing", "--format", "csv", "--out", str(tmp_path / "x.zip")]
    )
    assert result.exit_code != 0
    assert "no collection has the number or name 'no such thing'" in result.output
    assert "(the collections: 1 'SRT retrospectives')" in result.output
    assert "--owner" not in result.output  # `rollup` creates nothing
    assert "Traceback" not in result.output


def test_a_regional_day_of_forty_tables_prints_every_table(tmp_path):
    """Forty tables do not fit side by side on a page (fpdf2 refused the 4 mm cells: a 500):
    the matrix continues in blocks that repeat the strategies, and every table is in it."""
    from collections_support import export_of

    app, client, base = new_collection(tmp_path, "Regional day")
    for number in range(1, 41):
        spec = TABLES[number % len(TABLES)]
        data = json.dumps(export_of(spec, 100 + number)).encode()
        name = f"Table {number:02d}"
        files = {"files": (io.BytesIO(data), f"t{number}.json")}
        assert client.post(base + "import", data={**files, "table_name": name}).status_code == 302
    reply = client.get(f"{base}download/pdf")
    assert reply.status_code == 200
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(reply.data)).pages)
    for number in range(1, 41):
        assert f"Table {number:02d}" in text
    assert "Tables 1-12 of 40" in text and "Tables 37-40 of 40" in text
    with app.app_context():
        db.engine.dispose()


def test_the_pdf_counts_one_person_in_the_singular(tmp_path):
    """A table of one: "1 participant", "1 ballot", "1 answer" (and so in Spanish)."""
    from collections_support import TableSpec

    app, client, base = new_collection(tmp_path, "One")
    alone = TableSpec("Solo", {"SRT chair": 1}, [("Transit", [], ["Buses"])], [("Transit",)], 1)
    files = {"files": (io.BytesIO(export_bytes(alone, 7)), "solo.json")}
    assert client.post(base + "import", data={**files, "table_name": "Solo"}).status_code == 302
    english = pdf_text(client.get(f"{base}download/pdf").data)
    assert "Solo: 1 participant, 1 answered, 1 ballot (SRT chair 1)" in english
    assert "this past year?: 1 answer\n" in english
    spanish = pdf_text(client.get(f"{base}download/pdf", headers={"Accept-Language": "es"}).data)
    assert "Solo: 1 participante, 1 respondió, 1 boleta" in spanish
    assert ": 1 respuesta\n" in spanish
    with app.app_context():
        db.engine.dispose()


def test_a_plan_strategy_named_at_great_length_is_cut_short_in_the_pdfs_matrix(tmp_path):
    """An export's plan may name a strategy at any length (a pasted paragraph, a hand-edited
    file); a matrix row taller than a page made the PDF a server error. The matrix cuts the
    name with an ellipsis; the ranking above it, the spreadsheets and the JSON keep it whole."""
    from collections_support import PLAN_ORDER, A, export_of

    app, client, base = new_collection(tmp_path, "Long names")
    document = export_of(TABLES[0], 11)
    long_name = "Access to childcare " + "for every shift worker in the region " * 80
    row = document["plan"][PLAN_ORDER.index(A)]
    row["name"], row["translations"] = long_name, {}
    files = {"files": (io.BytesIO(json.dumps(document).encode()), "north.json")}
    assert client.post(base + "import", data={**files, "table_name": "North"}).status_code == 302
    reply = client.get(f"{base}download/pdf")
    assert reply.status_code == 200
    text = pdf_text(reply.data).replace("\n", " ")
    assert long_name.strip() in text  # the ranking
    assert "Access to childcare for every shift worker" in text and "…" in text  # the matrix
    names = [item["name"] for item in client.get(f"{base}download/json").get_json()["strategies"]]
    assert long_name in names
    with app.app_context():
        db.engine.dispose()
