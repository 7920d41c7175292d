"""Marshmallow schemas of the JSON API: what goes out, and the errors it answers with."""

from __future__ import annotations

from marshmallow import Schema, fields

from .rules import PARAMETERS, format_week
from .formatting import hhmm


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
    parameters = fields.Nested(ParametersSchema, required=True)
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


class WeekSchema(Schema):
    timetable = fields.String(required=True, metadata={"description": "The timetable's slug"})
    week = fields.Function(lambda page: format_week(page["week"]), required=True, metadata={"example": "2026-W47"})
    monday = fields.Date(required=True)
    time_zone = fields.String(required=True)
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
