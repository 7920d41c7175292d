"""Resolving a week: slot rule over course rule over default, statuses, overlaps, query count."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest
from sqlalchemy import event

from tests.factories import paint
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import Staff
from timetable.rules import add_weeks, parse_week
from timetable.rules.calendar import Cycle, Holiday
from timetable.services.calendar import CalendarSpec, replace_calendar
from timetable.services.creation import create_slot, create_timetable
from timetable.services.resolution import WeekFilter, resolve_week

W46, W47, W48, W49 = (parse_week(f"2026-W{n}") for n in (46, 47, 48, 49))


@pytest.fixture
def school(app_ctx, make_course, make_slot):
    """A timetable with one course (teacher A, 50 minutes) and two of its slots."""
    with write_transaction():
        timetable = create_timetable("t", "Test", "Europe/Paris", published=True)
        teacher_a = Staff(timetable_id=timetable.id, name="A")
        teacher_b = Staff(timetable_id=timetable.id, name="B")
        db.session.add_all([teacher_a, teacher_b])
    course = make_course(timetable, "Maths", staff=teacher_a.id, duration=50, color="#112233")
    monday = make_slot(timetable, W46, course=course.id, weekday=1, start=8 * 60)
    tuesday = make_slot(timetable, W46, course=course.id, weekday=2, start=9 * 60, duration=90)
    return {"timetable": timetable, "course": course, "monday": monday, "tuesday": tuesday,
            "a": teacher_a.id, "b": teacher_b.id}


def by_slot(occurrences):
    return {occ.slot_id: occ for occ in occurrences}


def test_values_come_from_the_slot_then_the_course_then_the_default(school):
    occurrences = by_slot(resolve_week(school["timetable"], W47))
    monday, tuesday = occurrences[school["monday"].id], occurrences[school["tuesday"].id]
    assert (monday.duration, monday.sources["duration"]) == (50, "course")
    assert (tuesday.duration, tuesday.sources["duration"]) == (90, "slot")
    assert (monday.values["staff"], monday.sources["staff"]) == ((school["a"],), "course")
    assert (monday.status, monday.sources["status"]) == ("open", "default")
    assert monday.end == 8 * 60 + 50
    assert str(monday.date) == "2026-11-16" and str(tuesday.date) == "2026-11-17"


def test_a_slot_does_not_occur_before_its_first_week(school):
    assert resolve_week(school["timetable"], parse_week("2026-W45")) == []


def test_a_course_change_reaches_its_slots_except_where_a_slot_has_its_own_value(school):
    with write_transaction():
        paint(school["timetable"], "slot", school["tuesday"].id, "staff", W48, W48, school["a"])
        paint(school["timetable"], "course", school["course"].id, "staff", W48, None, school["b"])
    week48 = by_slot(resolve_week(school["timetable"], W48))
    assert week48[school["monday"].id].values["staff"] == (school["b"],)
    assert week48[school["tuesday"].id].values["staff"] == (school["a"],)
    assert week48[school["tuesday"].id].sources["staff"] == "slot"
    week47 = by_slot(resolve_week(school["timetable"], W47))
    assert {occ.values["staff"] for occ in week47.values()} == {(school["a"],)}


def test_closed_slots_are_hidden_unless_asked_for_and_temporarily_closed_ones_show(school):
    timetable = school["timetable"]
    with write_transaction():
        paint(timetable, "slot", school["monday"].id, "status", W48, None, "closed")
        paint(timetable, "slot", school["tuesday"].id, "status", W48, W48, "temporarily_closed")
        paint(timetable, "slot", school["tuesday"].id, "note", W48, W48, "Trip")
    shown = by_slot(resolve_week(timetable, W48))
    assert list(shown) == [school["tuesday"].id]
    assert shown[school["tuesday"].id].values["note"] == "Trip"
    assert set(by_slot(resolve_week(timetable, W48, include_closed=True))) == {school["monday"].id, school["tuesday"].id}
    assert set(by_slot(resolve_week(timetable, W49))) == {school["tuesday"].id}
    assert by_slot(resolve_week(timetable, W49))[school["tuesday"].id].values["note"] == ""


def test_overlapping_slots_both_occur(school, make_slot):
    twin = make_slot(school["timetable"], W46, course=school["course"].id, weekday=1, start=8 * 60 + 20)
    monday = [occ for occ in resolve_week(school["timetable"], W47) if occ.weekday == 1]
    assert [occ.slot_id for occ in monday] == [school["monday"].id, twin.id]


def test_the_filter_matches_the_teacher_actually_there(school):
    timetable = school["timetable"]
    with write_transaction():
        paint(timetable, "slot", school["monday"].id, "substitute", W47, W47, school["b"])
    occurrences = resolve_week(timetable, W47)
    for_b = [occ.slot_id for occ in occurrences if WeekFilter(staff=school["b"]).matches(occ)]
    assert for_b == [school["monday"].id]
    assert by_slot(occurrences)[school["monday"].id].present_staff == (school["b"],)


def count_queries():
    """The statements this thread sends: the app's live watcher polls expiring leases from a thread of its own."""
    statements = []
    counting = threading.get_ident()

    def record(conn, cursor, statement, *args):
        if threading.get_ident() == counting:
            statements.append(statement)

    return statements, record


