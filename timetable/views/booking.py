"""Visitors booking from the published grid: choose, hold, fill in, confirm; the private link; the waiting list."""

from __future__ import annotations

import math
import secrets
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Blueprint, flash, redirect, request, session, url_for

from .. import clock
from ..models import Booking, Timetable
from ..rules.params import MAX_INTEGER
from ..services.booking import (
    CANCELLABLE,
    OFFERED,
    REQUESTED,
    UnitAvailability,
    accept_offer,
    cancel_booking,
    confirm_booking,
    current_hold,
    find_booking,
    find_unit,
    hold_place,
    join_waiting_list,
    places_allowed,
    week_availability,
)
from ..services.catalog import get_timetable
from ..services.errors import Conflict, LimitReached, NotFound, ServiceError
from ..services.public_view import public_occurrence
from ..services.resolution import resolve_slot
from .booking_display import STATUS_TEXT, booking_lease, describe_place
from .booking_limits import booking_rate_limit, requesting_client
from .rendering import render_page_or_fragment
from .week_args import requested_week

bp = Blueprint("booking", __name__)

NO_HOLD = ("You hold no place at the moment: your hold ran out and was released, or you chose again in "
           "another tab. Choose a place again.")


# -- reading the request -------------------------------------------------------------------------


def _lock_code(create: bool = False) -> str | None:
    """The visitor's lock code: a random value kept in their session, never typed or shown."""
    if create:
        return session.setdefault("lock_code", secrets.token_urlsafe(16))
    return session.get("lock_code")


def _number(name: str, default: int) -> int:
    raw = request.form.get(name, "").strip()
    if not raw:
        return default
    if not raw.isascii() or not raw.isdigit() or len(raw) > 10 or int(raw) > MAX_INTEGER:
        # Beyond what a row can hold, a number is refused here rather than by the database.
        raise ServiceError(f"“{raw[:24]}” is not a whole number from 0 to {MAX_INTEGER}: give the {name} as one.")
    return int(raw)


def _refusal_status(error: ServiceError) -> int:
    """A refused form is shown again: 409 when things changed under it, 429 beyond a client's share, else 400."""
    if isinstance(error, LimitReached):
        return 429
    return 409 if isinstance(error, Conflict) else 400


# -- what the pages show ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Expiry:
    """When a hold or an offer runs out, on the timetable's clock (the page may count it down)."""

    at: str  # "14:05"
    iso: str
    minutes: int  # left, rounded up
    expired: bool


def _expiry(moment: datetime | None, timetable: Timetable) -> Expiry | None:
    if moment is None:
        return None
    seconds = (moment - clock.now()).total_seconds()
    return Expiry(at=moment.astimezone(ZoneInfo(timetable.time_zone)).strftime("%H:%M"), iso=moment.isoformat(),
                  minutes=max(0, math.ceil(seconds / 60)), expired=seconds <= 0)


def _hold_context(timetable: Timetable, hold: Booking | None) -> dict:
    if hold is None:
        return {"hold": None}
    occurrence = resolve_slot(timetable, hold.slot_id, hold.week)
    return {"hold": hold, "hold_place": describe_place(timetable, occurrence, hold.appointment),
            "hold_expiry": _expiry(hold.expires_at, timetable)}


def _choice_context(timetable: Timetable, slot_id: int, week: int, error: ServiceError | None = None, **form) -> dict:
    """The occurrence, its units with their free places (the visitor's own hold as theirs), and the visitor's hold."""
    refusal = None
    try:
        occurrence = find_unit(timetable, slot_id, week).occurrence
    except ServiceError as closed:  # closed that week, or not open for booking: say so, offer nothing
        occurrence, refusal = resolve_slot(timetable, slot_id, week), closed
    if occurrence is not None:
        occurrence = public_occurrence(occurrence)
    units: list[UnitAvailability] = []
    if refusal is None:
        units = week_availability(timetable, week, _lock_code(), occurrences=[occurrence]).get(slot_id, [])
    hold = current_hold(timetable, _lock_code())
    return dict(
        timetable=timetable, week=week, slot_id=slot_id, occurrence=occurrence, place=describe_place(timetable, occurrence),
        units=units, refusal=refusal, error=error or refusal, form=form,
        max_places=places_allowed(units[0].unit.occurrence) if units else 1,
        hold_here=hold is not None and hold.slot_id == slot_id and hold.week == week,
        **_hold_context(timetable, hold),
    )


