"""Agenda → TOML text → Agenda gives the same agenda, for every bundled file and any agenda."""

from __future__ import annotations

import tomllib
from dataclasses import replace

import pytest
from agenda_strategies import agendas
from conftest import BUNDLED_AGENDAS
from hypothesis import HealthCheck, given, settings

from workshop.agenda.library import read_agenda_file
from workshop.agenda.model import Duration
from workshop.agenda.parse import parse_agenda
from workshop.agenda.store import blank_agenda
from workshop.agenda.toml_writer import dumps, to_toml


def reload(text: str):
    return parse_agenda(tomllib.loads(text))


@pytest.mark.parametrize("path", sorted(BUNDLED_AGENDAS.glob("*.toml")), ids=lambda p: p.stem)
def test_every_bundled_agenda_loads_back_identically(path):
    agenda = read_agenda_file(path)
    assert reload(to_toml(agenda)) == agenda


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(agendas())
def test_any_agenda_loads_back_identically(agenda):
    assert reload(to_toml(agenda)) == agenda


def test_awkward_text_survives():
    awkward = 'He said """ and \\ then "quoted"\n\ttab \x01 \x7f \r end"'
    agenda = replace(blank_agenda(), purpose=awkward, title='"Title" with \\ and \u2028 inside')
    assert reload(to_toml(agenda)) == agenda


def test_layout_reads_like_a_sessions_file():
    text = to_toml(read_agenda_file(BUNDLED_AGENDAS / "la-transportation-logistics-checkin.toml"))
    assert text.startswith("# Agenda file for workshop.")
    assert 'purpose = """\nThe Los Angeles' in text
    assert "\n[[segments.prompts]]\n" in text and "\n[[frameworks.pillars.strategies]]\n" in text
    assert '  { label = "Objective", text = ' in text
    assert "minutes = [20, 25]" in text and "minutes = 5\n" in text


def test_fractional_minutes_are_written_exactly():
    segment = replace(blank_agenda().segments[0], duration=Duration(0.5, 12.75))
    agenda = replace(blank_agenda(), segments=(segment,))
    assert "minutes = [0.5, 12.75]" in to_toml(agenda)
    assert reload(to_toml(agenda)) == agenda


def test_keys_that_are_not_bare_are_quoted():
    assert tomllib.loads(dumps({"a key": "v", "t": {"x.y": 1}})) == {"a key": "v", "t": {"x.y": 1}}