@pytest.mark.parametrize("extra_history", [0, 30])
def test_a_week_is_resolved_in_three_queries_whatever_the_slots_history_and_calendar(school, extra_history):
    """Two for the slot and course stripes, one for the calendar (holidays, cycle, overrides)."""
    timetable = school["timetable"]
    replace_calendar(timetable, CalendarSpec(
        holidays=[Holiday(f"Day {n}", date(2026, 1, 1) + timedelta(days=n), date(2026, 1, 1) + timedelta(days=n))
                  for n in range(extra_history)],
        cycle=Cycle(2, W46, {W48: "A"}),
    ))
    with write_transaction():
        for n in range(20):
            create_slot(timetable, {"course": school["course"].id, "weekday": 3, "start": 8 * 60 + 5 * n}, W46)
        week = parse_week("2025-W01")
        for _ in range(extra_history):  # one-week room changes in the past
            paint(timetable, "slot", school["monday"].id, "note", week, week, "past")
            week = add_weeks(week, 2)
    assert timetable.id  # loaded before counting: the view has its timetable already
    statements, record = count_queries()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        occurrences = resolve_week(timetable, W47)
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len(occurrences) == 22
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 3



def test_many_weeks_read_at_once_resolve_as_each_week_alone_in_three_queries(school):
    """A feed's window: the stripes of every week in two statements (and the calendar in one), with the same result."""
    from timetable.rules import iter_weeks
    from timetable.services.resolution import occurrences_of, read_weeks

    timetable, monday, course = school["timetable"], school["monday"].id, school["course"].id
    replace_calendar(timetable, CalendarSpec(holidays=[Holiday("Day off", date(2026, 11, 24), date(2026, 11, 24))]))
    with write_transaction():
        paint(timetable, "slot", monday, "note", W47, W47, "one week only")
        paint(timetable, "slot", monday, "start", W48, None, 10 * 60)  # from W48 on
        paint(timetable, "course", course, "duration", W47, W48, 45)
        paint(timetable, "slot", school["tuesday"].id, "status", W49, W49, "temporarily_closed")
        create_slot(timetable, {"course": course, "weekday": 5, "start": 13 * 60}, W48)  # begins inside the span
    weeks = list(iter_weeks(parse_week("2026-W44"), parse_week("2026-W52")))
    assert timetable.id  # loaded before counting: the feed has its timetable already
    statements, record = count_queries()
    event.listen(db.engine, "before_cursor_execute", record)
    try:
        together = {rules.week: occurrences_of(rules) for rules in read_weeks(timetable, weeks)}
    finally:
        event.remove(db.engine, "before_cursor_execute", record)
    assert len([s for s in statements if s.lstrip().upper().startswith("SELECT")]) == 3
    assert together == {week: resolve_week(timetable, week) for week in weeks}
    assert together[W47] and together[W48] != together[W47]
