"""ISO 8601 year-week keys (the integer YYYYWW): parsing, formatting and calendar arithmetic.

A week key such as 202647 is shown as "2026-W47". Integer order is chronological, so keys
can be compared and range-queried as integers, but they are never incremented as integers:
the week after 2020-W53 is 2021-W01 and 2026-W54 does not exist. Every step goes through
the week's Monday (`date.fromisocalendar`). Years run from 1 to 9999, the range of
`datetime.date`, so the first key is 101 (0001-W01) and the last 999952 (9999-W52).

Functions take and return integer keys; `parse_week` is the one door for text, dates and
other outside values. Every bad week raises `InvalidWeek`.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from datetime import date, timedelta
from functools import cache

from .errors import InvalidWeek

MIN_YEAR = 1
MAX_YEAR = 9999
FIRST_WEEK = 101  # 0001-W01: an open start ("since always") begins here
LAST_WEEK = 999952  # 9999-W52: an open end ("for ever") ends here

_EXPECTED = "expected YYYY-Www, e.g. 2026-W47"
# re.ASCII: \d would otherwise accept other scripts' digits, which int() then reads.
_ISO_TEXT = re.compile(r"(\d{4})-?w(\d{1,2})", re.IGNORECASE | re.ASCII)
_KEY_TEXT = re.compile(r"\d+", re.ASCII)


@cache
def _weeks_in(year: int) -> int:
    # 28 December is always in the last ISO week of its year.
    return date(year, 12, 28).isocalendar().week


def weeks_in_year(year: int) -> int:
    """Return how many ISO weeks `year` has, 52 or 53.

    A year has 53 when it starts on a Thursday, or is a leap year starting on a Wednesday
    (2015, 2020, 2026, 2032).
    """
    if isinstance(year, bool) or not isinstance(year, int) or not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidWeek(f"year {year!r} is outside {MIN_YEAR}..{MAX_YEAR}")
    return _weeks_in(year)


def _checked(year: int, week: int, shown: str) -> int:
    """Return the key of (year, week), or raise naming `shown` (how the input looked)."""
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise InvalidWeek(
            f"{shown}: year {year} is outside {MIN_YEAR}..{MAX_YEAR} (a week key is YYYYWW, e.g. 202647)"
        )
    shown = f"{year:04d}-W{week:02d}"
    if week < 1:
        raise InvalidWeek(f"{shown}: week numbers start at 1")
    count = _weeks_in(year)
    if week > count:
        raise InvalidWeek(f"{shown}: {year} has {count} ISO weeks")
    return year * 100 + week


def validate_week(key: int) -> int:
    """Return `key` if it is an integer naming a real ISO week, else raise `InvalidWeek`."""
    # Fast path, since stripes check every bound on every call: weeks 1..52 exist in every
    # year; only week 53 depends on the year. (`type` also keeps bool out.)
    if type(key) is int and FIRST_WEEK <= key <= LAST_WEEK and 1 <= key % 100 <= 52:
        return key
    if isinstance(key, bool):
        raise InvalidWeek(f"{key!r}: booleans are not weeks")
    if not isinstance(key, int):
        raise InvalidWeek(f"{key!r}: not a week key (expected an integer YYYYWW, e.g. 202647)")
    if key < 0:
        raise InvalidWeek(f"{key}: not a week (a week key is YYYYWW, e.g. 202647)")
    year, week = divmod(key, 100)
    return _checked(year, week, str(key))


def is_week(key: object) -> bool:
    """Tell whether `key` is an integer naming a real ISO week (text is never a key)."""
    try:
        validate_week(key)  # type: ignore[arg-type]
    except InvalidWeek:
        return False
    return True


def week_of(day: date) -> int:
    """Return the key of the ISO week containing `day` (a date or a datetime).

    Around New Year the ISO year differs from the calendar year: 2024-12-30 is in 2025-W01.
    """
    if not isinstance(day, date):
        raise InvalidWeek(f"{day!r}: not a date")
    iso = day.isocalendar()
    return iso.year * 100 + iso.week


def parse_week(value: object) -> int:
    """Return the week key for "2026-W47", "2026W47", "202647", 202647 or a date in that week.

    Text may have surrounding whitespace and a lowercase "w". Booleans, None and other types
    are not weeks.
    """
    if isinstance(value, bool):
        raise InvalidWeek(f"{value!r}: booleans are not weeks")
    if isinstance(value, int):
        return validate_week(value)
    if isinstance(value, date):
        return week_of(value)
    if isinstance(value, str):
        text = value.strip()
        match = _ISO_TEXT.fullmatch(text)
        if match:
            return _checked(int(match[1]), int(match[2]), repr(value))
        if _KEY_TEXT.fullmatch(text):
            key = int(text)
            year, week = divmod(key, 100)
            return _checked(year, week, repr(value))
    raise InvalidWeek(f"{value!r}: not a week ({_EXPECTED})")


def format_week(key: int) -> str:
    """Return the ISO text of a week key: 202647 -> "2026-W47"."""
    year, week = divmod(validate_week(key), 100)
    return f"{year:04d}-W{week:02d}"


def format_span(start: int | None, end: int | None) -> str:
    """Describe an inclusive week range for people; None ends are open.

    "2026-W06 to 2026-W15", "2026-W06" (one week), "from 2026-W06", "until 2026-W15", "always".
    """
    if start is None and end is None:
        return "always"
    if start is None:
        return f"until {format_week(end)}"  # type: ignore[arg-type]
    if end is None:
        return f"from {format_week(start)}"
    if start == end:
        return format_week(start)
    return f"{format_week(start)} to {format_week(end)}"


def monday_of(key: int) -> date:
    """Return the Monday of the week `key`."""
    year, week = divmod(validate_week(key), 100)
    return date.fromisocalendar(year, week, 1)


def add_weeks(key: int, n: int) -> int:
    """Return the week `n` weeks after `key` (before it when `n` is negative)."""
    if isinstance(n, bool) or not isinstance(n, int):
        raise InvalidWeek(f"{n!r}: a number of weeks must be an integer")
    try:
        return week_of(monday_of(key) + timedelta(weeks=n))
    except OverflowError:
        step = f"{'+' if n >= 0 else '-'} {abs(n)} week{'' if abs(n) == 1 else 's'}"
        raise InvalidWeek(
            f"{format_week(key)} {step} falls outside years {MIN_YEAR}..{MAX_YEAR}"
        ) from None


def next_week(key: int) -> int:
    """Return the week after `key`: 202053 -> 202101, 202152 -> 202201."""
    # Fast path, as in validate_week: weeks 1..52 exist in every year, so up to week 51 the
    # next week is the next key; only the turn of a year needs the calendar.
    if type(key) is int and FIRST_WEEK <= key <= LAST_WEEK and 1 <= key % 100 <= 51:
        return key + 1
    return add_weeks(key, 1)


def previous_week(key: int) -> int:
    """Return the week before `key`: 202101 -> 202053."""
    if type(key) is int and FIRST_WEEK <= key <= LAST_WEEK and 2 <= key % 100 <= 52:
        return key - 1
    return add_weeks(key, -1)


def weeks_between(a: int, b: int) -> int:
    """Return `b` minus `a` in weeks (negative when `b` is earlier)."""
    return (monday_of(b) - monday_of(a)).days // 7


def iter_weeks(start: int, end: int) -> Iterator[int]:
    """Yield every week from `start` to `end`, both included; nothing when `start` is later.

    Both keys are checked now, not on first iteration, so a bad key fails where it is passed.
    """
    first = monday_of(start)
    count = weeks_between(start, end) + 1

    def weeks() -> Iterator[int]:
        # Offsets from the first Monday rather than a running date: the running date would
        # overflow one step after 9999-W52.
        for offset in range(count):
            yield week_of(first + timedelta(weeks=offset))

    return weeks()


Span = tuple[int | None, int | None]


def union_spans(spans: Iterable[Span]) -> list[Span]:
    """Merge week ranges (None = open end) that overlap or touch, in order."""
    merged: list[Span] = []
    for start, end in sorted(spans, key=lambda span: (span[0] is not None, span[0] or 0)):
        if merged:
            last_start, last_end = merged[-1]
            if last_end is None or (start is not None and start <= next_week(last_end)):
                if last_end is not None and (end is None or end > last_end):
                    merged[-1] = (last_start, end)
                continue
        merged.append((start, end))
    return merged
