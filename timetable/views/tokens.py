"""Personal API tokens on /account: create one (shown once), revoke one."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..services.api_tokens import create_token, revoke_token
from ..services.errors import ServiceError
from .account_limits import account_write_limit
from .errors import error_response

bp = Blueprint("tokens", __name__, url_prefix="/account/tokens")


@bp.before_request
@login_required
def require_login():
    """Everyone manages their own tokens, and only theirs."""


@bp.post("")
@account_write_limit
def create():
    """Make a token and show it this once: only its digest is kept."""
    try:
        row, token = create_token(current_user.id, request.form.get("label", ""))
    except ServiceError as error:
        return error_response(400, f"label: {error}")
    return render_template("auth/token_created.html", row=row, token=token), 201


@bp.post("/<id:token_id>/revoke")
def revoke(token_id: int):
    revoke_token(current_user.id, token_id)
    flash("The token is revoked: requests that send it are refused from now on.", "info")
    return redirect(url_for("auth.account", _anchor="tokens"), code=303)
