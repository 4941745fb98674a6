"""Six subregional tables as results exports (docs/results-schema.json), written here from
their ballots with a Borda count of this file's own, so the roll-up tests can check the
roll-up against a recount done by hand (the arithmetic is in tests/test_collections_rollup.py).

The tables, each with its themes (the plan strategies they serve) and ballots:
- North (4 participants, 3 ranked picks): a theme that serves no strategy ("Meetings").
- South (2, 3 ranked picks): a theme serving two strategies, and a tie at the top.
- East (6): themes, a vote opened, and no ballot at all.
- West (3, 2 unranked picks: dots).
- Desert (5, 3 ranked picks): a tie at the top.
- Mountain (10, 3 ranked picks): a theme that serves no strategy ("Arts and culture").
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

A, T, W, E, H = (
    "access-childcare",
    "access-transportation",
    "education-workforce-ecosystem",
    "entrepreneurial-ecosystem",
    "affordable-housing",
)
CYBER = "cybersecurity"  # in the plan; no table chose it
NAMES = {
    A: "Access to childcare",
    T: "Access to transportation",
    W: "Robust regional education and workforce training ecosystem",
    E: "Entrepreneurial ecosystem for high-growth startups and main street businesses",
    H: "Employer support for affordable housing",
    CYBER: "Cybersecurity",
}
SPANISH = {A: "Acceso al cuidado infantil", T: "Acceso al transporte"}
PILLARS = {
    CYBER: "Quality Job Creation Industry Strategies",
    W: "Quality Job Access Strategies",
}
MOBILITY = "Economic Mobility & Wealth Building Strategies"
PLAN_ORDER = [CYBER, W, E, T, A, H]
QUESTION = ("worked_well", "What worked well in the SRT this past year?")
QUESTION_ES = "¿Qué funcionó bien en la SRT este último año?"
# The roles as the agenda words them in Spanish ("Other" is left untranslated: an export
# may translate some roles only).
ROLES_ES = {"SRT chair": "Presidencia de la SRT", "SRT member": "Integrante de la SRT"}


@dataclass
class TableSpec:
    name: str
    roles: dict[str, int]  # participants by role
    themes: list[tuple[str, list[str], list[str]]]  # title, strategy ids, answers
    ballots: list[tuple[str, ...]] = field(default_factory=list)  # theme titles, first first
    picks: int = 3
    ranked: bool = True
    voted: bool = True  # False: no vote round at all

    @property
    def participants(self) -> int:
        return sum(self.roles.values())


TABLES = [
    TableSpec(
        "North",
        {"SRT chair": 1, "SRT member": 3},
        [
            ("Childcare", [A], ["Fund childcare near training sites", "Evening childcare"]),
            ("Transit", [T], ["Bus routes to the industrial parks"]),
            ("Training", [W], ["More apprenticeships"]),
            ("Meetings", [], ["Monthly meetings built trust"]),
        ],
        [
            ("Childcare", "Transit", "Meetings"),
            ("Childcare", "Meetings", "Training"),
            ("Transit", "Childcare", "Meetings"),
            ("Meetings", "Childcare", "Transit"),
        ],
    ),
    TableSpec(
        "South",
        {"Backbone organization": 1, "SRT member": 1},
        [
            ("Cuidado infantil", [A], ["Guarderías cerca de los centros de capacitación"]),
            ("Small business and housing", [E, H], ["Loans for small landlords"]),
            ("Youth jobs", [W], ["Summer jobs for teenagers"]),
        ],
        [
            ("Cuidado infantil", "Small business and housing", "Youth jobs"),
            ("Small business and housing", "Cuidado infantil", "Youth jobs"),
        ],
    ),
    TableSpec(
        "East",
        {"SRT member": 6},
        [("Childcare", [A], ["Childcare for shift workers"]), ("Parks", [], ["More parks"])],
        [],
    ),
    TableSpec(
        "West",
        {"SRT member": 2, "Other": 1},
        [
            ("Transit", [T], ["Night buses"]),
            ("Childcare", [A], ["Daycare at the college"]),
            ("Housing", [H], ["Rents near jobs are too high"]),
        ],
        [("Transit", "Housing"), ("Transit", "Childcare"), ("Housing", "Transit")],
        picks=2,
        ranked=False,
    ),
    TableSpec(
        "Desert",
        {"SRT chair": 1, "SRT member": 4},
        [
            ("Child care access", [A], ["Affordable daycare for workers"]),
            ("Bus routes", [T], ["More buses to job centers"]),
            ("Mentoring", [E], ["Mentors for new businesses"]),
        ],
        [
            ("Bus routes", "Child care access", "Mentoring"),
            ("Child care access", "Bus routes", "Mentoring"),
        ],
    ),
    TableSpec(
        "Mountain",
        {"SRT member": 9, "SRT chair": 1},
        [
            ("Housing near jobs", [H], ["Employers could help with housing"]),
            ("Local hiring", [W], ["Hire from the mountain towns"]),
            ("Arts and culture", [], ["Support local artists"]),
        ],
        [
            ("Housing near jobs", "Arts and culture", "Local hiring"),
            ("Arts and culture", "Housing near jobs", "Local hiring"),
        ],
    ),
]


def borda(spec: TableSpec) -> dict[str, tuple[int, int, int]]:
    """(points, first choices, ballots naming) per theme title: this file's own count."""
    counts = {title: [0, 0, 0] for title, _, _ in spec.themes}
    for ballot in spec.ballots:
        for position, title in enumerate(ballot):
            counts[title][0] += spec.picks - position if spec.ranked else 1
            counts[title][1] += 1 if spec.ranked and position == 0 else 0
            counts[title][2] += 1
    return {title: tuple(values) for title, values in counts.items()}


