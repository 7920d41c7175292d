"""iCalendar feeds of a timetable (whole, or one class's, teacher's or room's), built with `icalendar`.

The window is `WEEKS_BACK` weeks before this week to `WEEKS_AHEAD` weeks after it (this week
in the timetable's zone, from the clock). Every occurrence that takes place is one VEVENT:
holidays and weeks the cycle leaves out are skipped, closed slots too; a temporarily closed
occurrence stays, as STATUS:CANCELLED with its note. Each holiday that touches the window is an
all-day event (transparent: it takes no time), in every feed, filtered or not. Its UID is the slot and the ISO week, so a
lesson moved to another day this week is updated in calendars, not added twice. Times are in
the timetable's zone, described by a VTIMEZONE. Readers without the VIEW right get the public
view of each occurrence.
"""

from __future__ import annotations

import hashlib
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from icalendar import Calendar, Event, Timezone

from .. import clock
from ..models import Timetable
from ..rules import add_weeks, format_week, iter_weeks, monday_of
from ..rules.calendar import Holiday
from ..rules.params import PARAMETERS, STAFF_PRESENT, STATUS_TEMPORARILY_CLOSED
from .calendar import load_calendar
from .catalog import current_week
from .public_view import public_occurrences
from .resolution import Directory, Occurrence, WeekFilter, load_directory, occurrences_of, read_weeks

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


@dataclass(frozen=True)
class _EventContent:
    """Everything a lesson's VEVENT says but its DTSTAMP: the key of its serialized text."""

    uid: str
    start: datetime
    end: datetime
    summary: str
    location: str
    description: str
    cancelled: bool


