"""Marshmallow schemas of the editing API: edit requests in; plans, changes and history out."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_dump, validates_schema
from marshmallow.validate import Length, Range

from .rules import PARAMETERS, RulesError, format_week, get_parameter, parse_week
from .rules.errors import InvalidValue
from .schemas import Id, Text

MAX_EDITS = 100
MAX_BULK_SLOTS = 10_000
MAX_HISTORY = 1000
WEEK_FORMATS = 'an ISO week: "2026-W47", "2026W47" or "202647"'
# The contract's pattern of a week: a year 0001-9999 and a week 01-52 (W53, which only some years have, is accepted
# too but left out, so that every week the pattern allows exists).
_YEAR = "(?:[0-9]{3}[1-9]|[0-9]{2}[1-9]0|[0-9][1-9]00|[1-9]000)"
_WEEK = "(?:0[1-9]|[1-4][0-9]|5[0-2])"
WEEK_REGEX = f"^(?:{_YEAR}-?[Ww](?:[1-9]|{_WEEK})|{_YEAR}{_WEEK})$"
# The weeks the server writes: as it reads them, W53 included (a rule may end in the W53 of a long year).
WRITTEN_WEEK_REGEX = WEEK_REGEX.replace("5[0-2]", "5[0-3]")


class WeekField(fields.String):
    """An ISO week: read from "2026-W47", "2026W47" or "202647", written as "2026-W47"; null is an open end."""

    def __init__(self, **kwargs) -> None:
        kwargs["metadata"] = {"pattern": WEEK_REGEX, **kwargs.get("metadata", {})}
        super().__init__(**kwargs)

    def _serialize(self, value: int | None, attr, obj, **kwargs) -> str | None:
        return None if value is None else format_week(value)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> int:
        try:
            return parse_week(value)
        except RulesError as error:
            raise ValidationError(str(error)) from error


def typed_value(param: str, value: Any) -> Any:
    """The parameter's value from JSON: text as people type it ("08:30", "Monday"), else the value itself."""
    parameter = get_parameter(param)
    typed = parameter.parse(value) if isinstance(value, str) else parameter.validate(value)
    if typed is None and not parameter.nullable and parameter.default is None:
        raise InvalidValue(f"{parameter.label} needs a value")
    return typed


def week_field(description: str, **kwargs) -> WeekField:
    return WeekField(allow_none=True, metadata={"description": description, "example": "2026-W48"}, **kwargs)


# Requests.


class EditSchema(Schema):
    """One granular edit: paint `value` (or erase) over [start, end] of one parameter."""

    class Meta:
        unknown = RAISE

    param = Text(required=True, metadata={"enum": list(PARAMETERS), "example": "room"})
    value = fields.Raw(
        allow_none=True,
        metadata={"description": "The new value: as JSON (510, 12, \"sick\") or as typed (\"08:30\", \"Monday\"). "
                                 "Leave it out when erasing.", "example": 12},
    )
    erase = fields.Boolean(
        load_default=False,
        metadata={"description": "Erase the weeks instead: the slot goes back to its course's value (a course to the default)"},
    )
    start = week_field(
        f"First week, {WEEK_FORMATS}; null for since always",
        required=True, error_messages={"required": "Give the first week, or null for since always."},
    )
    end = week_field(
        f"Last week (inclusive), {WEEK_FORMATS}; null for ever after",
        required=True, error_messages={"required": "Give the last week, or null for ever after."},
    )

    @validates_schema(skip_on_field_errors=False)
    def check_edit(self, data: dict, **kwargs) -> None:
        errors: dict[str, list[str]] = {}
        param = data.get("param")
        if param is not None:
            try:
                get_parameter(param)
            except RulesError as error:
                errors["param"] = [str(error)]
                param = None
        if data.get("erase"):
            if data.get("value") is not None:
                errors["erase"] = ["Give a value or erase: true, not both."]
        elif "value" not in data:
            errors["value"] = ["Give a value, or erase: true to go back to the inherited value."]
        elif param is not None:
            try:
                typed_value(param, data["value"])
            except RulesError as error:
                errors["value"] = [str(error)]
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start > end:
            errors["end"] = [f"{format_week(end)} comes before the start {format_week(start)}"]
        if errors:
            raise ValidationError(errors)

    @post_load
    def normalise_value(self, data: dict, **kwargs) -> dict:
        data["value"] = None if data["erase"] else typed_value(data["param"], data["value"])
        return data


