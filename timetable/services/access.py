"""Who may do what: rights on the whole installation and on each timetable.

Three rights, from most to least: ADMINISTER (timetables, accounts, settings), SCHEDULE (edit a
timetable's slots, calendar, resources and bookings) and VIEW (read an unpublished timetable).
`allowed` is the one place that decides; views ask it through `views.access.require`.
"""

from __future__ import annotations

from typing import Protocol

ADMINISTER = "administer"
SCHEDULE = "schedule"
VIEW = "view"
RIGHTS = (ADMINISTER, SCHEDULE, VIEW)


class Person(Protocol):
    is_authenticated: bool


def allowed(user: Person | None, right: str, timetable_id: int | None = None) -> bool:
    """Whether `user` holds `right`, on the timetable `timetable_id` or on the installation (None).

    Until roles and grants exist every account may do everything, as before.
    """
    if right not in RIGHTS:
        raise ValueError(f"unknown right {right!r}")
    return bool(user is not None and user.is_authenticated)
