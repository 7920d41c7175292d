"""Logging editors in and out."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired

from ..extensions import db, login_manager
from ..models import User
from ..services.accounts import authenticate

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to edit timetables."


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id)) if user_id.isdigit() else None


@login_manager.unauthorized_handler
def ask_for_login():
    """Send a visitor to the login page, coming back here afterwards.

    An htmx request must not follow the redirect (the login page would be swapped into the
    grid): it gets a 401 with HX-Redirect, which makes htmx load the login page itself. An API
    client gets a JSON 401: it has no use for a login page.
    """
    from .errors import error_response
    from .rendering import wants_fragment

    if request.path.startswith("/api/"):
        return error_response(401, "Log in first: POST /login, then send the session cookie.")
    target = url_for("auth.login", next=request.full_path.rstrip("?"))
    if wants_fragment():
        response = make_response("", 401)
        response.headers["HX-Redirect"] = target
        return response
    flash(login_manager.login_message, "info")
    return redirect(target)


class LoginForm(FlaskForm):
    username = StringField("Username", validators=[DataRequired()])
    password = PasswordField("Password", validators=[DataRequired()])


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("home.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            login_user(user)
            return redirect(_safe_next(request.args.get("next")), code=303)
        form.password.errors.append("Unknown username or wrong password.")
        status = 400
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form, user=current_user), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("home.index"), code=303)