def edits_field() -> fields.List:
    return fields.List(
        fields.Nested(EditSchema), required=True, validate=Length(min=1, max=MAX_EDITS),
        metadata={"description": "Applied in order: a later edit of the same parameter paints over an earlier one"},
    )


def reference_week_field() -> WeekField:
    return week_field("The week whose lessons name the slots in the preview; default: the first edit's start, "
                      "else the current week", load_default=None)


def token_field() -> Text:
    return Text(required=True, validate=Length(min=1),
                         metadata={"description": "The token of the plan that was previewed"})


class SlotEditRequestSchema(Schema):
    """Edits of one slot, to preview."""

    class Meta:
        unknown = RAISE

    edits = edits_field()
    week = reference_week_field()


class SlotApplyRequestSchema(SlotEditRequestSchema):
    """Edits of one slot, to apply as previewed."""

    token = token_field()


class BulkEditRequestSchema(SlotEditRequestSchema):
    """The same edits over many slots, or over a course (its slots inherit them), to preview."""

    slots = fields.List(
        Id(), validate=Length(min=1, max=MAX_BULK_SLOTS),
        metadata={"description": f"Slot ids (at most {MAX_BULK_SLOTS}); give either slots or course"},
    )
    course = Id(metadata={"description": "A course id; give either slots or course"})

    @validates_schema(skip_on_field_errors=False, pass_original=True)
    def check_target(self, data: dict, original: Any, **kwargs) -> None:
        # The input, not `data`: a target given but invalid already has its own message.
        given = [name for name in ("slots", "course") if isinstance(original, Mapping) and name in original]
        if len(given) == 2:
            message = "Give either slots or course, not both."
        elif not given:
            message = "Give slots (a list of slot ids) or course (a course id)."
        else:
            return
        raise ValidationError({"slots": [message], "course": [message]})


class BulkApplyRequestSchema(BulkEditRequestSchema):
    """The same edits over many slots or a course, to apply as previewed."""

    token = token_field()


class UndoPlanRequestSchema(Schema):
    """Options of an undo preview (the body may be empty)."""

    class Meta:
        unknown = RAISE

    week = week_field("The week whose lessons name the slots in the preview; default: the current week", load_default=None)


class UndoApplyRequestSchema(Schema):
    class Meta:
        unknown = RAISE

    token = token_field()


class HistoryArgsSchema(Schema):
    class Meta:
        unknown = RAISE

    slot = Id(strict=False, metadata={"description": "Only the changes that touched this slot"})
    limit = fields.Integer(validate=Range(min=1, max=MAX_HISTORY), load_default=200)


# Responses.


def _json_id(rule_id: Any) -> int | None:
    # Stored rules have integer ids; a rule the plan inserts has none yet.
    return rule_id if isinstance(rule_id, int) and not isinstance(rule_id, bool) else None


def _text(line: Any) -> str:
    return str(line)


class ActionSchema(Schema):
    kind = fields.String(required=True, metadata={"enum": ["delete", "update", "insert"]})
    id = fields.Function(lambda action: _json_id(action.id), allow_none=True,
                         metadata={"type": "integer", "description": "The rule changed or deleted; null for an insert"})
    start = week_field("First week of the rule after the action")
    end = week_field("Last week of the rule after the action")
    value = fields.Raw(allow_none=True, metadata={"description": "The rule's value after the action (null for a delete)"})


class StripeChangeSchema(Schema):
    owner = fields.String(required=True, metadata={"enum": ["slot", "course"]})
    owner_id = fields.Integer(required=True)
    param = fields.String(required=True)
    actions = fields.List(fields.Nested(ActionSchema), required=True)


