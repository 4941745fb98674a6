"""workshop: facilitated retrospective and prioritization sessions."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from workshop.config import PROJECT_ROOT, VERSION, load_config

__version__ = VERSION


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

    from workshop import cli, extensions
    from workshop.agenda import library
    from workshop.web import setup as web

    extensions.init_app(app)
    library.init_app(app)
    web.init_app(app)
    cli.init_app(app)
    return app
