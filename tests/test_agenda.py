"""The agenda loader: every bundled file, and every kind of mistake people make."""

from __future__ import annotations

import tomllib

import pytest
from conftest import AGENDA_FIXTURES, BUNDLED_AGENDAS

from workshop.agenda.library import load_library, read_agenda_bytes, read_agenda_file
from workshop.agenda.model import AgendaError
from workshop.agenda.parse import agenda_to_dict, parse_agenda

BASE = """
title = "T"
[[segments]]
id = "s1"
kind = "prompts"
title = "Questions"
minutes = 10
[[segments.prompts]]
id = "p1"
question = "What worked?"
"""


def problems_of(toml_text: str) -> list[tuple[str, str]]:
    with pytest.raises(AgendaError) as caught:
        parse_agenda(tomllib.loads(toml_text))
    return caught.value.problems


def test_thrive_agenda_is_faithful_to_the_reference_session():
    agenda = read_agenda_file(BUNDLED_AGENDAS / "thrive-srt-retrospective.toml")
    assert [s.kind for s in agenda.segments] == ["overview", "prompts", "prompts", "vote"]
    assert [s.duration.planned_minutes for s in agenda.segments] == [5, 10, 10, 5]
    assert [s.duration.limit_minutes for s in agenda.segments] == [5, 15, 15, 10]
    assert [p.id for _, p in agenda.prompts()] == [
        "worked_well",
        "do_differently",
        "success_looks_like",
        "srt_next_two_years",
    ]
    framework = agenda.framework(agenda.segments[2].framework)
    assert [len(p.strategies) for p in framework.pillars] == [3, 5, 6]
    assert sum(len(p.examples) for p in framework.pillars) == 22
    assert framework.strategy("access-childcare").description.startswith("Improve the availability")
    vote = agenda.segments[3].vote
    assert (vote.picks, vote.ranked) == (3, True)
    assert {q.id for q in agenda.join_questions} == {"name", "role"}
    assert "â€" not in str(agenda_to_dict(agenda))


def test_transportation_agenda_has_every_tactic_with_next_steps():
    agenda = read_agenda_file(BUNDLED_AGENDAS / "la-transportation-logistics-checkin.toml")
    framework = agenda.frameworks[0]
    codes = [s.code for s in framework.strategies()]
    assert codes == ["1.1", "1.2", "2.1", "3.1", "3.2", "4.1", "4.2"]
    assert all(s.examples and s.details for s in framework.strategies())
    assert [a.split(":")[0] for a in agenda.community_agreements] == [
        "Equitable",
        "Inclusive",
        "Measurable",
    ]


def test_every_bundled_agenda_loads_and_round_trips():
    library = load_library(BUNDLED_AGENDAS)
    assert library.broken == ()
    assert len(library.agendas) >= 3
    for agenda in library.agendas.values():
        assert parse_agenda(agenda_to_dict(agenda)) == agenda


def test_minimal_fixture_uses_defaults():
    agenda = read_agenda_file(AGENDA_FIXTURES / "minimal.toml")
    assert agenda.id == "minimal"
    assert agenda.segments[1].prompts[0].max_responses == 3
    assert agenda.segments[2].vote.candidates == "themes"
    assert agenda.duration_label() == "12–15 min"


def test_an_agenda_without_an_id_takes_one_from_its_title_with_accents_folded():
    """The editor names a new agenda after its title: "Comité … otoño" was "comit-…-oto-o"
    in every address and download."""
    data = tomllib.loads((AGENDA_FIXTURES / "minimal.toml").read_text(encoding="utf-8"))
    data.pop("id", None)
    agenda = parse_agenda(data, default_id="Retrospectiva del Comité Vecinal — otoño")
    assert agenda.id == "retrospectiva-del-comite-vecinal-otono"