class DiffLineSchema(Schema):
    slot_id = fields.Integer(required=True)
    label = fields.String(required=True, metadata={"example": "Maths 7A · Mon 08:00"})
    param = fields.String(required=True)
    start = week_field("First week of this difference")
    end = week_field("Last week of this difference")
    old = fields.String(required=True, metadata={"description": "The value as people read it, before"})
    new = fields.String(required=True, metadata={"description": "The value as people read it, after"})
    text = fields.Function(_text, metadata={"type": "string"})


class KeptLineSchema(Schema):
    slot_id = fields.Integer(required=True)
    label = fields.String(required=True)
    param = fields.String(required=True)
    start = week_field("First week the slot keeps its own value")
    end = week_field("Last week the slot keeps its own value")
    own = fields.String(required=True, metadata={"description": "The slot's own value, kept"})
    course_new = fields.String(required=True, metadata={"description": "The course's new value, which the slot does not take"})
    text = fields.Function(_text, metadata={"type": "string"})


class ClashLineSchema(Schema):
    kind = fields.String(required=True, metadata={"enum": ["staff", "room", "group"]})
    resource = fields.String(required=True)
    weekday = fields.Integer(required=True)
    first = fields.String(required=True)
    second = fields.String(required=True)
    weeks = fields.Function(
        lambda line: [{"start": format_week(start), "end": format_week(end) if end else None} for start, end in line.weeks],
        required=True,
        metadata={"type": "array", "items": {"type": "object"}, "description": "Stretches of weeks the clash holds over"},
    )
    text = fields.Function(_text, metadata={"type": "string"})


class OverwriteLineSchema(Schema):
    owner = fields.String(required=True)
    owner_id = fields.Integer(required=True)
    param = fields.String(required=True)
    start = week_field("First week a later change repainted")
    end = week_field("Last week a later change repainted")
    found = fields.String(required=True, metadata={"description": "The value now, set by a later change"})
    restored = fields.String(required=True, metadata={"description": "The value undo puts back"})
    text = fields.Function(_text, metadata={"type": "string"})


class BookingLineSchema(Schema):
    slot_id = fields.Integer(required=True)
    label = fields.String(required=True)
    week = WeekField(required=True)
    counts = fields.Function(lambda line: dict(line.counts), required=True,
                             metadata={"type": "object", "description": "Places per status: confirmed, requested, held, offered, waiting"})
    changes = fields.List(fields.String(), required=True)
    text = fields.Function(_text, metadata={"type": "string"})


class EditPlanSchema(Schema):
    """A plan: what the edits would change, stripe by stripe and in words; apply it with its token."""

    token = fields.String(required=True)
    summary = fields.String(required=True)
    empty = fields.Boolean(required=True, metadata={"description": "True when the edits would change nothing"})
    changes = fields.List(fields.Nested(StripeChangeSchema), required=True)
    lines = fields.List(fields.Nested(DiffLineSchema), attribute="preview.lines", required=True)
    kept = fields.List(fields.Nested(KeptLineSchema), attribute="preview.kept", required=True,
                       metadata={"description": "Slots that keep their own value where their course changes"})
    clashes_created = fields.List(fields.Nested(ClashLineSchema), attribute="preview.clashes_created", required=True)
    clashes_removed = fields.List(fields.Nested(ClashLineSchema), attribute="preview.clashes_removed", required=True)
    bookings = fields.List(fields.Nested(BookingLineSchema), attribute="preview.bookings", required=True,
                           metadata={"description": "Booked occurrences the plan moves, shortens, closes or shrinks"})


class UndoPlanSchema(EditPlanSchema):
    """What undoing a change would do now, with the later edits it would overwrite."""

    summary = fields.Function(lambda plan: plan.summary,
                              metadata={"type": "string"})
    overwrites = fields.List(fields.Nested(OverwriteLineSchema), required=True)
    grid_changes = fields.List(fields.String(), attribute="grid_lines", required=True,
                               metadata={"description": "What undo does to the bell grids, when the change set replaced them"})


class ChangedStripeSchema(Schema):
    owner = fields.String(attribute="owner_kind", required=True, metadata={"enum": ["slot", "course"]})
    owner_id = fields.Integer(required=True)
    param = fields.String(required=True)


