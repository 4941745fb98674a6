"""Participant pages: plain HTML forms that work with JavaScript off or the socket down
(post, redirect). `static/js/participant.js` enhances them with live updates."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext

from workshop import themes
from workshop.extensions import csrf, db
from workshop.ids import as_id, ids_from
from workshop.live import participants, responses, workshops
from workshop.messages import N_, ActionError
from workshop.models import Workshop
from workshop.web import actions, broadcast, i18n, identity, security, segment_view
from workshop.web.forms import EmptyForm

bp = Blueprint("participant", __name__)


@bp.before_request
def keep_session():
    """The CSRF secret lives in the session cookie: keep it for weeks, not until the browser
    closes, so a phone that slept overnight can still send what it typed."""
    session.permanent = True


@bp.get("/")
def home():
    return render_template("participant/home.html", code="", error=None)


@bp.get("/join")
def join_by_code():
    code = workshops.normalize_code(request.args.get("code", ""))
    workshop = find_code(code)
    if workshop is None:
        error = (
            gettext("Enter the code shown on the screen.")
            if not code
            else gettext(
                "No session has the code %(code)s. Check the screen and try again.", code=code
            )
        )
        return render_template(
            "participant/home.html", code=code, error=error
        ), 404 if code else 400
    return redirect(url_for("participant.workshop_page", code=workshop.code))


def find_code(code: str) -> Workshop | None:
    """Look a join code up; an address that keeps trying wrong codes is made to wait, so a
    code cannot be found by guessing."""
    limiter = security.limits().wrong_codes_by_address
    address = security.client_address()
    if limiter.blocked(address):
        abort(
            429,
            description=gettext(
                "Too many wrong codes from this network. Wait a minute, then try again."
            ),
        )
    workshop = workshops.find_by_code(db.session, code) if code else None
    if workshop is None and code:
        limiter.hit(address)
    return workshop


def _workshop_or_404(code: str) -> Workshop:
    workshop = find_code(code)
    if workshop is None:
        abort(404, description=gettext("No session has that code. Check the code on the screen."))
    if code != workshop.code and request.method == "GET":
        abort(redirect(url_for(request.endpoint, **{**request.view_args, "code": workshop.code})))
    return workshop


@bp.get("/w/<code>")
def workshop_page(code: str):
    workshop = _workshop_or_404(code)
    participant = identity.current_participant(workshop)
    if participant is None:
        return _join_page(workshop, answers={}, error=None)
    actions.refresh(workshop)
    return _render_live(workshop, participant)


@bp.get("/w/<code>/segment")
def segment_fragment(code: str):
    """Just the current segment's HTML, for the page's script to swap in without a reload."""
    workshop = _workshop_or_404(code)
    participant = identity.current_participant(workshop)
    if participant is None:
        abort(403, description=gettext("Join the session first."))
    return _render_live(workshop, participant, template=segment_view.SEGMENT_TEMPLATE)


def reader_agenda(workshop: Workshop):
    """The workshop's agenda in the reader's language, for display only: answers are checked
    against the agenda itself, so a choice submitted is the same in every language."""
    return workshops.agenda_of(workshop, i18n.current_language())


def _join_page(workshop: Workshop, answers: dict, error: ActionError | None, status: int = 200):
    agenda = reader_agenda(workshop)
    page = render_template(
        "participant/join.html",
        workshop=workshop,
        agenda=agenda,
        answers=answers,
        error=error,
        error_message=_join_error_text(error, agenda) if error else "",
        form=EmptyForm(),
    )
    return page, status


def _join_error_text(error: ActionError, agenda) -> str:
    """A join question's error names the question as the reader sees it."""
    question = next((q for q in agenda.join_questions if q.id == error.code), None)
    if question is None or "label" not in error.params:
        return i18n.error_text(error)
    return i18n.error_text(error, label=question.label)


@bp.post("/w/<code>/join")
@csrf.exempt  # checked in the view, so a failure keeps what was typed
def join(code: str):
    workshop = _workshop_or_404(code)
    if identity.current_participant(workshop) is not None:
        return redirect(url_for("participant.workshop_page", code=workshop.code))
    answers = {key: value for key, value in request.form.items() if key != "csrf_token"}
    if not EmptyForm().validate_on_submit():
        return _join_page(
            workshop,
            answers,
            ActionError(N_("The form expired: please send it again."), "csrf"),
            400,
        )
    token = participants.new_token()
    try:
        participant = participants.join(
            db.session, workshop, workshops.agenda_of(workshop), answers, token
        )
        db.session.commit()
    except ActionError as error:
        db.session.rollback()
        return _join_page(workshop, answers, error, 400)
    broadcast.counts_changed(workshop.id)
    response = redirect(url_for("participant.workshop_page", code=workshop.code))
    response.set_cookie(
        identity.participant_cookie(workshop),
        token,
        max_age=current_app.config["PARTICIPANT_COOKIE_DAYS"] * 86400,
        httponly=True,
        samesite="Lax",
        secure=request.is_secure,
    )
    del participant
    return response


def _render_live(workshop: Workshop, participant, template: str = "participant/live.html", **extra):
    return segment_view.render(workshop, participant, template, **extra)


