"""Health check, the agenda library page and error pages."""

from __future__ import annotations

import shutil

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
