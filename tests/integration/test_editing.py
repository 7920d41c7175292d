"""Plan, preview, apply: granular and bulk edits, course propagation, clashes, refusals, failures."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.integration.helpers import all_rules, plan_and_apply, values, week
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import ChangeSet, CourseRule, SlotRule
from timetable.rules import InvalidValue, InvalidWeek, UnknownParameter, validate_stripe
from timetable.services import recording
from timetable.services.creation import create_slot, create_timetable
from timetable.services.editing import EditRequest, StalePlan, apply_plan, plan_edit
from timetable.services.errors import NotFound, ServiceError
from timetable.services.stripes import load_stripes


def test_a_sick_teacher_is_replaced_in_two_actions_whatever_the_number_of_lessons(school):
    timetable, lessons = school["timetable"], school["lessons"]
    sick = EditRequest("slot", tuple(lessons), "staff_status", week(48), week(50), "sick")
    plan, first = plan_and_apply(timetable, [sick])
    assert len(plan.changes) == 5 and all(len(c.actions) == 1 for c in plan.changes)
    assert len(plan.preview.lines) == 5
    assert str(plan.preview.lines[0]) == "Maths 7A · Mon 08:00 · staff status Present → Sick · 2026-W48 to 2026-W50"
    substitute = EditRequest("slot", tuple(lessons), "substitute", week(48), week(50), school["y"])
    plan, second = plan_and_apply(timetable, [substitute])
    assert plan.preview.clashes_created == ()

    for n in (48, 49, 50):
        for slot_id in lessons:
            v = values(timetable, n, slot_id)
            assert (v["staff"], v["staff_status"], v["substitute"]) == ((school["x"],), "sick", school["y"])
    for n in (47, 51):
        assert all(values(timetable, n, s)["staff_status"] == "present" and values(timetable, n, s)["substitute"] is None for s in lessons)
    # The unrelated one-week room change inside W48–W50 is untouched.
    assert [values(timetable, n, lessons[2])["room"] for n in (48, 49, 50)] == [school["r1"], school["r2"], school["r1"]]
    assert [c.summary for c in db.session.scalars(select(ChangeSet).order_by(ChangeSet.id))][school["setup_changes"]:] == [
        "Staff status = Sick · 5 slots · 2026-W48 to 2026-W50",
        "Substitute = Y · 5 slots · 2026-W48 to 2026-W50",
    ]
    assert first.id < second.id


def test_a_course_change_reaches_inheriting_slots_and_lists_the_customised_ones_it_keeps(school):
    timetable, lessons = school["timetable"], school["lessons"]
    request = EditRequest("course", (school["maths"].id,), "room", week(48), None, school["r3"])
    plan = plan_edit(timetable, [request], week(48))
    changed = {line.slot_id for line in plan.preview.lines}
    assert changed == set(lessons)
    kept = [(k.slot_id, k.start, k.end, k.own, k.course_new) for k in plan.preview.kept]
    assert kept == [(lessons[2], week(49), week(49), "102", "Lab")]
    wednesday = [line for line in plan.preview.lines if line.slot_id == lessons[2]]
    assert [(line.start, line.end) for line in wednesday] == [(week(48), week(48)), (week(50), None)]
    assert school["other"] not in changed

    apply_plan(timetable, [request], plan.token, None)
    assert values(timetable, 49, lessons[2])["room"] == school["r2"]
    assert values(timetable, 50, lessons[2])["room"] == school["r3"]
    assert values(timetable, 47, lessons[0])["room"] == school["r1"]


def test_reset_to_course_erases_the_slot_own_rules(school):
    timetable, wednesday = school["timetable"], school["lessons"][2]
    request = EditRequest("slot", (wednesday,), "room", None, None, erase=True)
    plan, _ = plan_and_apply(timetable, [request])
    assert [(line.old, line.new) for line in plan.preview.lines] == [("102", "101")]
    assert values(timetable, 49, wednesday)["room"] == school["r1"]
    assert not db.session.scalars(select(SlotRule).where(SlotRule.slot_id == wednesday, SlotRule.param == "room")).all()


def test_moving_a_lesson_onto_a_busy_teacher_shows_the_clash_it_creates_and_removes(school):
    timetable = school["timetable"]
    # Physics (teacher Z) moves onto Tuesday 08:00, where Z is free but room... X's lesson is in room 101:
    # give it X as a teacher for W48 only, so X is in two places at once.
    requests = [
        EditRequest("slot", (school["other"],), "weekday", week(48), week(48), 2),
        EditRequest("slot", (school["other"],), "start", week(48), week(48), 8 * 60 + 20),
        EditRequest("slot", (school["other"],), "staff", week(48), week(48), school["x"]),
    ]
    plan = plan_edit(timetable, requests, week(48))
    created = [(c.kind, c.resource, c.weeks) for c in plan.preview.clashes_created]
    assert created == [("staff", "X", ((week(48), week(48)),))]
    apply_plan(timetable, requests, plan.token, None)
    undo_clash = [EditRequest("slot", (school["other"],), "staff", week(48), week(48), school["z"])]
    assert [(c.kind, c.resource) for c in plan_edit(timetable, undo_clash, week(48)).preview.clashes_removed] == [("staff", "X")]


def test_apply_refuses_when_the_stripes_changed_since_the_preview(school):
    timetable, lessons = school["timetable"], school["lessons"]
    request = EditRequest("slot", tuple(lessons), "note", week(48), week(48), "Bring calculators")
    plan = plan_edit(timetable, [request], week(48))
    plan_and_apply(timetable, [EditRequest("slot", (lessons[0],), "note", week(48), week(52), "Exam")])
    before = all_rules()
    with pytest.raises(StalePlan, match="Review the new preview"):
        apply_plan(timetable, [request], plan.token, None)
    assert all_rules() == before
    assert db.session.query(ChangeSet).count() == school["setup_changes"] + 1


def test_a_failure_in_the_middle_of_applying_leaves_everything_as_before(school, monkeypatch):
    timetable, lessons = school["timetable"], school["lessons"]
    request = EditRequest("slot", tuple(lessons), "staff_status", week(48), week(50), "sick")
    plan = plan_edit(timetable, [request], week(48))
    before = all_rules()
    real_write = recording.write_changes

    def failing_write(timetable_id, changes):
        assert len(changes) > 2
        real_write(timetable_id, changes[:2])  # two stripes written, then the third fails
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(recording, "write_changes", failing_write)
    with pytest.raises(RuntimeError, match="disk on fire"):
        apply_plan(timetable, [request], plan.token, None)
    db.session.rollback()
    assert all_rules() == before
    assert db.session.query(ChangeSet).count() == school["setup_changes"]


@pytest.mark.parametrize(
    ("request_", "error", "message"),
    [
        (EditRequest("slot", (1,), "room", week(48), week(47), 1), ServiceError, "comes after"),
        (EditRequest("slot", (1,), "colour", None, None, "#fff"), UnknownParameter, "unknown parameter"),
        (EditRequest("slot", (1,), "start", None, None, "eight"), InvalidValue, "start"),
        (EditRequest("slot", (1,), "capacity", None, None, -2), InvalidValue, "capacity"),
        (EditRequest("slot", (1,), "room", 202654, None, 1), InvalidWeek, "2026-W54: 2026 has 53 ISO weeks"),
        (EditRequest("slot", (), "room", None, None, 1), ServiceError, "at least one slot"),
        (EditRequest("slot", (1, 999), "room", None, None, 1), NotFound, "no slot 999"),
        (EditRequest("course", (1,), "course", None, None, 2), ServiceError, "another course"),
    ],
)
def test_bad_requests_are_refused_with_a_clear_message_and_write_nothing(school, request_, error, message):
    before = all_rules()
    with pytest.raises(error, match=message):
        plan_edit(school["timetable"], [request_], week(48))
    with pytest.raises(error, match=message):
        apply_plan(school["timetable"], [request_], "any-token", None)
    assert all_rules() == before


def test_a_slot_of_another_timetable_cannot_be_edited(school):
    with write_transaction():
        other = create_timetable("o", "Other", "UTC")
        foreign = create_slot(other, {"weekday": 1, "start": 600}, None)
    with pytest.raises(NotFound):
        plan_edit(school["timetable"], [EditRequest("slot", (foreign.id,), "note", None, None, "x")], week(48))


def test_requests_on_one_stripe_compose_and_store_the_fewest_actions(school):
    timetable, monday = school["timetable"], school["lessons"][0]
    requests = [
        EditRequest("slot", (monday,), "note", week(44), week(50), "A"),
        EditRequest("slot", (monday,), "note", week(46), week(47), "B"),
    ]
    plan, change_set = plan_and_apply(timetable, requests)
    [change] = plan.changes
    assert len(change.actions) == 3  # A, B, A from an empty stripe
    stripe = load_stripes({("slot", monday, "note")})[("slot", monday, "note")]
    assert [(r.start, r.end, r.value) for r in validate_stripe(stripe)] == [
        (week(44), week(45), "A"), (week(46), week(47), "B"), (week(48), week(50), "A")]
    assert len(change_set.stripes) == 1 and len(change_set.stripes[0].inverse) == 3
    assert db.session.scalars(select(CourseRule)).all()  # course rules untouched


def test_clashes_are_found_in_every_week_of_the_range_not_only_the_first(school):
    timetable = school["timetable"]
    # Wednesday's Maths lesson is in room 102 in W49 only; moving Physics (room Lab) into room
    # 102 on Wednesday 08:00 for W48–W50 clashes in W49 alone.
    requests = [
        EditRequest("slot", (school["other"],), "weekday", week(48), week(50), 3),
        EditRequest("slot", (school["other"],), "start", week(48), week(50), 8 * 60),
        EditRequest("slot", (school["other"],), "room", week(48), week(50), school["r2"]),
    ]
    plan = plan_edit(timetable, requests, week(48))
    assert [span[0] for span in plan.preview.clash_weeks] == [week(48), week(49), week(50)]
    assert [(c.kind, c.resource, c.weeks) for c in plan.preview.clashes_created] == [("room", "102", ((week(49), week(49)),))]
