"""Marshmallow schemas of the set-up API: timetables' settings and their resources, in and out.

They read types (text, numbers, weeks, hours, weekdays); what needs the database or the list
of time zones (a duplicate name, a reserved slug, an unknown zone) is checked by the services,
which name the field as these schemas do.
"""

from __future__ import annotations

import re
from typing import Any
from zoneinfo import available_timezones

from marshmallow import RAISE, Schema, ValidationError, fields
from marshmallow.validate import Email, Length, Range

from .formatting import hhmm
from .rules import RulesError, get_parameter
from .rules.params import MAX_INTEGER, WEEKDAYS
from .schemas import Id, Text
from .schemas_editing import WEEK_FORMATS, WeekField
from .services.catalog import RESERVED_SLUGS

_HOUR = re.compile(r"([0-9]{1,2}):([0-9]{2})", re.ASCII)


class HourField(fields.Field):
    """A time of day as "08:00" (up to "24:00", the end of the day), held as minutes since midnight."""

    def _serialize(self, value: int | None, attr, obj, **kwargs) -> str | None:
        return None if value is None else hhmm(value)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> int:
        match = _HOUR.fullmatch(value.strip()) if isinstance(value, str) else None
        if not match or int(match.group(2)) > 59 or int(match.group(1)) * 60 + int(match.group(2)) > 1440:
            raise ValidationError(f"{value!r} is not a time of day: use HH:MM, such as 08:00 or 18:30.")
        return int(match.group(1)) * 60 + int(match.group(2))


# What the contract says of a weekday: a number, or a name as people write it (any case is read too).
_DAY_NAMES = [form for name in WEEKDAYS for form in (name, name.lower(), name[:3], name[:3].lower())]
WEEKDAY_SCHEMA = {"oneOf": [{"type": "integer", "minimum": 1, "maximum": 7}, {"type": "string", "enum": _DAY_NAMES}]}


