"""The desk's one-click solutions: change room, merge with a parallel lesson, move to a free period; bad items refused.

The small school (X's Maths 7A Monday to Friday at 08:00 in room 101, Z's Physics on Monday at
09:00 in the Lab) plus Y's English 7B on Monday at 08:00 in room 102. Pinned clock: 2026-11-20;
the absences fall on Monday 2026-12-07 (W50).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_slot, paint
from tests.integration.helpers import all_rules, values, week
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import ChangeSet, Group, Room
from timetable.services.absences import AbsenceInput, register_absence
from timetable.services.cover_assignment import apply_cover, plan_cover
from timetable.services.cover_desk import load_desk
from timetable.services.cover_solutions import parse_solutions
from timetable.services.editing import apply_undo, plan_undo
from timetable.services.errors import InvalidField, NotFound

TODAY = date(2026, 11, 20)
MON = date(2026, 12, 7)


@pytest.fixture
def groups(school):
    timetable = school["timetable"]
    with write_transaction():
        g7a, g7b = Group(timetable_id=timetable.id, name="7A", size=25), Group(timetable_id=timetable.id, name="7B", size=20)
        big = Room(timetable_id=timetable.id, name="Hall", capacity=60)
        small = Room(timetable_id=timetable.id, name="Box", capacity=10)
        db.session.add_all([g7a, g7b, big, small])
        db.session.flush()
        paint(timetable, "course", school["maths"].id, "group", week(40), None, [g7a.id])
    english = make_slot(timetable, week(40), weekday=1, start=8 * 60, duration=50, staff=school["y"], group=g7b.id,
                        room=school["r2"], title="English 7B")
    return {**school, "g7a": g7a.id, "g7b": g7b.id, "hall": big.id, "box": small.id, "english": english.id}


def absent(school, kind: str, resource_id: int, start=MON, end=MON):
    return register_absence(school["timetable"], AbsenceInput(kind=kind, resource_id=resource_id, start_date=start, end_date=end), None)


def actions(desk, kind: str) -> list[str]:
    return [s.action for a in desk.affected for s in a.suggestions if s.kind == kind and s.action]


def changes() -> int:
    return db.session.query(ChangeSet).count()


def test_a_room_away_offers_the_free_rooms_that_fit_and_one_click_moves_that_week_only(groups):
    timetable, monday = groups["timetable"], groups["lessons"][0]
    desk = load_desk(timetable, [absent(groups, "room", groups["r1"])], TODAY)
    offered = actions(desk, "room")
    # 101 is away, 102 is taken at 08:00, the Box is too small for 7A's 25: the Lab (no capacity given) and the Hall fit.
    assert offered == [f"room:{monday}:{week(50)}:{groups['r3']}", f"room:{monday}:{week(50)}:{groups['hall']}"]

    solutions = parse_solutions(offered[1:])
    plan = plan_cover(timetable, [], [], solutions)
    assert not plan.preview.clashes_created and "1 room changed" in plan.summary
    change = apply_cover(timetable, [], [], plan.token, None, solutions)
    assert values(timetable, 50, monday)["room"] == groups["hall"]
    assert values(timetable, 51, monday)["room"] == groups["r1"]

    apply_undo(timetable, change.id, plan_undo(timetable, change.id, week(50)).token, None)
    assert values(timetable, 50, monday)["room"] == groups["r1"]


def test_a_teachers_lesson_may_change_room_on_request(groups):
    desk = load_desk(groups["timetable"], [absent(groups, "staff", groups["x"])], TODAY)
    assert f"room:{groups['lessons'][0]}:{week(50)}:{groups['hall']}" in actions(desk, "room")


def test_merge_cancels_the_lesson_with_a_note_and_adds_its_groups_to_the_parallel_one_that_week(groups):
    timetable, monday, english = groups["timetable"], groups["lessons"][0], groups["english"]
    desk = load_desk(timetable, [absent(groups, "staff", groups["x"])], TODAY)
    assert actions(desk, "merge") == [f"merge:{monday}:{week(50)}:{english}"]

    solutions = parse_solutions(actions(desk, "merge"))
    plan = plan_cover(timetable, [], [], solutions)
    assert not plan.preview.clashes_created
    apply_cover(timetable, [], [], plan.token, None, solutions)
    merged = values(timetable, 50, monday)
    assert merged["status"] == "temporarily_closed" and merged["note"] == "Merged with English 7B (Y)"
    assert tuple(values(timetable, 50, english)["group"]) == (groups["g7a"], groups["g7b"])
    assert values(timetable, 51, english)["group"] in (groups["g7b"], (groups["g7b"],))
    assert values(timetable, 51, monday)["status"] == "open"


def test_move_goes_to_the_free_period_found_that_week_only(groups):
    timetable, monday = groups["timetable"], groups["lessons"][0]
    desk = load_desk(timetable, [absent(groups, "staff", groups["x"])], TODAY)
    (move,) = actions(desk, "move")
    _kind, _slot, _week, weekday, start = move.split(":")
    # X teaches every day at 08:00, so the first free usual time is Tuesday 09:00.
    assert (int(weekday), int(start)) == (2, 9 * 60)

    solutions = parse_solutions([move])
    plan = plan_cover(timetable, [], [], solutions)
    assert not plan.preview.clashes_created
    apply_cover(timetable, [], [], plan.token, None, solutions)
    assert (values(timetable, 50, monday)["weekday"], values(timetable, 50, monday)["start"]) == (2, 9 * 60)
    assert (values(timetable, 51, monday)["weekday"], values(timetable, 51, monday)["start"]) == (1, 8 * 60)
    # Moved out of the absence, it is no longer on the desk.
    assert monday not in [a.lesson.slot_id for a in load_desk(timetable, [absent(groups, "staff", groups["x"])], TODAY).affected]


@pytest.mark.parametrize("item", [
    "room:1:202650", "room:a:202650:1", "move:{m}:202650:8:540", "move:{m}:202650:2:1440", "room:{m}:202599:{hall}",
    "merge:{m}:202650:{m}", "teleport:{m}:202650:1", "room:0:202650:1",
])
def test_malformed_items_are_refused_before_anything_is_read(groups, item):
    with pytest.raises(InvalidField):
        parse_solutions([item.format(m=groups["lessons"][0], hall=groups["hall"])])


def test_items_naming_what_is_not_there_are_refused_and_write_nothing(groups, clinic):
    timetable, monday = groups["timetable"], groups["lessons"][0]
    before, rules = changes(), all_rules()

    def refused(items, error=InvalidField):
        with pytest.raises(error):
            plan_cover(timetable, [], [], parse_solutions(items))
        with pytest.raises(error):
            apply_cover(timetable, [], [], "token", None, parse_solutions(items))

    refused([f"room:{clinic['class']}:{week(50)}:{groups['hall']}"], NotFound)             # another timetable's slot
    refused([f"merge:{monday}:{week(50)}:{clinic['class']}"], NotFound)                    # merging with another timetable's
    refused([f"room:{monday}:{202630}:{groups['hall']}"])                                # the lesson starts in W40
    refused([f"merge:{monday}:{week(50)}:{groups['lessons'][1]}"])                         # Tuesday's is not parallel
    refused([f"room:{monday}:{week(50)}:{groups['hall']}", f"move:{monday}:{week(50)}:2:540"])  # two for one lesson
    with write_transaction():
        foreign_room = Room(timetable_id=clinic["timetable"].id, name="Clinic room")
        db.session.add(foreign_room)
    with pytest.raises((InvalidField, NotFound)):
        plan_cover(timetable, [], [], parse_solutions([f"room:{monday}:{week(50)}:{foreign_room.id}"]))
    assert changes() == before and all_rules() == rules


def test_a_move_never_goes_to_a_day_already_past(groups):
    # Friday 2026-11-20 is today: Monday to Thursday of this week have gone, and nothing runs at the weekend.
    friday = date(2026, 11, 20)
    desk = load_desk(groups["timetable"], [absent(groups, "staff", groups["x"], friday, friday)], TODAY)
    assert [a.lesson.day for a in desk.affected] == [friday] and actions(desk, "move") == []
