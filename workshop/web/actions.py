"""The write path shared by HTTP views and socket handlers: domain call, commit, broadcast.

A reply (HTTP redirect or socket acknowledgement) is sent only after the commit, so anything
acknowledged is stored."""

from __future__ import annotations

from flask import current_app
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from workshop import clock, themes, voting
from workshop.extensions import db, socketio
from workshop.ids import is_id
from workshop.live import responses, timing, workshops
from workshop.messages import N_, ActionError
from workshop.models import Participant, Response, Workshop
from workshop.themes import accepting, suggestion_runs
from workshop.web import broadcast


def control(workshop: Workshop, action: str, seconds: float = 0) -> None:
    now = clock.now()
    try:
        workshops.control(db.session, workshop, action, now, seconds)
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise ActionError(
            N_("another facilitator changed the session at the same moment; check and try again"),
            "conflict",
        ) from None
    broadcast.emit_state(workshop, now)
    if action == "end":
        broadcast.emit_vote(workshop)  # ending closes an open vote and reveals its result
    schedule_auto_advance(workshop)


def refresh(workshop: Workshop) -> None:
    """Catch up on an `auto_advance` segment whose time ran out (e.g. while the server was down)."""
    now = clock.now()
    try:
        advanced = workshops.advance_if_due(db.session, workshop, now)
        if advanced:
            db.session.commit()
    except StaleDataError:  # someone else advanced it first
        db.session.rollback()
        db.session.refresh(workshop)
        return
    if advanced:
        broadcast.emit_state(workshop, now)
        schedule_auto_advance(workshop)


def schedule_auto_advance(workshop: Workshop) -> None:
    """One sleeping task per auto-advancing segment: not a per-second loop."""
    agenda = workshops.agenda_of(workshop)
    segment = timing.current_segment(workshop, agenda)
    if segment is None or not segment.auto_advance or not workshop.timer_running:
        return
    delay = max((workshop.ends_at - clock.now()).total_seconds(), 0) + 0.05
    socketio.start_background_task(
        _advance_later, current_app._get_current_object(), workshop.id, delay
    )


def _advance_later(app, workshop_id: int, delay: float) -> None:
    socketio.sleep(delay)
    with app.app_context():
        try:
            workshop = db.session.get(Workshop, workshop_id)
            if workshop is not None:
                refresh(workshop)
        finally:
            db.session.remove()


def respond(
    workshop: Workshop, participant: Participant, submission: responses.Submission
) -> tuple[Response, bool]:
    """Store an answer; a resend racing its original is answered with the stored one."""
    agenda = workshops.agenda_of(workshop)
    try:
        response, created = responses.submit(
            db.session, workshop, agenda, participant, submission, clock.now()
        )
        db.session.commit()
    except IntegrityError:
        db.session.rollback()
        response, created = responses.submit(
            db.session, workshop, agenda, participant, submission, clock.now()
        )
        db.session.commit()
    if created:
        broadcast.emit_response(workshop, response, participant, "created")
        embed_ahead(workshop, response.text)
    return response, created


def embed_ahead(workshop: Workshop, text: str) -> None:
    """Queue an answer for the theme suggester once a facilitator has opened the session's
    board (off this request: see suggestion_runs)."""
    if current_app.config["SUGGEST_AHEAD"]:
        suggestion_runs.warm_if_wanted(workshop.id, [text])


def edit_response(
    workshop: Workshop, participant: Participant, response_id, text, strategy_id
) -> Response:
    agenda = workshops.agenda_of(workshop)
    response = responses.edit(
        db.session, workshop, agenda, participant, response_id, text, strategy_id, clock.now()
    )
    db.session.commit()
    broadcast.emit_response(workshop, response, participant, "edited")
    embed_ahead(workshop, response.text)
    if response.theme_id is not None:
        broadcast.emit_board(workshop)  # the theme shows its answers' texts on phones
    return response


def delete_response(workshop: Workshop, participant: Participant, response_id) -> Response:
    agenda = workshops.agenda_of(workshop)
    response = responses.delete(db.session, workshop, agenda, participant, response_id, clock.now())
    db.session.commit()
    broadcast.emit_response(workshop, response, participant, "deleted")
    if response.theme_id is not None:
        broadcast.emit_board(workshop)  # the theme's count went down
    return response


def hide_response(workshop: Workshop, response_id, hidden: bool) -> Response:
    response = responses.set_hidden(db.session, workshop, response_id, hidden, clock.now())
    db.session.commit()
    participant = db.session.get(Participant, response.participant_id)
    broadcast.emit_response(workshop, response, participant, "hidden" if hidden else "shown")
    broadcast.emit_board(workshop)  # a theme's visible count may have changed
    return response


# -- themes ---------------------------------------------------------------------------------


def _create_theme(workshop: Workshop, agenda, data: dict, now) -> dict:
    theme = themes.create_theme(
        db.session, workshop, data.get("title"), now, data.get("description", "")
    )
    if data.get("response_ids"):
        themes.move_responses(db.session, workshop, data.get("response_ids"), theme.id)
    return {"theme_id": theme.id}


def _split_theme(workshop: Workshop, agenda, data: dict, now) -> dict:
    args = (data.get("theme_id"), data.get("response_ids"), data.get("title"), now)
    return {"theme_id": themes.split_theme(db.session, workshop, *args).id}


