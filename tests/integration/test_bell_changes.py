"""Bell grids on the database: a period that moves from a week on retimes its slots through the write path."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.factories import paint
from tests.integration.helpers import values, week
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import BellSchedule, ChangeSet, Period, SlotRule
from timetable.rules.periods import BellGrid, InvalidPeriods
from timetable.rules.periods import Period as P
from timetable.services.bells import grid_for_week, load_grids
from timetable.services.editing import StalePlan
from timetable.services.editing.bell_changes import apply_bells, plan_bells
from timetable.services.editing.history import apply_undo, plan_undo
from timetable.services.errors import ServiceError


def day_grid(from_week, first=(480, 530), second=(540, 590), days=range(1, 6), friday=None):
    periods = []
    for day in days:
        one = friday if day == 5 and friday else first
        periods += [P(day, *one, "1"), P(day, *second, "2")]
    return BellGrid(from_week, tuple(periods))


def set_up(timetable, *grids):
    apply_bells(timetable, list(grids), None, None)


def times(timetable, n, slot_id):
    v = values(timetable, n, slot_id)
    return v["start"], v["duration"]


def test_grids_are_stored_and_the_one_of_a_week_is_found(school):
    timetable = school["timetable"]
    set_up(timetable, day_grid(week(40)), day_grid(week(50), friday=(480, 520)))
    assert [g.from_week for g in load_grids(timetable.id)] == [week(40), week(50)]
    assert grid_for_week(timetable, week(49)).named(5, "1").end == 530
    assert grid_for_week(timetable, week(50)).named(5, "1").end == 520
    assert grid_for_week(timetable, 202639) is None


def test_moving_a_period_from_a_week_on_previews_every_slot_in_it_then_applies_and_undoes(school):
    timetable, lessons = school["timetable"], school["lessons"]
    set_up(timetable, day_grid(week(40)))
    changes_before = db.session.scalar(select(func.count(ChangeSet.id)))
    # From W48 the first period runs 08:05–08:55 every day: a new grid copied from the current one.
    plan = plan_bells(timetable, [day_grid(week(40)), day_grid(week(48), first=(485, 535))])
    assert {line.slot_id for line in plan.preview.lines} == set(lessons)  # every Maths lesson, not Physics at 09:00
    assert school["other"] not in plan.slot_ids
    assert all(line.param == "start" and line.start == week(48) and line.end is None for line in plan.preview.lines)
    assert "Maths 7A · Fri 08:00 · start 08:00 → 08:05 · from 2026-W48" in [str(line) for line in plan.preview.lines]
    assert plan.grid_lines == ("Grid from 2026-W48 added (10 periods)",)
    # Nothing is written by the plan.
    assert len(load_grids(timetable.id)) == 1 and times(timetable, 48, lessons[0]) == (480, 50)

    change = apply_bells(timetable, plan.grids, plan.token, None)
    assert change.kind == "bells" and "5 slots retimed" in change.summary
    assert [times(timetable, n, lessons[4]) for n in (47, 48, 52)] == [(480, 50), (485, 50), (485, 50)]
    assert times(timetable, 48, school["other"]) == (540, 50)
    assert [g.from_week for g in load_grids(timetable.id)] == [week(40), week(48)]
    assert db.session.scalar(select(func.count(ChangeSet.id))) == changes_before + 1

    undo = plan_undo(timetable, change.id, week(48))
    assert {line.slot_id for line in undo.preview.lines} == set(lessons)
    assert undo.grid_lines == ("Grid from 2026-W48 removed",)
    undone = apply_undo(timetable, change.id, undo.token, None)
    assert all(times(timetable, 48, slot_id) == (480, 50) for slot_id in lessons)
    assert [g.from_week for g in load_grids(timetable.id)] == [week(40)]  # the grid goes too
    # And undoing the undo brings both back.
    again = plan_undo(timetable, undone.id, week(48))
    apply_undo(timetable, undone.id, again.token, None)
    assert [g.from_week for g in load_grids(timetable.id)] == [week(40), week(48)]
    assert times(timetable, 48, lessons[2]) == (485, 50)


def test_a_grid_change_that_moves_no_slot_is_still_history_and_undoable_unless_the_grids_changed_since(school):
    timetable = school["timetable"]
    first = apply_bells(timetable, [day_grid(week(40))], None, None)
    assert first.summary == "Bell times: Grid from 2026-W40 added (10 periods)"
    second = apply_bells(timetable, [day_grid(week(40)), day_grid(week(50), days=(1,))], None, None)
    with pytest.raises(ServiceError, match="changed again after change"):
        plan_undo(timetable, first.id, week(48))
    plan = plan_undo(timetable, second.id, week(48))
    assert plan.grid_lines == ("Grid from 2026-W50 removed",) and not plan.changes
    apply_undo(timetable, second.id, plan.token, None)
    assert [g.from_week for g in load_grids(timetable.id)] == [week(40)]


def test_a_shorter_friday_period_changes_start_and_duration_only_where_the_slot_matched(school):
    timetable, lessons = school["timetable"], school["lessons"]
    set_up(timetable, day_grid(week(40)))
    with write_transaction():  # Friday's lesson moves to 10:00 from W50: from then on it is in no period.
        paint(timetable, "slot", lessons[4], "start", week(50), None, 600)
    plan = plan_bells(timetable, [day_grid(week(40), friday=(480, 520))])
    assert [(line.slot_id, line.param, line.start, line.end) for line in plan.preview.lines] == [
        (lessons[4], "duration", week(40), week(49)),
    ]
    apply_bells(timetable, plan.grids, plan.token, None)
    assert times(timetable, 49, lessons[4]) == (480, 40)
    assert times(timetable, 50, lessons[4]) == (600, 50)
    assert times(timetable, 49, lessons[3]) == (480, 50)


def test_a_stale_preview_is_refused_and_writes_nothing(school):
    timetable, lessons = school["timetable"], school["lessons"]
    set_up(timetable, day_grid(week(40)))
    plan = plan_bells(timetable, [day_grid(week(40), first=(485, 535))])
    with write_transaction():
        paint(timetable, "slot", lessons[0], "duration", week(48), None, 45)
    rules = db.session.scalar(select(func.count(SlotRule.id)))
    with pytest.raises(StalePlan):
        apply_bells(timetable, plan.grids, plan.token, None)
    assert db.session.scalar(select(func.count(SlotRule.id))) == rules
    assert load_grids(timetable.id)[0].named(1, "1").start == 480


def test_bad_grids_are_refused_naming_the_field_and_write_nothing(school):
    timetable = school["timetable"]
    set_up(timetable, day_grid(week(40)))
    rows = db.session.scalar(select(func.count(Period.id)))
    changes = db.session.scalar(select(func.count(ChangeSet.id)))
    overlapping = BellGrid(week(48), (P(5, 480, 530, "1"), P(5, 520, 570, "2")))
    with pytest.raises(InvalidPeriods, match="overlaps") as caught:
        apply_bells(timetable, [day_grid(week(40)), overlapping], None, None)
    assert (caught.value.grid, caught.value.index, caught.value.field) == (1, 1, "start")
    with pytest.raises(InvalidPeriods, match="not after its start"):
        plan_bells(timetable, [BellGrid(week(48), (P(5, 530, 480, "1"),))])
    with pytest.raises(ServiceError, match="Nothing to apply"):
        apply_bells(timetable, [day_grid(week(40))], None, None)
    assert db.session.scalar(select(func.count(Period.id))) == rows
    assert db.session.scalar(select(func.count(BellSchedule.id))) == 1
    assert db.session.scalar(select(func.count(ChangeSet.id))) == changes


def test_open_week_views_are_told_from_the_first_week_whose_grid_changed(school, monkeypatch):
    timetable = school["timetable"]
    set_up(timetable, day_grid(week(40)))
    told = []
    monkeypatch.setattr("timetable.services.editing.bell_changes.announce", lambda tid, kind, spans: told.append((tid, kind, spans)))
    apply_bells(timetable, [day_grid(week(40)), day_grid(week(50), days=(1,))], None, None)
    assert told == [(timetable.id, "change", ((week(50), None),))]
