"""The facilitators' themes board: one form, one endpoint per kind of change, working without
JavaScript; `static/js/board.js` adds drag and drop and live updates from co-facilitators."""

from __future__ import annotations

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext, ngettext
from flask_login import login_required

from workshop import themes
from workshop.extensions import db
from workshop.ids import as_id, ids_from
from workshop.live import workshops
from workshop.messages import N_, ActionError
from workshop.models import Response, Workshop
from workshop.themes import accepting, suggestion_runs
from workshop.web import actions, i18n, payloads
from workshop.web.access import own_workshop
from workshop.web.facilitator_turns import takes_turn, turn_given_back
from workshop.web.forms import EmptyForm
from workshop.web.rendering import render_page

bp = Blueprint("board", __name__, url_prefix="/facilitator/w/<int:workshop_id>/board")


def _filters() -> dict[str, str]:
    return {"prompt": request.args.get("prompt", ""), "q": request.args.get("q", "").strip()[:100]}


def board_context(workshop: Workshop, filters: dict[str, str]) -> dict:
    """Everything the board shows: themes with their answers, and the unsorted pile."""
    agenda = workshops.agenda_of(workshop, i18n.current_language())  # for display only
    listed = payloads.facilitator_responses(workshop)
    shown = [r for r in listed if _matches(r, filters)]
    summaries = themes.summaries(db.session, workshop)
    strategies = {s.id: s for f in agenda.frameworks for s in f.strategies()}
    hints, hints_pending = link_hints(workshop, summaries, listed)
    return {
        "workshop": workshop,
        "agenda": agenda,
        "filters": filters,
        "themes": summaries,
        "by_theme": {t.id: [r for r in shown if r["theme_id"] == t.id] for t in summaries},
        "unsorted": [r for r in shown if r["theme_id"] is None and not r["hidden"]],
        "hidden": [r for r in shown if r["hidden"]],
        "strategies": strategies,
        "prompts": {p.id: p.question for _, p in agenda.prompts()},
        "prompt_tags": prompt_tags(agenda),
        "link_hints": hints,
        "hints_pending": hints_pending,
        "form": EmptyForm(),
    }


LINK_HINT_WAIT = 0.5  # seconds


def prompt_tags(agenda) -> dict[str, str]:
    """The short tag a card shows for its question ("Q1", "Q2", ... in agenda order): the full
    question is in the question filter, beside its tag."""
    return {prompt.id: f"Q{n}" for n, (_, prompt) in enumerate(agenda.prompts(), start=1)}


def link_hints(
    workshop: Workshop, summaries: list, listed: list[dict]
) -> tuple[dict[int, list], bool]:
    """For each theme, the plan strategies most similar to its title and answers, not yet
    linked: [(strategy id, cosine)], best first. Offered for the facilitator to confirm; only
    once the encoders are loaded (opening the board loads them), so no page waits for that.
    Second: whether hints are still to come (encoders loading, or the worker busy), for the
    board's script to ask again without waiting for a change."""
    if not summaries or not current_app.config["SUGGEST_AHEAD"]:
        return {}, False
    frameworks = workshops.agenda_of(workshop).frameworks  # the agenda's own words
    if not any(f.strategies() for f in frameworks):
        return {}, False
    if not suggestion_runs.encoders_ready():
        return {}, True
    texts: dict[int, list[str]] = {}
    for response in listed:
        if response["theme_id"] is not None and not response["hidden"]:
            texts.setdefault(response["theme_id"], []).append(response["text"])
    themes_now = [(t.id, t.title, tuple(texts.get(t.id, ()))) for t in summaries]
    try:  # a page never waits long for hints: a busy worker (a run) means none this time
        with turn_given_back():
            found = suggestion_runs.call(
                suggestion_runs.strategy_links, themes_now, frameworks, timeout=LINK_HINT_WAIT
            )
    except TimeoutError:
        return {}, True
    return {
        t.id: [(sid, score) for sid, score in found.get(t.id, []) if sid not in t.strategy_ids]
        for t in summaries
    }, False


def _matches(response: dict, filters: dict[str, str]) -> bool:
    if filters["prompt"] and response["prompt_id"] != filters["prompt"]:
        return False
    return not filters["q"] or filters["q"].lower() in response["text"].lower()


