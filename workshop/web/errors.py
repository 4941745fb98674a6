"""Error pages: a clear message in the page's language, never a traceback."""

from flask import jsonify, render_template, request
from flask_babel import gettext
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from workshop.messages import N_

# Werkzeug's own titles and default descriptions, marked so that they can be translated; a
# view's `abort(..., description=...)` is translated where it is raised.
TITLES = {
    400: N_("Bad Request"),
    401: N_("Unauthorized"),
    403: N_("Forbidden"),
    404: N_("Not Found"),
    405: N_("Method Not Allowed"),
    413: N_("Request Entity Too Large"),
    429: N_("Too Many Requests"),
    500: N_("Internal Server Error"),
}
DEFAULT_DESCRIPTIONS = (
    N_("The browser (or proxy) sent a request that this server could not understand."),
    N_(
        "The server could not verify that you are authorized to access the URL requested. You "
        "either supplied the wrong credentials (e.g. a bad password), or your browser doesn't "
        "understand how to supply the credentials required."
    ),
    N_(
        "You don't have the permission to access the requested resource. It is either "
        "read-protected or not readable by the server."
    ),
    N_(
        "The requested URL was not found on the server. If you entered the URL manually please "
        "check your spelling and try again."
    ),
    N_("The method is not allowed for the requested URL."),
    N_("The data value transmitted exceeds the capacity limit."),
    N_("This user has exceeded an allotted request count. Try again later."),
    N_(
        "The server encountered an internal error and was unable to complete your request. "
        "Either the server is overloaded or there is an error in the application."
    ),
)


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


def error_page(error: HTTPException):
    """The error page (or JSON error) for `error`, for a handler that has nothing better."""
    return _http_error(error)


def _http_error(error: HTTPException):
    code = error.code or 500
    title = gettext(TITLES[code]) if code in TITLES else error.name
    description = error.description or error.name
    if description in DEFAULT_DESCRIPTIONS:
        description = gettext(description)
    return _render(code, title, description)


def _csrf_error(error: CSRFError):
    message = gettext(
        "The form expired or was sent from elsewhere. Go back, reload the page and try again."
    )
    return _render(400, gettext("Form expired"), message)


def _unexpected_error(error: Exception):
    from flask import current_app

    from workshop.extensions import db

    db.session.rollback()
    current_app.logger.exception("unhandled error on %s %s", request.method, request.path)
    return _http_error(InternalServerError())