def _live(response):
    """Never kept by a cache: Back must show the places (and the visitor's hold) as they are now."""
    response.headers["Cache-Control"] = "no-store"
    return response


def _render_choice(timetable: Timetable, slot_id: int, week: int, error: ServiceError | None = None, **form):
    context = _choice_context(timetable, slot_id, week, error, **form)
    status = _refusal_status(context["error"]) if context["error"] else 200
    return _live(render_page_or_fragment("booking/choose.html", "booking/_choose.html", status=status, **context))


def _render_details(timetable: Timetable, hold: Booking | None, error: ServiceError | None = None, **form):
    context = dict(timetable=timetable, error=error, form=form, **_hold_context(timetable, hold))
    if hold is not None:
        context["max_places"] = _places_allowed(timetable, hold)
    status = _refusal_status(error) if error else 200
    return _live(render_page_or_fragment("booking/details.html", "booking/_details.html", status=status, **context))


def _places_allowed(timetable: Timetable, booking: Booking) -> int:
    occurrence = resolve_slot(timetable, booking.slot_id, booking.week)
    return places_allowed(occurrence) if occurrence is not None else booking.places


def _private_url(timetable: Timetable, reference: str, key: str, **extra) -> str:
    return url_for("booking.private", slug=timetable.slug, reference=reference, key=key, **extra)


# -- choosing and holding ----------------------------------------------------------------------------


@bp.get("/<slug>/book/<id:slot_id>")
def choose(slug: str, slot_id: int):
    """One occurrence's free places (or appointments) to hold one, or its waiting list when full."""
    timetable = get_timetable(slug, published_only=True)
    return _render_choice(timetable, slot_id, requested_week(timetable))


@bp.post("/<slug>/book/<id:slot_id>/hold")
@booking_rate_limit
def hold(slug: str, slot_id: int):
    """Hold places (or one appointment) for the lease; holding again replaces the visitor's earlier hold."""
    timetable = get_timetable(slug, published_only=True)
    week = requested_week(timetable)
    try:
        hold_place(timetable, slot_id, week, _number("appointment", 0), _number("places", 1), _lock_code(create=True),
                   booking_lease(), client=requesting_client())
    except ServiceError as error:
        return _render_choice(timetable, slot_id, week, error, places=request.form.get("places", ""))
    return redirect(url_for(".details", slug=slug), code=303)


@bp.post("/<slug>/book/<id:slot_id>/wait")
@booking_rate_limit
def wait(slug: str, slot_id: int):
    """Join the waiting list of a full occurrence (or appointment); the private link follows the offer."""
    timetable = get_timetable(slug, published_only=True)
    week = requested_week(timetable)
    form = {name: request.form.get(name, "") for name in ("name", "email", "places", "appointment")}
    try:
        booking, key = join_waiting_list(timetable, slot_id, week, _number("appointment", 0), _number("places", 1),
                                         form["name"], form["email"], client=requesting_client())
    except ServiceError as error:
        return _render_choice(timetable, slot_id, week, error, **form)
    flash(f"You are on the waiting list (reference {booking.reference}). Keep this page's address: it is the only "
          "way to see whether a place is offered to you, and to accept it.", "info")
    return redirect(_private_url(timetable, booking.reference, key), code=303)


# -- filling in and confirming ----------------------------------------------------------------------


@bp.get("/<slug>/book/details")
def details(slug: str):
    """The visitor's hold, the time left on it, and the form that turns it into a booking."""
    timetable = get_timetable(slug, published_only=True)
    hold = current_hold(timetable, _lock_code())
    if hold is None:
        flash(NO_HOLD, "info")
        return redirect(url_for("public.week", slug=slug), code=303)
    return _render_details(timetable, hold)