class WeekdayField(fields.Field):
    """An ISO weekday: 1 (Monday) to 7 (Sunday), or its English name ("Monday", "mon")."""

    def __init__(self, **kwargs) -> None:
        kwargs["metadata"] = {**WEEKDAY_SCHEMA, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _serialize(self, value: int | None, attr, obj, **kwargs) -> int | None:
        return value

    def _deserialize(self, value: Any, attr, data, **kwargs) -> int:
        parameter = get_parameter("weekday")
        try:
            return parameter.parse(value) if isinstance(value, str) else parameter.validate(value)
        except RulesError:
            raise ValidationError(f"{value!r} is not a weekday: use 1 (Monday) to 7 (Sunday) or a name such as Monday.") from None


def _retired_field() -> WeekField:
    return WeekField(allow_none=True, metadata={
        "description": f"The week from which it can no longer be assigned ({WEEK_FORMATS}); null: in use", "example": "2027-W01"})


# What the server enforces, stated in the contract (the service checks the same, with its messages).
SLUG_REGEX = r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$"
HOUR_REGEX = r"^(?:[01][0-9]|2[0-3]):[0-5][0-9]$"
# A name: some text that is not only spaces (names are stored stripped).
NAME_REGEX = r"^[^\x00]*[^\x00\s][^\x00]*$"
TIME_ZONES = sorted(available_timezones())
# A slug: the pattern, and not one of the application's own addresses.
SLUG_SCHEMA = {"pattern": SLUG_REGEX, "not": {"enum": sorted(RESERVED_SLUGS)}}


class TimetableSettingsSchema(Schema):
    """A timetable's settings; a new one needs slug, name and time_zone, a change any of them."""

    class Meta:
        unknown = RAISE

    slug = Text(validate=Length(min=1, max=64), metadata={
        "description": "Its address: lowercase letters, digits, inner hyphens (not a reserved word, not taken)",
        "example": "north-school", **SLUG_SCHEMA})
    name = Text(validate=Length(min=1, max=200), metadata={"example": "North School", "pattern": NAME_REGEX})
    time_zone = Text(validate=Length(max=64), metadata={"description": "An IANA time zone", "example": "Europe/Paris", "enum": TIME_ZONES})
    weekdays = fields.List(WeekdayField(), validate=Length(min=1, max=7, error="Show from 1 to 7 weekdays."),
                           metadata={"description": "Weekdays shown as columns, 1 = Monday", "example": [1, 2, 3, 4, 5]})
    day_start = HourField(metadata={"type": "string", "description": "The day's first hour", "example": "08:00", "pattern": HOUR_REGEX})
    day_end = HourField(metadata={"type": "string", "description": "The day's last hour", "example": "18:00", "pattern": HOUR_REGEX})
    published = fields.Boolean(metadata={"description": "Whether visitors see it"})


class NewTimetableSchema(TimetableSettingsSchema):
    """A new timetable: slug, name and time_zone are required."""

    slug = Text(required=True, validate=Length(min=1, max=64), metadata={
        "description": "Its address: lowercase letters, digits, inner hyphens (not a reserved word, not taken)",
        "example": "north-school", **SLUG_SCHEMA})
    name = Text(required=True, validate=Length(min=1, max=200), metadata={"example": "North School", "pattern": NAME_REGEX})
    # The service refuses an unknown zone with its own message; the contract lists the known ones.
    time_zone = Text(required=True, validate=Length(max=64),
                     metadata={"description": "An IANA time zone", "example": "Europe/Paris", "enum": TIME_ZONES})
    day_start = HourField(metadata={"type": "string", "description": "The day's first hour (before day_end)", "example": "08:00",
                                    "pattern": HOUR_REGEX})
    day_end = HourField(metadata={"type": "string", "description": "The day's last hour (after day_start)", "example": "18:00",
                                  "pattern": HOUR_REGEX})


class TimetableDetailSchema(Schema):
    id = fields.Integer(required=True)
    slug = fields.String(required=True)
    name = fields.String(required=True)
    time_zone = fields.String(required=True)
    published = fields.Boolean(required=True)
    weekdays = fields.List(fields.Integer(), required=True)
    day_start = HourField(required=True, metadata={"type": "string", "example": "08:00"})
    day_end = HourField(required=True, metadata={"type": "string", "example": "18:00"})


def _name_field() -> Text:
    return Text(validate=Length(min=1, max=200), metadata={"example": "Room 101", "pattern": NAME_REGEX})


class _ResourceInputSchema(Schema):
    class Meta:
        unknown = RAISE

    name = _name_field()
    retired_from_week = _retired_field()


class StaffInputSchema(_ResourceInputSchema):
    short_name = Text(allow_none=True, validate=Length(max=20), metadata={"example": "MOR"})
    email = Text(allow_none=True, validate=[Length(max=200), Email(error="“{input}” is not an e-mail address.")],
                 metadata={"format": "email"})
    courses = fields.List(Id(), validate=Length(max=500),
                          metadata={"description": "Ids of the courses this person can teach or give"})


class RoomInputSchema(_ResourceInputSchema):
    capacity = fields.Integer(strict=True, allow_none=True, validate=Range(min=0, max=MAX_INTEGER), metadata={"example": 30})
    features = fields.List(Text(validate=Length(min=1, max=60)), validate=Length(max=50),
                           metadata={"description": "Free-text tags", "example": ["projector", "sink"]})


class GroupInputSchema(_ResourceInputSchema):
    size = fields.Integer(strict=True, allow_none=True, validate=Range(min=0, max=MAX_INTEGER), metadata={"example": 28})


class CourseInputSchema(_ResourceInputSchema):
    pass


class _ResourceSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    retired_from_week = _retired_field()


class StaffSchema(_ResourceSchema):
    short_name = fields.String(allow_none=True)
    email = fields.String(allow_none=True)
    courses = fields.Function(lambda staff: [course.id for course in staff.courses],
                              metadata={"type": "array", "items": {"type": "integer"}, "description": "Courses they can teach"})


class RoomSchema(_ResourceSchema):
    capacity = fields.Integer(allow_none=True)
    features = fields.Function(lambda room: list(room.features or []), metadata={"type": "array", "items": {"type": "string"}})


class GroupSchema(_ResourceSchema):
    size = fields.Integer(allow_none=True)


class CourseSchema(_ResourceSchema):
    pass


# Per kind of resource (as in the URL): what a POST or PATCH reads, and what goes out.
INPUT_SCHEMAS = {"staff": StaffInputSchema, "rooms": RoomInputSchema, "groups": GroupInputSchema, "courses": CourseInputSchema}
OUTPUT_SCHEMAS = {"staff": StaffSchema, "rooms": RoomSchema, "groups": GroupSchema, "courses": CourseSchema}


class UsesArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    week = WeekField(required=True, metadata={"description": "The week it would be retired from"})


class UseSchema(Schema):
    owner = fields.String(required=True, metadata={"enum": ["slot", "course"]})
    owner_id = fields.Integer(required=True)
    param = fields.String(required=True, metadata={"example": "room"})
    start = WeekField(allow_none=True)
    end = WeekField(allow_none=True, metadata={"description": "null: for ever"})
    label = fields.String(required=True, metadata={"example": "Maths 7A"})


class UsesSchema(Schema):
    """What still assigns a resource from a week on: reassign these before (or after) retiring it."""

    week = WeekField(required=True)
    uses = fields.List(fields.Nested(UseSchema), required=True)
    slots = fields.List(fields.Integer(), required=True, metadata={"description": "The slot ids among the uses, for a bulk edit"})
    editor_url = fields.String(allow_none=True, metadata={"description": "The editor's bulk panel with those slots selected"})
