"""History and undo: undo is a new change; later edits in the same weeks are shown before they are overwritten."""

from __future__ import annotations

import pytest

from tests.integration.helpers import all_rules, plan_and_apply, values, week
from timetable.models import ChangeSet
from timetable.services.editing import EditRequest, StalePlan
from timetable.services.editing.history import apply_undo, list_history, plan_undo
from timetable.services.errors import NotFound, ServiceError


def test_undo_puts_back_the_weeks_it_changed_as_a_new_change(school):
    timetable, lessons = school["timetable"], school["lessons"]
    before = all_rules()
    _, sick = plan_and_apply(timetable, [EditRequest("slot", tuple(lessons), "staff_status", week(48), week(50), "sick")])
    _, substitute = plan_and_apply(timetable, [EditRequest("slot", tuple(lessons), "substitute", week(48), week(50), school["y"])])

    plan = plan_undo(timetable, substitute.id, week(48))
    assert plan.overwrites == () and len(plan.changes) == 5
    assert {(line.old, line.new) for line in plan.preview.lines} == {("Y", "—")}
    undo = apply_undo(timetable, substitute.id, plan.token, None)
    assert undo.kind == "undo" and undo.undoes_id == substitute.id
    assert all(values(timetable, 49, s)["substitute"] is None and values(timetable, 49, s)["staff_status"] == "sick" for s in lessons)

    plan = plan_undo(timetable, sick.id, week(48))
    apply_undo(timetable, sick.id, plan.token, None)
    assert all_rules() == before
    kinds = [c.kind for c in list_history(timetable)]
    assert kinds[:4] == ["undo", "undo", "edit", "edit"] and len(kinds) == school["setup_changes"] + 4


def test_undoing_twice_is_refused_but_the_undo_itself_can_be_undone(school):
    timetable, monday = school["timetable"], school["lessons"][0]
    _, change = plan_and_apply(timetable, [EditRequest("slot", (monday,), "note", week(48), None, "Moved")])
    undo = apply_undo(timetable, change.id, plan_undo(timetable, change.id, week(48)).token, None)
    with pytest.raises(ServiceError, match=f"already undone by change {undo.id}"):
        plan_undo(timetable, change.id, week(48))
    redo = apply_undo(timetable, undo.id, plan_undo(timetable, undo.id, week(48)).token, None)
    assert redo.undoes_id == undo.id
    assert values(timetable, 50, monday)["note"] == "Moved"


def test_undo_shows_the_later_edit_it_would_overwrite(school):
    timetable, monday = school["timetable"], school["lessons"][0]
    _, change = plan_and_apply(timetable, [EditRequest("slot", (monday,), "room", week(48), week(50), school["r2"])])
    plan_and_apply(timetable, [EditRequest("slot", (monday,), "room", week(49), week(49), school["r3"])])

    plan = plan_undo(timetable, change.id, week(48))
    [overwrite] = plan.overwrites
    assert (overwrite.start, overwrite.end, overwrite.found, overwrite.restored) == (week(49), week(49), "Lab", "—")
    apply_undo(timetable, change.id, plan.token, None)
    assert [values(timetable, n, monday)["room"] for n in (47, 48, 49, 50, 51)] == [school["r1"]] * 5


def test_undo_refuses_a_stale_preview_and_unknown_changes(school):
    timetable, monday = school["timetable"], school["lessons"][0]
    _, change = plan_and_apply(timetable, [EditRequest("slot", (monday,), "note", week(48), week(48), "A")])
    plan = plan_undo(timetable, change.id, week(48))
    plan_and_apply(timetable, [EditRequest("slot", (monday,), "note", week(48), week(48), "B")])
    before = all_rules()
    with pytest.raises(StalePlan):
        apply_undo(timetable, change.id, plan.token, None)
    assert all_rules() == before
    with pytest.raises(NotFound):
        plan_undo(timetable, 999, week(48))


def test_history_per_slot_lists_only_the_changes_that_touched_it(school):
    timetable, lessons = school["timetable"], school["lessons"]
    plan_and_apply(timetable, [EditRequest("slot", (lessons[0],), "note", week(48), week(48), "A")])
    plan_and_apply(timetable, [EditRequest("slot", (lessons[1],), "note", week(48), week(48), "B")])
    plan_and_apply(timetable, [EditRequest("slot", tuple(lessons), "note", week(50), week(50), "C")])
    assert [c.summary.split(" · ")[0] for c in list_history(timetable, slot_id=lessons[1])] == ["Note = C", "Note = B", "5 new slots"]
    assert ChangeSet.query.count() == school["setup_changes"] + 3


def test_undo_may_not_bring_back_a_week_of_the_cycle_the_calendar_no_longer_has(school):
    from timetable.rules.calendar import Cycle
    from timetable.services.calendar import CalendarSpec, replace_calendar

    timetable, monday = school["timetable"], school["lessons"][0]
    replace_calendar(timetable, CalendarSpec(cycle=Cycle(3, week(48))))
    plan_and_apply(timetable, [EditRequest("slot", (monday,), "cycle_weeks", week(48), None, "C")])
    _, to_a = plan_and_apply(timetable, [EditRequest("slot", (monday,), "cycle_weeks", week(48), None, "A")])
    replace_calendar(timetable, CalendarSpec(cycle=Cycle(2, week(48))))  # weeks A and B only from now on
    rules_before = all_rules()

    gone = rf"Undoing change {to_a.id} would bring back a week of the cycle that is gone .*week C never comes"
    with pytest.raises(ServiceError, match=gone):
        plan_undo(timetable, to_a.id, week(48))
    with pytest.raises(ServiceError, match="Add that week back to the cycle on the calendar page first"):
        apply_undo(timetable, to_a.id, "any token", None)
    assert all_rules() == rules_before
    assert values(timetable, 48, monday)["cycle_weeks"] == "A"
