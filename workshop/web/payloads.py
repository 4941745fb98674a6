"""What each audience receives: the payloads of the state, answers, counts, themes, the
vote and its tally, built from the database as plain dicts. `broadcast` sends them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, select

from workshop import themes, voting
from workshop.agenda.model import Agenda
from workshop.extensions import db
from workshop.live import participants, timing, workshops
from workshop.models import Candidate, Participant, Response, VoteRound, Workshop

# The three audiences: phones, facilitators' pages, the projector.
PARTICIPANTS, FACILITATORS, SCREENS = "participants", "facilitators", "screens"


def epoch_ms(moment: datetime | None) -> int | None:
    return round(moment.timestamp() * 1000) if moment is not None else None


def state_payload(workshop: Workshop, now: datetime) -> dict[str, Any]:
    """Where the session is and how its timer stands, as every audience may see it."""
    agenda = workshops.agenda_of(workshop)
    timer = timing.view(workshop, agenda, now)
    segment = timing.current_segment(workshop, agenda)
    return {
        "code": workshop.code,
        "version": workshop.version,
        "status": timer.status,
        "segment": _segment_summary(segment, workshop.segment_index) if segment else None,
        "segment_count": len(agenda.segments),
        "timer": {
            "running": timer.status == "running",
            "remaining": timer.remaining_seconds,
            "ends_at": epoch_ms(timer.ends_at),
            "grace": timer.grace_seconds,
            "phase": timer.phase,
        },
        "server_now": epoch_ms(now),
    }


def _segment_summary(segment, index: int) -> dict[str, Any]:
    return {
        "index": index,
        "id": segment.id,
        "kind": segment.kind,
        "title": segment.title,
        "planned": segment.duration.planned_seconds,
        "limit": segment.duration.limit_seconds,
        "prompt_ids": [prompt.id for prompt in segment.prompts],
    }


def counts_payload(workshop_id: int) -> dict[str, Any]:
    return {
        "participants": workshops.participant_count(db.session, workshop_id),
        "responses": workshops.response_counts(db.session, workshop_id),
    }


def own_response_payload(response: Response) -> dict[str, Any]:
    return {
        "id": response.id,
        "client_id": response.client_id,
        "prompt_id": response.prompt_id,
        "text": response.text,
        "strategy_id": response.strategy_id,
    }


def facilitator_response_payload(
    response: Response, participant: Participant, agenda: Agenda
) -> dict[str, Any]:
    who = participants.display_label(participant, with_name=_asks_names(agenda))
    return _facilitator_payload(response, who)


def _facilitator_payload(response, who: participants.Label) -> dict[str, Any]:
    """An answer as facilitators see it, from a `Response` or a row with the same columns.
    `participant` is the label in English (as in the downloads); `who` is what it is made of,
    for pages to write it in their reader's language (`i18n.participant_labeller`)."""
    return {
        **own_response_payload(response),
        "segment_id": response.segment_id,
        "theme_id": response.theme_id,
        "hidden": response.hidden,
        "deleted": response.deleted_at is not None,
        "participant": who.text(),
        "who": who.as_dict(),
        "created_at": epoch_ms(response.created_at),
    }


def _asks_names(agenda: Agenda) -> bool:
    return any(q.id == "name" for q in agenda.join_questions)


def facilitator_responses(workshop: Workshop) -> list[dict[str, Any]]:
    """Every answer in the workshop as facilitators see it, oldest first. Read as plain rows:
    the console and the board ask for thousands at once, and building ORM objects for each
    cost more than the rest of the page together."""
    asks_names = _asks_names(workshops.agenda_of(workshop))
    rows = db.session.execute(_FACILITATOR_RESPONSES, {"workshop_id": workshop.id})
    return [
        _facilitator_payload(
            row, participants.label_of(row.number, row.name, row.is_paper, with_name=asks_names)
        )
        for row in rows
    ]