@bp.get("/")
@login_required
@takes_turn
def show(workshop_id: int):
    workshop = own_workshop(workshop_id)
    filters = _filters()
    context = board_context(workshop, filters)
    if current_app.config["SUGGEST_AHEAD"]:
        # A facilitator on the board will likely ask for suggestions: from now on this
        # session's answers are embedded as they arrive, starting with those already in.
        suggestion_runs.warm_session(
            workshop.id,
            lambda: [
                r["text"] for r in payloads.facilitator_responses(workshop) if not r["hidden"]
            ],
        )
    fragment_url = url_for(
        "board.fragment", workshop_id=workshop.id, **{k: v for k, v in filters.items() if v}
    )
    strategy_names = {
        key: strategy.code or strategy.name for key, strategy in context["strategies"].items()
    }
    return render_page(
        "facilitator/board.html",
        fragment_url=fragment_url,
        strategy_names=strategy_names,
        **context,
    )


@bp.get("/fragment")
@login_required
@takes_turn
def fragment(workshop_id: int):
    """The board's content alone, for the script to swap in when anything changes."""
    workshop = own_workshop(workshop_id)
    return render_page("facilitator/_board.html", **board_context(workshop, _filters()))


def _int_list(values: list[str]) -> list[int]:
    return ids_from(values)


def _optional_int(value: str | None) -> int | None:
    """None for an empty field ("unsorted"); 0, which no row has, for anything not an id, so
    the action refuses it as not found instead of reading it as "unsorted"."""
    if not value:
        return None
    found = as_id(value)
    return 0 if found is None else found


def form_operation(form) -> tuple[str, dict]:
    """Translate the board form (whose submit button names the operation, e.g. `link:5`)
    into a board operation and its data."""
    op, _, target = (form.get("op") or "").partition(":")
    target_id = _optional_int(target)
    selected = _int_list(form.getlist("response_ids"))
    data: dict = {"theme_id": target_id, "response_ids": selected}
    if op == "move" and ":" in form.get("op", ""):  # a theme's own button: `move:5`, `move:`
        data["theme_id"] = target_id  # (an empty target is the unsorted pile)
    elif op == "move":
        data["theme_id"] = _optional_int(form.get("move_to"))
    elif op in ("create", "split"):
        data["title"] = form.get("new_title", "")
    elif op == "update":
        data.update(
            title=form.get(f"title-{target}", ""),
            description=form.get(f"description-{target}", ""),
            title_es=form.get(f"title_es-{target}"),  # absent: kept as it is
        )
    elif op == "link" and "@" in target:  # a one-click suggested link: `link:5@strategy`
        target, _, strategy_id = target.partition("@")
        data.update(theme_id=_optional_int(target), strategy_id=strategy_id)
    elif op == "link":
        data["strategy_id"] = form.get(f"strategy-{target}", "")
    elif op == "unlink":
        target, _, strategy_id = target.partition("@")
        data.update(theme_id=_optional_int(target), strategy_id=strategy_id)
    elif op == "merge":
        data.update(
            theme_id=_optional_int(form.get("merge_into")),
            source_ids=_int_list(form.getlist("theme_ids")),
        )
    return op, data


