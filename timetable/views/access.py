"""Refuse a request the current user has no right to make: 401 when anonymous, 403 otherwise."""

from __future__ import annotations

from flask import abort, current_app, g, make_response, request
from flask_login import current_user

from ..models import Timetable
from ..services.access import ADMINISTER, SCHEDULE, VIEW, allowed
from ..services.catalog import get_timetable
from ..services.errors import NotFound

_VERBS = {ADMINISTER: "administer timetables and accounts", SCHEDULE: "edit", VIEW: "read unpublished timetables"}


def _ask_for_login():
    # The login manager's answer: a redirect to log in, HX-Redirect for htmx, JSON 401 for the API.
    abort(make_response(current_app.login_manager.unauthorized()))


def require(right: str, timetable_id: int | None = None) -> None:
    """Abort unless the current user holds `right` (see services.access) on that timetable."""
    if not current_user.is_authenticated:
        _ask_for_login()
    if not allowed(current_user, right, timetable_id):
        where = "on this timetable" if timetable_id is not None else "here"
        abort(403, description=f"Your account may not {_VERBS.get(right, right)} {where}: "
                               "ask an administrator to grant you that right.")


def require_on(right: str, slug: str) -> Timetable:
    """The timetable `slug`, once the current user is known to hold `right` on it.

    An anonymous request is sent to log in before the slug is even looked up, so it cannot
    tell which timetables exist.
    """
    if not current_user.is_authenticated:
        _ask_for_login()
    timetable = get_timetable(slug)
    require(right, timetable.id)
    g.checked_timetable = timetable
    return timetable


def checked_timetable(slug: str) -> Timetable:
    """The timetable `slug` as the request's rights check loaded it (one query less per request), else loaded now."""
    found = g.get("checked_timetable")
    return found if found is not None and found.slug == slug else get_timetable(slug)


def require_on_requested_timetable(right: str) -> None:
    """For a blueprint's before_request: `right` on the timetable of the route's <slug>, or on the installation."""
    slug = (request.view_args or {}).get("slug")
    if slug is None:
        require(right)
    else:
        require_on(right, slug)


def readable_timetable(slug: str) -> Timetable:
    """The timetable `slug` if it is published or the current user may VIEW it; else the same 404 for all."""
    timetable = get_timetable(slug)
    if not timetable.published and not allowed(current_user, VIEW, timetable.id):
        raise NotFound(f"There is no published timetable called “{slug}”.")
    return timetable
