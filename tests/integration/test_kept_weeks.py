"""A kept week is caught up with the change sets committed since, and always equals a fresh read."""

from __future__ import annotations

from datetime import date

import pytest

from tests.factories import make_course, make_slot, paint
from tests.integration.helpers import plan_and_apply, week
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import ChangeSet, Timetable
from timetable.rules.calendar import Holiday
from timetable.services import kept_weeks as kept
from timetable.services.calendar import CalendarSpec, replace_calendar
from timetable.services.editing import EditRequest
from timetable.services.editing.history import apply_undo, plan_undo
from timetable.services.resolution import occurrences_of, read_week


@pytest.fixture
def full_reads(monkeypatch):
    """The weeks `read_week_kept` read whole (not kept, nor caught up), starting with nothing kept."""
    kept.kept_weeks.clear()
    reads: list[int] = []
    monkeypatch.setattr(kept, "read_week", lambda timetable, n: reads.append(n) or read_week(timetable, n))
    return reads


def committed(timetable_id: int) -> Timetable:
    """The timetable as a new request loads it."""
    db.session.expire_all()
    return db.session.get(Timetable, timetable_id)


def assert_kept_as_read(timetable_id: int, *weeks: int) -> None:
    timetable = committed(timetable_id)
    for n in weeks:
        fresh = read_week(timetable, n)
        assert kept.resolve_week_kept(timetable, n) == (fresh, occurrences_of(fresh))
        assert kept.read_week_kept(timetable, n) == fresh


def test_a_kept_week_follows_edits_course_edits_undo_new_slots_and_the_calendar_reading_only_what_changed(school, full_reads):
    timetable_id, lessons = school["timetable"].id, school["lessons"]
    w48, w49 = week(48), week(49)
    assert_kept_as_read(timetable_id, w48, w49)
    assert full_reads == [w48, w49]

    plan_and_apply(committed(timetable_id), [EditRequest("slot", (lessons[0],), "room", w49, w49, school["r3"])])
    assert_kept_as_read(timetable_id, w48, w49)
    assert kept.read_week_kept(committed(timetable_id), w49).slot_values[lessons[0]]["room"] == school["r3"]

    teacher = EditRequest("course", (school["maths"].id,), "staff", w49, None, school["y"])
    _, teacher_change = plan_and_apply(committed(timetable_id), [teacher])
    assert_kept_as_read(timetable_id, w48, w49)
    assert kept.read_week_kept(committed(timetable_id), w49).course_values[school["maths"].id]["staff"] == (school["y"],)

    timetable = committed(timetable_id)
    apply_undo(timetable, teacher_change.id, plan_undo(timetable, teacher_change.id, w49).token, None)
    assert_kept_as_read(timetable_id, w48, w49)

    new_slot = make_slot(committed(timetable_id), w49, weekday=3, start=14 * 60, duration=45, title="Choir")
    make_course(committed(timetable_id), "Art 7A", staff=school["z"])
    assert_kept_as_read(timetable_id, w48, w49)
    assert new_slot.id in kept.read_week_kept(committed(timetable_id), w49).slot_values
    assert new_slot.id not in kept.read_week_kept(committed(timetable_id), w48).slot_values

    # A holiday: no change set, the calendar alone moves.
    replace_calendar(committed(timetable_id), CalendarSpec(holidays=[Holiday("Teachers' day", date(2026, 12, 2), date(2026, 12, 2))]))
    assert_kept_as_read(timetable_id, w48, w49)
    assert kept.read_week_kept(committed(timetable_id), w49).holidays

    assert full_reads == [w48, w49]  # every step above was caught up, never read whole again


def test_a_change_to_another_timetable_leaves_the_kept_week_as_it_was(school, clinic, full_reads):
    w49 = week(49)
    assert_kept_as_read(school["timetable"].id, w49)
    with write_transaction():
        paint(committed(clinic["timetable"].id), "slot", clinic["class"], "note", w49, w49, "Bring a mat")
    assert_kept_as_read(school["timetable"].id, w49)
    assert_kept_as_read(clinic["timetable"].id, w49)
    assert full_reads == [w49, w49]  # the school's once, the clinic's once


def test_past_the_catch_up_limit_the_week_is_read_whole(school, full_reads, monkeypatch):
    monkeypatch.setattr(kept, "CATCH_UP_AT_MOST", 2)
    timetable_id, lessons, w49 = school["timetable"].id, school["lessons"], week(49)
    assert_kept_as_read(timetable_id, w49)
    plan_and_apply(committed(timetable_id), [EditRequest("slot", tuple(lessons[:3]), "note", w49, w49, "Exam")])
    assert_kept_as_read(timetable_id, w49)
    assert full_reads == [w49, w49]


def test_a_week_kept_too_many_revisions_ago_is_read_whole(school, full_reads, monkeypatch):
    monkeypatch.setattr(kept, "CATCH_UP_REVISIONS_AT_MOST", 1)
    timetable_id, monday, w49 = school["timetable"].id, school["lessons"][0], week(49)
    assert_kept_as_read(timetable_id, w49)
    for note in ("Quiz", "Test"):
        plan_and_apply(committed(timetable_id), [EditRequest("slot", (monday,), "note", w49, w49, note)])
    assert_kept_as_read(timetable_id, w49)
    assert full_reads == [w49, w49]


def test_a_transaction_reads_its_own_uncommitted_rules_and_keeps_nothing_of_them(school, full_reads):
    timetable_id, monday, w49 = school["timetable"].id, school["lessons"][0], week(49)
    assert_kept_as_read(timetable_id, w49)
    with pytest.raises(RuntimeError), write_transaction():
        timetable = db.session.get(Timetable, timetable_id)
        paint(timetable, "slot", monday, "note", w49, w49, "Never committed")
        assert kept.read_week_kept(timetable, w49).slot_values[monday]["note"] == "Never committed"
        raise RuntimeError("abandoned")
    assert "note" not in kept.read_week_kept(committed(timetable_id), w49).slot_values[monday]
    assert_kept_as_read(timetable_id, w49)


def test_each_change_set_carries_the_revision_its_commit_made(school):
    timetable_id, monday = school["timetable"].id, school["lessons"][0]
    _, change = plan_and_apply(committed(timetable_id), [EditRequest("slot", (monday,), "note", week(49), week(49), "Quiz")])
    assert db.session.get(ChangeSet, change.id).revision == committed(timetable_id).revision
    with write_transaction():  # two change sets in one commit share its revision
        paint(committed(timetable_id), "slot", monday, "note", week(50), week(50), "Test")
        paint(committed(timetable_id), "slot", monday, "note", week(51), week(51), "Trip")
    latest = db.session.query(ChangeSet).order_by(ChangeSet.id.desc()).limit(2).all()
    assert {c.revision for c in latest} == {committed(timetable_id).revision}
