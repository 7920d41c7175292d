"""ISO week keys: parsing, formatting and arithmetic across year ends and 53-week years."""

from __future__ import annotations

import re
from datetime import date, datetime

import pytest

from timetable.rules import (
    InvalidWeek,
    RulesError,
    add_weeks,
    format_span,
    format_week,
    is_week,
    iter_weeks,
    monday_of,
    next_week,
    parse_week,
    previous_week,
    validate_week,
    week_of,
    weeks_between,
    weeks_in_year,
)


@pytest.mark.parametrize(
    ("value",                     "key"),
    [
        ("2026-W47",                  202647),
        ("2026W47",                   202647),
        ("202647",                    202647),
        (202647,                      202647),
        ("  2026-W47\n",              202647),
        ("2026-w47",                  202647),
        ("2026w07",                   202607),
        ("2026-W7",                   202607),
        ("2020-W53",                  202053),
        ("2026-W53",                  202653),
        ("0001-W01",                  101),
        ("9999-W52",                  999952),
        (date(2026, 11, 16),          202647),
        (date(2026, 11, 22),          202647),
        (datetime(2026, 11, 18, 23),  202647),
        (date(2024, 12, 30),          202501),
        (date(2021, 1, 3),            202053),
        (date(2027, 1, 1),            202653),
    ],
)
def test_parse_week_accepts_every_format(value, key):
    assert parse_week(value) == key


@pytest.mark.parametrize(
    ("value",      "message"),
    [
        (202600,      "2026-W00: week numbers start at 1"),
        (202654,      "2026-W54: 2026 has 53 ISO weeks"),
        (202153,      "2021-W53: 2021 has 52 ISO weeks"),
        ("2026-W54",  "2026-W54: 2026 has 53 ISO weeks"),
        ("2026-W00",  "2026-W00: week numbers start at 1"),
        ("abc",       "'abc': not a week (expected YYYY-Www, e.g. 2026-W47)"),
        ("",          "'': not a week (expected YYYY-Www, e.g. 2026-W47)"),
        ("2026-47",   "'2026-47': not a week (expected YYYY-Www, e.g. 2026-W47)"),
        ("２０２６４７", "'２０２６４７': not a week (expected YYYY-Www, e.g. 2026-W47)"),
        (True,        "True: booleans are not weeks"),
        (False,       "False: booleans are not weeks"),
        (None,        "None: not a week (expected YYYY-Www, e.g. 2026-W47)"),
        (202647.0,    "202647.0: not a week (expected YYYY-Www, e.g. 2026-W47)"),
        (0,           "0: year 0 is outside 1..9999"),
        (-202647,     "-202647: not a week"),
        ("0000-W01",  "'0000-W01': year 0 is outside 1..9999"),
        (1000001,     "1000001: year 10000 is outside 1..9999"),
    ],
)
def test_parse_week_rejects_with_a_message_naming_input_and_reason(value, message):
    with pytest.raises(InvalidWeek) as caught:
        parse_week(value)
    assert message in str(caught.value)


def test_invalid_week_is_a_rules_error_and_a_value_error():
    assert issubclass(InvalidWeek, RulesError)
    assert issubclass(RulesError, ValueError)


@pytest.mark.parametrize(
    ("key",   "text"),
    [
        (202647,  "2026-W47"),
        (202601,  "2026-W01"),
        (202053,  "2020-W53"),
        (101,     "0001-W01"),
        (999952,  "9999-W52"),
    ],
)
def test_format_week_is_the_inverse_of_parse(key, text):
    assert format_week(key) == text
    assert parse_week(text) == key


@pytest.mark.parametrize(
    ("start",  "end",    "text"),
    [
        (202606,   202615,   "2026-W06 to 2026-W15"),
        (202606,   202606,   "2026-W06"),
        (202606,   None,     "from 2026-W06"),
        (None,     202615,   "until 2026-W15"),
        (None,     None,     "always"),
    ],
)
def test_format_span(start, end, text):
    assert format_span(start, end) == text


@pytest.mark.parametrize(
    ("key",   "after"),
    [
        (202647,  202648),
        (202052,  202053),
        (202053,  202101),
        (202152,  202201),
        (202652,  202653),
        (202653,  202701),
        (999951,  999952),
    ],
)
def test_next_and_previous_week_cross_year_ends_through_the_calendar(key, after):
    assert next_week(key) == after
    assert previous_week(after) == key


