"""Plans in the shapes they really come in (copied out of Word, a PDF or a workplan table),
read into pillars, strategies and examples; and, with generated plans written in every shape
at random, the same plan read back whatever its shape. The fixtures are written here after
the regional plans facilitators paste (numbered strategies and tactics, labelled headings in
English and Spanish, bullets Word makes, Windows line endings, non-breaking spaces)."""

from __future__ import annotations

from dataclasses import dataclass

from hypothesis import given, settings
from hypothesis import strategies as st

from workshop.agenda.outline import read_outline

NBSP = "\u00a0"

WORD_PLAN = """Strategies

Strategy 1: Carbon-Neutral Economy
Grow the carbon-neutral economy by promoting investment in clean transportation.

1.1 Expand Funding & Incentives – Expand access to funding and incentives for companies.
1.2 Build Awareness & Exposure Programs – Build awareness of opportunities for residents.

Strategy 2: Innovation and Entrepreneurship
Expand incubators, accelerators and other programs.

2.1 Strengthen Entrepreneurship Capacity – Identify and expand incubators.

Strategy 3: Small Business
Support small businesses across the supply chain.
3.1 Develop Support Networks – Connect small business owners with larger companies.
3.2 Connect Talent – Connect small businesses with trained workers.
"""


def summary(text: str) -> list[tuple[str, str, list[tuple[str, str, str]]]]:
    """(pillar, its description, [(code, strategy, description)]) for each pillar read."""
    framework = read_outline(text).framework
    return [
        (p.title, p.description, [(s.code, s.name, s.description) for s in p.strategies])
        for p in framework.pillars
    ]


def test_a_word_plan_with_labelled_strategies_and_numbered_tactics():
    """The shape that was read as one pillar "Strategies" holding every tactic, each later
    strategy's heading glued onto the tactic before it."""
    assert summary(WORD_PLAN) == [
        (
            "Carbon-Neutral Economy",
            "Grow the carbon-neutral economy by promoting investment in clean transportation.",
            [
                (
                    "1.1",
                    "Expand Funding & Incentives",
                    "Expand access to funding and incentives for companies.",
                ),
                (
                    "1.2",
                    "Build Awareness & Exposure Programs",
                    "Build awareness of opportunities for residents.",
                ),
            ],
        ),
        (
            "Innovation and Entrepreneurship",
            "Expand incubators, accelerators and other programs.",
            [("2.1", "Strengthen Entrepreneurship Capacity", "Identify and expand incubators.")],
        ),
        (
            "Small Business",
            "Support small businesses across the supply chain.",
            [
                (
                    "3.1",
                    "Develop Support Networks",
                    "Connect small business owners with larger companies.",
                ),
                ("3.2", "Connect Talent", "Connect small businesses with trained workers."),
            ],
        ),
    ]
    assert read_outline(WORD_PLAN).doubts == ()


def test_windows_line_endings_and_non_breaking_spaces_change_nothing():
    pasted = (
        WORD_PLAN.replace(" – ", f"{NBSP}– ").replace("1.1 ", f"1.1{NBSP}").replace("\n", "\r\n")
    )
    assert summary(pasted) == summary(WORD_PLAN)


WORKPLAN = """02 | Tactical Workplan

1. CARBON-NEUTRAL ECONOMY

Grow the carbon-neutral economy by promoting investment in clean transportation.

1.1 EXPAND FUNDING AND INCENTIVES

Objective: Expand access to funding and incentives for logistics companies.

Purpose: Funding programs are constantly in flux.

Leadership: Initial leadership will be provided by the SIC.

Costs:

Type\tEstimate\tUses
Pre-development\t$100,000\tRepository beta version
Outreach\t$30,000\tStipends, staff time

NEXT STEPS

Task\tResponsible Party\tTimeline
1. Conduct research to identify existing climate funds.\tSIC\tShort-Term
2. Create a centralized repository of available funds.\tLAEDC\tMedium-Term

1. CARBON-NEUTRAL ECONOMY

Grow the carbon-neutral economy by promoting investment in clean transportation.

1.2 BUILD AWARENESS & EXPOSURE PROGRAMS

Objective: Build awareness of opportunities for disinvested communities.

NEXT STEPS

Task\tResponsible Party\tTimeline
1. Identify existing workforce training programs.\tSIC\tShort-Term

2. INNOVATION AND ENTREPRENEURSHIP

Expand incubators and accelerators.

2.1 STRENGTHEN ENTREPRENEURSHIP CAPACITY

Objective: Identify and expand incubator and accelerator programs.
"""


