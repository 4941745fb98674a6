"""Error pages: a clear message in the page's language, never a traceback."""

from flask import jsonify, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError


def init_app(app) -> None:
    app.register_error_handler(HTTPException, _http_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(Exception, _unexpected_error)


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _render(code: int, title: str, message: str):
    if _wants_json():
        return jsonify({"error": message}), code
    return render_template("error.html", code=code, title=title, message=message), code


def _http_error(error: HTTPException):
    return _render(error.code or 500, error.name, error.description or error.name)


def _csrf_error(error: CSRFError):
    message = "The form expired or was sent from elsewhere. Go back, reload the page and try again."
    return _render(400, "Form expired", message)


def _unexpected_error(error: Exception):
    from flask import current_app

    from .extensions import db

    db.session.rollback()
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return _http_error(InternalServerError())
