"""Access rules and addresses the facilitator's views share: a session only its own
facilitators may open, and the join address phones use.
"""

from __future__ import annotations

from flask import (
    abort,
    current_app,
    url_for,
)
from flask_babel import gettext

from workshop.extensions import db
from workshop.models import Workshop
from workshop.web import identity


def own_workshop(workshop_id: int) -> Workshop:
    workshop = db.session.get(Workshop, workshop_id)
    if workshop is None or not identity.facilitates(workshop):
        abort(404, description=gettext("No session of yours has that number."))
    return workshop


def join_url(workshop: Workshop) -> str:
    """The address phones open. PUBLIC_URL wins, since the facilitator's laptop may use
    127.0.0.1 while phones need the address on the venue's network."""
    base = current_app.config.get("PUBLIC_URL")
    path = url_for("participant.workshop_page", code=workshop.code)
    return (
        base.rstrip("/") + path
        if base
        else url_for("participant.workshop_page", code=workshop.code, _external=True)
    )
