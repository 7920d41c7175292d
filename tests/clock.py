"""The pinned clock of the test suite, and weeks counted from it.

Tests that run in this process see "now" as PINNED_NOW (the clock ticks on from there), so
whether an occurrence has begun or a hold has run out never depends on the day the suite
runs. Tests whose server runs in another process, or which drive a browser with its own
clock, count their weeks from the wall clock instead (`wall_weeks_ahead`).
"""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import time_machine

from timetable.rules import add_weeks, format_week, week_of

# A Friday morning, 2026-W47: the demo's and the fixtures' history is painted around it.
PINNED_NOW = datetime(2026, 11, 20, 9, 0, tzinfo=UTC)
PARIS = ZoneInfo("Europe/Paris")
THIS_WEEK = week_of(PINNED_NOW.astimezone(PARIS).date())


def pinned(moment: datetime = PINNED_NOW):
    """Travel to `moment`; the clock goes on ticking from there."""
    return time_machine.travel(moment, tick=True)


def weeks_ahead(n: int) -> int:
    """The week `n` weeks after the pinned clock's week (negative: before it)."""
    return add_weeks(THIS_WEEK, n)


def wall_now() -> datetime:
    """The real moment, even while the clock is pinned (for servers in other processes)."""
    if time_machine.escape_hatch.is_travelling():
        return time_machine.escape_hatch.datetime.datetime.now(UTC)
    return datetime.now(UTC)


def wall_weeks_ahead(n: int) -> int:
    """The week `n` weeks after the wall clock's week in Europe/Paris (the demo's and fixtures' zone)."""
    return add_weeks(week_of(wall_now().astimezone(PARIS).date()), n)


def wall_weeks_ahead_text(n: int) -> str:
    return format_week(wall_weeks_ahead(n))

