"""The public booking API under /api: availability, holds under a lock code, confirmation, waiting list, private links.

The equivalents of Chrono's datetimes and fillslot (with lock_code, then confirm_after_lock).
Visitors are anonymous. The lock code is their credential for a hold and the private link's
key for a booking, both sent in the body (or the query), never in a cookie.
"""

from __future__ import annotations

from flask import Blueprint, request, url_for
from marshmallow import ValidationError

from ..extensions import csrf, db
from ..models import Booking, Timetable
from ..schemas_booking import (
    AvailabilityArgsSchema,
    AvailabilitySchema,
    BookingArgsSchema,
    BookingResponseSchema,
    ConfirmRequestSchema,
    HoldRequestSchema,
    HoldResponseSchema,
    KeyRequestSchema,
    WaitingListRequestSchema,
)
from ..services.booking import (
    Full,
    accept_offer,
    cancel_booking,
    confirm_booking,
    find_booking,
    hold_place,
    join_waiting_list,
    places_allowed,
    units_of,
    week_availability,
)
from ..services.catalog import get_timetable
from ..services.public_view import public_occurrence, public_occurrences
from ..services.resolution import load_directory, resolve_slot, resolve_week
from .api_bodies import invalid_request, load_body
from .booking_display import booking_lease
from .booking_limits import booking_rate_limit, requesting_client
from .errors import error_response
from .week_args import week_from_text

bp = Blueprint("api_booking", __name__, url_prefix="/api")



bp.register_error_handler(ValidationError, invalid_request)


@bp.errorhandler(Full)
def full(error: Full):
    # Full is a 409 the visitor can do something about: queue for the place.
    return {"error": {"status": 409, "message": str(error), "waiting_list": True}}, 409



def _published(slug: str) -> Timetable:
    # Booking is for visitors: only published timetables take bookings, whoever asks.
    return get_timetable(slug, published_only=True)


def _private_link(slug: str, reference: str, key: str) -> str:
    return url_for("booking.private", slug=slug, reference=reference, key=key, _external=True)


def _booking(booking: Booking, key: str, *, new: bool = False) -> dict:
    """The booking as its owner sees it: where and when, and its private link (with the key when just made)."""
    timetable = db.session.get(Timetable, booking.timetable_id)
    found = resolve_slot(timetable, booking.slot_id, booking.week)
    occurrence = public_occurrence(found) if found is not None else None
    units = units_of(occurrence) if occurrence is not None else []
    unit = units[booking.appointment] if booking.appointment < len(units) else None
    item = {
        "reference": booking.reference, "status": booking.status, "timetable": timetable.slug,
        "slot_id": booking.slot_id, "week": booking.week, "appointment": booking.appointment,
        "date": unit.date if unit else None, "start": unit.start if unit else None, "end": unit.end if unit else None,
        "title": occurrence.title(load_directory(timetable.id)) if occurrence else "",
        "places": booking.places, "name": booking.name or "", "email": booking.email or "",
        "expires_at": booking.expires_at, "link": _private_link(timetable.slug, booking.reference, key),
    }
    if new:
        item["key"] = key  # only its digest is stored: this is the one time it can be given
    return BookingResponseSchema().dump({"booking": item})