@pytest.mark.parametrize(
    ("key",   "n",    "result"),
    [
        (202647,  0,      202647),
        (202050,  4,      202101),
        (202101,  -1,     202053),
        (202101,  -53,    202001),
        (202001,  53,     202101),
        (202001,  105,    202201),
        (202647,  -52,    202547),
        (202101,  -2,     202052),
    ],
)
def test_add_weeks(key, n, result):
    assert add_weeks(key, n) == result
    assert weeks_between(key, result) == n


@pytest.mark.parametrize(
    ("a",     "b",     "weeks"),
    [
        (202647,  202647,  0),
        (202053,  202101,  1),
        (202101,  202053,  -1),
        (202001,  202101,  53),
        (202101,  202201,  52),
        (202501,  202601,  52),
    ],
)
def test_weeks_between_is_b_minus_a(a, b, weeks):
    assert weeks_between(a, b) == weeks


@pytest.mark.parametrize(
    ("key",   "bad",          "message"),
    [
        (101,     "previous",     "0001-W01 - 1 week falls outside years 1..9999"),
        (999952,  "next",         "9999-W52 + 1 week falls outside years 1..9999"),
    ],
)
def test_stepping_off_the_calendar_is_an_invalid_week(key, bad, message):
    with pytest.raises(InvalidWeek, match=re.escape(message)):
        (previous_week if bad == "previous" else next_week)(key)


@pytest.mark.parametrize("n", [True, 1.0, "1"])
def test_add_weeks_wants_an_integer_count(n):
    with pytest.raises(InvalidWeek, match="must be an integer"):
        add_weeks(202647, n)


@pytest.mark.parametrize(
    ("key",   "monday"),
    [
        (202647,  date(2026, 11, 16)),
        (202501,  date(2024, 12, 30)),
        (202053,  date(2020, 12, 28)),
        (202101,  date(2021, 1, 4)),
        (101,     date(1, 1, 1)),
    ],
)
def test_monday_of_and_week_of(key, monday):
    assert monday_of(key) == monday
    assert monday.weekday() == 0
    assert week_of(monday) == key


@pytest.mark.parametrize(
    ("year", "weeks"),
    [
        (2015,   53),
        (2020,   53),
        (2021,   52),
        (2025,   52),
        (2026,   53),
        (2032,   53),
        (1,      52),
        (9999,   52),
    ],
)
def test_weeks_in_year(year, weeks):
    assert weeks_in_year(year) == weeks


@pytest.mark.parametrize("year", [0, 10000, True, "2026", None])
def test_weeks_in_year_rejects_years_outside_the_calendar(year):
    with pytest.raises(InvalidWeek, match="is outside 1..9999"):
        weeks_in_year(year)


def test_iter_weeks_is_inclusive_and_crosses_53_week_years():
    assert list(iter_weeks(202051, 202102)) == [202051, 202052, 202053, 202101, 202102]
    assert list(iter_weeks(202647, 202647)) == [202647]
    assert list(iter_weeks(202648, 202647)) == []
    assert list(iter_weeks(999951, 999952)) == [999951, 999952]


def test_iter_weeks_checks_its_bounds_when_called_not_when_iterated():
    with pytest.raises(InvalidWeek, match="2026-W54"):
        iter_weeks(202601, 202654)


@pytest.mark.parametrize(
    ("key",      "valid"),
    [
        (202647,     True),
        (202053,     True),
        (202153,     False),
        (202600,     False),
        (202654,     False),
        (True,       False),
        ("202647",   False),
        (None,       False),
    ],
)
def test_is_week_and_validate_week(key, valid):
    assert is_week(key) is valid
    if valid:
        assert validate_week(key) == key
    else:
        with pytest.raises(InvalidWeek):
            validate_week(key)


def test_validate_week_names_text_as_not_a_key():
    with pytest.raises(InvalidWeek, match=r"'202647': not a week key \(expected an integer YYYYWW"):
        validate_week("202647")


@pytest.mark.parametrize("value", ["2026-W47", 202647, None])
def test_week_of_wants_a_date(value):
    with pytest.raises(InvalidWeek, match="not a date"):
        week_of(value)


def test_every_week_of_a_span_round_trips_through_its_monday():
    weeks = list(iter_weeks(201952, 202203))
    assert len(weeks) == weeks_between(201952, 202203) + 1
    for before, after in zip(weeks, weeks[1:]):
        assert next_week(before) == after
        assert before < after  # integer order is chronological
        assert week_of(monday_of(before)) == before
