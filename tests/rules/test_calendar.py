"""The calendar overlay: holidays by date, holiday weeks, and week-cycle labels (A/B…)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timetable.rules import add_weeks, iter_weeks, monday_of, parse_week
from timetable.rules.calendar import Calendar, Cycle, Holiday, RulesError, is_holiday_week, parse_labels, runs_in, week_label

W = parse_week
MON_FRI = (1, 2, 3, 4, 5)
EASTER = Holiday("Easter", date(2027, 3, 29), date(2027, 4, 9))  # 2027-W13 and W14, Monday to Friday


def test_a_holiday_covers_its_dates_and_the_weeks_it_touches():
    assert EASTER.covers(date(2027, 3, 29)) and EASTER.covers(date(2027, 4, 9))
    assert not EASTER.covers(date(2027, 4, 10))
    assert EASTER.weeks == [W("2027-W13"), W("2027-W14")]


def test_a_holiday_ending_before_it_starts_is_refused():
    with pytest.raises(RulesError, match="before its start"):
        Holiday("Backwards", date(2027, 4, 9), date(2027, 3, 29))


def test_a_week_is_a_holiday_week_only_when_every_shown_weekday_is_a_holiday():
    bank_monday = Holiday("Bank holiday", date(2027, 5, 3), date(2027, 5, 3))
    assert is_holiday_week([EASTER], MON_FRI, W("2027-W13"))
    assert not is_holiday_week([bank_monday], MON_FRI, W("2027-W18"))
    rest_of_week = Holiday("Bridge", date(2027, 5, 4), date(2027, 5, 7))
    assert is_holiday_week([bank_monday, rest_of_week], MON_FRI, W("2027-W18"))
    # A Saturday class keeps the week going.
    assert not is_holiday_week([EASTER], (*MON_FRI, 6), W("2027-W14"))  # Easter ends on Friday 9 April


def test_two_week_cycle_skips_holiday_weeks():
    cycle = Cycle(2, W("2027-W10"))
    labels = [week_label(cycle, [EASTER], MON_FRI, week) for week in iter_weeks(W("2027-W10"), W("2027-W16"))]
    # W10 A, W11 B, W12 A, W13-W14 Easter, W15 B, W16 A.
    assert labels == ["A", "B", "A", None, None, "B", "A"]


def test_weeks_before_the_start_count_backwards():
    cycle = Cycle(2, W("2027-W10"))
    assert [week_label(cycle, [], MON_FRI, w) for w in (W("2027-W08"), W("2027-W09"))] == ["A", "B"]
    assert week_label(cycle, [EASTER], MON_FRI, W("2027-W16")) == "A"
    assert week_label(Cycle(2, W("2027-W16")), [EASTER], MON_FRI, W("2027-W10")) == "A"


def test_no_cycle_means_no_label():
    assert week_label(Cycle(), [], MON_FRI, W("2027-W10")) is None


def test_an_override_changes_only_its_week():
    plain = Cycle(2, W("2027-W01"))
    overridden = Cycle(2, W("2027-W01"), {W("2027-W03"): "B"})
    assert week_label(plain, [], MON_FRI, W("2027-W03")) == "A"
    assert week_label(overridden, [], MON_FRI, W("2027-W03")) == "B"
    assert week_label(overridden, [], MON_FRI, W("2027-W04")) == "B"


@pytest.mark.parametrize(
    ("make",                                                        "message"),
    [
        (lambda: Cycle(0),                                              "from 1 to 26 weeks"),
        (lambda: Cycle(27, W("2027-W01")),                              "from 1 to 26 weeks"),
        (lambda: Cycle(2),                                              "needs a start week"),
        (lambda: Cycle(2, W("2027-W01"), {W("2027-W03"): "C"}),         "'C' is not one of A, B"),
    ],
)
def test_a_wrong_cycle_is_refused(make, message):
    with pytest.raises(RulesError, match=message):
        make()


def test_runs_in_every_week_or_the_listed_labels():
    assert runs_in("", "B") and runs_in("A,B", "B") and not runs_in("A", "B")
    assert runs_in("A", None)  # a week without a label runs every slot


def test_parse_labels_refuses_labels_outside_the_cycle():
    assert parse_labels("b a", "AB") == "A,B"
    with pytest.raises(RulesError, match="'C' is not a week label"):
        parse_labels("C", "AB")


def test_the_calendar_names_the_holiday_of_each_day():
    calendar = Calendar((EASTER,), Cycle(2, W("2027-W10")), MON_FRI)
    assert calendar.holidays_of_week(W("2027-W13"))[1] is EASTER
    assert set(calendar.holidays_of_week(W("2027-W14"))) == {1, 2, 3, 4, 5}
    assert calendar.holidays_of_week(W("2027-W15")) == {}
    assert calendar.is_holiday_week(W("2027-W13")) and calendar.label(W("2027-W13")) is None


# Property tests over random holidays and cycles ------------------------------------------

START = date(2026, 1, 5)
holidays = st.lists(
    st.builds(
        lambda offset, days: Holiday("H", START + timedelta(days=offset), START + timedelta(days=offset + days)),
        st.integers(0, 400), st.integers(0, 20),
    ),
    max_size=5,
)
cycles = st.builds(lambda length, offset: Cycle(length, add_weeks(W("2026-W02"), offset)), st.integers(2, 5), st.integers(0, 40))


@settings(deadline=None, max_examples=60)
@given(cycles, holidays)
def test_labels_cycle_through_the_labels_in_order_over_non_holiday_weeks(cycle, found):
    weeks = list(iter_weeks(cycle.start_week, add_weeks(cycle.start_week, 60)))
    labels = [week_label(cycle, found, MON_FRI, w) for w in weeks]
    for week, label in zip(weeks, labels, strict=True):
        assert (label is None) == is_holiday_week(found, MON_FRI, week)
    running = [label for label in labels if label is not None]
    assert running == [cycle.labels[i % cycle.length] for i in range(len(running))]


@settings(deadline=None, max_examples=60)
@given(cycles, holidays, st.integers(-30, 60), st.data())
def test_an_override_changes_that_week_only(cycle, found, offset, data):
    target = add_weeks(cycle.start_week, offset)
    label = data.draw(st.sampled_from(cycle.labels))
    overridden = Cycle(cycle.length, cycle.start_week, {target: label})
    assert week_label(overridden, found, MON_FRI, target) == label
    for week in iter_weeks(add_weeks(target, -8), add_weeks(target, 8)):
        if week != target:
            assert week_label(overridden, found, MON_FRI, week) == week_label(cycle, found, MON_FRI, week)


@settings(deadline=None, max_examples=60)
@given(cycles, holidays, st.integers(-60, 60))
def test_backwards_and_forwards_agree_wherever_the_cycle_starts(cycle, found, offset):
    """Moving the start to any non-holiday week with that week's label changes no label."""
    moved_start = add_weeks(cycle.start_week, offset)
    label = week_label(cycle, found, MON_FRI, moved_start)
    if label is None:
        return
    shift = cycle.labels.index(label)
    moved = Cycle(cycle.length, moved_start)
    for week in iter_weeks(add_weeks(cycle.start_week, -10), add_weeks(cycle.start_week, 70)):
        mine = week_label(moved, found, MON_FRI, week)
        theirs = week_label(cycle, found, MON_FRI, week)
        assert (mine is None) == (theirs is None)
        if mine is not None:
            assert cycle.labels[(cycle.labels.index(mine) + shift) % cycle.length] == theirs


def test_monday_based_arithmetic_across_a_53_week_year():
    cycle = Cycle(2, W("2026-W52"))
    assert [week_label(cycle, [], MON_FRI, w) for w in (W("2026-W52"), W("2026-W53"), W("2027-W01"))] == ["A", "B", "A"]
    assert monday_of(W("2026-W53")) == date(2026, 12, 28)