def _iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class ChangeSchema(Schema):
    """An applied change, as the history lists it."""

    def __init__(self, *args, undone_by: Mapping[int, int] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.undone_by = undone_by or {}

    id = fields.Integer(required=True)
    kind = fields.String(required=True, metadata={"example": "edit", "description": "edit, undo, …"})
    summary = fields.String(required=True)
    user = fields.Function(lambda change: change.user.username if change.user else None, allow_none=True,
                           metadata={"type": "string", "description": "Who applied it"})
    created_at = fields.Function(lambda change: _iso_utc(change.created_at),
                                 metadata={"type": "string", "format": "date-time"})
    undoes = fields.Integer(attribute="undoes_id", allow_none=True, metadata={"description": "The change this one undid"})
    undone_by = fields.Method("_undone_by", allow_none=True,
                              metadata={"type": "integer", "description": "The change that undid this one"})
    stripes = fields.List(fields.Nested(ChangedStripeSchema), required=True)

    def _undone_by(self, change) -> int | None:
        return self.undone_by.get(change.id)


class AppliedChangeSchema(Schema):
    change = fields.Nested(ChangeSchema, required=True, allow_none=True,
                           metadata={"description": "The change applied; null when there was nothing to change"})

    @pre_dump
    def _as_written(self, data: Mapping[str, Any], **_kwargs) -> Mapping[str, Any]:
        """The change as the request wrote it, when it is at hand: no need to load it again after the commit."""
        change = data.get("change")
        written = getattr(change, "written", None)
        return {**data, "change": written} if written is not None else data


class SessionSchema(Schema):
    user = fields.String(allow_none=True, metadata={"description": "The logged-in editor's username, or null"})
    csrf_token = fields.String(required=True, metadata={"description": "Send it as the X-CSRFToken header of every POST"})


# Creating slots.

MAX_NEW_SLOTS = 500


class NewSlotValuesField(fields.Dict):
    """One new slot: every parameter it sets, by name, its values as in an edit (JSON or as typed)."""

    def __init__(self, **kwargs):
        super().__init__(keys=fields.String(), values=fields.Raw(allow_none=True), **kwargs)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> dict[str, Any]:
        raw = super()._deserialize(value, attr, data, **kwargs)
        values, errors = {}, {}
        for param, given in raw.items():
            try:
                values[param] = None if given is None else typed_value(param, given)
            except RulesError as error:
                errors[param] = [str(error)]
        for param in ("weekday", "start"):
            if values.get(param) is None and param not in errors:
                errors[param] = [f"A new slot needs a {PARAMETERS[param].label.lower()}."]
        if errors:
            raise ValidationError(errors)
        return values


class NewSlotsRequestSchema(Schema):
    """New slots to preview: each with its parameters, all set over the same weeks."""

    class Meta:
        unknown = RAISE

    slots = fields.List(
        NewSlotValuesField(metadata={"example": {"weekday": "Monday", "start": "08:00", "duration": 50, "course": 3, "room": 12}}),
        required=True, validate=Length(min=1, max=MAX_NEW_SLOTS),
        metadata={"description": f"At most {MAX_NEW_SLOTS} slots; each needs a weekday and a start, and may set any parameter"},
    )
    start = week_field(f"The first week the slots take place, {WEEK_FORMATS}", required=True,
                       error_messages={"required": "Give the first week the slots take place."})
    end = week_field(f"Their last week (inclusive), {WEEK_FORMATS}; null or left out for ever after", load_default=None)
    week = week_field("The week whose lessons the preview shows the clashes in; default: the first week", load_default=None)

    @validates_schema(skip_on_field_errors=True)
    def check_range(self, data: dict, **kwargs) -> None:
        start, end = data.get("start"), data.get("end")
        if start is not None and end is not None and start > end:
            raise ValidationError({"end": [f"{format_week(end)} comes before the start {format_week(start)}"]})


class NewSlotsApplyRequestSchema(NewSlotsRequestSchema):
    """The new slots, to create as previewed."""

    token = token_field()


class NewSlotsAppliedSchema(AppliedChangeSchema):
    slots = fields.Function(lambda applied: sorted({s.owner_id for s in applied["change"].stripes}),
                            metadata={"type": "array", "items": {"type": "integer"}, "description": "The new slots' ids"})