def _live_participant(code: str):
    workshop = _workshop_or_404(code)
    participant = identity.current_participant(workshop)
    if participant is None:
        return workshop, None, redirect(url_for("participant.workshop_page", code=workshop.code))
    if not EmptyForm().validate_on_submit():
        # Give back what was typed: the new page carries a fresh token, so sending again works.
        prompt_id = request.form.get("prompt_id", "")
        drafts = {prompt_id: request.form.get("text", "")} if prompt_id else {}
        errors = {
            "_form": gettext("The page had expired, so nothing was sent. Please send it again.")
        }
        if prompt_id:
            errors[prompt_id] = gettext("Not sent yet: press send again.")
        return (
            workshop,
            participant,
            (_render_live(workshop, participant, errors=errors, drafts=drafts), 400),
        )
    return workshop, participant, None


@bp.post("/w/<code>/responses")
@csrf.exempt  # checked in the view, so a failure keeps what was typed
def create_response(code: str):
    workshop, participant, early = _live_participant(code)
    if early is not None:
        return early
    prompt_id = request.form.get("prompt_id", "")
    submission = responses.Submission(
        prompt_id=prompt_id,
        text=request.form.get("text", ""),
        client_id=request.form.get("client_id", ""),
        strategy_id=request.form.get("strategy_id") or None,
    )
    try:
        actions.respond(workshop, participant, submission)
    except ActionError as error:
        db.session.rollback()
        drafts = {prompt_id: submission.text}
        errors = {prompt_id: i18n.error_text(error)}
        return _render_live(workshop, participant, errors=errors, drafts=drafts), 400
    return redirect(
        url_for("participant.workshop_page", code=workshop.code, _anchor=f"prompt-{prompt_id}")
    )


@bp.post("/w/<code>/responses/<int:response_id>/edit")
@csrf.exempt  # checked in the view, so a failure keeps what was typed
def edit_response(code: str, response_id: int):
    workshop, participant, early = _live_participant(code)
    if early is not None:
        return early
    try:
        response = actions.edit_response(
            workshop,
            participant,
            response_id,
            request.form.get("text", ""),
            request.form.get("strategy_id") or None,
        )
    except ActionError as error:
        db.session.rollback()
        return _render_live(workshop, participant, errors=_change_errors(response_id, error)), 400
    return redirect(
        url_for(
            "participant.workshop_page", code=workshop.code, _anchor=f"prompt-{response.prompt_id}"
        )
    )


def _change_errors(response_id: int, error: ActionError) -> dict[str, str]:
    text = i18n.error_text(error)
    return {
        f"r{response_id}": text,
        "_form": gettext("That change was not saved: %(error)s.", error=text),
    }


@bp.post("/w/<code>/responses/<int:response_id>/delete")
@csrf.exempt  # checked in the view, so a failure keeps what was typed
def delete_response(code: str, response_id: int):
    workshop, participant, early = _live_participant(code)
    if early is not None:
        return early
    try:
        response = actions.delete_response(workshop, participant, response_id)
    except ActionError as error:
        db.session.rollback()
        return _render_live(workshop, participant, errors=_change_errors(response_id, error)), 400
    return redirect(
        url_for(
            "participant.workshop_page", code=workshop.code, _anchor=f"prompt-{response.prompt_id}"
        )
    )


@bp.get("/w/<code>/themes/<int:theme_id>")
def theme_page(code: str, theme_id: int):
    """A theme's answers, as the room may read them: no names, nothing hidden."""
    workshop = _workshop_or_404(code)
    if identity.current_participant(workshop) is None:
        return redirect(url_for("participant.workshop_page", code=workshop.code))
    try:
        theme = themes.get_theme(db.session, workshop, theme_id)
    except ActionError:
        abort(404, description=gettext("No such theme in this session."))
    agenda = reader_agenda(workshop)
    listed = themes.visible_responses(db.session, workshop, [theme.id])
    questions = {p.id: p.question for _, p in agenda.prompts()}
    return render_template(
        "participant/theme.html",
        workshop=workshop,
        agenda=agenda,
        theme=theme,
        title=theme.title_es if i18n.current_language() == "es" and theme.title_es else theme.title,
        responses=listed,
        questions=questions,
    )


@bp.post("/w/<code>/ballot")
@csrf.exempt  # checked in the view, so a failure keeps the choices made
def cast_ballot(code: str):
    workshop, participant, early = _live_participant(code)
    if early is not None:
        return early
    round_id = request.form.get("round_id", "")
    picks = ids_from(_ballot_fields(request.form))
    try:
        actions.cast_ballot(
            workshop.id,
            participant.id,
            as_id(round_id),
            picks,
            request.form.get("client_id", ""),
        )
    except ActionError as error:
        db.session.rollback()
        text = i18n.error_text(error)
        errors = {
            "ballot": text,
            "_form": gettext("Your vote was not saved: %(error)s.", error=text),
        }
        return _render_live(workshop, participant, errors=errors), 400
    return redirect(
        url_for("participant.workshop_page", code=workshop.code, voted=1, _anchor="vote")
    )


def _ballot_fields(form) -> list[str]:
    """Ranked ballots come as pick-1, pick-2, ... (blank ones skipped); dot votes as `pick` boxes."""
    ranked = [form.get(f"pick-{n}", "") for n in range(1, 11)]
    return [v for v in ranked if v] or form.getlist("pick")
