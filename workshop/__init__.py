"""workshop: facilitated retrospective and prioritization sessions."""

from __future__ import annotations

import os
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .config import PROJECT_ROOT, load_config
from .text import text_blocks

try:
    __version__ = version("workshop")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0"


def _instance_path(test_config: dict | None) -> str | None:
    """`instance/` beside the package unless a test or WORKSHOP_INSTANCE_PATH says otherwise."""
    path = (test_config or {}).get("INSTANCE_PATH") or os.environ.get("WORKSHOP_INSTANCE_PATH")
    return str(Path(path).resolve()) if path else None


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(
        __name__,
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
        instance_relative_config=True,
        instance_path=_instance_path(test_config),
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)
    if app.config["TRUSTED_PROXIES"]:
        hops = int(app.config["TRUSTED_PROXIES"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    from . import (
        auth,
        board,
        cli,
        editor,
        errors,
        extensions,
        facilitator,
        health,
        i18n,
        identity,
        ids,
        library,
        paper,
        participant,
        results_views,
        screen,
        security,
        sockets,
    )

    # Before the blueprints: ids in URLs stop at 64 bits (a larger one is a 404, not a 500).
    app.url_map.converters["int"] = ids.IdConverter
    app.session_interface = identity.HandshakeSessionInterface()
    extensions.init_app(app)
    i18n.init_app(app)
    sockets.init_app(extensions.socketio)
    library.init_app(app)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(facilitator.bp)
    app.register_blueprint(board.bp)
    app.register_blueprint(paper.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(participant.bp)
    app.register_blueprint(screen.bp)
    app.register_blueprint(results_views.bp)
    errors.init_app(app)
    security.init_app(app)
    app.add_template_filter(text_blocks)
    cli.init_app(app)
    return app