def test_a_workplan_with_numbered_parts_facts_costs_and_next_steps():
    reading = read_outline(WORKPLAN)
    framework = reading.framework
    assert [p.title for p in framework.pillars] == [
        "CARBON-NEUTRAL ECONOMY",
        "INNOVATION AND ENTREPRENEURSHIP",
    ]
    first, second = framework.pillars[0].strategies
    assert (first.code, first.name) == ("1.1", "EXPAND FUNDING AND INCENTIVES")
    assert first.description == "Expand access to funding and incentives for logistics companies."
    assert [(d.label, d.text) for d in first.details] == [
        ("Purpose", "Funding programs are constantly in flux."),
        ("Leadership", "Initial leadership will be provided by the SIC."),
        (
            "Costs",
            "Pre-development ($100,000; Repository beta version); Outreach ($30,000; Stipends, staff time)",
        ),
    ]
    assert first.examples == (
        "Conduct research to identify existing climate funds. (SIC; Short-Term)",
        "Create a centralized repository of available funds. (LAEDC; Medium-Term)",
    )
    assert second.code == "1.2" and second.examples == (
        "Identify existing workforce training programs. (SIC; Short-Term)",
    )
    assert [s.code for s in framework.pillars[1].strategies] == ["2.1"]
    # The part's heading repeats on each page: read once, and the facilitator is told.
    assert framework.pillars[0].description == (
        "Grow the carbon-neutral economy by promoting investment in clean transportation."
    )
    assert reading.doubts == ("“CARBON-NEUTRAL ECONOMY” appears 2 times: read as one pillar.",)


def test_spanish_labels_a_heading_with_its_name_below_and_lettered_tactics():
    plan = """META 1
Economía sin carbono
Impulsar la inversión en transporte limpio.

1a Ampliar el financiamiento: Ampliar el acceso a fondos e incentivos.
1b. Crear conciencia: Dar a conocer las oportunidades.

Objetivo 2 – Innovación y emprendimiento
2a Fortalecer la capacidad emprendedora
Identificar y ampliar las incubadoras.
"""
    assert summary(plan) == [
        (
            "Economía sin carbono",
            "Impulsar la inversión en transporte limpio.",
            [
                ("1a", "Ampliar el financiamiento", "Ampliar el acceso a fondos e incentivos."),
                ("1b", "Crear conciencia", "Dar a conocer las oportunidades."),
            ],
        ),
        (
            "Innovación y emprendimiento",
            "",
            [
                (
                    "2a",
                    "Fortalecer la capacidad emprendedora",
                    "Identificar y ampliar las incubadoras.",
                )
            ],
        ),
    ]


def test_bulleted_tactics_and_word_bullets_with_examples_below():
    plan = (
        "Pillar A: Quality jobs\n"
        "•\tCareer pathways — Build pathways into healthcare\n"
        "o\tPartner with community colleges\n"
        "o\tPaid internships\n"
        "•\tApprenticeships\tEarn while you learn\n"
        "\n"
        "Pilar B: Vivienda\n"
        "* Vivienda asequible - Más viviendas cerca del trabajo\n"
        "    - Fondo regional\n"
    )
    framework = read_outline(plan).framework
    assert [p.title for p in framework.pillars] == ["Quality jobs", "Vivienda"]
    pathways, apprenticeships = framework.pillars[0].strategies
    assert (pathways.name, pathways.description) == (
        "Career pathways",
        "Build pathways into healthcare",
    )
    assert pathways.examples == ("Partner with community colleges", "Paid internships")
    assert (apprenticeships.name, apprenticeships.description) == (
        "Apprenticeships",
        "Earn while you learn",
    )
    housing = framework.pillars[1].strategies[0]
    assert (housing.name, housing.description, housing.examples) == (
        "Vivienda asequible",
        "Más viviendas cerca del trabajo",
        ("Fondo regional",),
    )