@bp.get("/timetables/<slug>/weeks/<week>/availability")
def availability(slug: str, week: str):
    """Return the free places of every bookable unit of a week.
    ---
    get:
      summary: Free places of every bookable occurrence (or appointment) of one week
      description: >
        Other visitors' live holds count as taken. Pass your lock code to see your own hold as
        `mine`, so a visitor coming back to the choice page still finds the place they hold.
      parameters:
        - in: path
          name: week
          schema: {type: string, example: 2026-W48}
          required: true
          description: ISO year-week as 2026-W48, 2026W48 or 202648
        - {in: query, name: lock_code, schema: {type: string}, description: The visitor's lock code}
      responses:
        200:
          content:
            application/json:
              schema: AvailabilitySchema
    """
    timetable = _published(slug)
    args = AvailabilityArgsSchema().load(request.args)
    week_key = week_from_text(week, timetable)
    directory = load_directory(timetable.id)
    units = [
        {
            "slot_id": a.unit.slot_id, "appointment": a.unit.appointment, "date": a.unit.date,
            "start": a.unit.start, "end": a.unit.end, "title": a.unit.occurrence.title(directory),
            "capacity": a.unit.capacity, "max_places": places_allowed(a.unit.occurrence),
            "taken": a.taken, "free": a.free, "mine": a.mine, "waiting": a.waiting,
            "bookable": not a.started and (a.free > 0 or a.mine > 0),
        }
        for per_slot in week_availability(timetable, week_key, args.get("lock_code"),
                                          occurrences=public_occurrences(resolve_week(timetable, week_key))).values()
        for a in per_slot
    ]
    units.sort(key=lambda u: (u["date"], u["start"], u["slot_id"], u["appointment"]))
    return AvailabilitySchema().dump(
        {"timetable": timetable.slug, "week": week_key, "time_zone": timetable.time_zone, "units": units}
    )


# The POSTs below carry their own credential (a lock code, a private link's key) in the body
# and act on no cookie-based authority (no login session is read), so a forged cross-site
# request can do nothing the forger could not do directly: they are exempt from CSRF.


@bp.post("/timetables/<slug>/holds")
@csrf.exempt
@booking_rate_limit
def hold(slug: str):
    """Hold places under a lock code.
    ---
    post:
      summary: Hold places on a unit under a lock code
      description: >
        Idempotent: holding again under the same lock code replaces the earlier hold (on this
        unit or another of the timetable) and extends the lease, so a form may call it on every
        page. The hold takes the places until `expires_at`; confirm before then with the same
        lock code. A full unit answers 409 with `waiting_list: true`; a closed occurrence, or
        more places than the unit has or than its slot allows per booking (`max_places_per_booking`),
        400; a slot that does not take place that week, 404. A client (network address) holding
        places under other lock codes at the limit gets 429.
      requestBody:
        required: true
        content:
          application/json:
            schema: HoldRequestSchema
            example: {slot_id: 12, week: 2026-W48, appointment: 0, places: 1, lock_code: f3a9c2d1-session}
      responses:
        201:
          description: Held until expires_at
          content:
            application/json:
              schema: HoldResponseSchema
        429: TooMany
        409:
          description: Not enough places left; the waiting list is open
          content:
            application/json:
              schema: FullErrorSchema
    """
    timetable = _published(slug)
    body = load_body(HoldRequestSchema())
    held = hold_place(timetable, body["slot_id"], body["week"], body["appointment"], body["places"],
                      body["lock_code"], booking_lease(body.get("lock_duration")), client=requesting_client())
    return HoldResponseSchema().dump({"hold": held}), 201


@bp.post("/timetables/<slug>/confirm")
@csrf.exempt
@booking_rate_limit
def confirm(slug: str):
    """Turn the hold of a lock code into a booking.
    ---
    post:
      summary: Confirm the hold of a lock code, making the booking
      description: >
        Within the lease the held places are kept. After it, they are checked again: if they
        were taken since, the answer is 409. Slots set to manual approval give a booking with
        status `requested`. The answer carries the private link and its key, given only once.
        Nothing held under this lock code (another visitor's code included) answers 404.
      requestBody:
        required: true
        content:
          application/json:
            schema: ConfirmRequestSchema
            example: {lock_code: f3a9c2d1-session, name: Ada Lovelace, email: ada@example.org}
      responses:
        201:
          description: Booked (or requested)
          content:
            application/json:
              schema: BookingResponseSchema
        429: TooMany
        409:
          description: The hold ran out and its places were taken since
          content:
            application/json:
              schema: FullErrorSchema
    """
    timetable = _published(slug)
    body = load_body(ConfirmRequestSchema())
    booking, key = confirm_booking(timetable, body["lock_code"], body["name"], body["email"])
    return _booking(booking, key, new=True), 201


