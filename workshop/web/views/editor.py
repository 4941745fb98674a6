"""The agenda editor: new, copy, edit, preview, download and upload a facilitator's agendas.

One page per agenda. Its buttons (add, remove, move, read an outline) post the whole form and
get it back re-rendered with the change, so the editor works without JavaScript and keeps
everything typed. Saving validates with `parse_agenda`, the same rules as a file in
sessions/, and shows each problem beside its field. Its pages speak the reader's language;
the domain's problems and notes (English `Message`s) are translated here.
"""

from __future__ import annotations

from pathlib import Path

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest, RequestEntityTooLarge
from werkzeug.utils import secure_filename

from workshop import clock
from workshop.agenda import store as agenda_store
from workshop.agenda.library import current_library, find_agenda, read_agenda_bytes
from workshop.agenda.model import Agenda, AgendaError
from workshop.agenda.parse import parse_agenda
from workshop.agenda.toml_writer import to_toml
from workshop.editor.actions import Change, apply_action, merge_outline
from workshop.editor.data import (
    agenda_to_form_data,
    form_data_to_dict,
    planned_duration,
    with_translations,
)
from workshop.extensions import db
from workshop.messages import N_
from workshop.models import SavedAgenda
from workshop.web import errors, i18n
from workshop.web.editor_forms import AgendaForm, Problem, UploadForm, attach_problems
from workshop.web.form_size import read_oversized, size_text
from workshop.web.forms import EmptyForm

bp = Blueprint("editor", __name__, url_prefix="/facilitator/editor")
EXPIRED = N_("The form expired. Reload the page and try again.")


@bp.before_request
@login_required
def _signed_in_only() -> None:
    """Every page here is a facilitator's."""


def _library_ids() -> set[str]:
    return set(current_library(current_app).agendas)


def _own_or_404(agenda_id: str) -> SavedAgenda:
    saved = agenda_store.find_saved(db.session, current_user.id, agenda_id)
    if saved is None:
        abort(404, description=gettext("You have no agenda with that id."))
    return saved


def _any_or_404(agenda_id: str) -> Agenda:
    agenda = find_agenda(current_app, agenda_id, db.session, current_user.id)
    if agenda is None:
        abort(404, description=gettext("No agenda with that id in the library."))
    return agenda


def _require_csrf(form) -> None:
    if not form.validate_on_submit():
        abort(400, description=gettext(EXPIRED))


@bp.app_context_processor
def _agenda_helpers() -> dict:
    """For the library pages: the signed-in facilitator's own agendas, in the reader's
    language where they carry it."""

    def own_agendas() -> list[tuple[SavedAgenda, Agenda]]:
        if not current_user.is_authenticated:
            return []
        rows = agenda_store.saved_agendas(db.session, current_user.id)
        lang = i18n.current_language()
        return [(row, agenda_store.agenda_of(row).localized(lang)) for row in rows]

    def is_own_agenda(agenda_id: str) -> bool:
        user_id = current_user.id if current_user.is_authenticated else None
        return agenda_store.find_saved(db.session, user_id, agenda_id) is not None

    return {"own_agendas": own_agendas, "is_own_agenda": is_own_agenda}


def _render(
    form: AgendaForm,
    saved: SavedAgenda | None,
    status: int = 200,
    *,
    focus: str = "",
    problems: tuple[Problem, ...] | list[Problem] = (),
    message: str = "",
    preview=None,
):
    form.set_framework_choices()
    inside = (focus, *(problem.anchor for problem in problems if problem.anchor))

    def open_here(element_id: str) -> bool:
        """Keep a collapsed part open when the change or a problem is inside it."""
        return any(item == element_id or item.startswith(element_id + "-") for item in inside)

    action = url_for("editor.edit", agenda_id=saved.agenda_id) if saved else url_for("editor.new")
    page = render_template(
        "editor/edit.html",
        form=form,
        saved=saved,
        form_action=action,
        planned=i18n.duration_label(planned_duration(form.data)),
        focus=focus,
        problems=problems,
        message=i18n.message_text(message),
        open_here=open_here,
        preview=preview,
        doubts=[i18n.message_text(doubt) for doubt in preview.doubts] if preview else [],
        max_bytes=current_app.config["MAX_CONTENT_LENGTH"],
        max_size=size_text(current_app.config["MAX_CONTENT_LENGTH"]),
    )
    return page, status


