"""Health check, the agenda library page and error pages."""

from __future__ import annotations

import re
import shutil

import pytest
from conftest import BUNDLED_AGENDAS, make_app

from workshop import __version__


def test_healthz_reports_version_and_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "version": __version__, "database": True}


def test_healthz_says_when_the_database_is_down(tmp_path):
    app = make_app(tmp_path, DATABASE_URL="sqlite:///" + str(tmp_path / "db.sqlite"))
    (tmp_path / "db.sqlite").unlink()
    (tmp_path / "db.sqlite").mkdir()  # a directory where the file should be: it cannot open
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["database"] is False


def test_library_lists_agendas_with_segments_and_time(auth, client):
    auth.create()
    auth.login()
    page = client.get("/facilitator/").get_data(as_text=True)
    assert "Thrive Inland SoCal Subregional Table Retrospective" in page
    assert "Retrospective Questions" in page and "10–15 min" in page
    assert "30–45 min planned" in page


def test_library_lists_broken_files_with_their_error(tmp_path):
    agendas = tmp_path / "agendas"
    agendas.mkdir()
    shutil.copy(BUNDLED_AGENDAS / "thrive-srt-retrospective.toml", agendas)
    (agendas / "oops.toml").write_text(
        'title = "Oops"\n[[segments]]\nid = "a"\nkind = "party"\ntitle = "A"\nminutes = 1\n'
    )
    app = make_app(tmp_path, AGENDA_DIR=str(agendas))
    client = app.test_client()
    from conftest import AuthActions

    actions = AuthActions(app, client)
    actions.create()
    actions.login()
    page = client.get("/facilitator/").get_data(as_text=True)
    assert "Thrive Inland SoCal" in page
    assert "oops.toml" in page and "segments[0].kind: unknown kind" in page
    spanish = client.get("/facilitator/?lang=es").get_data(as_text=True)
    assert "segments[0].kind: tipo desconocido &#39;party&#39;" in spanish


def test_agenda_detail_shows_the_plan(auth, client):
    auth.create()
    auth.login()
    page = client.get("/facilitator/agendas/thrive-srt-retrospective").get_data(as_text=True)
    assert "Access to childcare" in page
    assert "What worked well" in page or "worked well" in page
    assert client.get("/facilitator/agendas/nope").status_code == 404


def test_unknown_page_is_a_clear_404(client):
    response = client.get("/no/such/page")
    assert response.status_code == 404
    assert b"Not Found" in response.data


# Any attribute whose value is the text "None": a template passed Python's None where it
# meant "no attribute" (axe-core: aria-valid-attr-value, critical, for the aria-* ones).
NONE_ATTRIBUTE = re.compile(r'[\w:-]+="None"')
FORM_PAGES = [
    ("sign-in", "get", "/auth/login", None),
    ("sign-in with errors", "post", "/auth/login", {"email": "", "password": ""}),
    ("new agenda", "get", "/facilitator/editor/new", None),
    ("new agenda with errors", "post", "/facilitator/editor/new", {"title": "", "action": "save"}),
    ("upload", "get", "/facilitator/editor/upload", None),
    ("upload with errors", "post", "/facilitator/editor/upload", {}),
]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_form_fields_carry_only_the_attributes_they_have(auth, client, lang):
    """A field with no error, no hint or no autocomplete has no such attribute at all (not
    aria-invalid="None"); one with an error says so and points at the words."""
    auth.create()
    for name, method, path, data in FORM_PAGES:
        if name == "new agenda":
            auth.login()
        page = getattr(client, method)(f"{path}?lang={lang}", data=data)
        html = page.get_data(as_text=True)
        assert "<form" in html, name
        assert NONE_ATTRIBUTE.findall(html) == [], name
        for described in re.findall(r'aria-describedby="([^"]+)"', html):
            for target in described.split():
                assert f'id="{target}"' in html, f"{name}: aria-describedby names no {target}"
        assert set(re.findall(r'aria-invalid="([^"]*)"', html)) <= {"true"}, name
        if "with errors" in name:
            assert 'aria-invalid="true"' in html, name
