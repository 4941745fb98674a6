"""The one module that knows room names and payload shapes.

Each audience gets what it needs and no more: phones get the session state and their own
answers; facilitators get the state, every answer (with participant numbers, and names when
the agenda asked for them) and the counts; the projector gets the state and the counts.
Counts are coalesced: at most one update per `BROADCAST_INTERVAL` seconds per workshop.
"""

from __future__ import annotations

import threading
from datetime import datetime
from functools import wraps
from typing import Any

from flask import current_app
from sqlalchemy import bindparam, select

from . import participants, themes, timing, voting, workshops
from .agenda import Agenda
from .extensions import db, socketio
from .models import Candidate, Participant, Response, VoteRound, Workshop

PARTICIPANTS, FACILITATORS, SCREENS = "participants", "facilitators", "screens"
NAMESPACES = {PARTICIPANTS: "/participant", FACILITATORS: "/facilitator", SCREENS: "/screen"}

_pending: set[tuple[str, int]] = set()
_pending_lock = threading.Lock()


def room(workshop_id: int, audience: str) -> str:
    return f"w{workshop_id}:{audience}"


def participant_room(participant_id: int) -> str:
    return f"p{participant_id}"


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


def _facilitator_payload(response, who: str) -> dict[str, Any]:
    """An answer as facilitators see it, from a `Response` or a row with the same columns."""
    return {
        **own_response_payload(response),
        "segment_id": response.segment_id,
        "theme_id": response.theme_id,
        "hidden": response.hidden,
        "deleted": response.deleted_at is not None,
        "participant": who,
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


def best_effort(emitter):
    """A broadcast runs after the commit: if it fails, the write still stands and the sender
    must not be told otherwise. Clients catch up from the snapshot on their next connect."""

    @wraps(emitter)
    def wrapper(*args, **kwargs):
        try:
            emitter(*args, **kwargs)
        except Exception:  # noqa: BLE001
            current_app.logger.exception("broadcast %s failed", emitter.__name__)

    return wrapper


def own_ballot_payload(workshop: Workshop, participant: Participant) -> dict[str, Any] | None:
    vote_round = voting.latest_round(db.session, workshop)
    ballot = voting.ballot_of(db.session, vote_round, participant) if vote_round else None
    if ballot is None:
        return None
    return {
        "round_id": vote_round.id,
        "picks": voting.ballot_picks(db.session, ballot),
        "client_id": ballot.client_id,
    }


@best_effort
def emit_state(workshop: Workshop, now: datetime) -> None:
    payload = state_payload(workshop, now)
    for audience, namespace in NAMESPACES.items():
        socketio.emit("state", payload, to=room(workshop.id, audience), namespace=namespace)


@best_effort
def emit_response(
    workshop: Workshop, response: Response, participant: Participant, action: str
) -> None:
    """Tell facilitators about a new, changed, deleted or hidden answer; recount for the room;
    and tell the participant's other tabs or devices that their own answers changed."""
    payload = facilitator_response_payload(response, participant, workshops.agenda_of(workshop))
    socketio.emit(
        "response",
        {"action": action, "response": payload},
        to=room(workshop.id, FACILITATORS),
        namespace=NAMESPACES[FACILITATORS],
    )
    if action in ("created", "edited", "deleted"):
        socketio.emit(
            "own",
            {"action": action, "response": own_response_payload(response)},
            to=participant_room(participant.id),
            namespace=NAMESPACES[PARTICIPANTS],
        )
    counts_changed(workshop.id)


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
            {"id": t.id, "title": t.title, "description": t.description, "count": t.count}
            for t in listed
        ]
    }


@best_effort
def emit_board(workshop: Workshop) -> None:
    socketio.emit(
        "board",
        board_payload(workshop),
        to=room(workshop.id, FACILITATORS),
        namespace=NAMESPACES[FACILITATORS],
    )
    coalesce("themes", workshop.id, _emit_themes)


def _emit_themes(workshop_id: int) -> None:
    payload = themes_payload(workshop_id)
    for audience in (PARTICIPANTS, SCREENS):
        socketio.emit(
            "themes", payload, to=room(workshop_id, audience), namespace=NAMESPACES[audience]
        )


def vote_payload(workshop: Workshop, audience: str) -> dict[str, Any]:
    """The latest round as an audience may see it; results once it is closed."""
    vote_round = voting.latest_round(db.session, workshop)
    if vote_round is None:
        return {"round": None}
    listed = voting.candidates(db.session, vote_round)
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
        body["results"] = tally_rows(vote_round, listed)
    return {"round": body, "tally": tally_payload(workshop, audience, vote_round, listed)}


