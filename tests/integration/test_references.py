"""Every writer's plan checks the resources it assigns: creation, the demo-like record path, bulk and course edits."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.integration.helpers import week
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import ChangeSet, Course, Room, Slot, SlotRule
from timetable.services.creation import create_course, create_slots, create_timetable
from timetable.services.editing import EditRequest, plan_creation, record_requests
from timetable.services.errors import ServiceError


def _rows() -> tuple[int, ...]:
    return tuple(db.session.scalar(select(func.count()).select_from(m)) for m in (Slot, SlotRule, Course, ChangeSet))


def test_creations_refuse_unknown_and_foreign_resources_and_write_nothing(school):
    timetable = school["timetable"]
    with write_transaction():
        other = create_timetable("other", "Other school", "UTC")
        foreign_room = Room(timetable_id=other.id, name="Elsewhere")
        db.session.add(foreign_room)
    before = _rows()
    for values in ({"room": foreign_room.id}, {"staff": 99999}, {"course": 99999}):
        with pytest.raises(ServiceError, match="this timetable has no"), write_transaction():
            create_slots(timetable, [{"weekday": 1, "start": 600, **values}], week(48))
        with pytest.raises(ServiceError, match="this timetable has no"):
            plan_creation(timetable, {"weekday": 1, "start": 600, **values}, week(48), None, week(48))
    with pytest.raises(ServiceError, match="Room: this timetable has no room"), write_transaction():
        create_course(timetable, "Chemistry", {"room": foreign_room.id})
    assert _rows() == before


def test_recorded_requests_refuse_a_retired_room_from_its_week(school):
    timetable = school["timetable"]
    with write_transaction():
        db.session.get(Room, school["r2"]).retired_from_week = week(50)
    before = _rows()
    lesson = school["lessons"][0]
    with pytest.raises(ServiceError, match="102 is retired from 2026-W50"), write_transaction():
        record_requests(timetable, [EditRequest("slot", (lesson,), "room", week(49), week(50), school["r2"])], "room", None)
    with pytest.raises(ServiceError, match="retired"), write_transaction():
        record_requests(timetable, [EditRequest("course", (school["maths"].id,), "room", week(45), None, school["r2"])], "room", None)
    assert _rows() == before
    # Before the retirement it is assignable; erasing (going back to the course's value) names nothing.
    with write_transaction():
        record_requests(timetable, [EditRequest("slot", (lesson,), "room", week(48), week(49), school["r2"])], "room", None)
        record_requests(timetable, [EditRequest("slot", (lesson,), "room", week(48), None, None, erase=True)], "erase", None)
