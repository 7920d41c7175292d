"""Creating timetables, their resources, courses and slots, with their first rules."""

from __future__ import annotations

from typing import Any, Mapping

from ..extensions import db
from ..models import Course, CourseRule, Slot, SlotRule, Timetable
from ..rules import get_parameter, validate_week
from .catalog import RESERVED_SLUGS
from .errors import ServiceError


def create_timetable(slug: str, name: str, time_zone: str, **settings: Any) -> Timetable:
    """Add a timetable inside the caller's transaction; the slug must be free and not a reserved path."""
    if slug in RESERVED_SLUGS:
        raise ServiceError(f"“{slug}” is a reserved address; choose another slug.")
    timetable = Timetable(slug=slug, name=name, time_zone=time_zone, **settings)
    db.session.add(timetable)
    db.session.flush()
    return timetable


def _first_rules(model, owner_field: str, owner_id: int, timetable_id: int, values: Mapping[str, Any], start_week, end_week):
    if start_week is not None:
        validate_week(start_week)
    if end_week is not None:
        validate_week(end_week)
    if start_week is not None and end_week is not None and start_week > end_week:
        raise ServiceError("The first week comes after the last week.")
    for param, value in values.items():
        parameter = get_parameter(param)
        value = parameter.validate(value)
        if value is None:
            continue
        db.session.add(
            model(
                **{owner_field: owner_id},
                timetable_id=timetable_id,
                param=param,
                start_week=start_week,
                end_week=end_week,
                value=parameter.encode(value),
            )
        )


def create_course(
    timetable: Timetable, name: str, values: Mapping[str, Any], start_week: int | None = None, end_week: int | None = None
) -> Course:
    """Add a course whose given parameters become the defaults of its slots over the weeks given."""
    course = Course(timetable_id=timetable.id, name=name)
    db.session.add(course)
    db.session.flush()
    if "course" in values:
        raise ServiceError("A course cannot point at another course.")
    _first_rules(CourseRule, "course_id", course.id, timetable.id, values, start_week, end_week)
    return course


def create_slot(
    timetable: Timetable, values: Mapping[str, Any], start_week: int | None, end_week: int | None = None
) -> Slot:
    """Add a slot with every given parameter set from `start_week` on (the creation form's semantics).

    A new slot has empty stripes, so its first rules are inserted directly rather than painted.
    """
    missing = [name for name in ("weekday", "start") if values.get(name) is None]
    if missing:
        raise ServiceError(f"A new slot needs a {' and a '.join(missing)}.")
    slot = Slot(timetable_id=timetable.id)
    db.session.add(slot)
    db.session.flush()
    _first_rules(SlotRule, "slot_id", slot.id, timetable.id, values, start_week, end_week)
    return slot
