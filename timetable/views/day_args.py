"""Read the day a day view was asked for from the query string."""

from __future__ import annotations

from datetime import date

from flask import request

from .. import clock
from ..models import Timetable
from ..services.errors import InvalidField


def requested_day(timetable: Timetable) -> date:
    """`?date=YYYY-MM-DD`, else today on the timetable's clocks; anything else is a 400 naming the field."""
    raw = request.args.get("date", "").strip()
    if not raw:
        return clock.today(timetable.time_zone)
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        raise InvalidField(f"date: “{raw}” is not a date; use the form YYYY-MM-DD.", "date") from None
    # The usual week is read from the weeks around the day: they must exist too.
    if not 2 <= day.year <= 9998:
        raise InvalidField(f"date: {raw} is out of range; give a day between the years 2 and 9998.", "date")
    return day