def _form_for(agenda: Agenda, **changes) -> AgendaForm:
    return AgendaForm(formdata=None, data=agenda_to_form_data(agenda) | changes)


@bp.get("/new")
def new():
    # The id is left empty: saving makes one from the title.
    return _render(_form_for(agenda_store.blank_agenda(), agenda_id=""), None)


@bp.post("/new")
def create():
    return _submit(None)


@bp.get("/edit/<agenda_id>")
def edit(agenda_id: str):
    saved = _own_or_404(agenda_id)
    return _render(_form_for(agenda_store.agenda_of(saved)), saved)


@bp.post("/edit/<agenda_id>")
def update(agenda_id: str):
    return _submit(_own_or_404(agenda_id))


def _submit(saved: SavedAgenda | None):
    form = AgendaForm()
    _require_csrf(form)
    action = request.form.get("action", "save")
    if action == "save":
        return _save(form, saved)
    if action in ("outline", "outline_add"):  # read it; add it after checking the reading
        outline, target = form.outline.data or "", form.outline_target.data or ""
        change = merge_outline(
            form.data,
            outline,
            target,
            confirmed=action == "outline_add",
            untitled=gettext("Reference framework"),
        )
    else:
        change = apply_action(form.data, action)
    return _rerender(change, saved)


def _rerender(change: Change, saved: SavedAgenda | None):
    form = AgendaForm(formdata=None, data=change.data)
    return _render(form, saved, focus=change.focus, message=change.message, preview=change.preview)


def _save(form: AgendaForm, saved: SavedAgenda | None):
    try:
        agenda = parse_agenda(form_data_to_dict(form.data), default_id=form.title.data or "")
        agenda = with_translations(agenda, form.translations.data)
        saved = agenda_store.save_agenda(
            db.session,
            current_user.id,
            agenda,
            clock.now(),
            library_ids=_library_ids(),
            existing=saved,
        )
    except AgendaError as error:
        db.session.rollback()
        problems = attach_problems(form, error.problems)
        return _render(form, saved, status=400, problems=problems)
    db.session.commit()
    flash(gettext("Saved. Sessions already started keep the version they started with."))
    return redirect(url_for("facilitator.agenda_detail", agenda_id=saved.agenda_id))


@bp.post("/copy/<agenda_id>")
def copy(agenda_id: str):
    agenda = _any_or_404(agenda_id)
    _require_csrf(EmptyForm())
    saved = agenda_store.copy_agenda(
        db.session,
        current_user.id,
        agenda,
        clock.now(),
        library_ids=_library_ids(),
        marker=gettext("(copy)"),
    )
    db.session.commit()
    flash(gettext("This is your own copy: change what you need, then save."))
    return redirect(url_for("editor.edit", agenda_id=saved.agenda_id))


@bp.post("/delete/<agenda_id>")
def delete(agenda_id: str):
    saved = _own_or_404(agenda_id)
    _require_csrf(EmptyForm())
    agenda_store.delete_saved(db.session, saved)
    db.session.commit()
    flash(
        gettext("Deleted the agenda '%(id)s'. Sessions run from it keep their copy.", id=agenda_id)
    )
    return redirect(url_for("facilitator.dashboard"))


@bp.get("/preview/<agenda_id>")
def preview(agenda_id: str):
    # What phones and the projector show a reader of this page's language.
    agenda = _any_or_404(agenda_id).localized(i18n.current_language())
    frameworks = {framework.id: framework for framework in agenda.frameworks}
    return render_template(
        "editor/preview.html",
        agenda=agenda,
        frameworks=frameworks,
        workshop={"segment_index": -1},
    )


