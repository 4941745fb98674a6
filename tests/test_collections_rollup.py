"""The roll-up's ranking and matrix against a recount done by hand, under both weightings.

Six tables (tests/collections_support.py) are imported as results exports into a collection.
Every expected number below is worked out by hand from the tables' ballots; the arithmetic is
in the comments, in 24ths of a table's points (each voting table there casts 24ths: 24, 12 or 6
points in all).

Points per theme (Borda: 3 ranked picks give 3, 2, 1; West's dots give 1 per pick):
- North: Childcare 3+3+2+2 = 10, Transit 2+3+1 = 6, Meetings 1+2+1+3 = 7, Training 1;
  total 24 (4 ballots x 6).
- South: Cuidado infantil 3+2 = 5, Small business and housing 2+3 = 5 (tied: one first
  choice each), Youth jobs 1+1 = 2; total 12.
- East: a vote with no ballot: no points, not counted.
- West: Transit 3, Housing 2, Childcare 1; total 6 (3 ballots x 2 dots).
- Desert: Bus routes 3+2 = 5, Child care access 2+3 = 5 (tied), Mentoring 1+1 = 2; total 12.
- Mountain: Housing near jobs 3+2 = 5, Arts and culture 2+3 = 5, Local hiring 1+1 = 2; 12.

Shares of each table's points, in 24ths (a theme serving two strategies gives each half):
            North  South       West  Desert  Mountain
childcare   10/24  10/24       4/24  10/24   0
transport    6/24   0         12/24  10/24   0
workforce    1/24   4/24       0      0      4/24
entrepren.   0      5/24 (½)   0      4/24   0
housing      0      5/24 (½)   8/24   0     10/24
"""

from __future__ import annotations

from fractions import Fraction as F

import pytest
from collections_support import CYBER, A, E, H, T, W, six_exports

from workshop import clock
from workshop.collections import members, regional, store
from workshop.collections.build import build_rollup
from workshop.collections.model import EQUAL, PARTICIPANTS
from workshop.extensions import db
from workshop.models import Facilitator

TABLE_ORDER = ["Desert", "East", "Mountain", "North", "South", "West"]  # same date: by name


@pytest.fixture
def region(app):
    """A collection holding the six tables, imported from their export files."""
    with app.app_context():
        owner = Facilitator(email="backbone@example.org", password_hash="x")
        db.session.add(owner)
        db.session.flush()
        collection = store.create_collection(
            db.session, owner.id, "SRT retrospectives", clock.now()
        )
        for name, data in six_exports().items():
            members.import_export(
                db.session,
                collection,
                data,
                f"{name}.json",
                clock.now(),
                members.TableDetails(name=name),
            )
        db.session.commit()
        yield collection


def test_tables_are_in_date_then_name_order(region):
    rollup = build_rollup(db.session, region, clock.now())
    assert [t.name for t in rollup.tables] == TABLE_ORDER
    assert [t.name for t in rollup.quiet_tables] == ["East"]


def test_each_table_counting_equally(region):
    rollup = build_rollup(db.session, region, clock.now(), EQUAL)
    scores = {item.key: item.scores[EQUAL] for item in rollup.strategies}
    # Mean over the five tables that voted (East held no ballot):
    # childcare (10+10+4+10+0)/24/5 = 34/120; transport (6+0+12+10+0)/24/5 = 28/120;
    # housing (0+5+8+0+10)/24/5 = 23/120; workforce (1+4+0+0+4)/24/5 = 9/120;
    # entrepreneurial (0+5+0+4+0)/24/5 = 9/120.
    assert scores[A].value == F(34, 120)
    assert scores[T].value == F(28, 120)
    assert scores[H].value == F(23, 120)
    assert scores[W].value == F(9, 120)
    assert scores[E].value == F(9, 120)
    # Workforce and entrepreneurial tie on score; neither is first anywhere (first at 0 and 0),
    # workforce is named by three tables (North, South, Mountain), entrepreneurial by two
    # (South, Desert): workforce comes first, and they are not shown as tied.
    assert [item.key for item in rollup.strategies] == [A, T, H, W, E, CYBER]
    assert [scores[k].rank for k in (A, T, H, W, E)] == [1, 2, 3, 4, 5]
    assert not scores[W].tied and not scores[E].tied
    assert scores[CYBER].rank is None and scores[CYBER].value == 0
    [tie] = [note for note in rollup.ties if note.weighting == EQUAL]
    assert tie.names[0].startswith("Robust regional") and tie.decided_by == "named"


def test_weighting_by_participants(region):
    rollup = build_rollup(db.session, region, clock.now(), PARTICIPANTS)
    scores = {item.key: item.scores[PARTICIPANTS] for item in rollup.strategies}
    # Weights: North 4, South 2, West 3, Desert 5, Mountain 10 (East left out): 24 in all.
    # housing (0*4 + 5*2 + 8*3 + 0*5 + 10*10)/24/24 = 134/576
    # childcare (10*4 + 10*2 + 4*3 + 10*5 + 0*10)/24/24 = 122/576
    # transport (6*4 + 0*2 + 12*3 + 10*5 + 0)/24/24 = 110/576
    # workforce (1*4 + 4*2 + 0 + 0 + 4*10)/24/24 = 52/576
    # entrepreneurial (0 + 5*2 + 0 + 4*5 + 0)/24/24 = 30/576
    assert scores[H].value == F(134, 576)
    assert scores[A].value == F(122, 576)
    assert scores[T].value == F(110, 576)
    assert scores[W].value == F(52, 576)
    assert scores[E].value == F(30, 576)
    assert [item.key for item in rollup.strategies] == [H, A, T, W, E, CYBER]
    assert not [note for note in rollup.ties if note.weighting == PARTICIPANTS]