def _content(timetable: Timetable, occurrence: Occurrence, directory: Directory, zone: ZoneInfo) -> _EventContent:
    # Built from wall-clock minutes, then attached to the zone: 08:00 stays 08:00 across DST changes.
    start = datetime.combine(occurrence.date, time(occurrence.start // 60, occurrence.start % 60), zone)
    end_minutes = occurrence.end
    end_day = occurrence.date + timedelta(days=end_minutes // 1440)
    end = datetime.combine(end_day, time((end_minutes % 1440) // 60, end_minutes % 60), zone)
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
    return _EventContent(
        uid=f"slot-{occurrence.slot_id}-{format_week(occurrence.week)}@{timetable.slug}.timetable", start=start, end=end,
        summary=occurrence.title(directory), location=directory.name("room", occurrence.values.get("room")) or "",
        description="\n".join(lines), cancelled=cancelled,
    )


def _event(content: _EventContent, stamp: datetime) -> Event:
    event = Event()
    event.add("uid", content.uid)
    event.add("dtstamp", stamp)
    event.add("dtstart", content.start)
    event.add("dtend", content.end)
    event.add("summary", content.summary)
    if content.location:
        event.add("location", content.location)
    if content.description:
        event.add("description", content.description)
    event.add("status", "CANCELLED" if content.cancelled else "CONFIRMED")
    return event


class _EventTexts:
    """Serialized VEVENTs, shared by every feed of this process: serializing with `icalendar` is most of a feed's cost.

    A slot's events differ from week to week only in their UID and times, so each distinct rest
    (summary, location, description, status) is serialized once, with placeholder UID and times,
    and each distinct start or end time once; an event is those lines put together. The bytes are
    exactly what `icalendar` writes for the whole event (tests/unit/test_feed_texts.py compares them).
    The demo school's feed has 20,000 events but a few hundred distinct rests and a few thousand
    distinct times: its cold build went from about 9 s of CPU to about 1.3 s (bench/feed.py, README).
    """

    STAMP = datetime(2000, 1, 1, tzinfo=UTC)
    STAMP_LINE = b"DTSTAMP:20000101T000000Z\r\n"
    _PLACEHOLDER_TIME = datetime(2000, 1, 1, tzinfo=UTC)
    _SAFE_UID = re.compile(r"[A-Za-z0-9@._-]+")
    _FOLD_AT = 75  # octets: RFC 5545 folds longer lines, and so does icalendar

    def __init__(self, size: int = 20_000) -> None:
        self.size = size
        self._rests: OrderedDict[tuple, tuple[bytes | str, ...]] = OrderedDict()
        self._times: OrderedDict[tuple, bytes] = OrderedDict()
        self._plain_zones: OrderedDict[tuple, bool] = OrderedDict()
        self._lock = threading.Lock()

    def _cached(self, store: OrderedDict, key: Hashable, build: Callable[[], Any]) -> Any:
        with self._lock:
            found = store.get(key)
            if found is not None:
                store.move_to_end(key)
                return found
        found = build()
        with self._lock:
            store[key] = found
            while len(store) > self.size:
                store.popitem(last=False)
        return found

    def _rest(self, content: _EventContent) -> tuple[bytes | str, ...]:
        """The event's lines with "uid", "dtstart" and "dtend" in place of those three."""
        placeholder = replace(content, uid="x", start=self._PLACEHOLDER_TIME, end=self._PLACEHOLDER_TIME)
        lines = re.split(rb"(?<=\r\n)(?! )", _event(placeholder, self.STAMP).to_ical())  # content lines, folds kept
        names = {b"UID": "uid", b"DTSTART": "dtstart", b"DTEND": "dtend"}
        return tuple(names.get(re.split(rb"[;:]", line, maxsplit=1)[0], line) for line in lines if line)

    def _time(self, name: str, value: datetime) -> bytes:
        # Keyed by zone and wall-clock time: 08:00 in Paris equals 07:00 in London as a datetime, not as a line.
        zone = str(value.tzinfo)

        def build() -> bytes:
            if self._cached(self._plain_zones, (name, zone), lambda: self._plain_zone(name, value)):
                return f"{name.upper()};TZID={zone}:{value:%Y%m%dT%H%M%S}\r\n".encode()
            return self._time_by_icalendar(name, value)

        return self._cached(self._times, (name, zone, value.replace(tzinfo=None, fold=value.fold)), build)

    def _plain_zone(self, name: str, sample: datetime) -> bool:
        """Whether icalendar writes this zone's times as "NAME;TZID=zone:YYYYMMDDTHHMMSS" (checked on one time)."""
        zone = str(sample.tzinfo)
        line = f"{name.upper()};TZID={zone}:{sample:%Y%m%dT%H%M%S}\r\n".encode()
        return isinstance(sample.tzinfo, ZoneInfo) and len(line) - 2 <= self._FOLD_AT and line == self._time_by_icalendar(name, sample)

    @staticmethod
    def _time_by_icalendar(name: str, value: datetime) -> bytes:
        event = Event()
        event.add(name, value)
        return event.to_ical().removeprefix(b"BEGIN:VEVENT\r\n").removesuffix(b"END:VEVENT\r\n")

    def _uid(self, uid: str) -> bytes:
        line = f"UID:{uid}\r\n".encode()
        if len(line) - 2 <= self._FOLD_AT and self._SAFE_UID.fullmatch(uid):
            return line  # nothing to escape or fold: the common case, without icalendar
        event = Event()
        event.add("uid", uid)
        return event.to_ical().removeprefix(b"BEGIN:VEVENT\r\n").removesuffix(b"END:VEVENT\r\n")

    def text(self, content: _EventContent, stamp_line: bytes) -> bytes:
        rest = self._cached(self._rests, (content.summary, content.location, content.description, content.cancelled),
                            lambda: self._rest(content))
        parts = []
        for piece in rest:
            if piece == "uid":
                parts.append(self._uid(content.uid))
            elif piece == "dtstart":
                parts.append(self._time("dtstart", content.start))
            elif piece == "dtend":
                parts.append(self._time("dtend", content.end))
            elif piece == self.STAMP_LINE:
                parts.append(stamp_line)
            else:
                parts.append(piece)
        return b"".join(parts)


_event_texts = _EventTexts()


def _holiday_event(timetable: Timetable, holiday: Holiday, stamp: datetime) -> Event:
    event = Event()
    digest = hashlib.blake2b(holiday.name.encode(), digest_size=4).hexdigest()
    event.add("uid", f"holiday-{holiday.start.isoformat()}-{digest}@{timetable.slug}.timetable")
    event.add("dtstamp", stamp)
    event.add("dtstart", holiday.start)
    event.add("dtend", holiday.end + timedelta(days=1))  # all-day events end the day after their last day
    event.add("summary", holiday.name)
    event.add("transp", "TRANSPARENT")
    event.add("categories", ["Holiday"])
    return event


def _holidays_in(timetable: Timetable, first_day: date, last_day: date) -> list[Holiday]:
    return sorted((h for h in load_calendar(timetable).holidays if h.end >= first_day and h.start <= last_day),
                  key=lambda h: (h.start, h.name))


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
    for holiday in _holidays_in(timetable, monday_of(first), monday_of(last) + timedelta(days=6)):
        calendar.add_component(_holiday_event(timetable, holiday, stamp))
    stamp_line = b"DTSTAMP:" + stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ").encode() + b"\r\n"
    head = calendar.to_ical()
    assert head.endswith(_END)
    parts = [head[: -len(_END)]]
    # The window's rules are read once, not week by week (57 weeks: two statements instead of 114).
    for rules in read_weeks(timetable, list(iter_weeks(first, last))):
        occurrences = occurrences_of(rules)
        if public:
            occurrences = public_occurrences(occurrences)
        for occurrence in occurrences:
            if filters.matches(occurrence):
                parts.append(_event_texts.text(_content(timetable, occurrence, directory, zone), stamp_line))
    parts.append(_END)
    return b"".join(parts)


_END = b"END:VCALENDAR\r\n"
