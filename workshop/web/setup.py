"""Binding the web layer to the app: languages, socket handlers, blueprints, error pages,
security headers, static files."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import IntegerConverter

from workshop.agenda.text import text_blocks
from workshop.extensions import socketio
from workshop.ids import MAX_ID
from workshop.web import (
    access,
    errors,
    i18n,
    identity,
    packet_guard,
    plain_input,
    security,
    sockets,
    static_files,
)
from workshop.web.views import (
    auth,
    board,
    collections,
    editor,
    facilitator,
    health,
    paper,
    participant,
    results,
    screen,
    screen_controls,
)


class IdConverter(IntegerConverter):
    """`<int:...>` in URLs: an id beyond 64 bits is a 404, like any other unknown id."""

    def __init__(self, map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


def init_app(app) -> None:
    """Languages, socket handlers, blueprints, error pages and security headers."""
    # Before the blueprints: ids in URLs stop at 64 bits (a larger one is a 404, not a 500).
    app.url_map.converters["int"] = IdConverter
    for name in ("default", "string"):  # a control character in a path part is a 404
        app.url_map.converters[name] = plain_input.PlainPathPart
    app.session_interface = identity.HandshakeSessionInterface()
    app.request_class = plain_input.PlainTextRequest  # form fields and arguments as plain text
    i18n.init_app(app)
    sockets.init_app(socketio)
    packet_guard.init_app(socketio)
    views = (health, auth, facilitator, board, paper, editor, participant, screen, results)
    for view in (*views, screen_controls, collections):
        app.register_blueprint(view.bp)
    errors.init_app(app)
    security.init_app(app)
    static_files.init_app(app)
    app.add_template_filter(text_blocks)
    app.add_template_filter(present_attributes)
    app.add_template_global(access.loopback_notice)


def present_attributes(attributes: dict[str, Any]) -> dict[str, Any]:
    """HTML attributes for a WTForms field without the absent ones: WTForms writes None as
    the text "None" (aria-invalid="None" is an invalid ARIA value) and omits only False."""
    return {name: value for name, value in attributes.items() if value is not None}
