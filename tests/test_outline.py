"""Pasted plan outlines → reference frameworks, on the reference session's own strategy lists."""

from __future__ import annotations

from conftest import BUNDLED_AGENDAS, TESTS

from workshop.agenda.library import read_agenda_file
from workshop.agenda.outline import clean_text, parse_outline, split_name

OUTLINES = TESTS / "data" / "outlines"


def thrive_plan():
    # An excerpt of the reference session's document (seed 000), kept as a fixture.
    return parse_outline((OUTLINES / "thrive-strategies.md").read_text(encoding="utf-8"), "rep")


def test_the_reference_strategy_lists_give_three_pillars():
    framework = thrive_plan()
    assert framework.title == "Regional Economic Development Plan Industries and Strategies"
    assert [p.title for p in framework.pillars] == [
        "Quality Job Creation Industry Strategies",
        "Quality Job Access Strategies",
        "Economic Mobility & Wealth Building Strategies",
    ]
    assert [len(p.strategies) for p in framework.pillars] == [3, 5, 6]
    assert [len(p.examples) for p in framework.pillars] == [7, 7, 8]


def test_strategy_names_and_descriptions_match_the_bundled_agenda():
    bundled = read_agenda_file(BUNDLED_AGENDAS / "thrive-srt-retrospective.toml").frameworks[0]
    parsed = thrive_plan()
    assert [s.name for s in parsed.strategies()] == [s.name for s in bundled.strategies()]
    assert [s.description for s in parsed.strategies()] == [
        s.description for s in bundled.strategies()
    ]


def test_examples_belong_to_the_pillar_above_and_lose_their_markup():
    first = thrive_plan().pillars[0]
    assert first.examples[0].startswith("A collaboration to spur innovation and new start-ups:")
    assert not any("*" in e or "\\" in e or e != e.strip() for e in first.examples)
    assert all(not s.examples for s in first.strategies)


def test_strategy_ids_are_unique_readable_slugs():
    ids = [s.id for s in thrive_plan().strategies()]
    assert len(set(ids)) == len(ids) == 14
    assert ids[0] == "clean-economy-innovation-and-adoption"
    assert all(len(i) <= 48 and not i.endswith("-") for i in ids)


def test_numbered_tactics_with_tabs_under_all_caps_headings():
    framework = parse_outline((OUTLINES / "la-tactics.txt").read_text(encoding="utf-8"))
    assert [p.title for p in framework.pillars] == [
        "CARBON-NEUTRAL ECONOMY",
        "INNOVATION AND ENTREPRENEURSHIP",
        "SMALL BUSINESS",
    ]
    assert [s.code for s in framework.strategies()] == ["1.1", "1.2", "2.1", "3.1", "3.2"]
    networks = framework.strategies()[3]
    assert networks.name == "Develop Support Networks"
    assert networks.description == (
        "Connect small business owners – especially MWBE/DBEs – with larger companies."
    )
    assert networks.examples == (
        "Identify existing programs and intermediaries (SIC; Short-Term)",
        "Identify existing mentorship programs (SIC; Short-Term)",
    )


def test_every_bullet_style_and_separator():
    outline = """## Plan
### Pillar one
- **Bold with dash \\-** described here
* Plain – with an en dash
• Bullet dot: with a colon
+ Just a name
1. Numbered item - numbered description
"""
    strategies = parse_outline(outline).strategies()
    assert [(s.name, s.description) for s in strategies] == [
        ("Bold with dash", "described here"),
        ("Plain", "with an en dash"),
        ("Bullet dot", "with a colon"),
        ("Just a name", ""),
        ("Numbered item", "numbered description"),
    ]


def test_split_name_handles_bold_name_followed_by_colon():
    assert split_name("**Access to childcare:** Improve availability") == (
        "Access to childcare",
        "Improve availability",
    )
    assert split_name("**Cybersecurity** – Convert a talent pool") == (
        "Cybersecurity",
        "Convert a talent pool",
    )


def test_nested_bullets_become_examples_of_the_strategy_above():
    outline = "### Pillar\n- Strategy A\n    - first step\n    * second step\n- Strategy B\n"
    strategies = parse_outline(outline).strategies()
    assert [s.examples for s in strategies] == [("first step", "second step"), ()]


def test_mojibake_and_markdown_escapes_are_repaired():
    assert (
        clean_text("year â€“ and Phase 3\\. Itâ€™s\u00c2\u00a0here")
        == "year – and Phase 3. It’s here"
    )
    assert clean_text("CAFÉ’s menu – café") == "CAFÉ’s menu – café"


def test_bullets_before_any_heading_make_an_untitled_pillar():
    framework = parse_outline("- One\n- Two\n")
    assert [(p.title, len(p.strategies)) for p in framework.pillars] == [("", 2)]


def test_text_without_lists_gives_no_pillars():
    assert parse_outline("Just a paragraph of prose.\n\nAnother one.").pillars == ()
    assert parse_outline("").pillars == ()
