"""What booking pages and the booking API share: the status words, the lease a hold gets, a place as visitors read it.

Kept apart from the blueprints so that the visitors' pages, the scheduler's list and the
API use one version without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from flask import current_app

from ..models import Timetable
from ..rules.params import APPROVAL_MANUAL
from ..services.booking import CONFIRMED, HELD, OFFERED, REQUESTED, WAITING, units_of
from ..services.public_view import public_occurrence
from ..services.resolution import Occurrence, load_directory

# What a visitor may still do something about through the private link.
STATUS_TEXT = {
    CONFIRMED: "confirmed",
    REQUESTED: "requested — awaiting the clinic's approval",
    WAITING: "on the waiting list",
    OFFERED: "a place is offered to you",
    "cancelled": "cancelled",
    "denied": "declined by the organisers",
    HELD: "held",
}

def booking_lease(requested: int | None = None) -> timedelta:
    """The lease a hold gets: what was asked for (else the default), within the configured bounds."""
    config = current_app.config
    seconds = config["BOOKING_LEASE_SECONDS"] if requested is None else requested
    return timedelta(seconds=min(max(seconds, config["BOOKING_LEASE_MIN"]), config["BOOKING_LEASE_MAX"]))



@dataclass(frozen=True)
class Place:
    """Where and when a booking is, as a visitor reads it."""

    title: str
    day: date
    start: int
    end: int
    room: str
    staff: str
    appointments: bool
    manual: bool  # a scheduler approves each booking


def describe_place(timetable: Timetable, occurrence: Occurrence | None, appointment: int = 0) -> Place | None:
    """The occurrence (or one appointment of it) with names for its course, room and staff: its public view."""
    if occurrence is None:
        return None
    occurrence = public_occurrence(occurrence)
    directory = load_directory(timetable.id)
    values = occurrence.values
    units = units_of(occurrence)
    unit = units[appointment] if 0 <= appointment < len(units) else units[0]
    return Place(
        title=occurrence.title(directory),
        day=occurrence.date, start=unit.start, end=unit.end,
        room=directory.name("room", values["room"]),
        staff=directory.name("staff", values["substitute"] or values["staff"]),
        appointments=bool(values["appointment_length"]),
        manual=values["booking_approval"] == APPROVAL_MANUAL,
    )
