"""Fixtures of the integration tests: a small school to edit."""

from __future__ import annotations

import pytest

from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import Room, SlotRule, Staff
from timetable.services.creation import create_course, create_slot, create_timetable
from timetable.services.stripes import paint_rules
from tests.integration.helpers import week


@pytest.fixture
def school(app_ctx):
    """Teacher X gives five lessons a week; Y is free; one of X's lessons moves room in W49 only."""
    with write_transaction():
        timetable = create_timetable("t", "Test school", "Europe/Paris", published=True)
        x, y, z = (Staff(timetable_id=timetable.id, name=n) for n in ("X", "Y", "Z"))
        r1, r2, r3 = (Room(timetable_id=timetable.id, name=n) for n in ("101", "102", "Lab"))
        db.session.add_all([x, y, z, r1, r2, r3])
        db.session.flush()
        maths = create_course(timetable, "Maths 7A", {"staff": x.id, "room": r1.id, "duration": 50})
        physics = create_course(timetable, "Physics 7A", {"staff": z.id, "room": r3.id, "duration": 50})
        lessons = [create_slot(timetable, {"course": maths.id, "weekday": day, "start": 8 * 60}, week(40)) for day in range(1, 6)]
        other = create_slot(timetable, {"course": physics.id, "weekday": 1, "start": 9 * 60}, week(40))
        paint_rules(SlotRule, lessons[2].id, timetable.id, "room", week(49), week(49), r2.id)
    return {"timetable": timetable, "x": x.id, "y": y.id, "z": z.id, "r1": r1.id, "r2": r2.id, "r3": r3.id,
            "maths": maths, "physics": physics, "lessons": [s.id for s in lessons], "other": other.id}
