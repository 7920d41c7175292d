"""Administrators' accounts page: list, create with a role and grants, change grants, deactivate, invite."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user

from ..models import Timetable
from ..services.access import ADMINISTER, ROLES
from ..services.accounts import create_user, get_user, list_users, set_active, set_rights
from ..services.catalog import list_timetables
from ..services.errors import ServiceError
from ..services.invitations import INVITATION_LIFETIME, issue_invitation, pending_invitations
from .access import require

bp = Blueprint("admin_accounts", __name__, url_prefix="/admin/accounts")

# The form's role choices per timetable; "" is no grant.
ROLE_CHOICES = (("", "No access"), ("viewer", "Viewer (reads it unpublished)"), ("scheduler", "Scheduler (edits it and its bookings)"))


@bp.before_request
def require_administrator():
    """Accounts are the administrators' business."""
    require(ADMINISTER)


def _timetables() -> list[Timetable]:
    return list_timetables(published_only=False)


def _read_rights(form, timetables: list[Timetable]) -> tuple[bool, dict[int, str]]:
    """The administrator flag and the role per timetable from the form (`role-<timetable id>` fields)."""
    grants = {}
    for timetable in timetables:
        role = form.get(f"role-{timetable.id}", "").strip()
        if role and role not in ROLES:
            raise ServiceError(f"role-{timetable.id}: “{role}” is not a role; choose viewer or scheduler.")
        if role:
            grants[timetable.id] = role
    return form.get("is_admin") in ("1", "on", "true"), grants


def _invitation_url(token: str) -> str:
    return url_for("invitations.accept", token=token, _external=True)


def _render_list(error: str | None = None, status: int = 200, **form):
    users = list_users()
    return render_template("admin/accounts.html", users=users, timetables=_timetables(), role_choices=ROLE_CHOICES,
                           pending=pending_invitations([u.id for u in users]), error=error, form=form), status


@bp.get("")
def index():
    return _render_list()


@bp.post("")
def create():
    """Create an account and show its invitation link, once."""
    timetables = _timetables()
    username, display_name = request.form.get("username", ""), request.form.get("display_name", "")
    try:
        is_admin, grants = _read_rights(request.form, timetables)
        if not username.strip():
            raise ServiceError("username: a username is required.")
        user = create_user(username, None, display_name, is_admin=is_admin, grants=grants)
    except ServiceError as error:
        return _render_list(str(error), 409 if "already exists" in str(error) else 400, **request.form.to_dict())
    token = issue_invitation(user.id)
    return render_template("admin/invitation.html", user=user, link=_invitation_url(token), lifetime=INVITATION_LIFETIME,
                           created=True), 201


def _user_or_404(user_id: int):
    return get_user(user_id)


@bp.get("/<id:user_id>")
def edit(user_id: int, error: str | None = None, status: int = 200):
    user = _user_or_404(user_id)
    roles = {grant.timetable_id: grant.role for grant in user.grants}
    return render_template("admin/account.html", user=user, roles=roles, timetables=_timetables(), role_choices=ROLE_CHOICES,
                           pending=pending_invitations([user.id]).get(user.id), error=error), status


@bp.post("/<id:user_id>")
def change_rights(user_id: int):
    """Make the account an administrator or not, and set its role on each timetable, at once."""
    _user_or_404(user_id)
    try:
        is_admin, grants = _read_rights(request.form, _timetables())
        user = set_rights(user_id, is_admin=is_admin, grants=grants, acting_user_id=current_user.id)
    except ServiceError as error:
        return edit(user_id, str(error), 400)
    flash(f"The rights of “{user.username}” are saved.", "info")
    return redirect(url_for(".edit", user_id=user_id), code=303)


@bp.post("/<id:user_id>/active")
def change_active(user_id: int):
    """Deactivate (its sessions end, its tokens stop) or reactivate an account."""
    _user_or_404(user_id)
    value = request.form.get("active", "")
    if value not in ("0", "1"):
        return edit(user_id, "active: send 0 to deactivate or 1 to activate.", 400)
    try:
        user = set_active(user_id, value == "1", acting_user_id=current_user.id)
    except ServiceError as error:
        return edit(user_id, str(error), 400)
    flash(f"“{user.username}” is {'active again' if user.active else 'deactivated: it can no longer log in'}.", "info")
    return redirect(url_for(".edit", user_id=user_id), code=303)


@bp.post("/<id:user_id>/invitation")
def invite(user_id: int):
    """A new invitation link (the earlier ones stop working): for a lost or expired link, or a forgotten password."""
    user = _user_or_404(user_id)
    if not user.active:
        return edit(user_id, "Activate the account before inviting it.", 400)
    token = issue_invitation(user.id)
    return render_template("admin/invitation.html", user=user, link=_invitation_url(token), lifetime=INVITATION_LIFETIME,
                           created=False), 201
