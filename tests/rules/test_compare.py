"""Differences between stripes, transform and restore (undo), against the week-by-week model."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from tests.rules.test_stripes_properties import (
    EMPTY,
    LAST_CELL,
    SETTINGS,
    end_of,
    model_of,
    runs,
    shape,
    start_of,
    stripes,
)
from timetable.rules import Rule, apply, next_week, paint
from timetable.rules.compare import UNCOVERED, Conflict, Difference, differences, restore, transform


def cells_with_uncovered(rules) -> list:
    return [UNCOVERED if cell is EMPTY else cell for cell in model_of(rules)]


def renumbered(rules) -> list[Rule]:
    """The same stripe with ids from 100 on, as a store would hand it back."""
    return [Rule(100 + i, r.start, r.end, r.value) for i, r in enumerate(sorted(rules, key=lambda r: (r.start is not None, r.start or 0)))]


@SETTINGS
@given(stripes(legacy=True), stripes(legacy=True))
def test_transform_reaches_the_target_in_the_fewest_actions(current, target):
    actions = transform(current, target)
    assert shape(apply(current, actions)) == sorted(shape(target), key=lambda t: (t[0] is not None, t[0] or 0))
    kept = {(r.start, r.end, r.value) for r in current} & {(r.start, r.end, r.value) for r in target}
    changed_old = [r for r in current if (r.start, r.end, r.value) not in kept]
    new = [r for r in target if (r.start, r.end, r.value) not in kept]
    assert len(actions) == max(len(changed_old), len(new))
    assert transform(current, current) == []


@SETTINGS
@given(stripes(legacy=True), stripes(legacy=True))
def test_differences_are_exactly_the_weeks_that_disagree(before, after):
    old, new = cells_with_uncovered(before), cells_with_uncovered(after)
    marked = [None] * (LAST_CELL + 1)
    diffs = differences(before, after)
    for diff in diffs:
        assert diff.old != diff.new
        lo = 0 if diff.start is None else next(c for c in range(LAST_CELL + 1) if start_of(c) == diff.start)
        hi = LAST_CELL if diff.end is None else next(c for c in range(LAST_CELL + 1) if end_of(c) == diff.end)
        for cell in range(lo, hi + 1):
            assert marked[cell] is None
            marked[cell] = (diff.old, diff.new)
    assert marked == [(o, n) if o != n else None for o, n in zip(old, new)]
    # Maximal: two neighbouring differences never carry the same pair of values.
    for first, second in zip(diffs, diffs[1:]):
        if first.end is not None and second.start == next_week(first.end):
            assert (first.old, first.new) != (second.old, second.new)


@SETTINGS
@given(stripes(), st.integers(0, LAST_CELL), st.integers(0, LAST_CELL), st.sampled_from(("a", "b", "z")), stripes())
def test_undo_of_an_untouched_change_gives_back_the_stripe_before(before, lo, hi, value, _unused):
    lo, hi = min(lo, hi), max(lo, hi)
    start, end = start_of(lo), end_of(hi)
    after = apply(before, paint(before, start, end, value))
    target, conflicts = restore(renumbered(after), before, after)
    assert conflicts == []
    assert shape(target) == runs(model_of(before))


@SETTINGS
@given(stripes(), stripes(), stripes())
def test_undo_puts_back_only_the_changed_weeks_and_reports_later_edits(before, after, current):
    target, conflicts = restore(current, before, after)
    b, a, c, t = (cells_with_uncovered(s) for s in (before, after, current, target))
    expected_conflicts = []
    for cell in range(LAST_CELL + 1):
        if b[cell] != a[cell]:
            assert t[cell] == b[cell]
            if c[cell] != a[cell]:
                expected_conflicts.append((cell, a[cell], c[cell], b[cell]))
        else:
            assert t[cell] == c[cell]
    reported = []
    for conflict in conflicts:
        lo = 0 if conflict.start is None else next(x for x in range(LAST_CELL + 1) if start_of(x) == conflict.start)
        hi = LAST_CELL if conflict.end is None else next(x for x in range(LAST_CELL + 1) if end_of(x) == conflict.end)
        reported.extend((cell, conflict.expected, conflict.found, conflict.restored) for cell in range(lo, hi + 1))
    assert reported == expected_conflicts


def test_a_worked_example_of_undo_with_a_later_edit():
    # Room 1 all year; change A paints room 2 over W10–W12; later, W11 alone becomes room 3.
    before = [Rule(1, 202601, 202652, "1")]
    after = [Rule(1, 202601, 202609, "1"), Rule(2, 202610, 202612, "2"), Rule(3, 202613, 202652, "1")]
    current = [Rule(1, 202601, 202609, "1"), Rule(2, 202610, 202610, "2"), Rule(4, 202611, 202611, "3"),
               Rule(5, 202612, 202612, "2"), Rule(3, 202613, 202652, "1")]
    target, conflicts = restore(current, before, after)
    assert shape(target) == [(202601, 202652, "1")]
    assert conflicts == [Conflict(202611, 202611, "2", "3", "1")]
    assert differences(before, after) == [Difference(202610, 202612, "1", "2")]
    assert len(transform(current, target)) == 5


def test_a_stripe_starting_in_the_first_week_differs_from_an_empty_one_from_there():
    # Schemathesis found it: a new slot painted from 0001-W01 made the preview ask for the week before the first.
    from timetable.rules.weeks import FIRST_WEEK

    after = [Rule(1, FIRST_WEEK, None, 480)]
    assert differences([], after) == [Difference(FIRST_WEEK, None, UNCOVERED, 480)]