def _update_theme(workshop: Workshop, agenda, data: dict, now) -> None:
    args = (data.get("theme_id"), data.get("title"), data.get("description"), now)
    themes.update_theme(db.session, workshop, *args, title_es=data.get("title_es"))


BOARD_OPS = {
    "create": _create_theme,
    "update": _update_theme,
    "delete": lambda w, a, d, now: themes.delete_theme(db.session, w, d.get("theme_id")),
    "merge": lambda w, a, d, now: themes.merge_themes(
        db.session, w, d.get("theme_id"), d.get("source_ids"), now
    ),
    "split": _split_theme,
    "move": lambda w, a, d, now: themes.move_responses(
        db.session, w, d.get("response_ids"), d.get("theme_id")
    ),
    "link": lambda w, a, d, now: themes.link_strategy(
        db.session, w, a, d.get("theme_id"), d.get("strategy_id")
    ),
    "unlink": lambda w, a, d, now: themes.unlink_strategy(
        db.session, w, d.get("theme_id"), d.get("strategy_id")
    ),
}


def board(workshop: Workshop, op: object, data: dict) -> dict:
    """One facilitator operation on the themes board; everyone's board then converges."""
    if not isinstance(op, str) or op not in BOARD_OPS:
        raise ActionError(
            N_("unknown board operation: use one of {names}"),
            "malformed",
            names=", ".join(BOARD_OPS),
        )
    result = BOARD_OPS[op](workshop, workshops.agenda_of(workshop), data, clock.now())
    db.session.commit()
    broadcast.emit_board(workshop)
    return result if isinstance(result, dict) else {}


def accept_suggestions(workshop: Workshop, groups: object) -> accepting.Accepted:
    """Turn the suggestions a facilitator kept (possibly renamed) into themes and moves, as far
    as the board changed since allows (`themes.accepting`)."""
    agenda = workshops.agenda_of(workshop)
    accepted = accepting.accept_suggestions(db.session, workshop, agenda, groups, clock.now())
    db.session.commit()
    broadcast.emit_board(workshop)
    return accepted


# -- voting ---------------------------------------------------------------------------------


def _open_round(workshop: Workshop, agenda, data: dict, now):
    theme_ids = data.get("theme_ids")
    if theme_ids is not None and not (
        isinstance(theme_ids, list)
        and all(isinstance(t, int) and not isinstance(t, bool) for t in theme_ids)
    ):
        raise ActionError(N_("theme_ids must be a list of theme numbers"), "malformed")
    if theme_ids is not None and not all(is_id(t) for t in theme_ids):
        raise ActionError(N_("no such theme"), "not_found")
    specs = voting.candidate_specs(
        db.session, workshop, agenda, data.get("source", "themes"), theme_ids
    )
    return voting.open_round(db.session, workshop, agenda, specs, now)


def _runoff(workshop: Workshop, agenda, data: dict, now):
    previous = voting.latest_round(db.session, workshop)
    if previous is None or previous.is_open:
        raise ActionError(N_("close a vote before running a second round on its leaders"), "state")
    specs = voting.top_of_round(db.session, previous, data.get("top", 3))
    return voting.open_round(db.session, workshop, agenda, specs, now)


def _on_round(change):
    def apply(workshop: Workshop, agenda, data: dict, now):
        vote_round = voting.get_round(db.session, workshop, data.get("round_id"))
        change(workshop, vote_round, data, now)
        return vote_round

    return apply


VOTE_OPS = {
    "open": _open_round,
    "runoff": _runoff,
    "close": _on_round(lambda w, r, d, now: voting.close_round(db.session, r, now)),
    "reopen": _on_round(lambda w, r, d, now: voting.reopen_round(db.session, w, r)),
    "hide_tally": _on_round(
        lambda w, r, d, now: voting.set_tally_hidden(db.session, r, d.get("hidden"))
    ),
}


def vote(workshop: Workshop, op: object, data: dict) -> dict:
    """Open, close, reopen a vote, hide or reveal its tally, or run a second round."""
    if not isinstance(op, str) or op not in VOTE_OPS:
        raise ActionError(
            N_("unknown vote operation: use one of {names}"), "malformed", names=", ".join(VOTE_OPS)
        )
    vote_round = VOTE_OPS[op](workshop, workshops.agenda_of(workshop), data, clock.now())
    db.session.commit()
    broadcast.emit_vote(workshop)
    return {"round_id": vote_round.id}


def cast_ballot(workshop_id: int, participant_id: int, round_id, picks, client_id) -> tuple:
    """Store a ballot (replacing the participant's earlier one); acknowledged after commit.
    Returns the stored ballot, its picks, and whether anything changed."""
    try:
        ballot, changed = voting.cast_ballot(
            db.session, workshop_id, participant_id, round_id, picks, client_id, clock.now()
        )
        db.session.commit()
    except IntegrityError:  # the participant's other tab created the ballot a moment ago
        db.session.rollback()
        ballot, changed = voting.cast_ballot(
            db.session, workshop_id, participant_id, round_id, picks, client_id, clock.now()
        )
        db.session.commit()
    stored = list(ballot.picks) if changed else voting.picks_of_ballot(db.session, ballot.id)
    if changed:
        broadcast.tally_changed(workshop_id)
    return ballot, stored, changed