def test_doubtful_shapes_say_why():
    """Text between a pillar's strategies, or numbers from two parts under one heading, are
    told, so the facilitator sees the reading before it changes the agenda."""
    interleaved = (
        "GOAL 2\nStrengthen clusters\n  • First outcome\nPort of Los Angeles\n  • Second\n"
    )
    assert any("Text between the strategies" in d for d in read_outline(interleaved).doubts)
    mixed = "PLAN\n1.1 One – a\n1.2 Two – b\n2.1 Three – c\n"
    assert any("suggest more than one pillar" in d for d in read_outline(mixed).doubts)
    unread = "SECTOR OVERVIEW\nA long paragraph about the sector.\n\nJOBS\n- Pathways\n"
    reading = read_outline(unread)
    assert [p.title for p in reading.framework.pillars] == ["JOBS"]
    assert reading.framework.title == "SECTOR OVERVIEW"
    # counted as a person would say it: one line, or several
    one = read_outline("PLAN\nJOBS\n- Pathways\nNOTES\n").doubts
    assert one == ("A line was not read, as it is not part of a list (“NOTES”).",), one
    two = read_outline("PLAN\nJOBS\n- Pathways\nNOTES\nA closing note.\n").doubts
    assert two == ("2 lines were not read, as they are not part of a list (“NOTES”).",), two


# -- any plan, in any shape -------------------------------------------------------------------

WORDS = [
    "access",
    "capital",
    "clean",
    "energy",
    "jobs",
    "training",
    "regional",
    "partners",
    "small",
    "business",
    "growth",
    "housing",
    "childcare",
    "workforce",
    "innovation",
    "equity",
    "transit",
    "health",
    "broadband",
    "manufacturing",
    "careers",
    "youth",
    "rural",
    "water",
    "food",
    "local",
    "hiring",
    "networks",
    "mentors",
    "funding",
    "energía",
    "vivienda",
    "educación",
    "niñez",
    "salud",
    "empleo",
]


def phrase(low: int, high: int) -> st.SearchStrategy[str]:
    return st.lists(st.sampled_from(WORDS), min_size=low, max_size=high).map(
        lambda words: " ".join(words).capitalize()
    )


@dataclass(frozen=True)
class PlanStrategy:
    name: str
    description: str
    examples: tuple[str, ...]


@dataclass(frozen=True)
class PlanPillar:
    title: str
    description: str
    strategies: tuple[PlanStrategy, ...]


plan_strategies = st.builds(
    PlanStrategy,
    name=phrase(1, 5),
    description=st.one_of(st.just(""), phrase(3, 10).map(lambda text: text + ".")),
    examples=st.lists(phrase(2, 6), max_size=3).map(tuple),
)
plan_pillars = st.builds(
    PlanPillar,
    title=phrase(1, 4),
    description=st.one_of(st.just(""), phrase(3, 10).map(lambda text: text + ".")),
    strategies=st.lists(plan_strategies, min_size=1, max_size=4).map(tuple),
)
plans = st.lists(plan_pillars, min_size=1, max_size=4, unique_by=lambda p: p.title.casefold())

PILLAR_STYLES = ("markdown", "caps", "labelled", "labelled-name-below", "numbered")
LABELS = ("Strategy", "Goal", "Pillar", "Objective", "Estrategia", "Meta", "Objetivo", "Pilar")
CODES = ("compound", "compound-dot", "letter", "numbered", "bullet")
BULLETS = ("•\t", "- ", "* ", "o\t", "· ", "• ")
SEPARATORS = (" – ", " - ", " — ", ": ", "\t", "\n")


