"""Read a FET `*_data_and_timetable.fet` file: its days, hours, resources and placed activities.

FET (https://lalescu.ro/liviu/fet/) writes the placement it generated as constraints with a
weight of 100 %: `ConstraintActivityPreferredStartingTime` (day and hour) and
`ConstraintActivityPreferredRoom` (room; with FET 6 virtual rooms, the real rooms chosen).
A file without any of them has not been generated yet.

The parser is pure (defusedxml, no database): a bad file raises `FetError` naming the line or
element; what it reads but cannot use (an inactive or unplaced activity, a room constraint of
an unknown room…) is listed in `FetFile.unused` with the reason.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import fromstring

# The largest file read: the biggest of FET's own examples is about 6 MB.
MAX_FET_BYTES = 16 * 1024 * 1024


class FetError(ValueError):
    """The file cannot be imported; the message names the line or element."""


@dataclass(frozen=True)
class Unused:
    """Something in the file that the import leaves out, and why."""

    element: str
    reason: str

    def __str__(self) -> str:
        return f"{self.element}: {self.reason}"


@dataclass(frozen=True)
class Activity:
    """A placed activity (or sub-activity): who, what, for whom, where and when (indexes of days and hours)."""

    id: str
    teachers: tuple[str, ...]
    subject: str | None
    students: tuple[str, ...]
    duration: int
    day: int
    hour: int
    rooms: tuple[str, ...] = ()


@dataclass(frozen=True)
class FetFile:
    days: tuple[str, ...]
    hours: tuple[str, ...]
    teachers: tuple[str, ...]
    subjects: tuple[str, ...]
    students: tuple[str, ...]  # years, groups and subgroups, in the file's order, each once
    rooms: tuple[str, ...]  # real rooms only
    activities: tuple[Activity, ...]
    unused: tuple[Unused, ...] = field(default=())


def _text(element: Element | None, tag: str) -> str:
    return (element.findtext(tag) or "").strip() if element is not None else ""


def _names(parent: Element | None, tag: str) -> list[str]:
    if parent is None:
        return []
    return [name for child in parent.findall(tag) if (name := _text(child, "Name"))]


def _unique(names: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(names))


def _root(data: bytes) -> Element:
    if len(data) > MAX_FET_BYTES:
        raise FetError(f"the file has {len(data):,} bytes; at most {MAX_FET_BYTES:,} are read (16 MiB)")
    try:
        root = fromstring(data)
    except ParseError as error:
        line, column = getattr(error, "position", (0, 0))
        reason = str(error).split(":")[0]
        raise FetError(f"line {line}, column {column + 1}: the XML is malformed ({reason})") from None
    except DefusedXmlException as error:
        raise FetError(f"the XML uses a forbidden construct ({type(error).__name__}): entities and DTDs are not read") from None
    if root.tag != "fet":
        raise FetError(f"the root element is <{root.tag}>, not <fet>: this is not a FET file")
    return root


def _students(root: Element) -> tuple[str, ...]:
    names = []
    for year in root.findall("./Students_List/Year"):
        names.append(_text(year, "Name"))
        for group in year.findall("Group"):
            names.append(_text(group, "Name"))
            names.extend(_text(subgroup, "Name") for subgroup in group.findall("Subgroup"))
    return _unique(name for name in names if name)


def _rooms(root: Element) -> tuple[tuple[str, ...], set[str]]:
    real, virtual = [], set()
    for room in root.findall("./Rooms_List/Room"):
        name = _text(room, "Name")
        if _text(room, "Virtual") == "true":
            virtual.add(name)
        elif name:
            real.append(name)
    return _unique(real), virtual


def _full_weight(constraint: Element) -> bool:
    try:
        weight = float(_text(constraint, "Weight_Percentage") or "0")
    except ValueError:
        return False
    return weight >= 100 and _text(constraint, "Active") != "false"


def _placements(root: Element, days: tuple[str, ...], hours: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Activity id -> (day index, hour index) from the full-weight starting-time constraints; locked ones win."""
    found: dict[str, tuple[bool, int, int]] = {}
    for constraint in root.iter("ConstraintActivityPreferredStartingTime"):
        activity_id, day, hour = (_text(constraint, tag) for tag in ("Activity_Id", "Preferred_Day", "Preferred_Hour"))
        if not _full_weight(constraint) or not day or not hour:
            continue
        where = f"ConstraintActivityPreferredStartingTime of activity {activity_id}"
        if day not in days:
            raise FetError(f"{where}: unknown day “{day}” (the days are {', '.join(days)})")
        if hour not in hours:
            raise FetError(f"{where}: unknown hour “{hour}” (the hours are {', '.join(hours)})")
        locked = _text(constraint, "Permanently_Locked") == "true"
        if activity_id not in found or locked or not found[activity_id][0]:
            found[activity_id] = (locked, days.index(day), hours.index(hour))
    return {activity_id: (day, hour) for activity_id, (_locked, day, hour) in found.items()}


