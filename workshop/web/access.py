"""Access rules and addresses the facilitator's views share: a session only its own
facilitators may open, and the join address phones use.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import (
    abort,
    current_app,
    url_for,
)
from flask_babel import gettext

from workshop import network
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


def loopback_notice(url: str) -> dict | None:
    """What the console and the projector say when the join address `url` is one only this
    laptop can open (the default `make run` serves on 127.0.0.1): the laptop's network
    addresses and the command that serves phones there. None when phones can open `url`, and
    whenever PUBLIC_URL is set: the facilitator chose the address phones use."""
    if current_app.config.get("PUBLIC_URL"):
        return None
    parts = urlsplit(url)
    if not network.is_loopback(parts.hostname or ""):
        return None
    port = parts.port or (443 if parts.scheme == "https" else 80)
    addresses = network.phone_urls(port, network.lan_addresses(), parts.scheme or "http")
    serving = current_app.config.get("SERVE_HOST")
    return {
        "host": parts.hostname,
        "addresses": addresses,
        # Already listening on every address: phones reach it at once, no restart needed.
        "serving_everywhere": serving is not None and serving in network.ALL_INTERFACES,
        "command": network.serve_command(port, addresses[0] if addresses else None),
    }
