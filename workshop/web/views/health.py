"""`GET /healthz`: the app's version and whether the database answers."""

from flask import Blueprint, jsonify
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError

from workshop.config import VERSION
from workshop.extensions import db

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
        "version": VERSION,
        "database": database_ok,
    }
    return jsonify(body), 200 if database_ok else 503