def test_matrix_cells_are_each_tables_shares_and_ranks(region):
    rollup = build_rollup(db.session, region, clock.now())
    column = {name: index for index, name in enumerate(TABLE_ORDER)}
    cells = {item.key: item.cells for item in rollup.strategies}

    def cell(strategy, table):
        found = cells[strategy][column[table]]
        return None if found is None else (found.points, found.share, found.rank)

    # North: childcare 10 of 24 (first), transport 6 (second), workforce 1 (third).
    assert cell(A, "North") == (10, F(10, 24), 1)
    assert cell(T, "North") == (6, F(6, 24), 2)
    assert cell(W, "North") == (1, F(1, 24), 3)
    assert cell(H, "North") == (0, 0, None)
    # South: "Small business and housing" (5 points) gives 5/2 to each of its strategies,
    # which tie for second behind childcare (5 of 12).
    assert cell(A, "South") == (5, F(5, 12), 1)
    assert cell(E, "South") == (F(5, 2), F(5, 24), 2)
    assert cell(H, "South") == (F(5, 2), F(5, 24), 2)
    assert cell(W, "South") == (2, F(2, 12), 4)
    # East held no ballot: no cell at all.
    assert all(cells[key][column["East"]] is None for key in cells)
    # West's dots: transport 3 of 6, housing 2, childcare 1.
    assert [cell(k, "West") for k in (T, H, A)] == [
        (3, F(1, 2), 1),
        (2, F(1, 3), 2),
        (1, F(1, 6), 3),
    ]
    # Desert's tie at the top: childcare and transport 5 of 12 each, both first.
    assert cell(A, "Desert") == cell(T, "Desert") == (5, F(5, 12), 1)
    assert cell(E, "Desert") == (2, F(2, 12), 3)
    # Mountain: housing 5 of 12; "Arts and culture" (5) serves no strategy.
    assert cell(H, "Mountain") == (5, F(5, 12), 1)
    assert cell(W, "Mountain") == (2, F(2, 12), 2)
    # Tables putting each first: childcare North, South, Desert; transport West, Desert;
    # housing Mountain.
    first = {item.key: item.first_at for item in rollup.strategies}
    assert (first[A], first[T], first[H], first[W], first[E]) == (3, 2, 1, 0, 0)


def test_what_is_not_in_the_plan(region):
    rollup = build_rollup(db.session, region, clock.now())
    found = [(TABLE_ORDER[o.table_index], o.theme.title, o.share) for o in rollup.off_plan]
    # Mountain's "Arts and culture" 5 of 12 = 10/24, North's "Meetings" 7 of 24. East's
    # "Parks" got no points: not prioritized.
    assert found == [("Mountain", "Arts and culture", F(5, 12)), ("North", "Meetings", F(7, 24))]


def test_regional_theme_ranked_like_a_strategy(region):
    themes = {}
    for table in build_rollup(db.session, region, clock.now()).tables:
        for theme in table.snapshot.themes:
            themes[(table.name, theme.title)] = (table.member_id, theme.theme_id)
    known = set(themes.values())
    care = [("North", "Childcare"), ("South", "Cuidado infantil"), ("East", "Childcare")]
    regional.make_group(
        db.session, region, [themes[k] for k in care], "Childcare", known, clock.now()
    )
    buses = [("West", "Transit"), ("Desert", "Bus routes")]
    regional.make_group(
        db.session, region, [themes[k] for k in buses], "Transit", known, clock.now()
    )
    db.session.commit()
    rollup = build_rollup(db.session, region, clock.now())
    entries = {entry.item.name: entry for entry in rollup.regional}
    # Childcare: North 10/24, South 10/24, nothing at West, Desert, Mountain (their childcare
    # themes are not in it): (10+10)/24/5 = 20/120. Transit: West 12/24, Desert 10/24:
    # 22/120. Transit first.
    assert [entry.item.name for entry in rollup.regional] == ["Transit", "Childcare"]
    assert entries["Childcare"].item.scores[EQUAL].value == F(20, 120)
    assert entries["Transit"].item.scores[EQUAL].value == F(22, 120)
    # Its rank at every table: the table's own rank of its theme; East held no ballot.
    assert [TABLE_ORDER[i] for i, _ in entries["Childcare"].members] == ["East", "North", "South"]
    ranks = [cell and cell.rank for cell in entries["Childcare"].item.cells]
    assert ranks == [None, None, None, 1, 1, None]  # Desert, East, Mountain, North, South, West
    assert entries["Childcare"].item.cells[TABLE_ORDER.index("East")] is None