@bp.post("/")
@login_required
@takes_turn
def change(workshop_id: int):
    workshop = own_workshop(workshop_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    if not EmptyForm().validate_on_submit():
        expired = gettext("The form expired. Reload the page and try again.")
        return _reply(workshop, wants_json, expired, 400)
    op, data = form_operation(request.form)
    try:
        result = actions.board(workshop, op, data)
    except ActionError as error:
        db.session.rollback()
        text = i18n.message(N_("Could not do that: {error}"), error=i18n.error_text(error))
        return _reply(workshop, wants_json, text + ".", 400)
    return jsonify({"ok": True, **result}) if wants_json else _back(workshop)


def _reply(workshop: Workshop, wants_json: bool, message: str, status: int):
    if wants_json:
        return jsonify({"ok": False, "error": message}), status
    flash(message)
    return _back(workshop)


def _back(workshop: Workshop):
    args = {k: v for k, v in request.args.items() if k in ("prompt", "q") and v}
    return redirect(url_for("board.show", workshop_id=workshop.id, **args))


@bp.post("/suggest")
@login_required
def suggest_view(workshop_id: int):
    """Start proposing themes for the unsorted answers; the next page follows the work."""
    workshop = own_workshop(workshop_id)
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    requested = as_id(request.form.get("themes", ""))
    k = requested if requested is not None and 1 < requested <= 60 else None
    try:
        compute = suggester_for(workshop, k)
    except ActionError as error:
        flash(i18n.error_text(error))
        return _back(workshop)
    run = suggestion_runs.start(workshop.id, compute, db.engine)
    return redirect(url_for("board.suggestion_run", workshop_id=workshop.id, run_id=run.id))


@bp.get("/suggest/<run_id>")
@login_required
def suggestion_run(workshop_id: int, run_id: str):
    """The run's progress (the page asks again until it is done), then the suggestions."""
    workshop = own_workshop(workshop_id)
    run = suggestion_runs.find(run_id, workshop.id, db.engine)
    if request.accept_mimetypes.best == "application/json":  # the waiting page asks
        return jsonify(i18n.run_progress(run))
    if run is None:
        flash(gettext("Those suggestions are no longer here (the server restarted). Ask again."))
        return _back(workshop)
    if not run.done:
        return render_template("facilitator/suggesting.html", workshop=workshop, run=run)
    if run.error is not None:
        flash(_run_failure(run.error))
        return _back(workshop)
    context = board_context(workshop, {"prompt": "", "q": ""})
    listed = payloads.facilitator_responses(workshop)
    reviewed = accepting.review(run.suggestions, context["themes"], listed)
    return render_template(
        "facilitator/suggestions.html",
        suggestions=run.suggestions,
        reviewed=reviewed,
        offers=plan_offers(run.suggestions, context["themes"]),
        **context,
    )


def plan_offers(suggestions: list, summaries: list) -> list[list[tuple[str, float]]]:
    """Per suggestion, the plan strategies to offer with it: those it matches (by the rule
    the board's link hints use, `suggest.suggest_strategy_links`), less those its existing
    theme already links, as the board leaves them out too."""
    linked = {theme.id: set(theme.strategy_ids) for theme in summaries}
    return [
        [(sid, score) for sid, score in s.strategies if sid not in linked.get(s.theme_id, ())]
        for s in suggestions
    ]


def _run_failure(error: Exception) -> str:
    if isinstance(error, ActionError):
        return i18n.error_text(error)
    return gettext("The suggestions failed: %(error)s", error=str(error) or type(error).__name__)


def suggester_for(workshop: Workshop, k: int | None):
    """The suggester's work for this session's unsorted answers, as a function of `progress`
    that touches no database (it runs on the suggestion worker)."""
    from workshop.themes import suggest

    agenda = workshops.agenda_of(workshop)
    questions = {p.id: p.question for _, p in agenda.prompts()}
    rows = db.session.scalars(
        db.select(Response).where(
            Response.workshop_id == workshop.id,
            Response.deleted_at.is_(None),
            Response.hidden.is_(False),
        )
    ).all()
    unsorted = [
        suggest.Item(r.id, r.text, r.prompt_id, questions.get(r.prompt_id, ""), r.strategy_id)
        for r in rows
        if r.theme_id is None
    ]
    if not unsorted:
        raise ActionError(N_("Every answer is already in a theme."), "empty")
    existing = [
        suggest.ExistingTheme(
            t.id,
            t.title,
            tuple(r.id for r in rows if r.theme_id == t.id),
            tuple(r.text for r in rows if r.theme_id == t.id),
        )
        for t in themes.list_themes(db.session, workshop)
    ]
    frameworks = agenda.frameworks

    def compute(progress) -> list:
        ready, reason = suggest.available()  # loads the encoders on first use
        if not ready:
            raise ActionError(
                N_("Suggestions are not available on this server: {reason}"),
                "unavailable",
                reason=reason,
            )
        hints = [hint for f in frameworks for hint in suggest.strategy_hints(f)]
        return suggest.suggest_themes(unsorted, existing, hints, k=k, seed=0, progress=progress)

    return compute


@bp.post("/accept")
@login_required
def accept(workshop_id: int):
    """Create the suggested themes the facilitator kept, with the titles they gave them."""
    workshop = own_workshop(workshop_id)
    if not EmptyForm().validate_on_submit():
        abort(400, description=gettext("The form expired. Reload the page and try again."))
    groups = []
    for index in request.form.getlist("accept"):
        groups.append(
            {
                "title": request.form.get(f"title-{index}", ""),
                "theme_id": _optional_int(request.form.get(f"theme-{index}")),
                "response_ids": _int_list(request.form.get(f"responses-{index}", "").split(",")),
                "strategy_ids": request.form.getlist(f"strategies-{index}"),
            }
        )
    try:
        accepted = actions.accept_suggestions(workshop, groups)
    except ActionError as error:
        db.session.rollback()
        flash(gettext("Nothing was changed: %(error)s.", error=i18n.error_text(error)))
        return _back(workshop)
    made = sum(1 for theme_id in accepted.theme_ids if theme_id is not None)
    flash(ngettext("Accepted %(num)s suggested theme.", "Accepted %(num)s suggested themes.", made))
    if accepted.skipped:
        flash(
            ngettext(
                "%(num)s answer was left as it was: deleted, hidden or put in a theme since the"
                " suggestions were made.",
                "%(num)s answers were left as they were: deleted, hidden or put in a theme since"
                " the suggestions were made.",
                len(accepted.skipped),
            )
        )
    return _back(workshop)
