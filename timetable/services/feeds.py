"""iCalendar feeds of a timetable (whole, or one class's, teacher's or room's), built with `icalendar`.

The window is `WEEKS_BACK` weeks before this week to `WEEKS_AHEAD` weeks after it (this week
in the timetable's zone, from the clock). Every occurrence that takes place is one VEVENT:
holidays and weeks the cycle leaves out are skipped, closed slots too; a temporarily closed
occurrence stays, as STATUS:CANCELLED with its note. Its UID is the slot and the ISO week, so a
lesson moved to another day this week is updated in calendars, not added twice. Times are in
the timetable's zone, described by a VTIMEZONE. Readers without the VIEW right get the public
view of each occurrence.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from .. import clock
from ..models import Timetable
from ..rules import add_weeks, format_week, iter_weeks
from ..rules.params import PARAMETERS, STAFF_PRESENT, STATUS_TEMPORARILY_CLOSED
from .catalog import current_week
from .public_view import public_occurrences
from .resolution import Directory, Occurrence, WeekFilter, load_directory, resolve_week

WEEKS_BACK = 4
WEEKS_AHEAD = 52


def feed_window(timetable: Timetable) -> tuple[int, int]:
    """The first and last week a feed holds."""
    this_week = current_week(timetable)
    return add_weeks(this_week, -WEEKS_BACK), add_weeks(this_week, WEEKS_AHEAD)


def _teacher(occurrence: Occurrence, directory: Directory) -> str:
    staff, substitute = occurrence.staff_ids, occurrence.values.get("substitute")
    name = directory.name("staff", staff)
    # Staff status is private: only a full occurrence (a reader with the VIEW right) still has it.
    status = occurrence.values.get("staff_status")
    if name and status is not None and status != STAFF_PRESENT:
        name = f"{name} ({PARAMETERS['staff_status'].display(status)})"
    if substitute and substitute not in staff:
        return f"{name or '—'} → {directory.name('staff', substitute)}"
    return name


def _event(timetable: Timetable, occurrence: Occurrence, directory: Directory, zone: ZoneInfo, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", f"slot-{occurrence.slot_id}-{format_week(occurrence.week)}@{timetable.slug}.timetable")
    event.add("dtstamp", stamp)
    # Built from wall-clock minutes, then attached to the zone: 08:00 stays 08:00 across DST changes.
    start = datetime.combine(occurrence.date, time(occurrence.start // 60, occurrence.start % 60), zone)
    end_minutes = occurrence.end
    end_day = occurrence.date + timedelta(days=end_minutes // 1440)
    end = datetime.combine(end_day, time((end_minutes % 1440) // 60, end_minutes % 60), zone)
    event.add("dtstart", start)
    event.add("dtend", end)
    event.add("summary", occurrence.title(directory))
    if room := directory.name("room", occurrence.values.get("room")):
        event.add("location", room)
    lines = []
    if teacher := _teacher(occurrence, directory):
        lines.append(f"Teacher: {teacher}")
    if group := directory.name("group", occurrence.values.get("group")):
        lines.append(f"Class: {group}")
    cancelled = occurrence.status == STATUS_TEMPORARILY_CLOSED
    note = occurrence.values.get("note") or ""
    if cancelled:
        lines.append(f"Cancelled: {note}" if note else "Cancelled")
    elif note:
        lines.append(note)
    if lines:
        event.add("description", "\n".join(lines))
    event.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    return event


def build_feed(timetable: Timetable, filters: WeekFilter, *, public: bool) -> bytes:
    """The feed as iCalendar bytes; `public` reads each occurrence through the public view."""
    zone = ZoneInfo(timetable.time_zone)
    directory = load_directory(timetable.id)
    stamp = clock.now()
    calendar = Calendar()
    calendar.add("prodid", "-//Timetable//Timetable feeds//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", timetable.name)
    calendar.add("x-wr-timezone", timetable.time_zone)
    # The zone's VTIMEZONE, made once (asking the library to find the zones every event uses costs seconds).
    calendar.add_component(Timezone.from_tzid(timetable.time_zone))
    first, last = feed_window(timetable)
    for week in iter_weeks(first, last):
        occurrences = resolve_week(timetable, week)
        if public:
            occurrences = public_occurrences(occurrences)
        for occurrence in occurrences:
            if filters.matches(occurrence):
                calendar.add_component(_event(timetable, occurrence, directory, zone, stamp))
    return calendar.to_ical()