def export_of(
    spec: TableSpec,
    workshop_id: int,
    server_id: str = "0f" * 16,
    created_at: str = "2024-09-10T16:00:00Z",
    session_title: str = "Thrive Inland SoCal Subregional Table Retrospective - September 2024",
) -> dict:
    """The table's results export, as `workshop export --format json` writes one."""
    counts = borda(spec)
    ids = {title: n for n, (title, _, _) in enumerate(spec.themes, start=1)}
    responses, themes_out = [], []
    order = sorted(ids, key=lambda t: (-counts[t][0], -counts[t][1], -counts[t][2]))
    keys = [(-counts[t][0], -counts[t][1], -counts[t][2]) for t in order]
    for index, title in enumerate(order):
        strategies, answers = next((s, a) for t, s, a in spec.themes if t == title)
        rank = keys.index(keys[index]) + 1
        response_ids = []
        for answer in answers:
            response_ids.append(len(responses) + 1)
            responses.append(_response(len(responses) + 1, answer, ids[title], title))
        themes_out.append(
            {
                "rank": rank if spec.voted else None,
                "tied": keys.count(keys[index]) > 1 if spec.voted else False,
                "title": title,
                "description": "",
                "source": "theme",
                "candidate_id": 100 + ids[title] if spec.voted else None,
                "theme_id": ids[title],
                "points": counts[title][0] if spec.voted else None,
                "first_choices": counts[title][1] if spec.voted else None,
                "ballots": counts[title][2] if spec.voted else None,
                "response_count": len(answers),
                "strategies": [{"id": s, "name": NAMES[s]} for s in strategies],
                "questions": [
                    {
                        "prompt_id": QUESTION[0],
                        "question": QUESTION[1],
                        "response_ids": response_ids,
                    }
                ],
            }
        )
    return {
        "schema_version": 1,
        "generated_at": "2024-09-10T18:00:00Z",
        "audience": "facilitator",
        "names_included": False,
        "workshop": {
            "id": workshop_id,
            "title": session_title,
            "agenda_id": "thrive-srt-retrospective",
            "purpose": "",
            "status": "ended",
            "created_at": created_at,
            "started_at": created_at,
            "ended_at": "2024-09-10T17:30:00Z",
        },
        "vote": _vote(spec, ids) if spec.voted else None,
        "themes": themes_out,
        "responses": responses,
        "participation": _participation(spec, responses),
        "agenda_run": [],
        "source": {"server_id": server_id},
        "plan": [_plan_row(s) for s in PLAN_ORDER],
    }


def _response(number: int, text: str, theme_id: int, theme_title: str) -> dict:
    return {
        "id": number,
        "prompt_id": QUESTION[0],
        "question": QUESTION[1],
        "segment_id": "retrospective",
        "segment_title": "Retrospective Questions",
        "text": text,
        "theme_id": theme_id,
        "theme_title": theme_title,
        "strategy": None,
        "created_at": "2024-09-10T16:20:00Z",
        "participant": 1,
        "role": "SRT member",
        "paper": False,
        "hidden": False,
    }


def _vote(spec: TableSpec, ids: dict[str, int]) -> dict:
    ballots = sorted([100 + ids[t] for t in ballot] for ballot in spec.ballots)
    return {
        "round": 1,
        "status": "closed",
        "picks": spec.picks,
        "ranked": spec.ranked,
        "opened_at": "2024-09-10T17:00:00Z",
        "closed_at": "2024-09-10T17:10:00Z",
        "ballots_cast": len(ballots),
        "ballots": [{"number": n, "picks": p} for n, p in enumerate(ballots, start=1)],
    }


def _participation(spec: TableSpec, responses: list[dict]) -> dict:
    return {
        "participants": spec.participants,
        "paper": 0,
        "responding": 1 if responses else 0,
        "ballots_cast": len(spec.ballots) if spec.voted else None,
        "by_role": [
            {"role": role, "participants": count, "paper": 0, **_role_es(role)}
            for role, count in spec.roles.items()
        ],
        "per_question": [
            {
                "prompt_id": QUESTION[0],
                "question": QUESTION[1],
                "segment_id": "retrospective",
                "segment_title": "Retrospective Questions",
                "responses": len(responses),
                "hidden": 0,
                "translations": {
                    "es": {"question": QUESTION_ES, "segment_title": "Preguntas retrospectivas"}
                },
            }
        ],
    }


def _plan_row(strategy_id: str) -> dict:
    translations = {"es": {"name": SPANISH.get(strategy_id, ""), "pillar": ""}}
    return {
        "id": strategy_id,
        "name": NAMES[strategy_id],
        "pillar": PILLARS.get(strategy_id, MOBILITY),
        "framework": "rep",
        "translations": translations if strategy_id in SPANISH else {},
    }


def export_bytes(spec: TableSpec, workshop_id: int, **kwargs) -> bytes:
    return json.dumps(export_of(spec, workshop_id, **kwargs)).encode()


def six_exports(server_id: str = "0f" * 16) -> dict[str, bytes]:
    """The six tables' export files, by table name (sessions 11 to 16 of one server)."""
    return {
        spec.name: export_bytes(spec, 11 + n, server_id=server_id) for n, spec in enumerate(TABLES)
    }


def _role_es(role: str) -> dict:
    return {"translations": {"es": ROLES_ES[role]}} if role in ROLES_ES else {}
