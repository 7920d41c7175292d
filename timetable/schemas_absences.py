"""Marshmallow schemas of absences and the substitution desk, in and out.

One schema reads the API's bodies and the desk's form alike, so both refuse the same input
with the same messages, each under the field it is about (`staff`, `start`, `end`, `until`…).
"""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.validate import Length, OneOf

from .formatting import hhmm
from .rules import PARAMETERS, InvalidValue
from .schemas import Id, Text
from .services.absences import ABSENT_STATUSES, MAX_REASON, AbsenceInput

RESOURCE_FIELDS = ("staff", "room", "group")


# The contract's pattern of a time of day as typed ("8.30" and "8H30" are read too).
TYPED_TIME_REGEX = r"^\s*(?:[01]?[0-9]|2[0-3])[:hH.][0-5][0-9]\s*$"


class TimeOfDay(fields.String):
    """A time of day read as "HH:MM" (also "8:30", "8h30") and kept as minutes since midnight."""

    def __init__(self, **kwargs) -> None:
        kwargs["metadata"] = {"pattern": TYPED_TIME_REGEX, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> int | None:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if not text:
            return None
        try:
            return PARAMETERS["start"].parse(text)
        except InvalidValue:
            raise ValidationError("Give a time of day such as 08:30.") from None

    def _serialize(self, value: int | None, attr, obj, **kwargs) -> str | None:
        return None if value is None else hhmm(value)


class AbsenceInputSchema(Schema):
    """An absence to register (`partial=True` for a change: only the fields given change)."""

    staff = Id(metadata={"description": "The absent staff member (give one of staff, room, group)"})
    room = Id(metadata={"description": "The unavailable room"})
    group = Id(metadata={"description": "The group away (a class on a trip)"})
    start = fields.Date(required=True, metadata={"example": "2026-12-07", "description": "The first day (included)"})
    end = fields.Date(required=True, metadata={"example": "2026-12-25", "description": "The last day (included)"})
    start_time = TimeOfDay(data_key="from", allow_none=True,
                           metadata={"example": "08:00", "description": "Only from this time of day (with until)"})
    end_time = TimeOfDay(data_key="until", allow_none=True, metadata={"example": "12:00", "description": "Only until this time of day"})
    first_period = Text(validate=Length(min=1, max=40), metadata={
        "description": "Or only from this period of the bell grid (its name), to last_period; instead of from/until", "example": "1"})
    last_period = Text(validate=Length(min=1, max=40), metadata={"description": "The last period it covers", "example": "3"})
    status = fields.String(validate=OneOf(ABSENT_STATUSES), metadata={"description": "The staff status its covered lessons get"})
    reason = Text(validate=Length(max=MAX_REASON), metadata={"description": "Seen by the timetable's schedulers only"})
    withdrawn = fields.Boolean(metadata={"description": "True withdraws the absence (it stays in the audit)"})

    @validates_schema
    def _checks(self, data, partial=False, **kwargs):
        given = [name for name in RESOURCE_FIELDS if data.get(name) is not None]
        if len(given) > 1:
            raise ValidationError("Give one of staff, room or group, not several.", given[1])
        if not given and not partial:
            raise ValidationError("Say who or what is absent: a staff id (or a room or group id).", "staff")
        if data.get("start") and data.get("end") and data["end"] < data["start"]:
            raise ValidationError("The absence ends before it starts.", "end")
        if ("start_time" in data) != ("end_time" in data) or (data.get("start_time") is None) != (data.get("end_time") is None):
            raise ValidationError("Give both times of day (from and until), or neither for whole days.", "until")
        if data.get("start_time") is not None and data["end_time"] <= data["start_time"]:
            raise ValidationError("The time of day it ends must come after the time it starts.", "until")
        if data.get("start_time") is not None and (data.get("first_period") or data.get("last_period")):
            raise ValidationError("Give times of day or periods, not both.", "first_period")

    @post_load
    def _to_input(self, data, **kwargs) -> AbsenceInput:
        kind = next((name for name in RESOURCE_FIELDS if data.get(name) is not None), None)
        times_given = "start_time" in data
        return AbsenceInput(
            kind=kind, resource_id=data.get(kind) if kind else None, start_date=data.get("start"), end_date=data.get("end"),
            start_minute=data.get("start_time"), end_minute=data.get("end_time"),
            whole_day=times_given and data.get("start_time") is None, status=data.get("status"), reason=data.get("reason"),
            withdrawn=data.get("withdrawn"), first_period=data.get("first_period"), last_period=data.get("last_period"))


class AbsenceChangeSchema(Schema):
    at = fields.DateTime(attribute="created_at")
    user_id = fields.Integer(allow_none=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict()


class AbsenceSchema(Schema):
    id = fields.Integer()
    kind = fields.String(metadata={"description": "staff, room or group"})
    resource_id = fields.Integer()
    name = fields.String(metadata={"description": "The name of who or what is absent"})
    start = fields.Date(attribute="start_date")
    end = fields.Date(attribute="end_date")
    start_time = TimeOfDay(data_key="from", attribute="start_minute", allow_none=True)
    end_time = TimeOfDay(data_key="until", attribute="end_minute", allow_none=True)
    status = fields.String()
    reason = fields.String()
    withdrawn = fields.Boolean()
    audit = fields.List(fields.Nested(AbsenceChangeSchema))


class AbsenceListSchema(Schema):
    absences = fields.List(fields.Nested(AbsenceSchema))


class CandidateSchema(Schema):
    staff_id = fields.Integer()
    name = fields.String()
    eligible = fields.Boolean()
    cost = fields.Integer()
    reasons = fields.List(fields.String())


class AffectedSchema(Schema):
    slot_id = fields.Integer()
    week = fields.String()
    date = fields.Date()
    start = TimeOfDay()
    end = TimeOfDay()
    label = fields.String()
    kind = fields.String()
    covered_by = fields.Integer(allow_none=True)
    candidates = fields.List(fields.Nested(CandidateSchema))
    suggestions = fields.List(fields.String())


class CoverSchema(Schema):
    affected = fields.List(fields.Nested(AffectedSchema))
