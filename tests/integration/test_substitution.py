"""The substitution desk on a small school: affected lessons, ranked candidates, assign all, apply and undo.

X teaches Maths Monday to Friday at 08:00 (from 2026-W40); Y is free; Z teaches Physics on
Monday at 09:00. Pinned clock: Friday 2026-11-20 (W47); the absences fall in W50 (7–11 Dec).
"""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import paint
from tests.integration.helpers import values, week
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import ChangeSet, CoverLimits, Staff
from timetable.rules.calendar import Holiday
from timetable.services.absences import AbsenceInput, register_absence
from timetable.services.calendar import CalendarSpec, replace_calendar
from timetable.services.cover_assignment import apply_cover, plan_cover, solve
from timetable.services.cover_desk import load_desk
from timetable.services.editing import apply_undo, plan_undo

TODAY = date(2026, 11, 20)
MON, FRI = date(2026, 12, 7), date(2026, 12, 11)


def absent(school, who: str, start=MON, end=FRI, **more):
    return register_absence(school["timetable"], AbsenceInput(resource_id=school[who], start_date=start, end_date=end, **more), None)


def test_the_absent_teachers_lessons_are_affected_except_on_holidays_and_when_closed(school):
    timetable, lessons = school["timetable"], school["lessons"]
    replace_calendar(timetable, CalendarSpec(holidays=[Holiday("Teachers' day", date(2026, 12, 9), date(2026, 12, 9))]))
    with write_transaction():
        paint(timetable, "slot", lessons[3], "status", week(50), week(50), "temporarily_closed")
        paint(timetable, "slot", lessons[4], "status", week(50), week(50), "closed")
    desk = load_desk(timetable, [absent(school, "x")], TODAY)
    assert [(a.lesson.slot_id, a.lesson.day) for a in desk.affected] == [
        (lessons[0], date(2026, 12, 7)), (lessons[1], date(2026, 12, 8))]


def test_a_part_of_a_day_touches_only_the_lessons_then(school):
    desk = load_desk(school["timetable"], [absent(school, "z", start_minute=9 * 60, end_minute=10 * 60)], TODAY)
    assert [a.lesson.slot_id for a in desk.affected] == [school["other"]]


def test_candidates_are_ranked_with_reasons_busy_absent_and_covering_ones_refused(school):
    timetable = school["timetable"]
    with write_transaction():
        w = Staff(timetable_id=timetable.id, name="W")
        db.session.add(w)
    from tests.factories import make_slot

    # Z teaches Tuesday 08:00 too; Y already covers Z's Thursday 08:00 lesson in W50; W is away on Friday.
    make_slot(timetable, week(40), weekday=2, start=8 * 60, duration=50, staff=school["z"], title="Physics 8A")
    thursday = make_slot(timetable, week(40), weekday=4, start=8 * 60, duration=50, staff=school["z"], title="Physics 8B")
    with write_transaction():
        paint(timetable, "slot", thursday.id, "substitute", week(50), week(50), school["y"])
    register_absence(timetable, AbsenceInput(resource_id=w.id, start_date=FRI, end_date=FRI), None)
    desk = load_desk(timetable, [absent(school, "x")], TODAY)
    by_day = {a.lesson.day.isoweekday(): {desk.world.name("staff", c.staff_id): c for c in a.candidates} for a in desk.affected}

    # Y's cover on Thursday counts against Y (fairness): W and Z come first.
    assert [name for name, c in by_day[1].items() if c.eligible] == ["W", "Z", "Y"]
    assert by_day[2]["Z"].reasons == ("busy: Physics 8A at 08:00",)
    assert not by_day[2]["Z"].eligible and by_day[2]["Y"].eligible
    assert not by_day[4]["Y"].eligible and by_day[4]["Y"].reasons[0].startswith("busy:")
    assert by_day[5]["W"].reasons == ("absent then",)
    assert by_day[1]["X"].reasons == ("teaches it already", "absent then")
    assert "free then" in by_day[1]["Y"].reasons and "present" in by_day[1]["Y"].reasons


