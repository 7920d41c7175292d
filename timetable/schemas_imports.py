"""Marshmallow schemas of imports from an upload: the form's fields in; the plan and the applied change out."""

from __future__ import annotations

from typing import Any

from marshmallow import EXCLUDE, Schema, ValidationError, fields
from marshmallow.validate import Length, OneOf, Range

from .imports.fet import read_periods
from .rules import format_week
from .schemas_editing import ChangeSchema, WeekField

FORMAT_CHOICES = ("auto", "fet", "csv")


class PeriodsField(fields.String):
    """FET hours' times when their names carry none: "08:00-08:45,08:50-09:35,…", one range per hour."""

    def _deserialize(self, value: Any, attr, data, **kwargs) -> tuple[tuple[int, int], ...]:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return read_periods(text)
        except ValueError as error:
            raise ValidationError(f"{error}: give one range per FET hour, like 08:00-08:45,08:50-09:35") from None


class ImportFieldsSchema(Schema):
    """The multipart fields beside `file` (the page's form sends the same ones)."""

    class Meta:
        unknown = EXCLUDE  # the page's csrf_token and buttons

    format = fields.String(load_default="auto", validate=OneOf(FORMAT_CHOICES),
                           metadata={"description": "auto: from the file name's extension (.fet)"})
    from_week = WeekField(metadata={"description": "First week the import holds from (default: next week)", "example": "2027-W02"})
    periods = PeriodsField(validate=Length(max=2000), metadata={"description": "FET: times of hours whose names carry none",
                                                                "example": "08:00-08:45,08:50-09:35"})
    days_per_week = fields.Integer(validate=Range(1, 7), metadata={"description": "FET: days of one week when the file has more "
                                                                                  "(Day 1…Day 10 with 5: a two-week cycle)"})
    name = fields.String(validate=Length(1, 100), metadata={"description": "Name of the timetable when the import creates it"})
    create_missing = fields.Boolean(load_default=False, metadata={"description": "CSV: create staff, groups, rooms and courses "
                                                                                 "the file names but the timetable lacks"})
    token = fields.String(validate=Length(max=200), metadata={"description": "The plan's token: apply exactly that plan"})


def load_fields(form) -> dict:
    """The form's fields, blank ones left out (a form sends every input, filled or not)."""
    return ImportFieldsSchema().load({key: value for key, value in form.items() if str(value).strip()})


class ResourcesToCreateSchema(Schema):
    staff = fields.List(fields.String())
    group = fields.List(fields.String())
    room = fields.List(fields.String())
    course = fields.List(fields.String())


class BellTimeSchema(Schema):
    name = fields.String(required=True)
    start = fields.String(required=True, metadata={"example": "08:00"})
    end = fields.String(required=True, metadata={"example": "08:45"})


class ImportItemSchema(Schema):
    ref = fields.String(required=True, metadata={"description": "The item's external reference (FET: the activity id)"})
    description = fields.String(required=True)
    slot = fields.Integer(allow_none=True, metadata={"description": "The slot it matches, if imported before"})
    params = fields.List(fields.String(), metadata={"description": "The parameters painted from from_week"})


class UnusedSchema(Schema):
    element = fields.String(required=True)
    reason = fields.String(required=True)


class ImportSummarySchema(Schema):
    """What the import does."""

    slug = fields.String(required=True)
    format = fields.String(required=True)
    from_week = fields.String(required=True, metadata={"example": "2027-W02"})
    creates_timetable = fields.Boolean(required=True)
    cycle_weeks = fields.Integer(required=True)
    resources = fields.Nested(ResourcesToCreateSchema, required=True, metadata={"description": "Names to create, by kind"})
    bell_times = fields.List(fields.Nested(BellTimeSchema), required=True)
    create = fields.List(fields.Nested(ImportItemSchema), required=True)
    change = fields.List(fields.Nested(ImportItemSchema), required=True)
    close = fields.List(fields.Nested(ImportItemSchema), required=True)
    unchanged = fields.Integer(required=True)
    clashes = fields.List(fields.String(), required=True)
    unused = fields.List(fields.Nested(UnusedSchema), required=True, metadata={"description": "What was not imported, and why"})
    lines = fields.List(fields.String(), required=True, metadata={"description": "The plan in words, as the command prints it"})


class ImportPlanSchema(ImportSummarySchema):
    """What the import will do; apply it by sending the same file and fields with `token`."""

    token = fields.String(required=True)


class ImportAppliedSchema(Schema):
    change = fields.Nested(ChangeSchema, required=True, allow_none=True,
                           metadata={"description": "The import's one change; null when there was nothing to change"})
    plan = fields.Nested(ImportSummarySchema, required=True)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def plan_document(plan, read, token: str | None) -> dict:
    """The plan as the API and the page show it: items described in words."""
    return {
        "slug": plan.slug, "format": read.format, "from_week": format_week(plan.from_week),
        "creates_timetable": plan.creates_timetable, "cycle_weeks": plan.cycle_weeks,
        "resources": {kind: sorted(names, key=str.casefold) for kind, names in plan.resources.items() if names},
        "bell_times": [{"name": name, "start": _hhmm(s), "end": _hhmm(e)} for name, s, e in plan.bell_times],
        "create": [{"ref": ref, "description": read.describe(ref), "slot": None, "params": []} for ref in plan.create],
        "change": [{"ref": ref, "description": read.describe(ref), "slot": slot_id, "params": list(params)}
                   for ref, slot_id, params in plan.change],
        "close": [{"ref": ref, "description": f"{ref}: not in the new file", "slot": slot_id, "params": ["status"]}
                  for ref, slot_id in plan.close],
        "unchanged": plan.unchanged, "clashes": list(plan.clashes),
        "unused": [{"element": u.element, "reason": u.reason} for u in plan.unused],
        "lines": plan.lines(), "token": token or "",
    }