@pytest.mark.parametrize(
    ("change", "where", "what"),
    [
        (('title = "T"', ""), "title", "is required"),
        (('title = "T"', "title = 3"), "title", "must be text"),
        (("minutes = 10", "minutes = -5"), "segments[0].minutes", "positive number"),
        (("minutes = 10", "minutes = 100000"), "segments[0].minutes", "positive number"),
        (("minutes = 10", 'minutes = "ten"'), "segments[0].minutes", "positive number"),
        (("minutes = 10", "minutes = [15, 10]"), "segments[0].minutes", "min no larger than max"),
        (("minutes = 10", "minutes = [1, 2, 3]"), "segments[0].minutes", "[min, max] range"),
        (("minutes = 10", ""), "segments[0].minutes", "is required"),
        (('kind = "prompts"', 'kind = "brainstorm"'), "segments[0].kind", "unknown kind"),
        (
            ('question = "What worked?"', 'question = ""'),
            "segments[0].prompts[0].question",
            "empty",
        ),
        (('question = "What worked?"', ""), "segments[0].prompts[0].question", "is required"),
        (('id = "p1"', 'id = "P 1!"'), "segments[0].prompts[0].id", "short id"),
        (
            ("minutes = 10", "minutes = 10\nframework = 'plan'"),
            "segments[0].framework",
            "no framework",
        ),
        (("minutes = 10", "minutes = 10\nminuts = 3"), "segments[0].minuts", "not a known field"),
    ],
)
def test_mistakes_are_reported_with_the_field(change, where, what):
    old, new = change
    problems = problems_of(BASE.replace(old, new, 1))
    assert any(w == where and what in m for w, m in problems), problems


def test_duplicate_ids_are_reported():
    text = BASE + '[[segments.prompts]]\nid = "p1"\nquestion = "Again?"\n'
    text += '[[segments]]\nid = "s1"\nkind = "overview"\ntitle = "Again"\nminutes = 1\n'
    problems = problems_of(text)
    assert ("segments[0].prompts[1].id", "duplicate prompt id 'p1'") in problems
    assert ("segments[1].id", "duplicate segment id 's1'") in problems


def test_prompts_segment_needs_prompts_and_others_may_not_have_them():
    no_prompts = '[[segments]]\nid = "a"\nkind = "prompts"\ntitle = "A"\nminutes = 1\n'
    assert ("segments[0].prompts", "needs at least one entry") in problems_of(
        'title = "T"\n' + no_prompts
    )
    stray = BASE.replace('kind = "prompts"', 'kind = "overview"')
    assert any(w == "segments[0].prompts" for w, _ in problems_of(stray))


def test_no_segments_is_an_error():
    assert ("segments", "needs at least one entry") in problems_of('title = "T"\n')


@pytest.mark.parametrize(
    ("vote", "what"),
    [
        ("candidates = []", "at least one candidate"),
        ('candidates = "strategies"', "needs the segment to name a framework"),
        ('candidates = ["A", "A"]', "different"),
        ("candidates = 3", "must be"),
        ("picks = 0", "whole number from 1 to 10"),
        ('ranked = "yes"', "true or false"),
    ],
)
def test_vote_mistakes(vote, what):
    text = 'title = "T"\n[[segments]]\nid = "v"\nkind = "vote"\ntitle = "Vote"\nminutes = 5\n'
    problems = problems_of(text + "[segments.vote]\n" + vote + "\n")
    assert any(w.startswith("segments[0].vote") and what in m for w, m in problems), problems


def test_fixed_candidates_and_strategies_are_accepted():
    text = 'title = "T"\n[[segments]]\nid = "v"\nkind = "vote"\ntitle = "Vote"\nminutes = 5\n'
    agenda = parse_agenda(tomllib.loads(text + '[segments.vote]\ncandidates = ["A", "B"]\n'))
    assert agenda.segments[0].vote.candidates == ("A", "B")


def test_join_question_mistakes():
    text = (
        BASE
        + '[[join_questions]]\nid = "role"\nlabel = "Role"\nkind = "choice"\nchoices = ["Only"]\n'
    )
    assert any(w == "join_questions[0].choices" for w, _ in problems_of(text))