@bp.get("/download/<agenda_id>.toml")
def download(agenda_id: str):
    agenda = _any_or_404(agenda_id)
    return Response(
        to_toml(agenda),
        mimetype="application/toml",
        headers={"Content-Disposition": f'attachment; filename="{agenda.id}.toml"'},
    )


@bp.route("/upload", methods=["GET", "POST"])
def upload():
    form = UploadForm()
    if not form.validate_on_submit():
        return render_template("editor/upload.html", form=form), 400 if form.errors else 200
    file = form.file.data
    name = secure_filename(file.filename or "") or "agenda.toml"
    try:
        agenda = read_agenda_bytes(file.read(), default_id=Path(name).stem)
        saved = agenda_store.add_uploaded(
            db.session,
            current_user.id,
            agenda,
            clock.now(),
            library_ids=_library_ids(),
            replace_own=form.replace.data,
        )
    except AgendaError as error:
        db.session.rollback()
        form.file.errors = [*form.file.errors, *error.lines(name, i18n.message_text)]
        return render_template("editor/upload.html", form=form), 400
    db.session.commit()
    if saved.agenda_id != agenda.id:
        flash(gettext("Uploaded %(file)s. It is saved as '%(id)s'.", file=name, id=saved.agenda_id))
    else:
        flash(gettext("Uploaded %(file)s.", file=name))
    return redirect(url_for("facilitator.agenda_detail", agenda_id=saved.agenda_id))


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(error):
    """Over the size limit, the editor comes back with what fitted and says what did not,
    instead of a bare error page. The body was not read (the CSRF check refused it first):
    `read_oversized` reads it now, for a signed-in facilitator only."""
    if not current_user.is_authenticated:
        return errors.error_page(error)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.endpoint == "editor.upload":
        form = UploadForm(formdata=None)
        form.file.errors = [
            gettext("The file is over the limit of %(size)s.", size=size_text(limit))
        ]
        return render_template("editor/upload.html", form=form), 413
    saved = None
    if request.endpoint == "editor.update":
        saved = _own_or_404(request.view_args["agenda_id"])
    sent = read_oversized(request, limit)
    if sent is None:
        return _nothing_kept(saved, request.content_length or 0, limit)
    form = AgendaForm(formdata=sent.kept)
    if not form.validate_on_submit():  # only a form of their own is shown back to them
        return errors.error_page(BadRequest(gettext(EXPIRED)))
    problems = [_dropped(form, name, size, limit) for name, size in sent.dropped]
    return _render(form, saved, status=413, problems=problems)


def _dropped(form: AgendaForm, name: str, size: int, limit: int) -> Problem:
    field = next((f for f in _all_fields(form) if f.name == name), None)
    message = gettext(
        "This was %(size)s, more than the editor takes at once (%(limit)s for the whole form), "
        "so it was left out. Everything else you typed is kept: paste a shorter part, then "
        "read it.",
        size=size_text(size),
        limit=size_text(limit),
    )
    if field is None:
        return Problem(name, message)
    field.errors = [message]
    return Problem(str(field.label.text), message, field.id)


def _all_fields(form):
    for field in form:
        if hasattr(field, "entries"):
            for entry in field.entries:
                yield from _all_fields(entry.form) if hasattr(entry, "form") else [entry]
        elif hasattr(field, "form"):
            yield from _all_fields(field.form)
        else:
            yield field


def _nothing_kept(saved: SavedAgenda | None, size: int, limit: int):
    agenda = agenda_store.agenda_of(saved) if saved else agenda_store.blank_agenda()
    form = _form_for(agenda, **({} if saved else {"agenda_id": ""}))
    sent = gettext(
        "What was sent (%(size)s) is over the editor's limit of %(limit)s and could not be "
        "read, so nothing was changed:",
        size=size_text(size),
        limit=size_text(limit),
    )
    shown = (
        gettext("this is the agenda as last saved.")
        if saved
        else gettext("this is a new, empty agenda.")
    )
    problem = Problem(gettext("The form"), f"{sent} {shown}")
    return _render(form, saved, status=413, problems=[problem])
