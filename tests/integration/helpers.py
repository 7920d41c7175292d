"""Shared by the editing tests: week keys by number, values of a slot in a week, rule dumps."""

from __future__ import annotations

from sqlalchemy import select

from timetable.extensions import db
from timetable.models import SlotRule
from timetable.rules import parse_week
from timetable.services.editing import apply_plan, plan_edit
from timetable.services.resolution import resolve_week

W = {n: parse_week(f"2026-W{n:02d}") for n in range(40, 53)}


def week(n: int) -> int:
    return W[n]


def values(timetable, n, slot_id):
    return next(o.values for o in resolve_week(timetable, week(n)) if o.slot_id == slot_id)


def all_rules():
    return sorted((r.slot_id, r.param, r.start_week, r.end_week, r.value) for r in db.session.scalars(select(SlotRule)))


def plan_and_apply(timetable, requests, user_id=None):
    plan = plan_edit(timetable, requests, week(48))
    return plan, apply_plan(timetable, requests, plan.token, user_id)