_FACILITATOR_RESPONSES = (
    select(
        Response.id,
        Response.client_id,
        Response.prompt_id,
        Response.text,
        Response.strategy_id,
        Response.segment_id,
        Response.theme_id,
        Response.hidden,
        Response.deleted_at,
        Response.created_at,
        Participant.number,
        Participant.name,
        Participant.is_paper,
    )
    .join(Participant, Participant.id == Response.participant_id)
    .where(Response.workshop_id == bindparam("workshop_id"), Response.deleted_at.is_(None))
    .order_by(Response.created_at, Response.id)
)


def board_payload(workshop: Workshop) -> dict[str, Any]:
    """The facilitators' board: every theme and where every answer sits."""
    listed = [
        {**summary.__dict__, "strategy_ids": list(summary.strategy_ids)}
        for summary in themes.summaries(db.session, workshop)
    ]
    query = select(Response.id, Response.theme_id).where(
        Response.workshop_id == workshop.id, Response.deleted_at.is_(None)
    )
    return {
        "themes": listed,
        "assignments": {str(rid): tid for rid, tid in db.session.execute(query)},
    }


def themes_payload(workshop_id: int) -> dict[str, Any]:
    """Themes as the room sees them: titles and how many visible answers, nothing else."""
    workshop = db.session.get(Workshop, workshop_id)
    listed = themes.summaries(db.session, workshop)
    return {
        "themes": [
            {
                "id": t.id,
                "title": t.title,
                "title_es": t.title_es,
                "description": t.description,
                "count": t.count,
            }
            for t in listed
        ]
    }


def vote_payload(workshop: Workshop, audience: str) -> dict[str, Any]:
    """The latest round as an audience may see it; results once it is closed."""
    return vote_payloads(workshop, (audience,))[audience]


def vote_payloads(workshop: Workshop, audiences) -> dict[str, dict[str, Any]]:
    """`vote_payload` for each of `audiences`, from one read of the round, its candidates, its
    counts and its tally (a vote opened, closed or hidden goes to three audiences at once)."""
    vote_round = voting.latest_round(db.session, workshop)
    if vote_round is None:
        return {audience: {"round": None} for audience in audiences}
    listed = voting.candidates(db.session, vote_round)
    counted = _counted(workshop.id, vote_round, listed, with_rows=True)
    return {
        audience: {
            "round": round_payload(vote_round, audience, listed, counted.rows),
            "tally": round_tally_payload(workshop.id, vote_round, audience, listed, counted),
        }
        for audience in audiences
    }


@dataclass(frozen=True)
class Counted:
    """A round's ballots, the participants present and the ranked rows, read once."""

    ballots: int
    participants: int
    rows: list[dict[str, Any]] | None  # None: not counted (a tally hidden from its reader)


def _counted(workshop_id: int, vote_round: VoteRound, listed, with_rows: bool) -> Counted:
    rows = None
    if with_rows:
        rows = tally_rows(vote_round, listed or voting.candidates(db.session, vote_round))
    return Counted(
        voting.ballot_count(db.session, vote_round),
        workshops.participant_count(db.session, workshop_id),
        rows,
    )


def round_payload(vote_round: VoteRound, audience: str, listed=None, rows=None) -> dict[str, Any]:
    """A round, its candidates and (once closed, or for facilitators) its results: the vote
    without the running tally, which a phone's page never shows. `rows`: its tally rows, if
    already counted."""
    listed = listed if listed is not None else voting.candidates(db.session, vote_round)
    body = {
        "id": vote_round.id,
        "number": vote_round.number,
        "is_open": vote_round.is_open,
        "picks": vote_round.picks,
        "ranked": vote_round.ranked,
        "hide_tally": vote_round.hide_tally,
        "candidates": [
            {"id": c.id, "title": c.title, "description": c.description, "theme_id": c.theme_id}
            for c in listed
        ],
    }
    if not vote_round.is_open or audience == FACILITATORS:
        body["results"] = rows if rows is not None else tally_rows(vote_round, listed)
    return body


