"""Test data written through the app's own write path: the same services a school's scheduler uses."""

from __future__ import annotations

from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import ChangeSet, Room, Staff
from timetable.rules import parse_week
from timetable.services.creation import create_course, create_slot, create_slots, create_timetable
from timetable.services.editing import record_requests
from timetable.services.editing.planning import EditRequest


def build_school() -> dict:
    """Teacher X gives five Maths lessons a week at 08:00 from 2026-W40; Y is free; Z teaches
    Physics on Monday at 09:00; Wednesday's Maths lesson is in room 102 in 2026-W49 only.

    Returns the ids, the timetable, and how many changes the set-up itself recorded in the
    history, up to which id (tests of the history count what comes after)."""
    w40, w49 = parse_week("2026-W40"), parse_week("2026-W49")
    with write_transaction():
        timetable = create_timetable("t", "Test school", "Europe/Paris", published=True)
        x, y, z = (Staff(timetable_id=timetable.id, name=n) for n in ("X", "Y", "Z"))
        r1, r2, r3 = (Room(timetable_id=timetable.id, name=n) for n in ("101", "102", "Lab"))
        db.session.add_all([x, y, z, r1, r2, r3])
        db.session.flush()
        maths = create_course(timetable, "Maths 7A", {"staff": x.id, "room": r1.id, "duration": 50})
        physics = create_course(timetable, "Physics 7A", {"staff": z.id, "room": r3.id, "duration": 50})
        lessons, _ = create_slots(timetable, [{"course": maths.id, "weekday": day, "start": 8 * 60} for day in range(1, 6)], w40)
        other = create_slot(timetable, {"course": physics.id, "weekday": 1, "start": 9 * 60}, w40)
        record_requests(timetable, [EditRequest("slot", (lessons[2].id,), "room", w49, w49, r2.id)], "Room 102 in 2026-W49", None)
        setup_changes = db.session.query(ChangeSet).count()
        last_setup_change = db.session.query(db.func.max(ChangeSet.id)).scalar()
    return {"timetable": timetable, "x": x.id, "y": y.id, "z": z.id, "r1": r1.id, "r2": r2.id, "r3": r3.id,
            "maths": maths, "physics": physics, "lessons": [s.id for s in lessons], "other": other.id,
            "setup_changes": setup_changes, "last_setup_change": last_setup_change}


def make_slot(timetable, start_week: int | None, **values):
    """A slot with these parameters from `start_week` on, created as the grid's "New slot" does."""
    with write_transaction():
        return create_slot(timetable, values, start_week)


def make_course(timetable, name: str, **values):
    """A course whose own stripes hold these parameters, created as a recorded change."""
    with write_transaction():
        return create_course(timetable, name, values)


def paint(timetable, owner: str, owner_id: int, param: str, start: int | None, end: int | None, value) -> None:
    """Paint one parameter of a slot or course over [start, end] as a recorded change (caller's transaction)."""
    record_requests(timetable, [EditRequest(owner, (owner_id,), param, start, end, value)], f"{param} of {owner} {owner_id}", None)
