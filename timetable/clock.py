"""The one clock the application reads "now" from.

Everything that depends on the date (today's week, whether an occurrence has begun, when a
hold runs out, when a change was made) asks `now()`, so tests pin one function, and a run
under `faketime` moves all of it at once.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo


def now() -> datetime:
    """The current moment, timezone-aware, in UTC."""
    return datetime.now(UTC)


def today(time_zone: str) -> date:
    """Today's date on the wall clocks of `time_zone`."""
    return now().astimezone(ZoneInfo(time_zone)).date()
