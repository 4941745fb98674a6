"""The package's layout holds: the import contracts in pyproject.toml pass, breaking one fails,
and no module grows past 400 lines (docs/ARCHITECTURE.md)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")
MAX_LINES = 400


def lint_imports(project: Path) -> subprocess.CompletedProcess:
    """`lint-imports` on the package under `project`, with that copy first on the path."""
    env = {**os.environ, "PYTHONPATH": str(project)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def project_copy(tmp_path_factory) -> Path:
    """The package and its contracts, copied so a test can break them."""
    copy = tmp_path_factory.mktemp("layout")
    shutil.copy(ROOT / "pyproject.toml", copy)
    shutil.copytree(ROOT / "workshop", copy / "workshop", ignore=shutil.ignore_patterns("*.pyc"))
    return copy


def test_the_import_contracts_hold():
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "line", "contract"),
    [
        ("voting/counting.py", "import flask", "The domain is free of Flask"),
        ("agenda/model.py", "from workshop.web import i18n", "The domain is free of Flask"),
        ("web/views/screen.py", "from workshop.web.views import board", "Blueprints do not"),
        ("agenda/reader.py", "from workshop.agenda import parse", "No import cycles"),
        ("live/timing.py", "from workshop import voting", "Capabilities depend downwards"),
    ],
)
def test_breaking_a_contract_fails(project_copy, module, line, contract):
    path = project_copy / "workshop" / module
    original = path.read_text()
    path.write_text(f"{original}\n{line}  # noqa\n")
    try:
        result = lint_imports(project_copy)
    finally:
        path.write_text(original)
    assert result.returncode != 0
    assert f"{contract}" in result.stdout
    assert "BROKEN" in result.stdout


def test_no_module_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in (ROOT / "workshop").rglob("*.py")
        if (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}
