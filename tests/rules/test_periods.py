"""Bell grids: validation, which grid holds in a week, which periods move, how slots follow them."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timetable.rules.periods import (
    BellGrid,
    InvalidPeriods,
    Period,
    describe_changes,
    grid_end,
    grid_in_week,
    period_moves,
    retime,
    snap_minutes,
    validate_grid,
    validate_grids,
    validate_periods,
)


def _key(day: date) -> int:
    year, week, _ = day.isocalendar()
    return year * 100 + week


WEEKS = [_key(date(2025, 12, 1) + timedelta(weeks=i)) for i in range(120)]  # crosses 2026-W53
assert 202653 in WEEKS

# The machine running the suite may be shared and busy: slow generation is not a failure here.
PROPERTY = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)

weeks = st.sampled_from(WEEKS)


@st.composite
def periods(draw, weekday=None):
    start = draw(st.integers(0, 286)) * 5
    end = draw(st.integers(start // 5 + 1, 288)) * 5
    return Period(weekday or draw(st.integers(1, 7)), start, end, draw(st.sampled_from("123456789ABCDEFG")))


@st.composite
def valid_day(draw, weekday):
    """Periods of one day that never overlap: cut points on the day, every other gap a period."""
    cuts = sorted(set(draw(st.lists(st.integers(0, 288), min_size=2, max_size=10))))
    found = []
    for index, (a, b) in enumerate(zip(cuts, cuts[1:])):
        if index % 2 == 0:
            found.append(Period(weekday, a * 5, b * 5, str(len(found) + 1)))
    return found


@st.composite
def valid_grid(draw):
    days = draw(st.lists(st.integers(1, 7), unique=True, max_size=4))
    return BellGrid(draw(weeks), tuple(p for day in days for p in draw(valid_day(day))))


def _overlap(a: Period, b: Period) -> bool:
    return a.weekday == b.weekday and a.start < b.end and b.start < a.end


@PROPERTY
@given(st.lists(periods(), max_size=12))
def test_a_list_of_periods_is_kept_exactly_when_no_two_of_a_day_overlap_or_share_a_name(given_periods):
    clash = any(
        _overlap(a, b) or (a.weekday == b.weekday and a.name == b.name)
        for i, a in enumerate(given_periods) for b in given_periods[i + 1:]
    )
    if clash:
        with pytest.raises(InvalidPeriods):
            validate_periods(given_periods)
    else:
        kept = validate_periods(given_periods)
        assert sorted(kept) == sorted(given_periods)
        assert list(kept) == sorted(kept, key=lambda p: (p.weekday, p.start))


@PROPERTY
@given(valid_grid())
def test_generated_valid_grids_pass_and_keep_every_period(grid):
    assert set(validate_grid(grid.from_week, grid.periods).periods) == set(grid.periods)


@pytest.mark.parametrize("period, field, words", [
    (Period(5, 600, 570, "3"), "end", "not after its start"),
    (Period(5, 600, 600, "3"), "end", "not after its start"),
    (Period(5, -5, 60, "3"), "start", "not a time"),
    (Period(5, 600, 1445, "3"), "end", "not a time"),
    (Period(5, 601, 645, "3"), "start", "5-minute step"),
    (Period(8, 600, 645, "3"), "weekday", "not 1 (Monday) to 7"),
    (Period(5, 600, 645, ""), "name", "needs a name"),
    (Period(5, 600, 645, "x" * 41), "name", "1 to 40 characters"),
    (Period(5, 600, 645, "a\x00"), "name", "NUL"),
])
def test_a_bad_period_is_refused_naming_its_field(period, field, words):
    with pytest.raises(InvalidPeriods) as caught:
        validate_periods([Period(1, 480, 525, "1"), period])
    assert caught.value.field == field and caught.value.index == 1
    assert words in str(caught.value)


def test_overlapping_periods_of_one_day_are_refused_but_touching_ones_and_other_days_are_not():
    with pytest.raises(InvalidPeriods, match="Friday “2”: 08:30–09:15 overlaps “1” 08:00–08:45") as caught:
        validate_periods([Period(5, 480, 525, "1"), Period(5, 510, 555, "2")])
    assert caught.value.field == "start"
    assert len(validate_periods([Period(5, 480, 525, "1"), Period(5, 525, 570, "2"), Period(4, 500, 560, "1")])) == 3


def test_two_grids_starting_the_same_week_and_bad_weeks_are_refused():
    with pytest.raises(InvalidPeriods, match="two bell grids start in 2027-W45") as caught:
        validate_grids([BellGrid(202745, ()), BellGrid(202701, ()), BellGrid(202745, ())])
    assert (caught.value.field, caught.value.grid) == ("from_week", 2)
    with pytest.raises(InvalidPeriods, match="2026-W54") as caught:
        validate_grids([BellGrid(202654, ())])
    assert caught.value.field == "from_week"


@PROPERTY
@given(st.lists(weeks, unique=True, max_size=6), weeks)
def test_the_grid_of_a_week_is_the_latest_one_starting_by_then(starts, week):
    grids = validate_grids([BellGrid(w, ()) for w in starts])
    holding = grid_in_week(grids, week)
    earlier = [w for w in starts if w <= week]
    assert (holding.from_week if holding else None) == (max(earlier) if earlier else None)
    if holding is not None:
        end = grid_end(grids, holding)
        assert end is None or week <= end
        assert all(not (holding.from_week < g.from_week <= week) for g in grids)


@PROPERTY
@given(valid_grid(), valid_grid())
def test_moves_are_exactly_the_periods_kept_by_name_with_other_times(old_grid, new_grid):
    old = (BellGrid(202640, old_grid.periods),)
    new = (BellGrid(202640, new_grid.periods),)
    moves = period_moves(old, new)
    expected = {
        (p.weekday, p.name) for p in old_grid.periods
        if (q := new[0].named(p.weekday, p.name)) is not None and (q.start, q.end) != (p.start, p.end)
    }
    assert {(m.old.weekday, m.old.name) for m in moves} == expected
    assert all((m.start_week, m.end_week) == (202640, None) for m in moves)
    assert period_moves(old, old) == []


def test_a_winter_grid_moves_periods_only_from_its_first_week_until_the_next_grid():
    summer = BellGrid(202636, (Period(5, 600, 645, "3"),))
    winter = BellGrid(202745, (Period(5, 610, 655, "3"),))
    later = BellGrid(202810, (Period(5, 600, 645, "3"),))
    [move] = period_moves((summer, later), (summer, winter, later))
    assert (move.start_week, move.end_week) == (202745, 202809)
    assert (move.old.start, move.new.start, move.new.end) == (600, 610, 655)
    assert describe_changes((summer, later), (summer, winter, later)) == ["Grid from 2027-W45 added (1 periods)"]
    assert describe_changes((summer,), (winter,)) == ["Grid from 2026-W36 removed", "Grid from 2027-W45 added (1 periods)"]
    assert describe_changes((summer,), (BellGrid(202636, (Period(5, 610, 655, "3"), Period(5, 700, 745, "4"))),)) == [
        "Grid from 2026-W36: Friday “3” 10:00–10:45 → 10:10–10:55",
        "Grid from 2026-W36: Friday “4” 11:40–12:25 added",
    ]


def test_slots_follow_the_boundaries_of_moved_periods():
    summer = BellGrid(202636, (Period(5, 480, 525, "1"), Period(5, 525, 570, "2"), Period(1, 480, 525, "1")))
    shifted = BellGrid(202636, (Period(5, 490, 535, "1"), Period(5, 535, 580, "2"), Period(1, 480, 525, "1")))
    moves = period_moves((summer,), (shifted,))
    assert retime(5, 480, 525, moves) == (490, 535)  # one period
    assert retime(5, 480, 570, moves) == (490, 580)  # a double lesson over both
    assert retime(5, 500, 525, moves) == (500, 535)  # ends with period 1
    assert retime(5, 600, 645, moves) is None  # another time
    assert retime(1, 480, 525, moves) is None  # Monday's period did not move


@st.composite
def slot_times(draw):
    start = draw(st.integers(0, 287)) * 5
    return start, start + draw(st.integers(1, 288 - start // 5)) * 5


@PROPERTY
@given(valid_grid(), valid_grid(), st.data())
def test_retiming_only_touches_matching_boundaries_and_never_inverts_a_slot(old_grid, new_grid, data):
    # Slots mostly on the old grid's boundaries, where retiming happens, sometimes anywhere.
    boundaries = [(p.weekday, p.start, p.end) for p in old_grid.periods]
    if boundaries and data.draw(st.booleans()):
        weekday, a, b = data.draw(st.sampled_from(boundaries))
    else:
        weekday, (a, b) = data.draw(st.integers(1, 7)), data.draw(slot_times())
    moves = period_moves((BellGrid(202640, old_grid.periods),), (BellGrid(202640, new_grid.periods),))
    moved = retime(weekday, a, b, moves)
    exact = [m for m in moves if (m.old.weekday, m.old.start, m.old.end) == (weekday, a, b)]
    if exact:  # a slot that is exactly a moved period becomes exactly its new times
        assert moved == (exact[0].new.start, exact[0].new.end)
    if moved is None:
        return
    start, end = moved
    assert start < end
    todays = [m for m in moves if m.old.weekday == weekday]
    assert start == a or any(m.old.start == a and m.new.start == start for m in todays)
    assert end == b or any(m.old.end == b and m.new.end == end for m in todays)


def test_snap_minutes_are_the_boundaries_in_order():
    assert snap_minutes([Period(5, 525, 570, "2"), Period(5, 480, 525, "1")]) == [480, 525, 570]
