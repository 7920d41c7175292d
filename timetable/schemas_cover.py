"""Marshmallow schemas of the cover API: a plan's request and answer, its items, the cover limits."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validates_schema
from marshmallow.validate import Length, OneOf, Range

from .schemas import Id, Text
from .schemas_absences import TimeOfDay
from .schemas_editing import EditPlanSchema, WeekField
from .services.absences import ABSENT_STATUSES
from .services.cover_desk import MAX_COVERS
from .services.cover_solutions import MAX_SOLUTIONS

ITEM_KINDS = ("cover", "cancel", "room", "merge", "move")
# The field each kind of item needs besides slot_id and week.
NEEDS = {"cover": ("staff_id",), "cancel": (), "room": ("room_id",), "merge": ("with_slot_id",), "move": ("weekday", "start")}


class CoverItemSchema(Schema):
    """One lesson (slot, week) handled: covered by a colleague, cancelled, given another room, merged, or moved that week."""

    kind = fields.String(required=True, validate=OneOf(ITEM_KINDS), metadata={"description": "cover, cancel, room, merge or move"})
    slot_id = Id(required=True)
    week = WeekField(required=True, metadata={"example": "2026-W50"})
    staff_id = Id(metadata={"description": "cover: the stand-in"})
    status = fields.String(validate=OneOf(ABSENT_STATUSES), metadata={
        "description": "cover: the absent teacher's staff status that week (default: their absence's)"})
    room_id = Id(metadata={"description": "room: the room it moves to that week"})
    with_slot_id = Id(metadata={"description": "merge: the parallel lesson its groups join; it is cancelled with a note"})
    weekday = fields.Integer(validate=Range(min=1, max=7), metadata={"description": "move: the ISO weekday (1 is Monday)"})
    start = TimeOfDay(metadata={"description": "move: the new start", "example": "10:00"})

    @validates_schema
    def _needs(self, data, **kwargs):
        for name in NEEDS.get(data.get("kind", ""), ()):
            if data.get(name) is None:
                raise ValidationError(f"A {data['kind']} item needs {name}.", name)


class CoverPlanRequestSchema(Schema):
    absences = fields.List(Id(), validate=Length(max=200), metadata={
        "description": "The absences to cover (default: every current or coming one)"})
    first_day = fields.Date(data_key="from", metadata={"description": "Only lessons from this day on", "example": "2026-12-07"})
    last_day = fields.Date(data_key="until", metadata={"description": "Only lessons until this day", "example": "2026-12-25"})
    items = fields.List(fields.Nested(CoverItemSchema), validate=Length(max=MAX_SOLUTIONS), metadata={
        "description": "What to do, item by item; none (or empty) assigns every open lesson with the solver"})

    @validates_schema
    def _order(self, data, **kwargs):
        if data.get("first_day") and data.get("last_day") and data["last_day"] < data["first_day"]:
            raise ValidationError("The range ends before it starts.", "until")


class CoverApplyRequestSchema(Schema):
    items = fields.List(fields.Nested(CoverItemSchema), required=True, validate=Length(min=1, max=MAX_SOLUTIONS),
                        metadata={"description": "The plan's items, as the plan returned them"})
    token = Text(required=True, validate=Length(min=1, max=200), metadata={"description": "The plan's token"})


class CoverSuggestionSchema(Schema):
    kind = fields.String(metadata={"description": "cancel, merge, move or room"})
    text = fields.String()
    item = fields.Nested(CoverItemSchema, allow_none=True, metadata={"description": "The item that does it, for the next plan"})


class UncoveredSchema(Schema):
    slot_id = fields.Integer()
    week = WeekField()
    label = fields.String()
    why = fields.String()
    suggestions = fields.List(fields.Nested(CoverSuggestionSchema))


class CoverPlanSchema(Schema):
    """The plan: its items (send them back to apply, with the token), what stays uncovered and why, the stripe preview."""

    token = fields.String(required=True)
    summary = fields.String(required=True)
    clashes_created = fields.Integer(required=True, metadata={"description": "Clashes the plan would create (the solver's: 0)"})
    items = fields.List(fields.Nested(CoverItemSchema), required=True)
    uncovered = fields.List(fields.Nested(UncoveredSchema), required=True)
    plan = fields.Nested(EditPlanSchema, required=True)


class CoverLimitsSchema(Schema):
    """How many covers one teacher may be given."""

    per_day = fields.Integer(required=True, strict=True, validate=Range(min=0, max=MAX_COVERS))
    per_week = fields.Integer(required=True, strict=True, validate=Range(min=0, max=MAX_COVERS))
