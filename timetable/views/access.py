"""Refuse a request the current user has no right to make: 401 when anonymous, 403 otherwise."""

from __future__ import annotations

from flask import abort, current_app, make_response
from flask_login import current_user

from ..services.access import allowed


def require(right: str, timetable_id: int | None = None) -> None:
    """Abort unless the current user holds `right` (see services.access) on that timetable."""
    if not current_user.is_authenticated:
        # The login manager's answer: a redirect to log in, HX-Redirect for htmx, JSON 401 for the API.
        # make_response: the handler may answer with a (body, status) pair, which abort cannot raise.
        abort(make_response(current_app.login_manager.unauthorized()))
    if not allowed(current_user, right, timetable_id):
        abort(403)
