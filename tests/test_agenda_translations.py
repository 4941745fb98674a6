"""An agenda's `[translations.<lang>]` tables: validation with field paths, the round trip
through `agenda_to_dict` and TOML, `Agenda.localized`, the editor keeping them, and the
Spanish texts the Thrive agenda ships."""

from __future__ import annotations

import copy
import tomllib

import pytest
from conftest import BUNDLED_AGENDAS

from workshop.agenda import translations as agenda_translations
from workshop.agenda.model import AgendaError
from workshop.agenda.parse import agenda_to_dict, parse_agenda
from workshop.agenda.toml_writer import to_toml
from workshop.editor.data import agenda_to_form_data, form_data_to_dict, with_translations

THRIVE = BUNDLED_AGENDAS / "thrive-srt-retrospective.toml"

SMALL = {
    "id": "small",
    "title": "Check-in",
    "purpose": "Why we meet.",
    "community_agreements": ["One voice at a time.", "Assume good intent."],
    "join_questions": [
        {"id": "name", "label": "Your name"},
        {"id": "role", "label": "Your role", "kind": "choice", "choices": ["Chair", "Member"]},
    ],
    "segments": [
        {"id": "welcome", "kind": "overview", "title": "Welcome", "minutes": 5, "text": "Hello."},
        {
            "id": "ask",
            "kind": "prompts",
            "title": "Questions",
            "minutes": 10,
            "framework": "plan",
            "prompts": [{"id": "good", "question": "What went well?", "help": "One idea."}],
        },
    ],
    "frameworks": [
        {
            "id": "plan",
            "title": "The plan",
            "pillars": [
                {
                    "title": "Jobs",
                    "examples": ["An example"],
                    "strategies": [
                        {
                            "id": "training",
                            "name": "Training",
                            "description": "Teach skills.",
                            "examples": ["Classes"],
                            "details": [{"label": "Goal", "text": "More skills"}],
                        }
                    ],
                }
            ],
        }
    ],
}

SPANISH = {
    "title": "Encuentro",
    "community_agreements": ["Una voz a la vez.", "Partimos de la buena intención."],
    "join_questions": {"role": {"label": "Su rol", "choices": {"Chair": "Presidencia"}}},
    "segments": {"ask": {"title": "Preguntas"}},
    "prompts": {"good": {"question": "¿Qué salió bien?"}},
    "frameworks": {
        "plan": {
            "title": "El plan",
            "pillars": [{"title": "Empleos", "examples": ["Un ejemplo"]}],
            "strategies": {
                "training": {
                    "name": "Capacitación",
                    "examples": ["Clases"],
                    "details": [{"label": "Meta", "text": "Más habilidades"}],
                }
            },
        }
    },
}


def small(translations: dict | None = None) -> dict:
    data = copy.deepcopy(SMALL)
    data["translations"] = {"es": copy.deepcopy(SPANISH)} if translations is None else translations
    return data


def problems(data: dict) -> list[str]:
    with pytest.raises(AgendaError) as caught:
        parse_agenda(data)
    return [f"{where}: {what}" for where, what in caught.value.problems]


def thrive():
    return parse_agenda(tomllib.loads(THRIVE.read_text(encoding="utf-8")), default_id="thrive")


# -- localized ---------------------------------------------------------------------------------


def test_localized_substitutes_the_texts_a_translation_gives():
    spanish = parse_agenda(small()).localized("es")
    assert spanish.title == "Encuentro"
    assert spanish.community_agreements == ("Una voz a la vez.", "Partimos de la buena intención.")
    assert spanish.join_questions[1].label == "Su rol"
    assert spanish.segments[1].title == "Preguntas"
    assert spanish.segments[1].prompts[0].question == "¿Qué salió bien?"
    plan = spanish.frameworks[0]
    assert (plan.title, plan.pillars[0].title, plan.pillars[0].examples) == (
        "El plan",
        "Empleos",
        ("Un ejemplo",),
    )
    strategy = plan.strategies()[0]
    assert (strategy.name, strategy.examples) == ("Capacitación", ("Clases",))
    assert (strategy.details[0].label, strategy.details[0].text) == ("Meta", "Más habilidades")


