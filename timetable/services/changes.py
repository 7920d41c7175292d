"""A day's changes: every lesson that differs from the usual week, grouped by class, and the day's holidays.

"Usual" is decided by rules/usual.py: the value a slot's parameter holds in most of the four
weeks before and the four weeks after (the day's own week left out). Listed are:
substitutions (the teacher there differs from the usual one), room changes, cancellations
(status temporarily closed, with its note), and moved lessons (weekday or start differs; shown
on the day it left and on the day it went to). On a holiday, the holiday is the change: no
lesson takes place. Anonymous readers get every occurrence through the public view.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..formatting import hhmm
from ..models import Timetable
from ..rules import week_of
from ..rules.params import STATUS_CLOSED, STATUS_TEMPORARILY_CLOSED, WEEKDAYS
from ..rules.usual import NO_USUAL, comparison_weeks, usual_value
from .calendar import load_calendar
from .public_view import public_occurrences
from .resolution import Directory, Occurrence, load_directory, resolve_week

SUBSTITUTION, ROOM, CANCELLED, MOVED = "substitution", "room", "cancelled", "moved"
NO_GROUP = "Every class"


@dataclass(frozen=True)
class ChangeLine:
    kind: str  # substitution, room, cancelled or moved
    before: str
    after: str

    @property
    def text(self) -> str:
        if self.kind == CANCELLED:
            return f"Cancelled: {self.after}" if self.after else "Cancelled"
        return f"{self.before or '—'} → {self.after or '—'}"


@dataclass(frozen=True)
class Change:
    slot_id: int
    title: str
    start: int
    end: int
    lines: tuple[ChangeLine, ...]


@dataclass(frozen=True)
class GroupChanges:
    group: str
    changes: tuple[Change, ...]


@dataclass(frozen=True)
class DayChanges:
    day: date
    holidays: tuple[str, ...]
    groups: tuple[GroupChanges, ...]


def _when(weekday: int, start: int) -> str:
    return f"{WEEKDAYS[weekday - 1]} {hhmm(start)}"


def _usual(samples: Sequence[Occurrence], week: int, read) -> Any:
    return usual_value({occ.week: read(occ) for occ in samples}, week)


def deviation_lines(this: Occurrence, samples: Sequence[Occurrence], directory: Directory) -> list[ChangeLine]:
    """How `this` differs from its usual week (`samples`: the slot's occurrences in the comparison weeks)."""
    lines = []
    usual_time = _usual(samples, this.week, lambda o: (o.weekday, o.start))
    if usual_time is not NO_USUAL and usual_time != (this.weekday, this.start):
        lines.append(ChangeLine(MOVED, _when(*usual_time), _when(this.weekday, this.start)))
    usual_staff = _usual(samples, this.week, lambda o: o.present_staff)
    if usual_staff is not NO_USUAL and usual_staff != this.present_staff:
        lines.append(ChangeLine(SUBSTITUTION, directory.name("staff", usual_staff), directory.name("staff", this.present_staff)))
    usual_room = _usual(samples, this.week, lambda o: o.values.get("room"))
    if usual_room is not NO_USUAL and usual_room != this.values.get("room"):
        lines.append(ChangeLine(ROOM, directory.name("room", usual_room), directory.name("room", this.values.get("room"))))
    if this.status == STATUS_TEMPORARILY_CLOSED:
        lines.append(ChangeLine(CANCELLED, "", this.values.get("note") or ""))
    return lines


def group_order(name: str) -> tuple:
    """Classes in the order people count them: 7A, 9B, 10B, 12A; "Every class" last."""
    parts = tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", name) if part)
    return (name == NO_GROUP, parts)


def _occurs(occurrence: Occurrence) -> bool:
    return occurrence.status != STATUS_CLOSED


def day_changes(timetable: Timetable, day: date, *, public: bool) -> DayChanges:
    """Every deviation on `day`; `public` reads each occurrence through the public view."""
    holidays = tuple(h.name for h in load_calendar(timetable).holidays if h.start <= day <= h.end)
    if holidays:
        return DayChanges(day, holidays, ())
    week = week_of(day)
    directory = load_directory(timetable.id)

    def weeks_of(key: int) -> list[Occurrence]:
        found = resolve_week(timetable, key, include_closed=True)
        return public_occurrences(found) if public else found

    this_week = {occ.slot_id: occ for occ in weeks_of(week) if _occurs(occ)}
    samples: dict[int, list[Occurrence]] = {}
    for key in comparison_weeks(week):
        for occ in weeks_of(key):
            if _occurs(occ):
                samples.setdefault(occ.slot_id, []).append(occ)

    by_group: dict[str, list[Change]] = {}
    for slot_id, this in this_week.items():
        if this.off is not None:
            continue  # the week cycle leaves it out: not a change
        own = samples.get(slot_id, [])
        if this.date == day:
            lines = deviation_lines(this, own, directory)
            start, end = this.start, this.end
        else:
            usual_time = _usual(own, week, lambda o: (o.weekday, o.start))
            if usual_time is NO_USUAL or usual_time[0] != day.isoweekday():
                continue
            lines = [line for line in deviation_lines(this, own, directory) if line.kind == MOVED]
            start = usual_time[1]
            end = start + this.duration
        if not lines:
            continue
        group = directory.name("group", this.values.get("group")) or NO_GROUP
        by_group.setdefault(group, []).append(Change(slot_id, this.title(directory), start, end, tuple(lines)))
    groups = tuple(GroupChanges(name, tuple(sorted(changes, key=lambda c: (c.start, c.end, c.slot_id))))
                   for name, changes in sorted(by_group.items(), key=lambda item: group_order(item[0])))
    return DayChanges(day, (), groups)


def as_payload(changes: DayChanges) -> dict[str, Any]:
    """The JSON twin of the page."""
    return {
        "date": changes.day.isoformat(),
        "holidays": list(changes.holidays),
        "groups": [
            {"group": g.group, "changes": [
                {"slot_id": c.slot_id, "title": c.title, "start": hhmm(c.start), "end": hhmm(c.end),
                 "lines": [{"kind": line.kind, "before": line.before, "after": line.after, "text": line.text} for line in c.lines]}
                for c in g.changes]}
            for g in changes.groups
        ],
    }
