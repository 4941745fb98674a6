"""Results: the ranking, the themes with their responses, participation and the agenda as it
ran, as facilitators and share-link holders see them; checked against an independent recount
of the database and against the results page."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from html import unescape
from types import SimpleNamespace

import pytest
from conftest import BUNDLED_AGENDAS
from results_support import (
    DELETED_TEXT,
    EXPECTED,
    FORMULAS,
    HIDDEN_TEXT,
    NAME,
    PAPER_TEXT,
    XSS,
    build_reference_session,
    recount,
)
from room import DOTS, open_room

from workshop import clock
from workshop.agenda.library import read_agenda_file
from workshop.extensions import db
from workshop.models import Workshop
from workshop.results.build import agenda_run, build_results
from workshop.results.model import FACILITATOR, SHARED


@pytest.fixture
def room(tmp_path):
    with open_room(tmp_path) as room:
        yield room


@pytest.fixture
def ref(room):
    return build_reference_session(room)


def results_of(room, session, audience=FACILITATOR):
    with room.app.app_context():
        workshop = db.session.get(Workshop, session.id)
        return build_results(db.session, workshop, clock.now(), audience)


def ranking(results) -> list[tuple]:
    return [
        (t.title, t.rank, t.points, t.first_choices, t.ballots)
        for t in results.themes
        if t.rank is not None
    ]


def text_of(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).split())


# -- the value --------------------------------------------------------------------------------


def test_the_ranking_agrees_with_an_independent_recount(ref):
    results = results_of(ref.room, ref.session)
    assert ranking(results) == recount(ref.room, ref.session)["ranking"] == EXPECTED
    assert results.vote.round_number == 1 and not results.vote.is_open
    assert len(results.vote.ballots) == results.participation.ballots_cast == 5
    assert results.status == "ended"


def test_each_theme_holds_its_responses_by_question_and_the_strategies_it_serves(ref):
    themes = {t.title: t for t in results_of(ref.room, ref.session).themes}
    stored = recount(ref.room, ref.session)["responses"]
    for title, theme in themes.items():
        listed = {r.text for group in theme.questions for r in group.responses}
        assert listed == {text for text, row in stored.items() if row["theme"] == title}
        for group in theme.questions:
            assert {r.prompt_id for r in group.responses} == {group.prompt_id}
    relationships = [g.prompt_id for g in themes["Relationships"].questions]
    assert relationships == ["worked_well", "do_differently"]  # agenda order
    assert [s.name for s in themes["Shared information"].strategies] == ["Cybersecurity"]
    assert [s.id for s in themes["Childcare"].strategies] == ["education-workforce-ecosystem"]
    later = themes["Later idea"]
    assert (later.rank, later.points, later.response_count) == (None, None, 1)
    assert list(themes)[-1] == "Later idea"  # not voted on: after the ranking


def test_participation_counts_roles_paper_and_responses_per_question(ref):
    part = results_of(ref.room, ref.session).participation
    counted = recount(ref.room, ref.session)["participation"]
    assert (part.participants, part.paper) == (counted["participants"], counted["paper"]) == (5, 1)
    assert {r.role: r.participants for r in part.by_role} == counted["by_role"]
    assert [r.role for r in part.by_role] == [
        "Backbone organization", "SRT chair", "SRT member", "Other"
    ]  # fmt: skip
    assert {r.role: r.paper for r in part.by_role}["Other"] == 1
    per_question = {q.prompt_id: q.responses for q in part.per_question}
    assert {k: v for k, v in per_question.items() if v} == counted["per_question"]
    assert per_question["success_looks_like"] == 0  # every question is listed
    assert {q.prompt_id: q.hidden for q in part.per_question}["worked_well"] == 1


def test_paper_participants_are_marked_on_their_responses(ref):
    (paper,) = [r for r in results_of(ref.room, ref.session).responses if r.paper]
    assert (paper.text, paper.role, paper.participant) == (PAPER_TEXT, "Other", 5)


def test_hidden_responses_are_marked_for_facilitators_and_left_out_of_shared_results(ref):
    mine = results_of(ref.room, ref.session)
    shared = results_of(ref.room, ref.session, SHARED)
    assert [r.text for r in mine.hidden] == [HIDDEN_TEXT]
    assert HIDDEN_TEXT not in {r.text for r in shared.responses}
    assert all(q.hidden is None for q in shared.participation.per_question)
    for results in (mine, shared):
        assert DELETED_TEXT not in {r.text for r in results.responses}
        assert ranking(results) == EXPECTED


def test_names_only_for_facilitators_and_only_when_the_agenda_asks(ref, room):
    mine = results_of(ref.room, ref.session)
    assert mine.names_included
    assert {r.name for r in mine.responses if r.participant == 1} == {NAME}
    shared = results_of(ref.room, ref.session, SHARED)
    assert not shared.names_included
    assert {r.name for r in shared.responses} == {None}
    dots = room.facilitator().start(DOTS)  # asks roles, not names
    assert not results_of(room, dots).names_included


def test_an_open_vote_gives_a_live_tally(room):
    ref = build_reference_session(room, close_vote=False)
    results = results_of(room, ref.session)
    assert results.vote.is_open and results.status == "live"
    assert ranking(results) == EXPECTED


def test_a_tally_hidden_from_the_room_stays_hidden_from_share_links(room):
    host = room.facilitator()
    session = host.start(DOTS)
    phone = room.phone(session, role="Member")
    host.go_to(session, 1)
    assert host.vote(session, "open", source="fixed").status_code == 302
    (stored,) = room.rounds(session)
    phone.ballot(stored["id"], stored["candidates"]["Transit"], stored["candidates"]["Housing"])
    mine, shared = results_of(room, session), results_of(room, session, SHARED)
    assert [t.title for t in mine.themes[:2]] == ["Transit", "Housing"]
    assert {t.source for t in mine.themes} == {"option"}
    assert (shared.vote, shared.themes, shared.participation.ballots_cast) == (None, (), None)
    host.vote(session, "close", round_id=str(stored["id"]))
    assert ranking(results_of(room, session, SHARED)) == ranking(results_of(room, session))


def test_no_vote_yet_lists_the_themes_unranked(room):
    host = room.facilitator()
    session = host.start()
    assert results_of(room, session).status == "not started"
    host.go_to(session, 1)
    host.board(session, "create", new_title="Early theme")
    results = results_of(room, session)
    assert results.vote is None and [t.title for t in results.themes] == ["Early theme"]


def test_the_agenda_as_run_sums_each_segments_time_on_screen():
    agenda = read_agenda_file(BUNDLED_AGENDAS / "thrive-srt-retrospective.toml")
    start = datetime(2026, 9, 12, 17, 0, tzinfo=UTC)

    def run(index, begin, end):
        ended = start + timedelta(minutes=end) if end is not None else None
        return SimpleNamespace(
            segment_index=index, started_at=start + timedelta(minutes=begin), ended_at=ended
        )

    runs = [run(0, 0, 6), run(1, 6, 16), run(0, 16, 17.5), run(1, 17.5, None)]
    timings = agenda_run(agenda, runs, until=start + timedelta(minutes=21.5))
    assert [(t.planned_minutes, t.limit_minutes) for t in timings] == [
        (5, 5), (10, 15), (10, 15), (5, 10)
    ]  # fmt: skip
    assert [t.actual_minutes for t in timings] == [7.5, 14.0, None, None]
    assert [t.runs for t in timings] == [2, 2, 0, 0]


# -- the page ---------------------------------------------------------------------------------


def test_the_results_page_agrees_with_the_results(ref):
    page = ref.host.page(f"/facilitator/w/{ref.session.id}/results")
    bars = re.search(r"<ol [^>]*data-ranking>(.*?)</ol>", page, re.S).group(1)
    shown = [text_of(item) for item in re.findall(r"<li[^>]*>(.*?)</li>", bars, re.S)]
    assert shown == [
        "1. Relationships 10 points · 2 first choices · 4 ballots",
        "2. Childcare 7 points · 2 first choices · 3 ballots",
        "3. Shared information 5 points · 1 first choice · 2 ballots",
    ]
    assert re.search(r'<meter min="0" max="10" value="7" aria-label="Childcare: 7 points"', page)
    participation = text_of(re.search(r"<p data-participation>(.*?)</p>", page, re.S).group(1))
    assert (
        participation == "5 participants (1 on paper) · 5 answered at least once · 5 ballots cast"
    )
    roles = text_of(re.search(r"<ul [^>]*data-roles>(.*?)</ul>", page, re.S).group(1))
    assert roles == "Backbone organization 1 SRT chair 1 SRT member 2 Other 1 (1 on paper)"
    assert "Final results." in page and "Robust regional education" in page
    assert text_of(page).count("Participant 5 (paper)") == 1


def test_the_results_page_shows_user_text_as_text(ref):
    ref.host.board(ref.session, "create", new_title='<img src=x onerror="alert(2)">')
    page = ref.host.page(f"/facilitator/w/{ref.session.id}/results")
    assert "<script>alert(1)</script>" not in page and "<img src=x" not in page
    assert XSS.replace("<", "&lt;").replace(">", "&gt;") in page
    assert "&lt;img src=x onerror=&#34;alert(2)&#34;&gt;" in page
    assert FORMULAS[0].replace('"', "&#34;") in page


def test_the_page_prints_as_a_report(ref):
    page = ref.host.page(f"/facilitator/w/{ref.session.id}/results")
    found = re.search(
        r'<link rel="stylesheet" href="(/static/css/print\.\w+\.css)" media="print">', page
    )
    with ref.host.get(found.group(1)) as stylesheet:
        assert stylesheet.status_code == 200 and "@page" in stylesheet.text


def test_the_console_links_to_the_results(ref):
    console = ref.host.page(f"/facilitator/w/{ref.session.id}")
    assert f'href="/facilitator/w/{ref.session.id}/results"' in console
    assert "Results and downloads" in console
