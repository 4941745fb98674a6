"""Facilitator pages: the agenda library and the sessions they run."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, render_template
from flask_login import login_required

from .library import current_library

bp = Blueprint("facilitator", __name__, url_prefix="/facilitator")


@bp.get("/")
@login_required
def dashboard():
    library = current_library(current_app, reload=True)
    return render_template("facilitator/dashboard.html", library=library)


@bp.get("/agendas/<agenda_id>")
@login_required
def agenda_detail(agenda_id: str):
    agenda = current_library(current_app).get(agenda_id)
    if agenda is None:
        abort(404, description="No agenda with that id in the library.")
    return render_template("facilitator/agenda.html", agenda=agenda)
