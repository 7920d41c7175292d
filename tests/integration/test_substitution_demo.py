"""The substitution desk on the demo school (read only: the absences are not stored, the plan is not applied).

Each affected list is checked against the weeks as the resolution service gives them, and
every assignment of "assign all" against the weeks as the plan would leave them: the
substitute is there, present, and in no other lesson at that time.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.clock import weeks_ahead
from timetable.extensions import db
from timetable.models import Absence, Staff
from timetable.rules import STATUS_TEMPORARILY_CLOSED, Placement, find_clashes, iter_weeks, monday_of, week_of
from timetable.services.catalog import get_timetable
from timetable.services.cover_assignment import greedy, plan_cover, solve
from timetable.services.cover_desk import load_desk, staff_ids
from timetable.services.resolution import occurrences_of, read_week, resolve_week

TODAY = date(2026, 11, 20)


@pytest.fixture
def demo(demo_app):
    with demo_app.app_context():
        timetable = get_timetable("school")
        staff = {s.name: s.id for s in db.session.scalars(select(Staff).where(Staff.timetable_id == timetable.id))}
        yield timetable, staff


def away(absence_id: int, staff_id: int, start: date, end: date) -> Absence:
    """An absence as registered, but not stored: these tests only read the demo."""
    return Absence(id=absence_id, timetable_id=0, kind="staff", resource_id=staff_id, start_date=start, end_date=end,
                   start_minute=None, end_minute=None, status="sick", reason="", withdrawn=False)


def expected_affected(timetable, staff: set[int], start: date, end: date) -> set[tuple[int, int]]:
    """Every lesson taking place that one of them teaches, from the resolved weeks."""
    return {
        (o.slot_id, week)
        for week in iter_weeks(week_of(start), week_of(end))
        for o in resolve_week(timetable, week)
        if start <= o.date <= end and set(staff_ids(o.values)) & staff and o.status != STATUS_TEMPORARILY_CLOSED
    }


def check_assignment(timetable, desk, assignment, absent: set[int]) -> None:
    """Against the weeks as the plan leaves them: each cover in place, its substitute present and in no clash."""
    plan = plan_cover(timetable, assignment.covers)
    assert plan.preview.clashes_created == ()
    overrides = {(c.owner, c.owner_id, c.param): list(c.after) for c in plan.changes}
    covers = {(c.slot_id, c.week): c.staff_id for c in assignment.covers}
    for week in desk.weeks:
        after = occurrences_of(read_week(timetable, week), overrides=overrides)
        for o in after:
            if (o.slot_id, week) in covers:
                assert o.values["substitute"] == covers[(o.slot_id, week)] and o.values["staff_status"] == "sick"
                assert o.values["substitute"] not in absent
        placements = [Placement((o.slot_id, week), o.weekday, o.start, o.end, staff=o.present_staff)
                      for o in after if o.status != STATUS_TEMPORARILY_CLOSED]
        substitutes = set(covers.values())
        clashes = [c for c in find_clashes(placements) if c.kind == "staff" and c.resource in substitutes]
        assert clashes == [], clashes


def test_one_teacher_absent_for_three_weeks(demo):
    timetable, staff = demo
    start = monday_of(weeks_ahead(1))
    end = monday_of(weeks_ahead(3)) + timedelta(days=4)
    laurent = staff["B. Laurent"]
    desk = load_desk(timetable, [away(-1, laurent, start, end)], TODAY)

    # B. Laurent teaches Maths to 7B, 10A and 12B: 5 lessons each a week, for 3 weeks.
    assert {a.lesson.key for a in desk.affected} == expected_affected(timetable, {laurent}, start, end)
    assert len(desk.affected) == 45 and all(a.open for a in desk.affected)
    assert all(a.eligible and a.eligible[0].reasons[:2] == ("free then", "present") for a in desk.affected)

    assignment = solve(desk)
    assert len(assignment.covers) == 45 and assignment.uncovered == []
    check_assignment(timetable, desk, assignment, {laurent})
    # Fairer than taking the first free colleague each time.
    assert assignment.largest_load < greedy(desk).largest_load


def test_three_teachers_absent_the_same_day(demo):
    timetable, staff = demo
    day = monday_of(weeks_ahead(1)) + timedelta(days=1)
    absent = {staff[name] for name in ("F. Bonnet", "K. Walker", "N. Garnier")}
    desk = load_desk(timetable, [away(-1 - n, s, day, day) for n, s in enumerate(sorted(absent))], TODAY)

    assert {a.lesson.key for a in desk.affected} == expected_affected(timetable, absent, day, day)
    assert len(desk.affected) >= 9
    # None of the three stands in for another.
    assert all(c.staff_id not in absent for a in desk.affected for c in a.eligible)

    assignment = solve(desk)
    assert len(assignment.covers) + len(assignment.uncovered) == len(desk.affected)
    assert len(assignment.covers) >= len(greedy(desk).covers)
    check_assignment(timetable, desk, assignment, absent)
