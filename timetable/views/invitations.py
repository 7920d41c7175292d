"""Invitation links: a new account sets its password here, with the token an administrator passed on."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for

from ..services.accounts import MIN_PASSWORD_LENGTH
from ..services.errors import NotFound, ServiceError
from ..services.invitations import accept_invitation, invited_user

bp = Blueprint("invitations", __name__, url_prefix="/invitations")


@bp.route("/<token>", methods=["GET", "POST"])
def accept(token: str):
    """Choose a password; the link then stops working, and the new account logs in as anyone else."""
    try:
        user = invited_user(token)
    except NotFound as error:
        return render_template("admin/invitation_gone.html", message=str(error)), 404
    error = None
    if request.method == "POST":
        password, again = request.form.get("password", ""), request.form.get("password_again", "")
        if password != again:
            error = "password_again: the two passwords differ."
        else:
            try:
                accept_invitation(token, password)
            except NotFound as gone:
                return render_template("admin/invitation_gone.html", message=str(gone)), 404
            except ServiceError as refused:
                error = f"password: {refused}"
        if error is None:
            flash("Your password is set. Log in with it.", "info")
            return redirect(url_for("auth.login"), code=303)
    return render_template("admin/invitation_accept.html", user=user, error=error, min_length=MIN_PASSWORD_LENGTH), \
        (400 if error else 200)
