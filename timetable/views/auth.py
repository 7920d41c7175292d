"""Editors' accounts: logging in and out, changing the password, logging out everywhere."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, make_response, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo

from ..extensions import limiter, login_manager
from ..models import User
from ..services.accounts import MIN_PASSWORD_LENGTH, WrongPassword, authenticate, change_password
from ..services.api_tokens import list_tokens
from ..services.errors import ServiceError
from ..services.feed_links import linkable_timetables, list_feed_links
from ..services.sessions import end_session, end_sessions, session_user, start_session
from .account_limits import password_change_limit
from .ids import parse_id

bp = Blueprint("auth", __name__)

login_manager.login_view = "auth.login"
login_manager.login_message = "Log in to edit timetables."


# The session cookie's token of its row in user_sessions: without a live row, no one is logged in.
SESSION_TOKEN = "session_token"


def _lifetime():
    return current_app.config["LOGIN_SESSION_LIFETIME"]


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    token, number = session.get(SESSION_TOKEN), parse_id(user_id)
    if not isinstance(token, str) or number is None:
        return None
    return session_user(number, token, _lifetime())


def _end_this_session() -> None:
    token = session.pop(SESSION_TOKEN, None)
    if isinstance(token, str):
        end_session(token)
    logout_user()


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


class PasswordForm(FlaskForm):
    current_password = PasswordField("Current password", validators=[DataRequired()])
    new_password = PasswordField(f"New password (at least {MIN_PASSWORD_LENGTH} characters)", validators=[DataRequired()])
    confirm_password = PasswordField("New password again", validators=[
        DataRequired(), EqualTo("new_password", message="The two new passwords differ.")])


def _safe_next(target: str | None) -> str:
    """Only follow a `next` that stays on this site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/"):
            return target
    return url_for("home.index")


def _login_name() -> str:
    return request.form.get("username", "").strip().casefold()


def _failed(response) -> bool:
    # Only failures count: an editor who logs in many times a day is never throttled.
    return response.status_code != 303


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ACCOUNT"], key_func=_login_name, methods=["POST"],
               scope="login-account", deduct_when=_failed,
               error_message="Too many failed logins for this account. Wait a few minutes, then try again.")
@limiter.limit(lambda: current_app.config["LOGIN_LIMIT_PER_ADDRESS"], methods=["POST"], scope="login-address",
               deduct_when=_failed,
               error_message="Too many failed logins from your network address. Wait a few minutes, then try again.")
def login():
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        user = authenticate(form.username.data, form.password.data)
        if user is not None:
            _end_this_session()  # a login over another one replaces it
            session[SESSION_TOKEN] = start_session(user.id, _lifetime())
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
    """End this session for good: a copy of its cookie no longer logs anyone in."""
    _end_this_session()
    flash("You are logged out.", "info")
    return redirect(url_for("home.index"), code=303)


@bp.route("/account", methods=["GET", "POST"])
@login_required
@password_change_limit
def account():
    """Change the password (which logs out every other session), or log out everywhere; list tokens and calendar links."""
    form = PasswordForm()
    status = 200
    if form.validate_on_submit():
        try:
            change_password(current_user.id, form.current_password.data, form.new_password.data,
                            keep_session=session.get(SESSION_TOKEN))
        except WrongPassword as error:
            form.current_password.errors.append(str(error))
            status = 400
        except ServiceError as error:
            form.new_password.errors.append(str(error))
            status = 400
        else:
            flash("Your password is changed. Your other sessions are logged out.", "info")
            return redirect(url_for(".account"), code=303)
    elif request.method == "POST":
        status = 400
    return render_template("auth/account.html", form=form, tokens=list_tokens(current_user.id),
                           feed_links=list_feed_links(current_user), linkable=linkable_timetables(current_user)), status


@bp.post("/account/logout-everywhere")
@login_required
def logout_everywhere():
    """End every session of this editor, on every device, this one included."""
    ended = end_sessions(current_user.id)
    session.pop(SESSION_TOKEN, None)
    logout_user()
    flash(f"You are logged out everywhere ({ended} session{'s' if ended != 1 else ''} ended).", "info")
    return redirect(url_for(".login"), code=303)
