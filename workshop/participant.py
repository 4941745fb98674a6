"""Participant pages: the home page with the join form."""

from flask import Blueprint, render_template

bp = Blueprint("participant", __name__)


@bp.get("/")
def home():
    return render_template("participant/home.html")
