"""Who may do what: rights on the whole installation and on each timetable.

Three rights, from most to least: ADMINISTER (timetables, accounts, settings), SCHEDULE (edit a
timetable's slots, calendar, resources and bookings) and VIEW (read an unpublished timetable).
`allowed` is the one place that decides; views ask it through `views.access.require`.

Who holds them:
- an administrator (`users.is_admin`) holds every right everywhere;
- a grant gives one user one role on one timetable: SCHEDULER (SCHEDULE and VIEW) or VIEWER (VIEW);
- a deactivated account, or nobody, holds none.
"""

from __future__ import annotations

from typing import Protocol

from sqlalchemy import select

from ..extensions import db
from ..models import Grant

ADMINISTER = "administer"
SCHEDULE = "schedule"
VIEW = "view"
RIGHTS = (ADMINISTER, SCHEDULE, VIEW)

SCHEDULER = "scheduler"
VIEWER = "viewer"
ROLES = (SCHEDULER, VIEWER)
# The rights each role of a grant carries.
ROLE_RIGHTS = {SCHEDULER: frozenset({SCHEDULE, VIEW}), VIEWER: frozenset({VIEW})}


class Person(Protocol):
    is_authenticated: bool


def _account(user: Person | None):
    """The user's id and administrator flag, or None for nobody or a deactivated account."""
    if user is None or not user.is_authenticated or not getattr(user, "is_active", False):
        return None
    return getattr(user, "id", None), bool(getattr(user, "is_admin", False))


def allowed(user: Person | None, right: str, timetable_id: int | None = None) -> bool:
    """Whether `user` holds `right`, on the timetable `timetable_id` or on the installation (None).

    On the installation, SCHEDULE and VIEW mean "on at least one timetable" (what a menu asks).
    """
    if right not in RIGHTS:
        raise ValueError(f"unknown right {right!r}")
    account = _account(user)
    if account is None:
        return False
    user_id, is_admin = account
    if is_admin:
        return True
    if right == ADMINISTER or user_id is None:
        return False
    query = select(Grant.role).where(Grant.user_id == user_id)
    if timetable_id is not None:
        query = query.where(Grant.timetable_id == timetable_id)
    return any(right in ROLE_RIGHTS.get(role, ()) for role in db.session.scalars(query))


def granted_timetables(user: Person | None, right: str) -> set[int] | None:
    """The ids of the timetables on which `user` holds `right`; None means all of them (an administrator)."""
    account = _account(user)
    if account is None:
        return set()
    user_id, is_admin = account
    if is_admin:
        return None
    if right == ADMINISTER or user_id is None:
        return set()
    rows = db.session.execute(select(Grant.timetable_id, Grant.role).where(Grant.user_id == user_id))
    return {timetable_id for timetable_id, role in rows if right in ROLE_RIGHTS.get(role, ())}