def named_for_reader(vote: dict[str, Any], agenda: Agenda, lang: str = "") -> dict[str, Any]:
    """`vote_payload` with candidates named for the reader: the plan's strategies as `agenda`
    (the reader's localized agenda) names them, and, for a reader of Spanish (`lang`), themes
    by the Spanish title they had when the round opened. Fixed lists are the room's words."""
    body = vote.get("round")
    if not body:
        return vote
    names = _reader_names(body["id"], agenda, lang)
    if not names:
        return vote

    def renamed(rows: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
        return [_renamed(row, names.get(row[key])) for row in rows]

    body = {**body, "candidates": renamed(body["candidates"], "id")}
    if "results" in body:
        body["results"] = renamed(body["results"], "candidate_id")
    tally = vote.get("tally") or {}
    if "rows" in tally:
        tally = {**tally, "rows": renamed(tally["rows"], "candidate_id")}
    return {**vote, "round": body, "tally": tally}


def _reader_names(round_id: int, agenda: Agenda, lang: str) -> dict[int, tuple[str, str | None]]:
    """{candidate id: (title, description or None to keep it)} for the candidates a reader
    names otherwise."""
    query = select(Candidate.id, Candidate.strategy_id, Candidate.title_es).where(
        Candidate.round_id == round_id
    )
    plan = {s.id: s for f in agenda.frameworks for s in f.strategies()}
    spanish = lang.startswith("es")
    names: dict[int, tuple[str, str | None]] = {}
    for cid, strategy_id, title_es in db.session.execute(query):
        if strategy_id in plan:
            names[cid] = (plan[strategy_id].name, plan[strategy_id].description)
        elif spanish and title_es:
            names[cid] = (title_es, None)
    return names


def _renamed(row: dict[str, Any], name: tuple[str, str | None] | None) -> dict[str, Any]:
    if name is None:
        return row
    title, description = name
    row = {**row, "title": title}
    return (
        {**row, "description": description}
        if description is not None and "description" in row
        else row
    )


def tally_rows(vote_round: VoteRound, listed: list[Candidate]) -> list[dict[str, Any]]:
    """The ranking with each candidate's title and, for a theme, the Spanish title it had when
    the round opened (`""` if none): one tally goes to every screen, whatever its language."""
    by_id = {c.id: c for c in listed}
    return [
        {
            **row.__dict__,
            "title": by_id[row.candidate_id].title,
            "title_es": by_id[row.candidate_id].title_es,
        }
        for row in voting.round_tally(db.session, vote_round, [c.id for c in listed])
    ]


def tally_payload(
    workshop: Workshop, audience: str, vote_round: VoteRound | None = None, listed=None
) -> dict[str, Any]:
    """Ballots cast out of participants present, and the bars unless they are hidden from the room."""
    vote_round = vote_round or voting.latest_round(db.session, workshop)
    return round_tally_payload(workshop.id, vote_round, audience, listed)


def round_tally_payload(
    workshop_id: int,
    vote_round: VoteRound | None,
    audience: str,
    listed=None,
    counted: Counted | None = None,
) -> dict[str, Any]:
    """`tally_payload` of a round already read (the coalesced broadcast reads no session);
    `counted`: its counts and rows, if already read."""
    if vote_round is None:
        return {"round_id": None}
    hidden = vote_round.hide_tally and vote_round.is_open
    shows_rows = audience == FACILITATORS or not hidden
    counted = counted or _counted(workshop_id, vote_round, listed, with_rows=shows_rows)
    body: dict[str, Any] = {
        "round_id": vote_round.id,
        "ballots": counted.ballots,
        "participants": counted.participants,
        "hidden": hidden,
    }
    if shows_rows:
        body["rows"] = counted.rows
    return body
