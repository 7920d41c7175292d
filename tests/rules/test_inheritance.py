"""The inheritance rule: own rule, else the course's, else the default, with the source of each value."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from timetable.rules import (
    PARAMETERS,
    SOURCE_COURSE,
    SOURCE_DEFAULT,
    SOURCE_SLOT,
    Rule,
    inherit,
    resolve_parameters,
    value_in_week,
)
from timetable.rules.compare import UNCOVERED, value_from

from .test_stripes_properties import UNIVERSE, stripes

ROOM_DEFAULT = PARAMETERS["room"].default


def test_own_rule_then_course_then_default():
    assert inherit("room", 3, 7) == (3, SOURCE_SLOT)
    assert inherit("room", UNCOVERED, 7) == (7, SOURCE_COURSE)
    assert inherit("room", UNCOVERED, UNCOVERED) == (ROOM_DEFAULT, SOURCE_DEFAULT)
    assert inherit("duration", UNCOVERED) == (PARAMETERS["duration"].default, SOURCE_DEFAULT)


def test_a_rule_that_clears_a_value_is_not_a_gap():
    assert inherit("note", None, "from the course") == (None, SOURCE_SLOT)
    assert inherit("note", UNCOVERED, None) == (None, SOURCE_COURSE)


def test_a_course_owns_its_rules():
    assert inherit("room", 3, own_source=SOURCE_COURSE) == (3, SOURCE_COURSE)
    course_stripe = [Rule(1, 202601, 202610, 5)]
    assert value_in_week("room", 202605, lambda name: course_stripe if name == "room" else []) == (5, SOURCE_COURSE)
    assert value_in_week("room", 202611, lambda name: course_stripe if name == "room" else []) == (ROOM_DEFAULT, SOURCE_DEFAULT)


def test_every_parameter_is_resolved_with_its_source():
    values, sources = resolve_parameters({"room": 3, "note": None}, {"room": 9, "staff": 4})
    assert set(values) == set(PARAMETERS) == set(sources)
    assert (values["room"], sources["room"]) == (3, SOURCE_SLOT)
    assert (values["note"], sources["note"]) == (None, SOURCE_SLOT)
    assert (values["staff"], sources["staff"]) == (4, SOURCE_COURSE)
    assert (values["duration"], sources["duration"]) == (PARAMETERS["duration"].default, SOURCE_DEFAULT)


COURSES = (11, 12)


@settings(deadline=None)
@given(st.data())
def test_reading_stripes_week_by_week_follows_the_slots_course_of_that_week(data):
    """Against a week-by-week model: the slot's course can change over the weeks, and each week
    inherits from the course the slot has then."""
    own_room = data.draw(stripes())
    own_course = [Rule(r.id, r.start, r.end, data.draw(st.sampled_from((*COURSES, None)))) for r in data.draw(stripes())]
    course_rooms = {course: data.draw(stripes()) for course in COURSES}
    own = {"room": own_room, "course": own_course}

    for week in UNIVERSE:
        got = value_in_week("room", week, lambda name: own.get(name, []), lambda course, name: course_rooms[course])
        mine = value_from(own_room, week)
        course = value_from(own_course, week)
        if mine is not UNCOVERED:
            expected = (mine, SOURCE_SLOT)
        elif course not in (UNCOVERED, None) and value_from(course_rooms[course], week) is not UNCOVERED:
            expected = (value_from(course_rooms[course], week), SOURCE_COURSE)
        else:
            expected = (ROOM_DEFAULT, SOURCE_DEFAULT)
        assert got == expected, week
        # The per-week form gives the same answer from the covering values alone.
        own_values = {name: v for name, v in (("room", mine), ("course", course)) if v is not UNCOVERED}
        course_values = {}
        if course not in (UNCOVERED, None) and value_from(course_rooms[course], week) is not UNCOVERED:
            course_values["room"] = value_from(course_rooms[course], week)
        values, sources = resolve_parameters(own_values, course_values)
        assert (values["room"], sources["room"]) == expected
