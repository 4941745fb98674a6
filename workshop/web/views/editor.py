"""The agenda editor: new, copy, edit, preview, download and upload a facilitator's agendas.

One page per agenda. Its buttons (add, remove, move, read an outline) post the whole form and
get it back re-rendered with the change, so the editor works without JavaScript and keeps
everything typed. Saving validates with `parse_agenda`, the same rules as a file in
sessions/, and shows each problem beside its field.
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
from flask_login import current_user, login_required
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
    planned_label,
    with_translations,
)
from workshop.extensions import db
from workshop.models import SavedAgenda
from workshop.web import i18n
from workshop.web.editor_forms import AgendaForm, Problem, UploadForm, attach_problems
from workshop.web.forms import EmptyForm

bp = Blueprint("editor", __name__, url_prefix="/facilitator/editor")
EXPIRED = "The form expired. Reload the page and try again."


@bp.before_request
@login_required
def _signed_in_only() -> None:
    """Every page here is a facilitator's."""


def _library_ids() -> set[str]:
    return set(current_library(current_app).agendas)


def _own_or_404(agenda_id: str) -> SavedAgenda:
    saved = agenda_store.find_saved(db.session, current_user.id, agenda_id)
    if saved is None:
        abort(404, description="You have no agenda with that id.")
    return saved


def _any_or_404(agenda_id: str) -> Agenda:
    agenda = find_agenda(current_app, agenda_id, db.session, current_user.id)
    if agenda is None:
        abort(404, description="No agenda with that id in the library.")
    return agenda


def _require_csrf(form) -> None:
    if not form.validate_on_submit():
        abort(400, description=EXPIRED)


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
        planned=planned_label(form.data),
        focus=focus,
        problems=problems,
        message=message,
        open_here=open_here,
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
    if action == "outline":
        change = merge_outline(form.data, form.outline.data or "", form.outline_target.data or "")
    else:
        change = apply_action(form.data, action)
    return _rerender(change, saved)


def _rerender(change: Change, saved: SavedAgenda | None):
    form = AgendaForm(formdata=None, data=change.data)
    return _render(form, saved, focus=change.focus, message=change.message)


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
    flash("Saved. Sessions already started keep the version they started with.")
    return redirect(url_for("facilitator.agenda_detail", agenda_id=saved.agenda_id))


@bp.post("/copy/<agenda_id>")
def copy(agenda_id: str):
    agenda = _any_or_404(agenda_id)
    _require_csrf(EmptyForm())
    saved = agenda_store.copy_agenda(
        db.session, current_user.id, agenda, clock.now(), library_ids=_library_ids()
    )
    db.session.commit()
    flash("This is your own copy: change what you need, then save.")
    return redirect(url_for("editor.edit", agenda_id=saved.agenda_id))


@bp.post("/delete/<agenda_id>")
def delete(agenda_id: str):
    saved = _own_or_404(agenda_id)
    _require_csrf(EmptyForm())
    agenda_store.delete_saved(db.session, saved)
    db.session.commit()
    flash(f"Deleted the agenda '{agenda_id}'. Sessions run from it keep their copy.")
    return redirect(url_for("facilitator.dashboard"))


@bp.get("/preview/<agenda_id>")
def preview(agenda_id: str):
    agenda = _any_or_404(agenda_id)
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
        form.file.errors = [*form.file.errors, *error.lines(name)]
        return render_template("editor/upload.html", form=form), 400
    db.session.commit()
    renamed = f" It is saved as '{saved.agenda_id}'." if saved.agenda_id != agenda.id else ""
    flash(f"Uploaded {name}.{renamed}")
    return redirect(url_for("facilitator.agenda_detail", agenda_id=saved.agenda_id))
