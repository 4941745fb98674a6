"""Facilitator sign-in and sign-out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext
from flask_login import current_user, login_user, logout_user

from workshop import accounts
from workshop.extensions import db, login_manager
from workshop.ids import as_id
from workshop.models import Facilitator
from workshop.web import security
from workshop.web.forms import EmptyForm, LoginForm

bp = Blueprint("auth", __name__, url_prefix="/auth")


@login_manager.user_loader
def load_facilitator(user_id: str) -> Facilitator | None:
    """Sign-ins carry "<id>.<session version>": one from before the last sign-out is void."""
    account, _, version = user_id.partition(".")
    account_id = as_id(account)
    if account_id is None or not (version.isascii() and version.isdecimal()) or len(version) > 12:
        return None
    facilitator = db.session.get(Facilitator, account_id)
    if facilitator is None or facilitator.session_version != int(version):
        return None
    return facilitator


@bp.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(url_for("facilitator.dashboard"))
    form = LoginForm()
    if form.validate_on_submit():
        account, address = form.email.data.strip().lower(), security.client_address()
        limits = security.limits()
        if limits.failed_logins_by_account.blocked(
            account
        ) or limits.failed_logins_by_address.blocked(address):
            form.password.errors.append(
                gettext("Too many failed attempts. Wait a minute, then try again.")
            )
            return render_template("auth/login.html", form=form), 429
        facilitator = accounts.authenticate(db.session, form.email.data, form.password.data)
        if facilitator is not None:
            login_user(facilitator, remember=form.remember.data)
            return redirect(_safe_next(request.args.get("next")))
        limits.failed_logins_by_account.hit(account)
        limits.failed_logins_by_address.hit(address)
        form.password.errors.append(gettext("That e-mail and password do not match an account."))
    return render_template("auth/login.html", form=form), 200 if request.method == "GET" else 400


@bp.post("/logout")
def logout():
    if EmptyForm().validate_on_submit() and current_user.is_authenticated:
        # Signing out ends this account's sign-ins everywhere: other browsers, remember-me
        # cookies, and console sockets opened with the old sign-in.
        current_user.session_version += 1
        db.session.commit()
        logout_user()
        flash(gettext("You are signed out."))
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None) -> str:
    """Only follow `next` to a path on this site, never to another host."""
    if target and target.startswith("/") and not target.startswith("//") and "\\" not in target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc:
            return target
    return url_for("facilitator.dashboard")
