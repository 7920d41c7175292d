"""Marshmallow schemas of the JSON API: what goes out, and the errors it answers with."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields
from marshmallow.validate import Range

from .formatting import hhmm
from .rules import PARAMETERS, format_week
from .rules.params import MAX_INTEGER, text_problem


class Id(fields.Integer):
    """An id read from a request: a whole number from 1 to what an INTEGER column holds.

    Strict by default (JSON bodies send numbers); query strings pass strict=False.
    """

    def __init__(self, *, strict: bool = True, **kwargs):
        super().__init__(strict=strict, validate=Range(min=1, max=MAX_INTEGER), **kwargs)


# The contract's pattern of any text: no NUL (lone surrogates are refused too, but JSON Schema patterns cannot name them).
TEXT_REGEX = r"^[^\x00]*$"


class Text(fields.String):
    """Text read from a request, refused when no column could store it (a NUL, a lone surrogate)."""

    def __init__(self, **kwargs) -> None:
        kwargs["metadata"] = {"pattern": TEXT_REGEX, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        if problem := text_problem(text):
            raise ValidationError(f"This text {problem}.")
        return text


def index_field(**kwargs) -> fields.Integer:
    """A position from 0 (an appointment within its occurrence), bounded like ids."""
    return fields.Integer(strict=True, validate=Range(min=0, max=MAX_INTEGER), **kwargs)


# Every slot parameter's value in the week; references are ids, times minutes since midnight.
ParametersSchema = Schema.from_dict(
    {
        name: fields.Raw(allow_none=True, metadata={"description": f"{parameter.label} ({parameter.kind})"})
        for name, parameter in PARAMETERS.items()
    },
    name="ParametersSchema",
)


class OccurrenceSchema(Schema):
    slot_id = fields.Integer(required=True)
    date = fields.Date(required=True, metadata={"description": "The day of the occurrence (ISO 8601)"})
    weekday = fields.Integer(required=True, metadata={"description": "ISO weekday, 1 = Monday"})
    start = fields.Function(lambda occ: hhmm(occ["start"]), required=True, metadata={"example": "08:00"})
    end = fields.Function(lambda occ: hhmm(occ["end"]), required=True, metadata={"example": "08:50"})
    duration = fields.Integer(required=True, metadata={"description": "Minutes"})
    title = fields.String(required=True)
    parameters = fields.Nested(
        ParametersSchema,
        required=True,
        metadata={"description": "Each parameter's value; callers without the VIEW right get only the public ones"},
    )
    labels = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Names of the staff, substitute, room, group and course referenced"},
    )
    sources = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        required=True,
        metadata={"description": "Where each value comes from: slot, course or default"},
    )


class DayHolidaySchema(Schema):
    date = fields.Date(required=True)
    weekday = fields.Integer(required=True, metadata={"description": "ISO weekday, 1 = Monday"})
    name = fields.String(required=True, metadata={"example": "Easter"})


class WeekSchema(Schema):
    timetable = fields.String(required=True, metadata={"description": "The timetable's slug"})
    week = fields.Function(lambda page: format_week(page["week"]), required=True, metadata={"example": "2026-W47"})
    monday = fields.Date(required=True)
    time_zone = fields.String(required=True)
    cycle_label = fields.String(
        required=True, allow_none=True,
        metadata={"description": "The week's label in the timetable's cycle (A, B…); null without a cycle or in a holiday week"},
    )
    holidays = fields.List(
        fields.Nested(DayHolidaySchema), required=True,
        metadata={"description": "The days of this week that are holidays: no occurrence takes place on them"},
    )
    occurrences = fields.List(fields.Nested(OccurrenceSchema), required=True)


class TimetableSchema(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    time_zone = fields.String(required=True)
    published = fields.Boolean(required=True)
    weekdays = fields.List(fields.Integer(), required=True)


class ErrorBodySchema(Schema):
    status = fields.Integer(required=True)
    message = fields.String(required=True)
    fields = fields.Dict(metadata={"description": "Per-field messages for invalid input"})


class ErrorSchema(Schema):
    error = fields.Nested(ErrorBodySchema, required=True)