def _room_placements(root: Element, real: tuple[str, ...], virtual: set[str], unused: list[Unused]) -> dict[str, tuple[str, ...]]:
    """Activity id -> its rooms: the room, or for a FET 6 virtual room the real rooms chosen in it."""
    found: dict[str, tuple[str, ...]] = {}
    for constraint in root.iter("ConstraintActivityPreferredRoom"):
        if not _full_weight(constraint):
            continue
        activity_id, room = _text(constraint, "Activity_Id"), _text(constraint, "Room")
        if room in virtual:
            rooms = tuple(name for child in constraint.findall("Real_Room") if (name := (child.text or "").strip()))
            if not rooms:
                unused.append(Unused(f"ConstraintActivityPreferredRoom of activity {activity_id}",
                                     f"the virtual room “{room}” has no real rooms chosen"))
                continue
        else:
            rooms = (room,)
        unknown = [name for name in rooms if name not in real]
        if unknown:
            unused.append(Unused(f"ConstraintActivityPreferredRoom of activity {activity_id}", f"unknown room “{unknown[0]}”"))
            continue
        found[activity_id] = rooms
    return found


def parse_fet(data: bytes) -> FetFile:
    """Read a generated FET file; raise `FetError` for what cannot be imported at all."""
    root = _root(data)
    days = tuple(_names(root.find("Days_List"), "Day"))
    hours = tuple(_names(root.find("Hours_List"), "Hour"))
    if not days or not hours:
        raise FetError("the file has no <Days_List> or no <Hours_List> with named days and hours")
    for kind, names in (("day", days), ("hour", hours)):
        repeated = [name for name in names if names.count(name) > 1]
        if repeated:
            raise FetError(f"<{kind.title()}> “{repeated[0]}” is named twice")
    real_rooms, virtual = _rooms(root)
    unused: list[Unused] = []
    times = _placements(root, days, hours)
    rooms = _room_placements(root, real_rooms, virtual, unused)
    if not times:
        raise FetError("no activity is placed: the file holds no placement (ConstraintActivityPreferredStartingTime "
                       "at 100 %). Generate the timetable in FET first and import its *_data_and_timetable.fet")

    activities: list[Activity] = []
    seen: set[str] = set()
    for index, element in enumerate(root.findall("./Activities_List/Activity"), start=1):
        activity_id = _text(element, "Id")
        where = f"Activity {activity_id}" if activity_id else f"Activity number {index} of <Activities_List>"
        if not activity_id:
            raise FetError(f"{where}: it has no <Id>")
        if activity_id in seen:
            raise FetError(f"{where}: the activity id {activity_id} is used twice")
        seen.add(activity_id)
        try:
            duration = int(_text(element, "Duration") or "1")
        except ValueError:
            raise FetError(f"{where}: <Duration> “{_text(element, 'Duration')}” is not a whole number") from None
        if _text(element, "Active") == "false":
            unused.append(Unused(where, "inactive in FET"))
            continue
        if activity_id not in times:
            unused.append(Unused(where, "not placed (no starting time at 100 % in the file)"))
            continue
        day, hour = times[activity_id]
        if duration < 1 or hour + duration > len(hours):
            unused.append(Unused(where, f"a duration of {duration} periods from “{hours[hour]}” runs past the last hour"))
            continue
        activities.append(Activity(
            activity_id,
            _unique(t.text.strip() for t in element.findall("Teacher") if t.text and t.text.strip()),
            _text(element, "Subject") or None,
            _unique(s.text.strip() for s in element.findall("Students") if s.text and s.text.strip()),
            duration, day, hour, rooms.get(activity_id, ()),
        ))
    for activity_id in sorted(set(times) - seen, key=_id_order):
        unused.append(Unused(f"ConstraintActivityPreferredStartingTime of activity {activity_id}", "no such activity"))
    return FetFile(
        days, hours, _unique(_names(root.find("Teachers_List"), "Teacher")), _unique(_names(root.find("Subjects_List"), "Subject")),
        _students(root), real_rooms, tuple(activities), tuple(unused),
    )


def _id_order(activity_id: str) -> tuple[int, str]:
    return (int(activity_id), "") if activity_id.isdigit() else (0, activity_id)


# Hours. Names such as "07:50 - 08:05", "9.30 - 11.00", "8:00-8:45" or "Pd1 08h00-08h40" carry times.
_RANGE = re.compile(r"(\d{1,2})\s*[:.hH]\s*(\d{2})\s*[-–—]\s*(\d{1,2})\s*[:.hH]\s*(\d{2})", re.ASCII)


def hour_times(name: str) -> tuple[int, int] | None:
    """(start, end) in minutes since midnight from an hour's name, or None when it carries no valid range."""
    match = _RANGE.search(name)
    if not match:
        return None
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59:
        return None
    start, end = h1 * 60 + m1, h2 * 60 + m2
    return (start, end) if start < end else None


def read_periods(text: str) -> tuple[tuple[int, int], ...]:
    """`--periods 08:00-08:45,08:50-09:35`: one start-end per FET hour; ValueError names a bad one."""
    periods = []
    for number, part in enumerate((p.strip() for p in text.split(",")), start=1):
        times = hour_times(part)
        if times is None or _RANGE.fullmatch(part) is None:
            raise ValueError(f"period {number} “{part}” is not a time range like 08:00-08:45")
        periods.append(times)
    return tuple(periods)
