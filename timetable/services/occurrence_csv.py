"""CSV export of a week or a range of weeks: one row per occurrence, every parameter resolved.

Rows are the occurrences the week API answers (`resolve_week`, then the public view for readers
without the VIEW right), filtered as on the week page. References show as names, times as
wall-clock times in the timetable's zone (and as ISO moments with the zone's offset). The text
is UTF-8 with a byte-order mark, so that spreadsheets open it as UTF-8; a cell that a
spreadsheet would read as a formula (=, +, -, @ first) is prefixed with an apostrophe.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from ..formatting import hhmm
from ..models import Timetable
from ..rules import PARAMETERS, PUBLIC_PARAMETERS, WEEKDAYS, format_week, iter_weeks, weeks_between
from ..rules.params import TEXT
from .errors import ServiceError
from .public_view import public_occurrences
from .resolution import Directory, Occurrence, WeekFilter, load_directory, resolve_week
from .transfer import ref_ids

MAX_WEEKS = 60
# Then one column per parameter ("start", "duration", "title", "room"…); `name` is what people call it (title, else course).
FIXED = ("slot_id", "week", "date", "day", "end", "starts_at", "ends_at", "name")
BOM = "\ufeff"
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

def columns(*, public: bool) -> tuple[str, ...]:
    """The header: the fixed columns, then every parameter the reader may see, in the registry's order."""
    return FIXED + tuple(name for name in PARAMETERS if not public or name in PUBLIC_PARAMETERS)

def check_range(first: int, last: int) -> None:
    if last < first:
        raise ServiceError(f"to: {format_week(last)} comes before from: {format_week(first)}.")
    if weeks_between(first, last) + 1 > MAX_WEEKS:
        raise ServiceError(f"to: a CSV export covers at most {MAX_WEEKS} weeks; {format_week(first)} to {format_week(last)} is more.")

def _safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_STARTS) else text

def _cell(name: str, value, directory: Directory) -> str:
    parameter = PARAMETERS[name]
    if parameter.ref:
        # "|" as the lessons import reads it (docs/csv-import.md): names themselves hold commas.
        return _safe(" | ".join(directory.name(parameter.ref, ref) for ref in ref_ids(value)))
    text = parameter.to_text(value) if value is not None or parameter.nullable else ""
    return _safe(text) if parameter.kind == TEXT else text

def _moment(occurrence: Occurrence, minutes: int, zone: ZoneInfo) -> str:
    day = occurrence.date + timedelta(days=minutes // 1440)
    return datetime.combine(day, time((minutes % 1440) // 60, minutes % 60), zone).isoformat()

def row(occurrence: Occurrence, directory: Directory, zone: ZoneInfo, names: tuple[str, ...]) -> list[str]:
    values = occurrence.values
    fixed = [
        str(occurrence.slot_id), format_week(occurrence.week), occurrence.date.isoformat(), WEEKDAYS[occurrence.weekday - 1],
        hhmm(occurrence.end),
        _moment(occurrence, occurrence.start, zone), _moment(occurrence, occurrence.end, zone), _safe(occurrence.title(directory)),
    ]
    return fixed + [_cell(name, values.get(name), directory) for name in names[len(FIXED):]]

def occurrences(timetable: Timetable, first: int, last: int, filters: WeekFilter, *, public: bool) -> Iterator[Occurrence]:
    """The occurrences of the weeks, as the week API lists them, that match the filters."""
    for week in iter_weeks(first, last):
        found = resolve_week(timetable, week)
        for occurrence in public_occurrences(found) if public else found:
            if filters.matches(occurrence):
                yield occurrence

def build_csv(timetable: Timetable, first: int, last: int, filters: WeekFilter, *, public: bool) -> str:
    """The CSV text (with its BOM) of the weeks from `first` to `last`, both included."""
    check_range(first, last)
    directory = load_directory(timetable.id)
    zone = ZoneInfo(timetable.time_zone)
    names = columns(public=public)
    out = io.StringIO()
    out.write(BOM)
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for occurrence in occurrences(timetable, first, last, filters, public=public):
        writer.writerow(row(occurrence, directory, zone, names))
    return out.getvalue()