def named_for_reader(vote: dict[str, Any], agenda: Agenda) -> dict[str, Any]:
    """`vote_payload` with candidates taken from the plan's strategies named as `agenda` (the
    reader's localized agenda) names them. Themes and fixed lists are the room's own words."""
    body = vote.get("round")
    if not body:
        return vote
    query = select(Candidate.id, Candidate.strategy_id).where(
        Candidate.round_id == body["id"], Candidate.strategy_id.is_not(None)
    )
    plan = {s.id: s for f in agenda.frameworks for s in f.strategies()}
    names = {cid: plan[sid] for cid, sid in db.session.execute(query) if sid in plan}
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


def _renamed(row: dict[str, Any], strategy) -> dict[str, Any]:
    if strategy is None:
        return row
    row = {**row, "title": strategy.name}
    return {**row, "description": strategy.description} if "description" in row else row


def tally_rows(vote_round: VoteRound, listed: list[Candidate]) -> list[dict[str, Any]]:
    titles = {c.id: c.title for c in listed}
    return [
        {**row.__dict__, "title": titles[row.candidate_id]}
        for row in voting.round_tally(db.session, vote_round)
    ]


def tally_payload(
    workshop: Workshop, audience: str, vote_round: VoteRound | None = None, listed=None
) -> dict[str, Any]:
    """Ballots cast out of participants present, and the bars unless they are hidden from the room."""
    vote_round = vote_round or voting.latest_round(db.session, workshop)
    if vote_round is None:
        return {"round_id": None}
    hidden = vote_round.hide_tally and vote_round.is_open
    body: dict[str, Any] = {
        "round_id": vote_round.id,
        "ballots": voting.ballot_count(db.session, vote_round),
        "participants": workshops.participant_count(db.session, workshop.id),
        "hidden": hidden,
    }
    if audience == FACILITATORS or not hidden:
        body["rows"] = tally_rows(vote_round, listed or voting.candidates(db.session, vote_round))
    return body


@best_effort
def emit_vote(workshop: Workshop) -> None:
    for audience, namespace in NAMESPACES.items():
        socketio.emit(
            "vote",
            vote_payload(workshop, audience),
            to=room(workshop.id, audience),
            namespace=namespace,
        )


@best_effort
def tally_changed(workshop_id: int) -> None:
    coalesce("tally", workshop_id, _emit_tally)


def _emit_tally(workshop_id: int) -> None:
    """One recount per flush, sent to facilitators in full and to screens unless hidden."""
    workshop = db.session.get(Workshop, workshop_id)
    full = tally_payload(workshop, FACILITATORS)
    socketio.emit(
        "tally", full, to=room(workshop_id, FACILITATORS), namespace=NAMESPACES[FACILITATORS]
    )
    for_room = full if not full.get("hidden") else {k: v for k, v in full.items() if k != "rows"}
    socketio.emit("tally", for_room, to=room(workshop_id, SCREENS), namespace=NAMESPACES[SCREENS])


@best_effort
def counts_changed(workshop_id: int) -> None:
    """Schedule one counts update for screens and facilitators, coalescing bursts."""
    coalesce("counts", workshop_id, _emit_counts)


def coalesce(kind: str, workshop_id: int, emitter) -> None:
    """Run `emitter(workshop_id)` once per BROADCAST_INTERVAL however many changes arrive:
    a tally goes to the projector a few times a second, not once per ballot."""
    interval = current_app.config.get("BROADCAST_INTERVAL", 0.25)
    if interval <= 0:
        emitter(workshop_id)
        return
    key = (kind, workshop_id)
    with _pending_lock:
        if key in _pending:
            return
        _pending.add(key)
    socketio.start_background_task(
        _flush, current_app._get_current_object(), key, emitter, interval
    )


def _flush(app, key: tuple[str, int], emitter, interval: float) -> None:
    socketio.sleep(interval)
    with _pending_lock:
        _pending.discard(key)
    with app.app_context():
        try:
            emitter(key[1])
        except Exception:  # noqa: BLE001 - a background broadcast must never kill the worker
            app.logger.exception("broadcast %s failed", key[0])
        finally:
            db.session.remove()


def _emit_counts(workshop_id: int) -> None:
    payload = counts_payload(workshop_id)
    for audience in (FACILITATORS, SCREENS):
        socketio.emit(
            "counts", payload, to=room(workshop_id, audience), namespace=NAMESPACES[audience]
        )
