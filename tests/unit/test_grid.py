"""Grid layout: overlapping blocks side by side, positions as fractions of the day."""

from __future__ import annotations

from datetime import date

from timetable.grid import layout_week
from timetable.services.resolution import Occurrence

MONDAY = date(2026, 11, 16)


def occ(slot_id: int, weekday: int, start: str, minutes: int) -> Occurrence:
    hours, mins = map(int, start.split(":"))
    values = {"weekday": weekday, "start": hours * 60 + mins, "duration": minutes, "status": "open"}
    return Occurrence(slot_id, 202647, values, {})


def lanes(grid, weekday):
    day = next(d for d in grid.days if d.weekday == weekday)
    return {b.occurrence.slot_id: (b.lane, b.lanes) for b in day.blocks}


def test_blocks_that_do_not_overlap_take_the_full_width():
    grid = layout_week([occ(1, 1, "08:00", 60), occ(2, 1, "09:00", 60)], MONDAY, [1, 2, 3, 4, 5], 480, 1080)
    assert lanes(grid, 1) == {1: (0, 1), 2: (0, 1)}


def test_overlapping_blocks_share_the_width_of_their_cluster():
    grid = layout_week(
        [occ(1, 1, "08:00", 90), occ(2, 1, "08:30", 60), occ(3, 1, "09:00", 60), occ(4, 1, "11:00", 30)],
        MONDAY, [1], 480, 1080,
    )
    # At 09:00 both 1 and 2 run until 09:30, so 3 opens a third lane; 4 stands alone.
    assert lanes(grid, 1) == {1: (0, 3), 2: (1, 3), 3: (2, 3), 4: (0, 1)}


def test_a_freed_lane_is_reused_inside_a_cluster():
    grid = layout_week([occ(1, 1, "08:00", 120), occ(2, 1, "08:00", 30), occ(3, 1, "08:30", 30)], MONDAY, [1], 480, 1080)
    assert lanes(grid, 1) == {1: (0, 2), 2: (1, 2), 3: (1, 2)}


def test_positions_are_fractions_of_the_shown_hours():
    grid = layout_week([occ(1, 2, "09:00", 60)], MONDAY, [1, 2], 8 * 60, 18 * 60)
    block = next(d for d in grid.days if d.weekday == 2).blocks[0]
    assert (block.top, block.height, block.left, block.width) == (10.0, 10.0, 0.0, 100.0)
    assert grid.hours[0] == 480 and grid.hours[-1] == 1080


def test_the_grid_widens_to_show_early_late_and_weekend_occurrences():
    grid = layout_week([occ(1, 6, "07:15", 30), occ(2, 1, "18:30", 60)], MONDAY, [1, 2, 3, 4, 5], 8 * 60, 18 * 60)
    assert [d.weekday for d in grid.days] == [1, 2, 3, 4, 5, 6]
    assert (grid.first_minute, grid.last_minute) == (7 * 60, 20 * 60)
    assert [d.date for d in grid.days][5] == date(2026, 11, 21)
