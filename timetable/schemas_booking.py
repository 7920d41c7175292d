"""Marshmallow schemas of the booking API: holds, confirmations and the waiting list in; availability and bookings out."""

from __future__ import annotations

from datetime import UTC, datetime

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.validate import Length, Range

from .formatting import hhmm
from .rules.params import MAX_INTEGER
from .schemas import ErrorBodySchema, Id, Text, index_field
from .schemas_editing import WEEK_FORMATS, WeekField
from .services.booking import EMAIL, MAX_PLACES_PER_BOOKING

MAX_LOCK_CODE = 200


def _not_blank(what: str):
    def check(value: str) -> None:
        if not value.strip():
            raise ValidationError(f"Give a non-empty {what} (spaces alone do not count).")
    return check


# What the contract states of them: some character other than a space; text@domain.tld (spaces around ignored).
NOT_BLANK_REGEX = r"^[^\x00]*[^\s\x00][^\x00]*$"
EMAIL_REGEX = r"^\s*[^@\s\x00]+@[^@\s\x00]+\.[^@\s\x00]+\s*$"


def _email(value: str) -> None:
    if not EMAIL.fullmatch(value.strip()):
        raise ValidationError(f"“{value}” is not an email address; check it and try again.")


LOCK_CODE = ("Any non-empty text the visitor's client keeps for the whole form (e.g. its session id); spaces "
             "around it are ignored. It is the visitor's only credential for the hold.")


def lock_code_field(description: str = LOCK_CODE, **kwargs) -> Text:
    return Text(
        validate=[_not_blank("lock code"), Length(max=MAX_LOCK_CODE)],
        metadata={"description": description, "example": "f3a9c2d1-session", "pattern": NOT_BLANK_REGEX},
        **kwargs,
    )


def _slot_id() -> Id:
    return Id(required=True, metadata={"example": 12})


def _week() -> WeekField:
    return WeekField(required=True, metadata={"description": f"The week of the occurrence, {WEEK_FORMATS}",
                                              "example": "2026-W48"})


def _appointment() -> fields.Integer:
    return index_field(load_default=0,
                       metadata={"description": "The appointment's index within the occurrence (0 when it is booked "
                                                "as a whole); see the availability"})


def _places() -> fields.Integer:
    return fields.Integer(strict=True, load_default=1, validate=Range(min=1, max=MAX_PLACES_PER_BOOKING),
                          metadata={"description": f"How many places (1 to {MAX_PLACES_PER_BOOKING}, and at most the "
                                                   "unit's capacity)"})


def _name() -> Text:
    return Text(required=True, validate=[_not_blank("name"), Length(max=200)],
                metadata={"example": "Ada Lovelace", "pattern": NOT_BLANK_REGEX})


def _email_field() -> Text:
    return Text(required=True, validate=[Length(max=254), _email], metadata={"example": "ada@example.org", "pattern": EMAIL_REGEX})


def _key(**kwargs) -> Text:
    return Text(required=True, validate=Length(min=1, max=200),
                         metadata={"description": "The key of the booking's private link"}, **kwargs)


# Requests.


class AvailabilityArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    # Blank reads as no lock code here: a page without one yet may still show the week.
    lock_code = Text(validate=Length(max=MAX_LOCK_CODE), metadata={
        "description": "The visitor's lock code: their own holds show as `mine`, not as taken by others"})


class HoldRequestSchema(Schema):
    """Hold places on one unit under a lock code (holding again replaces the earlier hold)."""

    class Meta:
        unknown = RAISE

    slot_id = _slot_id()
    week = _week()
    appointment = _appointment()
    places = _places()
    lock_code = lock_code_field(required=True)
    lock_duration = fields.Integer(
        strict=True, validate=Range(min=1, max=MAX_INTEGER),
        metadata={"description": "How long to hold, in seconds; clamped to the server's bounds (by default 300 to "
                                 "1200, and 600 when left out)", "example": 900},
    )


class ConfirmRequestSchema(Schema):
    """Turn the hold of this lock code into a booking."""

    class Meta:
        unknown = RAISE

    lock_code = lock_code_field(required=True)
    name = _name()
    email = _email_field()


class WaitingListRequestSchema(Schema):
    """Queue for a full unit."""

    class Meta:
        unknown = RAISE

    slot_id = _slot_id()
    week = _week()
    appointment = _appointment()
    places = _places()
    name = _name()
    email = _email_field()


class KeyRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    key = _key()


class BookingArgsSchema(KeyRequestSchema):
    """The key, in the query string."""


# Responses.


class UtcDateTime(fields.Field):
    """A moment as ISO 8601 in UTC (SQLite hands back naive datetimes; they were written in UTC)."""

    def _serialize(self, value: datetime | None, attr, obj, **kwargs) -> str | None:
        if value is None:
            return None
        return value.astimezone(UTC).isoformat()


class ClockField(fields.String):
    """A time of day kept as minutes since midnight, written as "HH:MM"."""

    def _serialize(self, value: int | None, attr, obj, **kwargs) -> str | None:
        return None if value is None else hhmm(value)


def _time(**kwargs) -> ClockField:
    return ClockField(metadata={"example": "10:00"}, **kwargs)


def _week_out(**kwargs) -> WeekField:
    return WeekField(metadata={"example": "2026-W48"}, **kwargs)


class UnitAvailabilitySchema(Schema):
    """One bookable unit: an occurrence, or one appointment of it."""

    slot_id = fields.Integer(required=True)
    appointment = fields.Integer(required=True, metadata={"description": "Index within the occurrence; 0 when booked as a whole"})
    date = fields.Date(required=True)
    start = _time(required=True)
    end = _time(required=True)
    title = fields.String(required=True)
    capacity = fields.Integer(required=True)
    max_places = fields.Integer(required=True, metadata={"description": "The most places one booking may take here"})
    taken = fields.Integer(
        required=True, metadata={"description": "Places taken: bookings, requests, offers and live holds (yours included)"})
    free = fields.Integer(required=True, metadata={"description": "Places nobody has"})
    mine = fields.Integer(required=True, metadata={"description": "Places held under the lock code given"})
    waiting = fields.Integer(required=True, metadata={"description": "Places asked for on the waiting list"})
    bookable = fields.Boolean(required=True, metadata={
        "description": "True when a hold can be made here: places are free, or this lock code already holds some "
                       "(holding again keeps them)"})


class AvailabilitySchema(Schema):
    timetable = fields.String(required=True)
    week = _week_out(required=True)
    time_zone = fields.String(required=True)
    units = fields.List(fields.Nested(UnitAvailabilitySchema), required=True)


class HoldSchema(Schema):
    slot_id = fields.Integer(required=True)
    week = _week_out(required=True)
    appointment = fields.Integer(required=True)
    places = fields.Integer(required=True)
    expires_at = UtcDateTime(required=True, metadata={"type": "string", "format": "date-time",
                                                      "description": "When the hold lets go of the places (UTC)"})


class HoldResponseSchema(Schema):
    hold = fields.Nested(HoldSchema, required=True)


class BookingSchema(Schema):
    """A booking as its owner sees it through the private link."""

    reference = fields.String(required=True, metadata={"example": "K7QH3ZMA"})
    status = fields.String(required=True, metadata={
        "enum": ["confirmed", "requested", "waiting", "offered", "cancelled", "denied"],
        "description": "requested: awaiting a scheduler's approval; offered: a place freed for this waiting-list "
                       "entry, to accept before expires_at"})
    timetable = fields.String(required=True)
    slot_id = fields.Integer(required=True)
    week = _week_out(required=True)
    appointment = fields.Integer(required=True)
    date = fields.Date(allow_none=True, metadata={"description": "Null if the slot no longer takes place that week"})
    start = _time(allow_none=True)
    end = _time(allow_none=True)
    title = fields.String(required=True)
    places = fields.Integer(required=True)
    name = fields.String(required=True)
    email = fields.String(required=True)
    expires_at = UtcDateTime(allow_none=True, metadata={"type": "string", "format": "date-time",
                                                        "description": "Until when an offered place is kept"})
    link = fields.String(required=True, metadata={"description": "The absolute URL of the booking's private page"})
    key = fields.String(metadata={"description": "The private link's key: given once, when the booking is made; "
                                                 "only its digest is stored"})


class BookingResponseSchema(Schema):
    booking = fields.Nested(BookingSchema, required=True)


class FullErrorBodySchema(ErrorBodySchema):
    waiting_list = fields.Boolean(metadata={"description": "True: the unit is full, and the waiting list is open"})


class FullErrorSchema(Schema):
    error = fields.Nested(FullErrorBodySchema, required=True)

