"""Marshmallow schemas of the bell-times API: bell grids in and out, the plan of a change."""

from __future__ import annotations

import re
from typing import Any

from marshmallow import RAISE, Schema, ValidationError, fields, post_load
from marshmallow.validate import Length, Range

from .rules.periods import DAY_MINUTES, MAX_GRIDS, MAX_NAME_LENGTH, MAX_PERIODS_PER_DAY, BellGrid, Period, clock
from .schemas import Text
from .schemas_editing import DiffLineSchema, WeekField

_CLOCK = re.compile(r"(\d{1,2})[:h](\d{2})", re.ASCII)


# The contract's pattern of a bell time as text: 00:00 to 24:00 on a 5-minute step ("8h45" is read too).
TIME_OF_DAY_REGEX = r"^(?:(?:[01]?[0-9]|2[0-3])[:h][0-5][05]|24[:h]00)$"
# A period's name: no spaces around it.
PERIOD_NAME_REGEX = r"^[^\s\x00](?:[^\x00]*[^\s\x00])?$"


class MinuteField(fields.Field):
    """A time of day from "00:00" to "24:00" (or minutes since midnight); written as "08:45"."""

    def _serialize(self, value: int | None, attr, obj, **kwargs) -> str | None:
        return None if value is None else clock(value)

    def _deserialize(self, value: Any, attr, data, **kwargs) -> int:
        if isinstance(value, int) and not isinstance(value, bool):
            minutes = value
        elif isinstance(value, str) and (match := _CLOCK.fullmatch(value.strip())) and int(match[2]) < 60:
            minutes = int(match[1]) * 60 + int(match[2])
        else:
            raise ValidationError(f'{value!r} is not a time of day like "08:45".')
        if not 0 <= minutes <= DAY_MINUTES:
            raise ValidationError(f"{value!r} is not a time from 00:00 to 24:00.")
        return minutes


class PeriodSchema(Schema):
    class Meta:
        unknown = RAISE

    weekday = fields.Integer(required=True, strict=True, validate=Range(1, 7), metadata={"description": "ISO weekday, 1 = Monday"})
    name = Text(required=True, validate=Length(1, MAX_NAME_LENGTH), metadata={"example": "3", "pattern": PERIOD_NAME_REGEX})
    start = MinuteField(required=True, metadata={"type": "string", "example": "10:00", "pattern": TIME_OF_DAY_REGEX})
    end = MinuteField(required=True, metadata={"type": "string", "example": "10:45", "pattern": TIME_OF_DAY_REGEX})


class BellGridSchema(Schema):
    """The periods that hold from `from_week` until the next grid starts."""

    class Meta:
        unknown = RAISE

    from_week = WeekField(required=True, metadata={"example": "2027-W45"})
    periods = fields.List(fields.Nested(PeriodSchema), required=True, validate=Length(max=7 * MAX_PERIODS_PER_DAY))


class BellGridsSchema(Schema):
    """Every bell grid of a timetable: a PUT replaces them all."""

    class Meta:
        unknown = RAISE

    schedules = fields.List(fields.Nested(BellGridSchema), required=True, validate=Length(max=MAX_GRIDS))
    token = fields.String(load_default=None, metadata={
        "description": "The token of a plan (POST …/periods/plan): refuse if the grids or the slots changed since. "
                       "Without it the change is planned and applied at once."})

    @post_load
    def to_grids(self, data: dict, **kwargs) -> dict:
        data["grids"] = [
            BellGrid(grid["from_week"], tuple(Period(p["weekday"], p["start"], p["end"], p["name"]) for p in grid["periods"]))
            for grid in data["schedules"]
        ]
        return data


def dump_grids(grids) -> dict:
    return BellGridsSchema(only=("schedules",)).dump({"schedules": [
        {"from_week": g.from_week, "periods": [{"weekday": p.weekday, "name": p.name, "start": p.start, "end": p.end} for p in g.periods]}
        for g in grids
    ]})


class BellPlanSchema(Schema):
    """What a change of the bell grids would do: the grids' changes and every slot it retimes."""

    token = fields.String(required=True)
    summary = fields.String(required=True)
    empty = fields.Boolean(required=True)
    grid_changes = fields.List(fields.String(), attribute="grid_lines", required=True,
                               metadata={"example": ["Grid from 2027-W45: Friday “3” 10:00–10:45 → 10:10–10:55"]})
    lines = fields.List(fields.Nested(DiffLineSchema), attribute="preview.lines", required=True,
                        metadata={"description": "Every slot edit: start and duration of the slots of moved periods"})