def test_fewer_covers_this_term_ranks_first_and_limits_refuse(school):
    timetable = school["timetable"]
    from tests.factories import make_slot

    # Y covered three weeks of a lesson this term: Z, with none, comes first.
    extra = make_slot(timetable, week(40), weekday=6, start=8 * 60, duration=50, staff=school["x"], title="Saturday club")
    with write_transaction():
        paint(timetable, "slot", extra.id, "substitute", week(44), week(46), school["y"])
        db.session.add(CoverLimits(timetable_id=timetable.id, per_day=1, per_week=1))
    desk = load_desk(timetable, [absent(school, "x")], TODAY)
    first = desk.affected[0].candidates
    assert [desk.world.name("staff", c.staff_id) for c in first if c.eligible] == ["Z", "Y"]
    assert "3 covers this term" in desk.world.candidate(desk.affected[0].lesson, school["y"]).reasons
    # With one cover a week at most, the solver covers two of the five lessons (one each) and explains the rest.
    assignment = solve(desk)
    assert len(assignment.covers) == 2 and {c.staff_id for c in assignment.covers} == {school["y"], school["z"]}
    assert len(assignment.uncovered) == 3
    assert all("cover limit" in u.why for u in assignment.uncovered)
    assert all(u.suggestion is not None for u in assignment.uncovered)


def test_assign_all_previews_no_clash_applies_as_one_change_and_undoes_in_one(school):
    timetable, lessons = school["timetable"], school["lessons"]
    desk = load_desk(timetable, [absent(school, "x")], TODAY)
    assignment = solve(desk)
    assert len(assignment.covers) == 5 and not assignment.uncovered
    # Fair: the five lessons are shared, not all given to one teacher.
    assert assignment.largest_load == 3
    plan = plan_cover(timetable, assignment.covers)
    assert plan.preview.clashes_created == ()
    changes_before = db.session.query(ChangeSet).count()
    change = apply_cover(timetable, assignment.covers, [], plan.token, None)
    assert db.session.query(ChangeSet).count() == changes_before + 1
    assert change.summary.startswith("Cover: 5 lessons covered by 2 colleagues")
    for cover in assignment.covers:
        after = values(timetable, 50, cover.slot_id)
        assert (after["substitute"], after["staff_status"]) == (cover.staff_id, "sick")
    assert values(timetable, 51, lessons[0])["substitute"] is None

    # The desk now lists them as covered; undo restores every one in one action.
    assert load_desk(timetable, desk.absences, TODAY).open == []
    undo = plan_undo(timetable, change.id, week(50))
    apply_undo(timetable, change.id, undo.token, None)
    assert all(values(timetable, 50, slot)["substitute"] is None for slot in lessons)
    assert len(load_desk(timetable, desk.absences, TODAY).open) == 5


def test_cancel_with_a_note_closes_the_lesson_for_that_week(school):
    timetable, lessons = school["timetable"], school["lessons"]
    plan = plan_cover(timetable, [], [(lessons[0], week(50))])
    apply_cover(timetable, [], [(lessons[0], week(50))], plan.token, None)
    assert values(timetable, 50, lessons[0])["note"].startswith("Cancelled")
    desk = load_desk(timetable, [absent(school, "x")], TODAY)
    assert lessons[0] not in [a.lesson.slot_id for a in desk.affected]


def test_a_stale_preview_is_refused(school):
    from timetable.services.editing import StalePlan

    timetable = school["timetable"]
    desk = load_desk(timetable, [absent(school, "x")], TODAY)
    assignment = solve(desk)
    plan = plan_cover(timetable, assignment.covers)
    with write_transaction():
        paint(timetable, "slot", assignment.covers[0].slot_id, "substitute", week(50), week(50), school["z"])
    with pytest.raises(StalePlan):
        apply_cover(timetable, assignment.covers, [], plan.token, None)


def test_a_room_away_suggests_free_rooms_that_fit(school):
    timetable = school["timetable"]
    desk = load_desk(timetable, [register_absence(timetable, AbsenceInput(kind="room", resource_id=school["r1"], start_date=MON,
                                                                           end_date=MON), None)], TODAY)
    (affected,) = desk.affected
    assert affected.kind == "room" and not affected.open
    assert affected.suggestions[0].kind == "room" and "102" in affected.suggestions[0].text