def test_framework_needs_strategies_with_names():
    text = (
        BASE + '[[frameworks]]\nid = "plan"\ntitle = "Plan"\n[[frameworks.pillars]]\ntitle = "P"\n'
    )
    text += '[[frameworks.pillars.strategies]]\nid = "s"\n'
    problems = problems_of(text)
    assert ("frameworks[0].pillars[0].strategies[0].name", "is required") in problems


def test_all_problems_are_reported_at_once():
    problems = problems_of('title = 5\n[[segments]]\nid = "X"\nkind = "nope"\n')
    assert len(problems) >= 4


def test_file_level_errors_name_the_file(tmp_path):
    cases = {
        "latin1.toml": 'title = "Caf\xe9"'.encode("latin-1"),
        "syntax.toml": b'title = "unclosed\n',
        "huge.toml": b"# " + b"x" * (300 * 1024),
    }
    expected = {
        "latin1.toml": "not UTF-8",
        "syntax.toml": "not valid TOML",
        "huge.toml": "too large",
    }
    for name, content in cases.items():
        (tmp_path / name).write_bytes(content)
    library = load_library(tmp_path)
    assert library.agendas == {}
    for broken in library.broken:
        assert broken.message.startswith(f"{broken.path}: ")
        assert expected[broken.path.name] in broken.message


def test_a_file_changed_since_is_read_again(tmp_path):
    """The dashboard reads the folder on every visit: an unchanged file is not parsed again,
    a changed one (same size, even) is, and a file broken since is listed as broken."""
    (tmp_path / "good.toml").write_text(BASE)
    first = load_library(tmp_path).agendas["good"]
    assert load_library(tmp_path).agendas["good"] is first
    (tmp_path / "good.toml").write_text(BASE.replace('title = "T"', 'title = "U"'))
    assert load_library(tmp_path).agendas["good"].title == "U"
    (tmp_path / "good.toml").write_text(BASE.replace("minutes = 10", "minutes = 0"))
    library = load_library(tmp_path)
    assert library.agendas == {} and "segments[0].minutes" in library.broken[0].message


# A file as people mistype it, and what they are told (line, column, what, and how to fix
# the commonest: text without quotes).
TOML_MISTAKES = [
    (
        "title = Hello\n",
        'not valid TOML at line 1, column 9: the value is not valid (text needs quotes: "like this")',
    ),
    ('title "Hello"\n', "not valid TOML at line 1, column 7: a name is not followed by ="),
    ("[a]\nx = 1\n[a]\n", "not valid TOML at line 3, column 3: a is given twice"),
    ("a = 1\na = 2\n", "not valid TOML at line 2, column 6: a value is given twice"),
    ("[segments\n", "not valid TOML at line 1, column 10: a [heading] is not closed with ]"),
    ("a = [1,\n", "not valid TOML at the end of the file: the value is not valid"),
    (
        'a = "open\n',
        "not valid TOML at line 1, column 10: the character '\\n' is not allowed there",
    ),
]


@pytest.mark.parametrize(("source", "said"), TOML_MISTAKES)
def test_a_toml_mistake_says_where_and_what(source, said):
    with pytest.raises(AgendaError) as raised:
        read_agenda_bytes(source.encode())
    assert str(raised.value).startswith(said), str(raised.value)


def test_a_toml_complaint_of_another_wording_keeps_the_parsers_words():
    from workshop.agenda.toml_errors import toml_problem

    said = "Something new (at line 4, column 2)"
    assert toml_problem(said) == "not valid TOML at line 4, column 2: Something new"
    assert toml_problem("Odd") == "not valid TOML: Odd"


def test_one_bad_file_does_not_stop_the_others(tmp_path):
    (tmp_path / "good.toml").write_text(BASE)
    (tmp_path / "bad.toml").write_text(BASE.replace("minutes = 10", "minutes = 0"))
    (tmp_path / "same-id.toml").write_text('id = "good"\n' + BASE)
    library = load_library(tmp_path)
    assert list(library.agendas) == ["good"]
    messages = {b.path.name: b.message for b in library.broken}
    assert "segments[0].minutes" in messages["bad.toml"]
    assert "already used by good.toml" in messages["same-id.toml"]