def test_localized_falls_back_to_english_field_by_field():
    spanish = parse_agenda(small()).localized("es")
    assert spanish.purpose == "Why we meet."
    assert spanish.join_questions[0].label == "Your name"
    assert (spanish.segments[0].title, spanish.segments[0].text) == ("Welcome", "Hello.")
    assert spanish.segments[1].prompts[0].help == "One idea."
    assert spanish.frameworks[0].strategies()[0].description == "Teach skills."


def test_a_translated_choice_shows_its_label_but_keeps_its_english_value():
    question = parse_agenda(small()).localized("es").join_questions[1]
    assert question.choices == ("Chair", "Member")
    assert question.options() == [("Chair", "Presidencia"), ("Member", "Member")]


def test_a_regional_language_uses_its_base_language_and_others_stay_english():
    agenda = parse_agenda(small())
    assert agenda.localized("es-MX") == agenda.localized("es")
    assert agenda.localized("fr") == agenda
    assert agenda.localized("en") == agenda
    assert agenda.languages == ("es",)


def test_localizing_changes_no_id_setting_or_number():
    agenda, spanish = parse_agenda(small()), parse_agenda(small()).localized("es")
    ids = [(s.id, s.kind, s.duration, [p.id for p in s.prompts]) for s in agenda.segments]
    assert ids == [(s.id, s.kind, s.duration, [p.id for p in s.prompts]) for s in spanish.segments]
    assert [s.id for s in spanish.frameworks[0].strategies()] == ["training"]


# -- validation ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        (
            {"segments": {"retrospective": {"title": "x"}}},
            "translations.es.segments.retrospective: no segment with id 'retrospective'",
        ),
        (
            {"prompts": {"bad": {"question": "x"}}},
            "translations.es.prompts.bad: no prompt with id 'bad'",
        ),
        (
            {"join_questions": {"age": {"label": "x"}}},
            "translations.es.join_questions.age: no join question with id 'age'",
        ),
        (
            {"frameworks": {"other": {"title": "x"}}},
            "translations.es.frameworks.other: no framework with id 'other'",
        ),
        (
            {"frameworks": {"plan": {"strategies": {"nope": {"name": "x"}}}}},
            "translations.es.frameworks.plan.strategies.nope: no strategy with id 'nope'",
        ),
        ({"title": 5}, "translations.es.title: must be text"),
        ({"segments": "Preguntas"}, "translations.es.segments: must be a table"),
        ({"segments": {"ask": "Preguntas"}}, "translations.es.segments.ask: must be a table"),
        (
            {"segments": {"ask": {"titel": "x"}}},
            "translations.es.segments.ask.titel: is not a known field (check the spelling)",
        ),
        (
            {"community_agreements": ["Una voz a la vez."]},
            "translations.es.community_agreements: needs one entry per English entry (2), not 1",
        ),
        (
            {"community_agreements": "Una voz"},
            "translations.es.community_agreements: must be a list of non-empty texts",
        ),
        (
            {"join_questions": {"role": {"choices": {"Boss": "Jefe"}}}},
            "translations.es.join_questions.role.choices: 'Boss' is not a choice of join question 'role'",
        ),
        (
            {"join_questions": {"name": {"choices": {"a": "b"}}}},
            "translations.es.join_questions.name.choices: only a choice question has choices",
        ),
        (
            {"frameworks": {"plan": {"pillars": [{}, {"title": "x"}]}}},
            "translations.es.frameworks.plan.pillars: has 2 entries; the framework has 1 pillars",
        ),
        (
            {"frameworks": {"plan": {"strategies": {"training": {"details": []}}}}},
            None,  # an empty list gives nothing and takes nothing away
        ),
        (
            {"frameworks": {"plan": {"strategies": {"training": {"details": [{}, {}]}}}}},
            "translations.es.frameworks.plan.strategies.training.details: needs one entry per English detail (1), not 2",
        ),
        ({"vote": {"picks": 2}}, "translations.es.vote: is not a known field (check the spelling)"),
    ],
)
def test_a_wrong_translation_is_reported_with_its_field_path(change, expected):
    data = small({"es": change})
    if expected is None:
        parse_agenda(data)
        return
    assert problems(data) == [expected]


