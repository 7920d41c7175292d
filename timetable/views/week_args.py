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
    """`?week=2026-W47`, else `?date=2026-11-18` (its ISO week), else this week in the timetable's zone."""
    if raw_week := request.args.get("week", "").strip():
        try:
            return parse_week(raw_week)
        except RulesError as error:
            raise BadRequest(
                f"{error}. Pick a week such as {format_week(current_week(timetable))}."
            ) from error
    if raw_date := request.args.get("date", "").strip():
        try:
            return week_of(date.fromisoformat(raw_date))
        except ValueError as error:
            raise BadRequest(f"“{raw_date}” is not a date; use the form YYYY-MM-DD.") from error
    return current_week(timetable)


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


def week_in_request(timetable: Timetable) -> int:
    """`week` from the query or form (2026-W47), else this week; a bad one is a clear 400."""
    raw = request.values.get("week", "").strip()
    if not raw:
        return current_week(timetable)
    try:
        return parse_week(raw)
    except RulesError as error:
        raise ServiceError(f"{error}. Pick a week such as {format_week(current_week(timetable))}.") from error
