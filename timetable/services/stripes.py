"""Translation between rule rows and the pure core's stripes, and writing painted actions."""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, select

from ..database import is_postgresql
from ..extensions import db
from ..models import CourseRule, SlotRule
from ..rules import Action, Rule, erase, get_parameter, paint

RuleModel = type[SlotRule] | type[CourseRule]


def _owner_column(model: RuleModel):
    return model.slot_id if model is SlotRule else model.course_id


def row_to_rule(row) -> Rule:
    parameter = get_parameter(row.param)
    return Rule(row.id, row.start_week, row.end_week, parameter.decode(row.value))


def load_stripe(model: RuleModel, owner_id: int, param: str, *, for_update: bool = False) -> list[Rule]:
    """Return the stripe of one owner's parameter, ordered by start week.

    With `for_update` on PostgreSQL the rows are locked until the transaction ends, so a
    concurrent writer of the same stripe waits instead of painting over a stale copy.
    """
    query = (
        select(model)
        .where(_owner_column(model) == owner_id, model.param == param)
        .order_by(model.start_week.is_not(None), model.start_week)
    )
    if for_update and is_postgresql():
        query = query.with_for_update()
    return [row_to_rule(row) for row in db.session.scalars(query)]


def write_actions(
    model: RuleModel, owner_id: int, timetable_id: int, param: str, actions: list[Action]
) -> list[int]:
    """Carry out a plan's actions on the rule rows of one stripe, inside the caller's transaction.

    Returns the ids the inserted rules received, in the order of the inserts (what
    `invert` needs to undo them).
    """
    parameter = get_parameter(param)
    inserted: list[int] = []
    owner_field = "slot_id" if model is SlotRule else "course_id"
    for action in actions:
        if action.kind == "delete":
            db.session.execute(
                delete(model).where(model.id == action.id, _owner_column(model) == owner_id)
            )
        elif action.kind == "update":
            row = db.session.get(model, action.id)
            if row is None or getattr(row, owner_field) != owner_id or row.param != param:
                raise LookupError(f"rule {action.id} is not part of the {param} stripe of {owner_id}")
            row.start_week = action.start
            row.end_week = action.end
            row.value = parameter.encode(action.value)
        elif action.kind == "insert":
            row = model(
                **{owner_field: owner_id},
                timetable_id=timetable_id,
                param=param,
                start_week=action.start,
                end_week=action.end,
                value=parameter.encode(action.value),
            )
            db.session.add(row)
            db.session.flush()
            inserted.append(row.id)
        else:
            raise ValueError(f"unknown action kind {action.kind!r}")
        # One statement per action, in the plan's order: that order never overlaps midway.
        db.session.flush()
    return inserted


def paint_rules(
    model: RuleModel,
    owner_id: int,
    timetable_id: int,
    param: str,
    start: int | None,
    end: int | None,
    value: Any,
) -> list[Action]:
    """Paint a validated value over [start, end] of one stripe and write it; return the actions."""
    value = get_parameter(param).validate(value)
    stripe = load_stripe(model, owner_id, param, for_update=True)
    actions = paint(stripe, start, end, value)
    write_actions(model, owner_id, timetable_id, param, actions)
    return actions


def erase_rules(
    model: RuleModel, owner_id: int, timetable_id: int, param: str, start: int | None, end: int | None
) -> list[Action]:
    """Uncover [start, end] of one stripe (the owner falls back to what it inherits) and write it."""
    get_parameter(param)
    stripe = load_stripe(model, owner_id, param, for_update=True)
    actions = erase(stripe, start, end)
    write_actions(model, owner_id, timetable_id, param, actions)
    return actions