def test_translations_are_keyed_by_a_language_code_other_than_english():
    data = small({"en": {"title": "x"}, "Spanish please": {"title": "x"}, "es-MX": {"title": "y"}})
    assert problems(data) == [
        "translations.en: English texts belong in the agenda's own fields",
        "translations.Spanish please: must be a language code such as 'es' or 'es-MX'",
    ]
    assert problems(small({"fr": "bonjour"})) == ["translations.fr: must be a table"]
    assert problems(small(["es"])) == ["translations: must be a table"]


def test_every_translation_problem_is_reported_with_the_agendas_own():
    data = small({"es": {"segments": {"gone": {"title": "x"}}}})
    data["segments"][0]["minutes"] = 0
    listed = problems(data)
    assert "translations.es.segments.gone: no segment with id 'gone'" in listed
    assert any(line.startswith("segments[0].minutes:") for line in listed)


# -- round trips ---------------------------------------------------------------------------------


@pytest.mark.parametrize("make", [lambda: parse_agenda(small()), thrive])
def test_an_agenda_with_translations_survives_its_dict_and_its_toml(make):
    agenda = make()
    assert agenda.translations
    assert parse_agenda(agenda_to_dict(agenda)) == agenda
    assert parse_agenda(tomllib.loads(to_toml(agenda))) == agenda


def test_empty_translation_tables_leave_nothing_behind():
    agenda = parse_agenda(small({"es": {"segments": {"ask": {}}, "prompts": {}}}))
    assert agenda.translations == ()
    assert "translations" not in agenda_to_dict(agenda)


def test_the_editor_keeps_the_translations_it_cannot_show():
    agenda = thrive()
    data = agenda_to_form_data(agenda)
    edited = with_translations(parse_agenda(form_data_to_dict(data)), data["translations"])
    assert edited == agenda


def test_the_editor_drops_translations_of_what_was_removed():
    agenda = parse_agenda(small())
    data = agenda_to_form_data(agenda)
    data["segments"][1]["id"] = "questions"  # renamed in the editor
    edited = with_translations(parse_agenda(form_data_to_dict(data)), data["translations"])
    spanish = agenda_translations.find(edited.translations, "es")
    assert dict(spanish.segments) == {}
    assert edited.localized("es").segments[1].prompts[0].question == "¿Qué salió bien?"
    assert with_translations(agenda, "{not json").translations == ()


# -- the Thrive agenda in Spanish --------------------------------------------------------------


def test_the_thrive_agenda_has_spanish_for_everything_the_room_reads():
    english = thrive()
    spanish = english.localized("es")
    assert spanish.title != english.title and spanish.purpose != english.purpose
    assert len(spanish.community_agreements) == len(english.community_agreements)
    assert set(spanish.community_agreements).isdisjoint(english.community_agreements)
    for mine, theirs in zip(spanish.join_questions, english.join_questions, strict=True):
        assert mine.label != theirs.label
        assert mine.choices == theirs.choices  # what the form submits
        assert all(label != value for value, label in mine.options())
    for mine, theirs in zip(spanish.segments, english.segments, strict=True):
        assert mine.title != theirs.title
        assert mine.text != theirs.text or not theirs.text
        for prompt, original in zip(mine.prompts, theirs.prompts, strict=True):
            assert prompt.question != original.question
            assert prompt.help != original.help or not original.help


def test_the_thrive_plan_has_spanish_pillars_strategies_and_examples():
    english = thrive().frameworks[0]
    spanish = thrive().localized("es").frameworks[0]
    assert spanish.title != english.title
    for mine, theirs in zip(spanish.pillars, english.pillars, strict=True):
        assert mine.title != theirs.title
        assert len(mine.examples) == len(theirs.examples)
        assert set(mine.examples).isdisjoint(theirs.examples)
    for mine, theirs in zip(spanish.strategies(), english.strategies(), strict=True):
        assert mine.id == theirs.id
        assert mine.name != theirs.name
        assert mine.description != theirs.description
        assert len(mine.examples) == len(theirs.examples)
    assert len(spanish.strategies()) == 14
