"""Schedulers' side of booking: an occurrence's bookings in the editor's panel; approve, deny, cancel (login required)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask import Blueprint, flash, redirect, request, url_for

from .. import clock
from ..models import Booking, Timetable
from ..rules import format_week
from ..services.access import SCHEDULE
from ..services.booking import (
    CANCELLABLE,
    HELD,
    OFFERED,
    cancel_by_scheduler,
    decide_request,
    list_bookings,
    units_of,
    week_availability,
)
from ..services.catalog import get_timetable
from ..services.errors import Conflict, ServiceError
from ..services.resolution import Occurrence, resolve_slot
from .access import require_on_requested_timetable
from .booking_display import STATUS_TEXT, describe_place
from .ids import id_arg
from .rendering import CHANGED_EVENT, render_page_or_fragment, wants_fragment
from .week_args import requested_week
from .week_page import BlockBookings

bp = Blueprint("booking_admin", __name__)

# A scheduler may cancel whatever still takes, or waits for, a place.


@bp.before_request
def require_scheduler():
    """Bookings carry visitors' names and emails: the timetable's schedulers only."""
    require_on_requested_timetable(SCHEDULE)


@dataclass(frozen=True)
class Row:
    """One booking as the scheduler's list shows it."""

    booking: Booking
    live: bool  # a hold or offer whose lease still runs, or any other booking
    expires_at: datetime | None

    @property
    def cancellable(self) -> bool:
        return self.booking.status in CANCELLABLE or (self.booking.status == HELD and self.live)


@dataclass(frozen=True)
class UnitRows:
    appointment: int
    start: int | None
    end: int | None
    rows: list[Row]


def _rows(timetable: Timetable, slot_id: int, week: int) -> tuple[list[UnitRows], BlockBookings | None, Occurrence | None]:
    """The occurrence's bookings grouped by appointment, its counts, and the occurrence itself (None if gone)."""
    occurrence = resolve_slot(timetable, slot_id, week)
    now = clock.now()
    by_unit: dict[int, list[Row]] = {}
    for booking in list_bookings(timetable, slot_id, week):
        expires = booking.expires_at
        live = booking.status not in (HELD, OFFERED) or (expires is not None and expires > now)
        by_unit.setdefault(booking.appointment, []).append(Row(booking, live, expires))
    units = units_of(occurrence) if occurrence is not None else []
    times = {u.appointment: (u.start, u.end) for u in units}
    groups = [UnitRows(i, *times.get(i, (None, None)), by_unit.get(i, [])) for i in sorted(set(times) | set(by_unit))]
    availability = week_availability(timetable, week, occurrences=[occurrence]).get(slot_id) if occurrence else None
    return groups, (BlockBookings.of(availability) if availability else None), occurrence


def _render_list(timetable: Timetable, slot_id: int, week: int, error: ServiceError | None = None, status: int = 200,
                 notice: str | None = None):
    groups, summary, occurrence = _rows(timetable, slot_id, week)
    return render_page_or_fragment(
        "editor/page.html", "editor/_bookings.html", status=status,
        timetable=timetable, week=week, slot_id=slot_id, groups=groups, summary=summary, occurrence=occurrence,
        place=describe_place(timetable, occurrence), status_text=STATUS_TEXT, error=error, notice=notice,
        appointments=bool(occurrence is not None and occurrence.values["appointment_length"]),
    )


@bp.get("/<slug>/edit/slots/<id:slot_id>/bookings")
def bookings(slug: str, slot_id: int):
    """Everything booked on one occurrence: holds (and until when), bookings, requests, the waiting list."""
    timetable = get_timetable(slug)
    return _render_list(timetable, slot_id, requested_week(timetable))


def _act(slug: str, booking_id: int, action, done: str):
    """Run a scheduler's action on a booking and show the occurrence's list again; the grid refreshes its counts."""
    timetable = get_timetable(slug)
    try:
        booking = action(timetable, booking_id)
    except ServiceError as error:
        # Shown in the list it was pressed in (its slot and week come with the form).
        slot_id, week = id_arg(request.form, "slot_id", "slot"), requested_week(timetable)
        if slot_id is None:
            raise
        return _render_list(timetable, slot_id, week, error, status=409 if isinstance(error, Conflict) else 400)
    notice = f"Booking {booking.reference or booking.id} {done}."
    if not wants_fragment():
        flash(notice, "info")
        return redirect(url_for(".bookings", slug=slug, slot_id=booking.slot_id, week=format_week(booking.week)), code=303)
    response = _render_list(timetable, booking.slot_id, booking.week, notice=notice)
    response.headers["HX-Trigger"] = CHANGED_EVENT
    return response


@bp.post("/<slug>/edit/bookings/<id:booking_id>/cancel")
def cancel(slug: str, booking_id: int):
    return _act(slug, booking_id, cancel_by_scheduler, "is cancelled")


@bp.post("/<slug>/edit/bookings/<id:booking_id>/approve")
def approve(slug: str, booking_id: int):
    return _act(slug, booking_id, lambda t, b: decide_request(t, b, approve=True), "is approved")


@bp.post("/<slug>/edit/bookings/<id:booking_id>/deny")
def deny(slug: str, booking_id: int):
    return _act(slug, booking_id, lambda t, b: decide_request(t, b, approve=False), "is denied")
