"""`GET /healthz`: the app's version and whether the database answers."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from . import __version__
from .extensions import db

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
        database_ok = True
    except SQLAlchemyError:
        db.session.rollback()
        database_ok = False
    body = {
        "status": "ok" if database_ok else "degraded",
        "version": __version__,
        "database": database_ok,
    }
    return jsonify(body), 200 if database_ok else 503
