"""The overview's layout: which column and which rows each occurrence lands in."""

from __future__ import annotations

from datetime import date

from timetable.overview import MAX_START_BANDS, layout_overview, row_ids
from timetable.rules.periods import Period
from timetable.services.resolution import Occurrence

MONDAY = date(2026, 11, 16)


def occ(slot_id, weekday, start, duration=50, **values):
    base = {"weekday": weekday, "start": start, "duration": duration, "group": None, "staff": None, "substitute": None, "room": None}
    return Occurrence(slot_id, 202647, {**base, **values}, {})


def placed(overview) -> dict:
    """{row name: {(weekday, column label): [slot ids]}} for the cells that hold anything."""
    columns = overview.columns
    return {row.name: {(columns[i].weekday, columns[i].label): [o.slot_id for o in cell] for i, cell in enumerate(row.cells) if cell}
            for row in overview.rows}


def layout(occurrences, kind="group", periods=(), names=None, weekdays=(1, 2)):
    return layout_overview(occurrences, kind=kind, monday=MONDAY, weekdays=weekdays, periods=periods,
                           names=names if names is not None else {1: "7A", 2: "7B"}, day_start=480, day_end=1020, unnamed="No class")


def test_without_bell_times_the_columns_are_the_weeks_lesson_starts_on_every_day():
    overview = layout([occ(1, 1, 480, group=1), occ(2, 2, 535, group=2), occ(3, 2, 560, group=1)])
    assert [(c.weekday, c.label) for c in overview.columns] == [(d, t) for d in (1, 2) for t in ("08:00", "08:55", "09:20")]
    assert [d.date for d in overview.days] == [MONDAY, date(2026, 11, 17)]
    assert placed(overview) == {"7A": {(1, "08:00"): [1], (2, "09:20"): [3]}, "7B": {(2, "08:55"): [2]}}


def test_too_many_starts_make_whole_hour_bands_and_each_lesson_sits_in_its_hour():
    many = [occ(i, 1, 480 + 25 * i, duration=20, group=1) for i in range(MAX_START_BANDS + 1)]
    overview = layout(many, weekdays=(1,))
    labels = [c.label for c in overview.columns]
    assert labels[0] == "08:00" and all(label.endswith(":00") for label in labels)
    assert placed(overview)["7A"][(1, "09:00")] == [3, 4]  # 09:15 and 09:40


def test_with_bell_times_the_columns_are_the_periods_and_a_stray_lesson_gets_a_band_of_its_own():
    periods = (Period(1, 480, 530, "1"), Period(1, 535, 585, "2"), Period(2, 480, 530, "1"))
    overview = layout([occ(1, 1, 540, group=1), occ(2, 1, 960, group=1), occ(3, 2, 480, group=2)], periods=periods)
    assert [(c.weekday, c.label, c.period) for c in overview.columns] == [
        (1, "1", True), (1, "2", True), (1, "16:00", False), (2, "1", True)]
    assert [c.first for c in overview.columns] == [True, False, False, True]
    assert placed(overview) == {"7A": {(1, "2"): [1], (1, "16:00"): [2]}, "7B": {(2, "1"): [3]}}


def test_rows_are_the_named_resources_and_lessons_without_one_go_to_a_row_of_their_own():
    overview = layout([occ(1, 1, 480, group=1), occ(2, 1, 480)])
    assert [(r.name, r.count) for r in overview.rows] == [("7A", 1), ("7B", 0), ("No class", 1)]
    assert [r.name for r in layout([occ(1, 1, 480, group=1)]).rows] == ["7A", "7B"]  # no empty "No class" row


def test_a_teachers_row_holds_what_they_teach_and_what_they_cover():
    covered = {"staff": 1, "substitute": 2, "group": 1, "room": 5}
    assert row_ids("staff", covered) == (1, 2)
    assert row_ids("group", covered) == (1,) and row_ids("room", covered) == (5,)
    overview = layout([occ(1, 1, 480, **covered)], kind="staff", names={1: "X", 2: "Y", 3: "Z"})
    assert placed(overview) == {"X": {(1, "08:00"): [1]}, "Y": {(1, "08:00"): [1]}, "Z": {}}
