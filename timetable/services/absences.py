"""Absences of staff, rooms and groups: register, list, change and withdraw them, each change audited.

An absence writes no rule row: it is what the substitution desk plans cover from, and the
cover itself goes through the one write path. Every refusal names its field and writes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..models import Absence, AbsenceChange, Group, Room, Staff, Timetable
from ..rules import STAFF_PRESENT, STAFF_STATUSES, week_of
from ..rules.cover import ABSENCE_KINDS, Away
from ..rules.params import text_problem
from .bells import grid_for_week
from .calendar import load_calendar
from .errors import InvalidField, NotFound

MODELS = {"staff": Staff, "room": Room, "group": Group}
ABSENT_STATUSES = tuple(value for value, _label in STAFF_STATUSES if value != STAFF_PRESENT)
MAX_ABSENCE_DAYS = 366
MAX_REASON = 2000
FIELDS = ("kind", "resource_id", "start_date", "end_date", "start_minute", "end_minute", "status", "reason", "withdrawn")


@dataclass(frozen=True)
class AbsenceInput:
    """What a form or an API body says of an absence; None fields are left as they are on a change."""

    kind: str | None = None
    resource_id: int | None = None
    start_date: date | None = None
    end_date: date | None = None
    start_minute: int | None = None
    end_minute: int | None = None
    whole_day: bool = False
    status: str | None = None
    reason: str | None = None
    withdrawn: bool | None = None
    # Or by periods of the bell grid: from the start of the first to the end of the last (names, "1" to "3").
    first_period: str | None = None
    last_period: str | None = None


def snapshot(absence: Absence) -> dict[str, Any]:
    values = {name: getattr(absence, name) for name in FIELDS}
    values["start_date"], values["end_date"] = absence.start_date.isoformat(), absence.end_date.isoformat()
    return values


def as_away(absence: Absence) -> Away:
    return Away(absence.id, absence.kind, absence.resource_id, absence.start_date, absence.end_date,
                absence.start_minute, absence.end_minute)


def _field_name(kind: str) -> str:
    return kind  # the API names the resource by its kind: {"staff": 12}, {"room": 3}, {"group": 4}


def _check(timetable: Timetable, absence: Absence) -> None:
    """Refuse an absence that cannot be: each message names the field to fix."""
    if absence.kind not in ABSENCE_KINDS:
        raise InvalidField(f"An absence is of staff, a room or a group, not “{absence.kind}”.", "kind")
    model = MODELS[absence.kind]
    found = db.session.scalar(select(model.id).where(model.id == absence.resource_id, model.timetable_id == timetable.id))
    if found is None:
        raise InvalidField(f"This timetable has no {absence.kind} {absence.resource_id}.", _field_name(absence.kind))
    if absence.end_date < absence.start_date:
        raise InvalidField(f"The absence ends ({absence.end_date}) before it starts ({absence.start_date}).", "end")
    if (absence.end_date - absence.start_date).days >= MAX_ABSENCE_DAYS:
        raise InvalidField(f"An absence lasts at most {MAX_ABSENCE_DAYS} days: register a longer one in parts.", "end")
    if (absence.start_minute is None) != (absence.end_minute is None):
        raise InvalidField("Give both times of day (from and until), or neither for whole days.", "until")
    if absence.start_minute is not None and absence.end_minute is not None and absence.start_minute >= absence.end_minute:
        raise InvalidField("The time of day it ends must come after the time it starts.", "until")
    if absence.status not in ABSENT_STATUSES:
        raise InvalidField(f"The status is one of {', '.join(ABSENT_STATUSES)}.", "status")
    problem = text_problem(absence.reason)
    if problem or len(absence.reason) > MAX_REASON:
        raise InvalidField(f"The reason {problem or f'is longer than {MAX_REASON} characters'}.", "reason")
    calendar = load_calendar(timetable)
    days = (absence.start_date + timedelta(days=n) for n in range((absence.end_date - absence.start_date).days + 1))
    if not any(day.isoweekday() in timetable.weekdays and calendar.holiday_on(day) is None for day in days):
        raise InvalidField(
            f"From {absence.start_date} to {absence.end_date} every day is a holiday or a day the timetable is closed: "
            "there is nothing to cover.", "start")


def period_times(timetable: Timetable, day: date, first: str, last: str) -> tuple[int, int]:
    """The times of day from period `first` to period `last` in the bell grid of `day`'s week (earliest start, latest end)."""
    grid = grid_for_week(timetable, week_of(day))
    if grid is None:
        raise InvalidField(f"There are no bell times in the week of {day}: give the times of day instead.", "first_period")
    found = {}
    for field_name, name in (("first_period", first), ("last_period", last)):
        periods = [p for p in grid.periods if p.name == name]
        if not periods:
            names = ", ".join(dict.fromkeys(p.name for p in grid.periods))
            raise InvalidField(f"The bell grid has no period “{name}” (it has {names}).", field_name)
        found[field_name] = periods
    start, end = min(p.start for p in found["first_period"]), max(p.end for p in found["last_period"])
    if start >= end:
        raise InvalidField("The last period comes before the first.", "last_period")
    return start, end


