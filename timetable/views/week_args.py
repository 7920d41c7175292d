"""Read the week and the filters a week view was asked for from the query string."""

from __future__ import annotations

from datetime import date

from flask import request
from werkzeug.exceptions import BadRequest

from ..models import Timetable
from ..rules import RulesError, format_week, parse_week, week_of
from ..services.catalog import current_week
from ..services.errors import ServiceError
from ..services.resolution import WeekFilter
from .ids import out_of_range, parse_id


def requested_week(timetable: Timetable) -> int:
    """`week=2026-W47` (query or form), else `?date=2026-11-18` (its ISO week), else this week
    in the timetable's zone. Anything else is a 400 that shows a week to use instead."""
    if raw_week := request.values.get("week", "").strip():
        return week_from_text(raw_week, timetable)
    if raw_date := request.args.get("date", "").strip():
        try:
            return week_of(date.fromisoformat(raw_date))
        except ValueError as error:
            raise ServiceError(f"“{raw_date}” is not a date; use the form YYYY-MM-DD.") from error
    return current_week(timetable)


def week_from_text(raw: str, timetable: Timetable) -> int:
    """An ISO week such as 2026-W47 from a path or a field; a bad one is a 400 naming a good one."""
    try:
        return parse_week(raw)
    except RulesError as error:
        raise ServiceError(f"{error}. Use an ISO week such as {format_week(current_week(timetable))}.") from error


def requested_filter() -> WeekFilter:
    """`?staff=3&room=7&group=2`, each optional; anything but a positive id is a 400."""
    values = {}
    for name in ("staff", "room", "group"):
        raw = request.args.get(name, "").strip()
        if not raw:
            values[name] = None
            continue
        values[name] = parse_id(raw)
        if values[name] is None:
            raise BadRequest(f"The {name} filter must be the id of a {name}. {out_of_range(raw)}")
    return WeekFilter(**values)
