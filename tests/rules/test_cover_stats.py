"""Cover statistics counted from occurrences (pure): covers, cancellations, covers by others."""

from __future__ import annotations

from timetable.rules import STATUS_CLOSED, STATUS_OPEN, STATUS_TEMPORARILY_CLOSED
from timetable.rules.cover_stats import CoverCounts, Lesson, tally

X, Y, Z = 1, 2, 3


def lesson(week: int, staff=(X,), substitute=None, status=STATUS_OPEN, slot_id: int = 10) -> Lesson:
    return Lesson(slot_id, week, tuple(staff), substitute, status)


def test_a_substitute_gives_a_cover_and_the_teacher_is_covered():
    assert tally([lesson(202647, substitute=Y), lesson(202648)]) == {
        Y: CoverCounts(covers_given=1), X: CoverCounts(covered_by_others=1)}


def test_a_temporarily_closed_lesson_is_cancelled_not_covered_even_with_a_substitute_named():
    assert tally([lesson(202647, substitute=Y, status=STATUS_TEMPORARILY_CLOSED)]) == {X: CoverCounts(cancelled=1)}


def test_a_closure_the_slot_comes_back_from_counts_but_a_slot_that_stops_does_not():
    gap = [lesson(202646), lesson(202647, status=STATUS_CLOSED), lesson(202648)]
    assert tally(gap) == {X: CoverCounts(cancelled=1)}
    stops = [lesson(202646), lesson(202647, status=STATUS_CLOSED), lesson(202648, status=STATUS_CLOSED)]
    assert tally(stops) == {}
    # Another slot's later lesson does not make this slot's closure a gap.
    assert tally([*stops, lesson(202650, slot_id=11)]) == {}


def test_every_teacher_of_a_team_counts_and_a_substitute_from_the_team_is_no_cover():
    assert tally([lesson(202647, staff=(X, Z), substitute=Y)]) == {
        Y: CoverCounts(covers_given=1), X: CoverCounts(covered_by_others=1), Z: CoverCounts(covered_by_others=1)}
    assert tally([lesson(202647, staff=(X, Z), substitute=Z)]) == {}


def test_a_lesson_without_a_teacher_still_counts_its_substitute():
    assert tally([lesson(202647, staff=(), substitute=Y)]) == {Y: CoverCounts(covers_given=1)}