def _with_periods(timetable: Timetable, given: AbsenceInput, start_date: date | None) -> AbsenceInput:
    if given.first_period is None and given.last_period is None:
        return given
    if start_date is None:
        raise InvalidField("This field is required.", "start")
    start, end = period_times(timetable, start_date, given.first_period or given.last_period or "",
                              given.last_period or given.first_period or "")
    return replace(given, start_minute=start, end_minute=end, whole_day=False)


def _apply_input(absence: Absence, given: AbsenceInput) -> None:
    for name in ("kind", "resource_id", "start_date", "end_date", "status", "reason", "withdrawn"):
        value = getattr(given, name)
        if value is not None:
            setattr(absence, name, value)
    if given.whole_day:
        absence.start_minute = absence.end_minute = None
    elif given.start_minute is not None or given.end_minute is not None:
        absence.start_minute, absence.end_minute = given.start_minute, given.end_minute


def _missing(given: AbsenceInput) -> None:
    for name, field in (("resource_id", "staff"), ("start_date", "start"), ("end_date", "end")):
        if getattr(given, name) is None:
            raise InvalidField("This field is required.", field)


def register_absence(timetable: Timetable, given: AbsenceInput, user_id: int | None) -> Absence:
    """Add an absence in one transaction, with its first audit line; nothing is written if it is refused."""
    _missing(given)
    with write_transaction():
        absence = Absence(timetable_id=timetable.id, kind=given.kind or "staff", status="sick", reason="", withdrawn=False)
        _apply_input(absence, _with_periods(timetable, given, given.start_date))
        with db.session.no_autoflush:
            _check(timetable, absence)
        db.session.add(absence)
        db.session.flush()
        db.session.add(AbsenceChange(absence_id=absence.id, user_id=user_id, before=None, after=snapshot(absence)))
    return absence


def change_absence(timetable: Timetable, absence_id: int, given: AbsenceInput, user_id: int | None) -> Absence:
    """Change some fields of an absence (or withdraw it) in one transaction; the audit keeps both versions."""
    with write_transaction():
        absence = get_absence(timetable, absence_id)
        before = snapshot(absence)
        _apply_input(absence, _with_periods(timetable, given, given.start_date or absence.start_date))
        with db.session.no_autoflush:  # checked before it is written; a refusal rolls the change back
            _check(timetable, absence)
        after = snapshot(absence)
        if after != before:
            db.session.add(AbsenceChange(absence_id=absence.id, user_id=user_id, before=before, after=after))
    return absence


def get_absence(timetable: Timetable, absence_id: int) -> Absence:
    absence = db.session.get(Absence, absence_id)
    if absence is None or absence.timetable_id != timetable.id:
        raise NotFound(f"This timetable has no absence {absence_id}.")
    return absence


def list_absences(timetable: Timetable, *, ending_from: date | None = None, withdrawn: bool = False) -> list[Absence]:
    """The timetable's absences by start date; only those ending on or after `ending_from` when given."""
    query = select(Absence).where(Absence.timetable_id == timetable.id)
    if ending_from is not None:
        query = query.where(Absence.end_date >= ending_from)
    if not withdrawn:
        query = query.where(Absence.withdrawn.is_(False))
    return list(db.session.scalars(query.order_by(Absence.start_date, Absence.id)))


def audit_of(absence_ids: list[int]) -> Mapping[int, list[AbsenceChange]]:
    """The audit lines of these absences, oldest first."""
    found: dict[int, list[AbsenceChange]] = {i: [] for i in absence_ids}
    query = select(AbsenceChange).where(AbsenceChange.absence_id.in_(absence_ids)).order_by(AbsenceChange.id)
    for change in db.session.scalars(query):
        found[change.absence_id].append(change)
    return found