@dataclass(frozen=True)
class Shape:
    pillar: str
    label: str
    codes: str
    bullet: str
    separator: str
    example: str
    examples_after: str  # "" (nested under the strategy) or the line that announces them
    preamble: str
    newline: str
    nbsp: bool


shapes = st.builds(
    Shape,
    pillar=st.sampled_from(PILLAR_STYLES),
    label=st.sampled_from(LABELS),
    codes=st.sampled_from(CODES),
    bullet=st.sampled_from(BULLETS),
    separator=st.sampled_from(SEPARATORS),
    example=st.sampled_from(("    - ", "   o ", "\t•\t", "    * ")),
    examples_after=st.sampled_from(("", "", "Examples:", "NEXT STEPS", "Ejemplos:")),
    preamble=st.sampled_from(("", "Strategies", "ESTRATEGIAS", "Tactics:")),
    newline=st.sampled_from(("\n", "\r\n")),
    nbsp=st.booleans(),
).filter(
    # A numbered part holds numbered tactics (1. holds 1.1), and a list of examples after its
    # announcing line ends at the next tactic only when tactics are numbered 1.1 or 1a.
    lambda shape: (
        shape.codes in ("compound", "compound-dot", "letter")
        or (shape.pillar != "numbered" and not shape.examples_after)
    )
)


def write_pillar(pillar: PlanPillar, number: int, shape: Shape) -> list[str]:
    heading = {
        "markdown": f"### {pillar.title}",
        "caps": pillar.title.upper(),
        "labelled": f"{shape.label} {number}: {pillar.title}",
        "labelled-name-below": f"{shape.label.upper()} {number}\n{pillar.title}",
        "numbered": f"{number}. {pillar.title.upper()}",
    }[shape.pillar]
    lines = [heading] + ([pillar.description] if pillar.description else []) + [""]
    for index, strategy in enumerate(pillar.strategies, start=1):
        lines += write_strategy(strategy, number, index, shape)
    return lines + [""]


def write_strategy(strategy: PlanStrategy, number: int, index: int, shape: Shape) -> list[str]:
    space = NBSP if shape.nbsp else " "
    mark = {
        "compound": f"{number}.{index}{space}",
        "compound-dot": f"{number}.{index}.{space}",
        "letter": f"{number}{'abcd'[index - 1]}{space}",
        "numbered": f"{index}.{space}",
        "bullet": shape.bullet,
    }[shape.codes]
    separator = shape.separator.replace(" ", NBSP, 1) if shape.nbsp else shape.separator
    line = mark + strategy.name
    if strategy.description:
        line += separator + strategy.description
    if shape.examples_after and strategy.examples:
        return [line, shape.examples_after] + [
            f"{n}. {e}" for n, e in enumerate(strategy.examples, 1)
        ]
    return [line] + [shape.example + example for example in strategy.examples]


def expected_code(shape: Shape, number: int, index: int) -> str:
    return {
        "compound": f"{number}.{index}",
        "compound-dot": f"{number}.{index}",
        "letter": f"{number}{'abcd'[index - 1]}",
        "numbered": str(index),
        "bullet": "",
    }[shape.codes]


@settings(max_examples=300, deadline=None)
@given(plan=plans, shape=shapes)
def test_any_plan_reads_back_the_same_in_any_shape(plan, shape):
    lines = [shape.preamble] + [
        line for n, pillar in enumerate(plan, 1) for line in write_pillar(pillar, n, shape)
    ]
    text = shape.newline.join(lines)
    reading = read_outline(text)
    caps = shape.pillar in ("caps", "numbered")
    assert [p.title for p in reading.framework.pillars] == [
        p.title.upper() if caps else p.title for p in plan
    ], text
    for number, (read, written) in enumerate(zip(reading.framework.pillars, plan, strict=True), 1):
        assert read.description == written.description, text
        assert [(s.code, s.name, s.description, s.examples) for s in read.strategies] == [
            (expected_code(shape, number, index), s.name, s.description, s.examples)
            for index, s in enumerate(written.strategies, 1)
        ], text
    assert reading.doubts == (), text
