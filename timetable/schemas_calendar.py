"""Marshmallow schemas of a timetable's calendar: terms, holidays and the week cycle, in and out.

One schema reads the API's PUT body and the calendar page's forms alike, so both refuse the
same input with the same messages, each under the field it is about.
"""

from __future__ import annotations

from types import MappingProxyType

from marshmallow import Schema, ValidationError, fields, post_load, validates_schema
from marshmallow.validate import Length, Range

from .rules.calendar import CYCLE_LABELS, MAX_CYCLE, MAX_HOLIDAY_DAYS, Cycle, Holiday
from .schemas import Text
from .schemas_editing import WeekField
from .services.calendar import CalendarSpec, TermSpec

NAME = Length(min=1, max=100, error="Give a name of 1 to 100 characters.")


class TermSchema(Schema):
    name = Text(required=True, validate=NAME)
    start = WeekField(required=True, metadata={"example": "2026-W36"})
    end = WeekField(required=True, metadata={"example": "2026-W51"})

    @validates_schema
    def _order(self, data, **kwargs):
        if data["end"] < data["start"]:
            raise ValidationError("The term ends before it starts.", "end")


class HolidaySchema(Schema):
    name = Text(required=True, validate=NAME)
    start = fields.Date(required=True, metadata={"example": "2027-03-29"})
    end = fields.Date(required=True, metadata={"example": "2027-04-09", "description": "The last day of the holiday (included)"})

    @validates_schema
    def _order(self, data, **kwargs):
        if data["end"] < data["start"]:
            raise ValidationError("The holiday ends before it starts.", "end")
        if (data["end"] - data["start"]).days >= MAX_HOLIDAY_DAYS:
            raise ValidationError(f"A holiday lasts at most {MAX_HOLIDAY_DAYS} days.", "end")


class WeekOverrideSchema(Schema):
    week = WeekField(required=True, metadata={"example": "2027-W03"})
    label = fields.String(required=True, validate=Length(equal=1), metadata={"example": "B", "pattern": f"^[{CYCLE_LABELS}]$"})


class CycleSchema(Schema):
    length = fields.Integer(
        strict=True, required=True, validate=Range(min=1, max=MAX_CYCLE),
        metadata={"description": "Weeks in the cycle: 1 for none, 2 for A/B weeks"},
    )
    start = WeekField(load_default=None, allow_none=True, metadata={"description": "The first week A", "example": "2026-W36"})
    overrides = fields.List(
        fields.Nested(WeekOverrideSchema), load_default=list,
        metadata={"description": "Weeks whose label a scheduler set by hand"},
    )

    @validates_schema
    def _cycle(self, data, **kwargs):
        length = data.get("length", 1)
        if length > 1 and data.get("start") is None:
            raise ValidationError("A cycle of several weeks needs the week it starts with (week A).", "start")
        labels = CYCLE_LABELS[:length] if length > 1 else ""
        errors: dict = {}
        seen: set[int] = set()
        for index, override in enumerate(data.get("overrides", [])):
            if override["label"] not in labels:
                allowed = ", ".join(labels) if labels else "none: there is no cycle"
                errors[index] = {"label": [f"“{override['label']}” is not a label of this cycle ({allowed})."]}
            elif override["week"] in seen:
                errors[index] = {"week": ["This week is overridden twice."]}
            seen.add(override["week"])
        if errors:
            raise ValidationError(errors, "overrides")


class CalendarSchema(Schema):
    terms = fields.List(fields.Nested(TermSchema), required=True, metadata={"description": "Named ranges of weeks; they may overlap"})
    holidays = fields.List(fields.Nested(HolidaySchema), required=True, metadata={"description": "Named ranges of dates"})
    cycle = fields.Nested(CycleSchema, required=True)

    @validates_schema
    def _unique_terms(self, data, **kwargs):
        seen: set[str] = set()
        for index, term in enumerate(data.get("terms", [])):
            key = term["name"].strip().casefold()
            if key in seen:
                raise ValidationError({index: {"name": [f"Another term is called “{term['name']}”."]}}, "terms")
            seen.add(key)


class CalendarSpecSchema(CalendarSchema):
    """Reads a calendar straight into the service's CalendarSpec."""

    @post_load
    def _spec(self, body, **kwargs) -> CalendarSpec:
        return spec_of(body)


def spec_of(body: dict) -> CalendarSpec:
    cycle = body["cycle"]
    return CalendarSpec(
        terms=[TermSpec(t["name"], t["start"], t["end"]) for t in body["terms"]],
        holidays=[Holiday(h["name"], h["start"], h["end"]) for h in body["holidays"]],
        cycle=Cycle(cycle["length"], cycle["start"],
                    MappingProxyType({o["week"]: o["label"] for o in cycle["overrides"]}) if cycle["length"] > 1 else MappingProxyType({})),
    )


def dump_calendar_spec(spec: CalendarSpec) -> dict:
    """The calendar as the API returns it (and as PUT reads it back)."""
    return CalendarSchema().dump({
        "terms": [{"name": t.name, "start": t.start_week, "end": t.end_week} for t in spec.terms],
        "holidays": [{"name": h.name, "start": h.start, "end": h.end} for h in spec.holidays],
        "cycle": {
            "length": spec.cycle.length,
            "start": spec.cycle.start_week,
            "overrides": [{"week": week, "label": label} for week, label in sorted(spec.cycle.overrides.items())],
        },
    })