@bp.post("/<slug>/book/confirm")
@booking_rate_limit
def confirm(slug: str):
    """Confirm the visitor's hold with their name and email (and places, which may change); 303 to the private link."""
    timetable = get_timetable(slug, published_only=True)
    form = {name: request.form.get(name, "") for name in ("name", "email", "places")}
    hold = current_hold(timetable, _lock_code())
    if hold is None:
        return _render_details(timetable, None, Conflict(NO_HOLD), **form)
    try:
        booking, key = confirm_booking(timetable, _lock_code(), form["name"], form["email"],
                                       places=_number("places", hold.places), lease=booking_lease())
    except ServiceError as error:
        return _render_details(timetable, current_hold(timetable, _lock_code()), error, **form)
    if booking.status == REQUESTED:
        flash(f"Your request {booking.reference} is sent: the organisers confirm it. Keep this page's address: "
              "it is the only way to see or cancel your booking.", "info")
    else:
        flash(f"Booked! Your reference is {booking.reference}. Keep this page's address: it is the only way to see "
              "or cancel your booking.", "info")
    return redirect(_private_url(timetable, booking.reference, key), code=303)


# -- the private link ---------------------------------------------------------------------------------


def _own_booking(slug: str, reference: str, key: str) -> tuple[Timetable, Booking]:
    """The booking behind a private link, and its timetable.

    The key is the credential, not the timetable's publication: whoever booked keeps their link
    (to read, cancel or accept) after the timetable is unpublished, as the API does. The key is
    checked first, so an unpublished timetable's slug tells nothing to someone without one.
    """
    booking = find_booking(reference, key)
    timetable = get_timetable(slug)
    if booking.timetable_id != timetable.id:
        raise NotFound("No booking matches this link: check that you copied all of it.")
    return timetable, booking


def _render_private(timetable: Timetable, booking: Booking, key: str, error: ServiceError | None = None):
    occurrence = resolve_slot(timetable, booking.slot_id, booking.week)
    expiry = _expiry(booking.expires_at, timetable) if booking.status == OFFERED else None
    return _live(render_page_or_fragment(  # also keeps the page, whose address is a secret, out of shared caches
        "booking/booking.html", "booking/_booking.html", status=_refusal_status(error) if error else 200,
        timetable=timetable, booking=booking, key=key, place=describe_place(timetable, occurrence, booking.appointment),
        status_text=STATUS_TEXT.get(booking.status, booking.status), offer=expiry, error=error,
        cancellable=booking.status in CANCELLABLE,
        link=_private_url(timetable, booking.reference, key, _external=True),
    ))


@bp.get("/<slug>/bookings/<reference>")
def private(slug: str, reference: str):
    """The booking behind a private link: what, when, places, status; cancel it, or accept an offered place."""
    key = request.args.get("key", "")
    return _render_private(*_own_booking(slug, reference, key), key)


@bp.post("/<slug>/bookings/<reference>/cancel")
@booking_rate_limit
def cancel(slug: str, reference: str):
    """Cancel through the private link (the key comes with the form); 303 back to the link, showing it cancelled."""
    key = request.form.get("key", "")
    timetable, booking = _own_booking(slug, reference, key)
    try:
        cancel_booking(booking.reference, key)
    except ServiceError as error:
        return _render_private(timetable, booking, key, error)
    flash(f"Booking {booking.reference} is cancelled.", "info")
    return redirect(_private_url(timetable, booking.reference, key), code=303)


@bp.post("/<slug>/bookings/<reference>/accept")
@booking_rate_limit
def accept(slug: str, reference: str):
    """Take the place offered from the waiting list while the offer lasts; 303 back to the private link."""
    key = request.form.get("key", "")
    timetable, booking = _own_booking(slug, reference, key)
    try:
        accept_offer(booking.reference, key)
    except ServiceError as error:
        return _render_private(*_own_booking(slug, reference, key), key, error)
    flash(f"The place is yours: booking {booking.reference} is {STATUS_TEXT[booking.status]}.", "info")
    return redirect(_private_url(timetable, booking.reference, key), code=303)
