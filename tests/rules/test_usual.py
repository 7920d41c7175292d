"""The usual value of a parameter around a week: most of the 4 weeks before and after, ties to the nearest week."""

from __future__ import annotations

from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from timetable.rules import add_weeks, parse_week, weeks_between
from timetable.rules.usual import NO_USUAL, SPAN, comparison_weeks, usual_value

W = parse_week("2026-W50")


def test_comparison_weeks_cross_the_year_end_and_leave_the_week_out():
    weeks = comparison_weeks(parse_week("2026-W53"))
    assert weeks == [parse_week(w) for w in ("2026-W49", "2026-W50", "2026-W51", "2026-W52",
                                             "2027-W01", "2027-W02", "2027-W03", "2027-W04")]


def test_a_one_week_change_is_not_usual():
    samples = {w: "101" for w in comparison_weeks(W)} | {W: "102"}
    assert usual_value(samples, W) == "101"


def test_the_majority_wins_over_the_nearest_week():
    weeks = comparison_weeks(W)
    samples = {w: "X" for w in weeks} | {add_weeks(W, -1): "Y", add_weeks(W, 1): "Y"}
    assert usual_value(samples, W) == "X"


def test_a_tie_goes_to_the_nearest_week_and_the_earlier_one_when_as_near():
    # A new teacher from next week on: 4 weeks of X before, 4 of Z after; the week before is nearest.
    samples = {w: ("X" if w < W else "Z") for w in comparison_weeks(W)}
    assert usual_value(samples, W) == "X"
    # One week each: the nearest one wins.
    assert usual_value({add_weeks(W, 1): "Z", add_weeks(W, 3): "X"}, W) == "Z"


def test_no_sample_means_no_usual_value():
    assert usual_value({}, W) is NO_USUAL
    assert usual_value({W: "only this week"}, W) is NO_USUAL


sampled = st.dictionaries(st.sampled_from(comparison_weeks(W)), st.sampled_from(["a", "b", "c", None]), min_size=1)


@given(sampled, st.sampled_from(["a", "b", "c", None]))
def test_the_usual_value_is_one_of_the_most_frequent_and_ignores_the_week_itself(samples, own):
    usual = usual_value(samples | {W: own}, W)
    counts = Counter(samples.values())
    assert counts[usual] == max(counts.values())
    assert usual_value(samples, W) == usual


@given(sampled)
def test_a_strict_majority_is_always_usual(samples):
    counts = Counter(samples.values())
    value, count = counts.most_common(1)[0]
    if count * 2 > len(samples):
        assert usual_value(samples, W) == value


@given(sampled)
def test_the_order_samples_arrive_in_does_not_matter(samples):
    assert usual_value(dict(reversed(list(samples.items()))), W) == usual_value(samples, W)


@given(st.sampled_from(["a", "b"]))
def test_every_comparison_week_agreeing_gives_that_value(value):
    weeks = comparison_weeks(W)
    assert len(weeks) == 2 * SPAN and all(1 <= abs(weeks_between(W, w)) <= SPAN for w in weeks)
    assert usual_value(dict.fromkeys(weeks, value), W) == value
