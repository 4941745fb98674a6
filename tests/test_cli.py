"""The `workshop` console script: check, init-db and create-facilitator."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from click.testing import CliRunner
from conftest import BUNDLED_AGENDAS, PASSWORD

from workshop import accounts
from workshop.cli import main
from workshop.extensions import db


def run(*args: str, env: dict | None = None):
    return CliRunner().invoke(main, list(args), env=env)


def test_check_accepts_every_bundled_agenda():
    paths = sorted(str(p) for p in BUNDLED_AGENDAS.glob("*.toml"))
    result = run("check", *paths)
    assert result.exit_code == 0, result.output
    assert result.output.count(": ok: ") == len(paths)
    assert "Thrive Inland SoCal" in result.output


def test_check_rejects_bad_files_with_file_and_field(tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text(
        'title = "T"\n[[segments]]\nid = "a"\nkind = "overview"\ntitle = "A"\nminutes = -1\n'
    )
    good = BUNDLED_AGENDAS / "thrive-srt-retrospective.toml"
    result = run("check", str(good), str(bad))
    assert result.exit_code == 1
    assert (
        f"{bad}: segments[0].minutes: must be a positive number or a [min, max] range"
        in result.output
    )
    assert "1 of 2 file(s) invalid" in result.output
    assert "Traceback" not in result.output


def test_check_reports_a_missing_file(tmp_path):
    result = run("check", str(tmp_path / "nope.toml"))
    assert result.exit_code == 1
    assert "nope.toml: cannot read file" in result.output


def test_installed_console_script_runs():
    script = Path(sys.executable).parent / "workshop"
    result = subprocess.run(
        [str(script), "check", str(BUNDLED_AGENDAS / "thrive-srt-retrospective.toml")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert ": ok: thrive-srt-retrospective" in result.stdout


def test_init_db_and_create_facilitator(tmp_path):
    env = {"WORKSHOP_INSTANCE_PATH": str(tmp_path), "WORKSHOP_DATABASE_URL": ""}
    result = run("init-db", env=env)
    assert result.exit_code == 0, result.output
    assert "create-facilitator" in result.output  # tells a new user what to do next
    assert (tmp_path / "workshop.sqlite").exists()

    result = run("create-facilitator", "Chair@Example.org", "--password", PASSWORD, env=env)
    assert result.exit_code == 0, result.output
    assert "created facilitator chair@example.org" in result.output

    again = run("create-facilitator", "chair@example.org", "--password", PASSWORD, env=env)
    assert again.exit_code == 1
    assert "already exists" in again.output
    assert "Traceback" not in again.output

    short = run("create-facilitator", "b@example.org", "--password", "short", env=env)
    assert short.exit_code == 1 and "at least 10 characters" in short.output


def test_create_facilitator_prompts_for_a_hidden_password(app, runner):
    result = runner.invoke(
        args=["create-facilitator", "p@example.org"], input=f"{PASSWORD}\n{PASSWORD}\n"
    )
    assert result.exit_code == 0, result.output
    with app.app_context():
        facilitator = accounts.authenticate(db.session, "p@example.org", PASSWORD)
        assert facilitator is not None
        assert PASSWORD not in facilitator.password_hash


def test_create_facilitator_before_init_db_says_what_to_do(tmp_path):
    env = {"WORKSHOP_INSTANCE_PATH": str(tmp_path), "WORKSHOP_DATABASE_URL": ""}
    result = run("create-facilitator", "a@example.org", "--password", PASSWORD, env=env)
    assert result.exit_code == 1
    assert "workshop init-db" in result.output