@bp.post("/timetables/<slug>/waiting-list")
@csrf.exempt
@booking_rate_limit
def waiting_list(slug: str):
    """Queue for a full unit.
    ---
    post:
      summary: Join the waiting list of a full unit
      description: >
        When places free up, they are offered in order; the booking's status becomes `offered`
        until `expires_at`: accept it with POST /api/bookings/{reference}/accept. While the unit
        still has room for the places asked, the answer is 400: hold them instead. Entries per
        e-mail address and per network address are limited on each timetable (429 beyond).
      requestBody:
        required: true
        content:
          application/json:
            schema: WaitingListRequestSchema
            example: {slot_id: 12, week: 2026-W48, places: 1, name: Ada Lovelace, email: ada@example.org}
      responses:
        201:
          description: On the waiting list
          content:
            application/json:
              schema: BookingResponseSchema
        429: TooMany
    """
    timetable = _published(slug)
    body = load_body(WaitingListRequestSchema())
    booking, key = join_waiting_list(timetable, body["slot_id"], body["week"], body["appointment"], body["places"],
                                     body["name"], body["email"], client=requesting_client())
    return _booking(booking, key, new=True), 201


@bp.get("/bookings/<reference>")
def booking(reference: str):
    """Read a booking through its private link.
    ---
    get:
      summary: A booking, read with its private link's key
      parameters:
        - {in: path, name: reference, schema: {type: string, pattern: "^[A-Za-z0-9]{1,64}$"}, required: true}
        - {in: query, name: key, schema: {type: string, minLength: 1, maxLength: 200, pattern: "^[^\\x00]*$"}, required: true}
      responses:
        200:
          content:
            application/json:
              schema: BookingResponseSchema
    """
    key = BookingArgsSchema().load(request.args)["key"]
    return _booking(find_booking(reference, key), key)


@bp.post("/bookings/<reference>/cancel")
@csrf.exempt
@booking_rate_limit
def cancel(reference: str):
    """Cancel a booking through its private link.
    ---
    post:
      summary: Cancel a booking (or leave the waiting list); freed places go to the waiting list
      description: A wrong reference or key answers 404; an already cancelled booking, 400.
      parameters:
        - {in: path, name: reference, schema: {type: string, pattern: "^[A-Za-z0-9]{1,64}$"}, required: true}
      requestBody:
        required: true
        content:
          application/json:
            schema: KeyRequestSchema
      responses:
        200:
          description: Cancelled
          content:
            application/json:
              schema: BookingResponseSchema
        429: TooMany
    """
    body = load_body(KeyRequestSchema())
    return _booking(cancel_booking(reference, body["key"]), body["key"])


@bp.post("/bookings/<reference>/accept")
@csrf.exempt
@booking_rate_limit
def accept(reference: str):
    """Take the place offered from the waiting list.
    ---
    post:
      summary: Accept the place offered to a waiting-list entry, while the offer lasts
      description: >
        400 when no place is on offer for this booking; 409 when the offer ran out.
      parameters:
        - {in: path, name: reference, schema: {type: string, pattern: "^[A-Za-z0-9]{1,64}$"}, required: true}
      requestBody:
        required: true
        content:
          application/json:
            schema: KeyRequestSchema
      responses:
        200:
          description: Booked (or requested, on slots set to manual approval)
          content:
            application/json:
              schema: BookingResponseSchema
        429: TooMany
        409: Conflict
    """
    body = load_body(KeyRequestSchema())
    try:
        accepted = accept_offer(reference, body["key"])
    except Full as error:
        # Already in the queue: nothing to join.
        return error_response(409, str(error))
    return _booking(accepted, body["key"])
