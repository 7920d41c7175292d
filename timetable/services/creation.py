"""Creating timetables, courses and slots; their first rules go through the one write path."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from ..extensions import db
from ..models import ChangeSet, Course, Slot, Timetable
from ..rules import PARAMETERS, Action, Rule, format_span, get_parameter, validate_week
from .calendar import check_cycle_labels
from .catalog import RESERVED_SLUGS
from .errors import ServiceError
from .recording import record_changes
from .references import check_changes
from .stripes import COURSE, SLOT, StripeChange

Values = Mapping[str, Any]


def create_timetable(slug: str, name: str, time_zone: str, **settings: Any) -> Timetable:
    """Add a timetable inside the caller's transaction; the slug must be free and not a reserved path."""
    if slug in RESERVED_SLUGS:
        raise ServiceError(f"“{slug}” is a reserved address; choose another slug.")
    timetable = Timetable(slug=slug, name=name, time_zone=time_zone, **settings)
    db.session.add(timetable)
    db.session.flush()
    return timetable


def initial_changes(owner: str, owner_id: int, values: Values, start: int | None, end: int | None) -> list[StripeChange]:
    """The stripes of a new slot or course: every given parameter set over [start, end]."""
    for week in (start, end):
        if week is not None:
            validate_week(week)
    if start is not None and end is not None and start > end:
        raise ServiceError("The first week of the range comes after its last week.")
    if owner == SLOT:
        missing = [PARAMETERS[name].label.lower() for name in ("weekday", "start") if values.get(name) is None]
        if missing:
            raise ServiceError(f"A new slot needs a {' and a '.join(missing)}.")
    elif "course" in values:
        raise ServiceError("A course cannot point at another course.")
    changes = []
    for param, value in values.items():
        value = get_parameter(param).validate(value)
        if value is None or value == "":
            continue
        rule = Rule(None, start, end, value)
        changes.append(StripeChange(owner, owner_id, param, (), (Action.insert(start, end, value),), (rule,)))
    return changes


def create_slots(
    timetable: Timetable, slots: Sequence[Values], start: int | None, end: int | None = None, *,
    summary: str | None = None, user_id: int | None = None,
) -> tuple[list[Slot], ChangeSet]:
    """Add slots with their parameters set over [start, end], as one recorded change (caller's transaction)."""
    rows = [Slot(timetable_id=timetable.id) for _ in slots]
    db.session.add_all(rows)
    db.session.flush()
    changes = [change for row, values in zip(rows, slots) for change in initial_changes(SLOT, row.id, values, start, end)]
    check_changes(timetable.id, changes)
    check_cycle_labels(timetable, (a.value for c in changes if c.param == "cycle_weeks" for a in c.actions))
    if summary is None:
        who = f"New slot {rows[0].id}" if len(rows) == 1 else f"{len(rows)} new slots"
        summary = f"{who} · {format_span(start, end)}"
    return rows, record_changes(timetable, changes, summary, user_id, kind="create")


def create_slot(
    timetable: Timetable, values: Values, start: int | None, end: int | None = None, *, user_id: int | None = None,
) -> Slot:
    """Add one slot with every given parameter set from `start` on (the creation form's semantics)."""
    [slot], _change = create_slots(timetable, [values], start, end, user_id=user_id)
    return slot


def create_courses(
    timetable: Timetable, courses: Sequence[tuple[str, Values]], start: int | None = None, end: int | None = None, *,
    summary: str | None = None, user_id: int | None = None,
) -> list[Course]:
    """Add courses whose parameters become their slots' defaults over [start, end], as one recorded change."""
    rows = [Course(timetable_id=timetable.id, name=name) for name, _values in courses]
    db.session.add_all(rows)
    db.session.flush()
    changes = [
        change for row, (_name, values) in zip(rows, courses)
        for change in initial_changes(COURSE, row.id, values, start, end)
    ]
    check_changes(timetable.id, changes)
    check_cycle_labels(timetable, (a.value for c in changes if c.param == "cycle_weeks" for a in c.actions))
    if summary is None:
        summary = f"New course {rows[0].name}" if len(rows) == 1 else f"{len(rows)} new courses"
    record_changes(timetable, changes, summary, user_id, kind="create")
    return rows


def create_course(
    timetable: Timetable, name: str, values: Values, start: int | None = None, end: int | None = None, *,
    user_id: int | None = None,
) -> Course:
    """Add a course whose given parameters become the defaults of its slots over the weeks given."""
    [course] = create_courses(timetable, [(name, values)], start, end, user_id=user_id)
    return course
