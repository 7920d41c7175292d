"""What differs from the usual week: the marks on week pages and the details of one lesson.

"Usual" is decided by rules/usual.py (the value that most of the four weeks before and the four
weeks after hold; the week itself left out). The teacher there, the room, the time (weekday and
start) and the status are compared, exactly as the day's changes (services/changes.py) compare
them, so a lesson marked on the grid is the one listed on the changes page. Anonymous readers
get every sampled week through the public view.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..models import Timetable
from ..rules import PARAMETERS, PUBLIC_PARAMETERS
from ..rules.params import STATUS_CLOSED
from ..rules.usual import NO_USUAL, comparison_weeks, usual_value
from .calendar import load_calendar
from .changes import CANCELLED, MOVED, ROOM, SUBSTITUTION, ChangeLine, deviation_lines
from .freshness import marker
from .public_view import public_occurrence, public_occurrences
from .resolution import Directory, Occurrence, WeekRules, occurrences_of, resolve_slot
from .stripes import COURSE, SLOT, covering_values_by_week

# What each kind of change is called on a card and in the details.
KIND_LABELS = {SUBSTITUTION: "Teacher", ROOM: "Room", MOVED: "Time", CANCELLED: "Status"}

# Parameters that are not rows of their own in the details (the title is the heading; colour is how it is drawn).
_NOT_LISTED = frozenset({"title", "color"})
# Shown only for a lesson that takes bookings (capacity above 0).
_BOOKING = frozenset({"capacity", "appointment_length", "booking_approval", "max_places_per_booking"})


def ref_ids(values: Mapping[str, Any], name: str) -> tuple[int, ...]:
    """A reference parameter of an occurrence as a tuple of ids: staff and groups may become sets.

    The one place this module and the readers' pages read staff, substitutes, groups and rooms.
    """
    value = values.get(name)
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def _occurs(occurrence: Occurrence) -> bool:
    """A sample of the usual week, as the day's changes count them: any week the slot is not closed."""
    return occurrence.status != STATUS_CLOSED


def _samples(timetable: Timetable, week: int, public: bool, slot_ids: Sequence[int] | None) -> dict[int, list[Occurrence]]:
    """Each slot's occurrences in the comparison weeks; only `slot_ids`' rules are read when given.
    The eight weeks' slot rules are read in one statement, and their courses' in another."""
    calendar = load_calendar(timetable)
    weeks = comparison_weeks(week)
    slot_values = covering_values_by_week(SLOT, timetable.id, weeks, slot_ids)
    course_ids = sorted({v["course"] for by_slot in slot_values.values() for v in by_slot.values() if v.get("course") is not None})
    course_values = covering_values_by_week(COURSE, timetable.id, weeks, course_ids) if course_ids else {}
    samples: dict[int, list[Occurrence]] = {}
    for key in weeks:
        found = occurrences_of(WeekRules(key, slot_values[key], course_values.get(key, {}), calendar.label(key),
                                         calendar.holidays_of_week(key)), include_closed=True)
        for occ in public_occurrences(found) if public else found:
            if _occurs(occ):
                samples.setdefault(occ.slot_id, []).append(occ)
    return samples


# Past this many shown lessons, the comparison weeks are read whole rather than lesson by lesson.
_READ_WHOLE_WEEKS_FROM = 200


def week_deviations(timetable: Timetable, week: int, occurrences: Iterable[Occurrence], directory: Directory,
                    *, public: bool) -> dict[int, tuple[ChangeLine, ...]]:
    """For each shown occurrence that differs from its usual week, how it differs (slot id -> lines).

    Worked out once per revision of the timetable (services/freshness.py: every committed change moves
    it): a lesson's lines depend only on what is committed, so the grid's next requests in the same
    revision (a reload, another filter, the week back and forth) read them back instead of resolving
    the eight weeks around it again. Lessons not asked about yet are worked out as they are shown.
    """
    shown = [occ for occ in occurrences if occ.week == week and occ.off is None and occ.status != STATUS_CLOSED]
    if not shown:
        return {}
    key = (marker(timetable).key, week, public)
    known = _known.get(key)
    missing = [occ for occ in shown if occ.slot_id not in known]
    if missing:
        ids = sorted(occ.slot_id for occ in missing)
        samples = _samples(timetable, week, public, ids if len(ids) < _READ_WHOLE_WEEKS_FROM else None)
        known = _known.add(key, {occ.slot_id: tuple(deviation_lines(occ, samples.get(occ.slot_id, []), directory))
                                 for occ in missing})
    return {occ.slot_id: known[occ.slot_id] for occ in shown if known[occ.slot_id]}


class _Known:
    """The lines worked out so far, by (revision marker, week, public): the last few weeks asked for."""

    KEEP = 16

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, dict[int, tuple[ChangeLine, ...]]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> Mapping[int, tuple[ChangeLine, ...]]:
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return {}
            self._entries.move_to_end(key)
            return found

    def add(self, key: Hashable, lines: Mapping[int, tuple[ChangeLine, ...]]) -> Mapping[int, tuple[ChangeLine, ...]]:
        """Keep `lines` beside what is known for `key` already; every line known for it."""
        with self._lock:
            merged = {**self._entries.get(key, {}), **lines}
            self._entries[key] = merged
            self._entries.move_to_end(key)
            while len(self._entries) > self.KEEP:
                self._entries.popitem(last=False)
            return merged

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


_known = _Known()


@dataclass(frozen=True)
class DetailRow:
    name: str
    label: str
    value: Any
    usual: Any  # NO_USUAL when it is as usual (or nothing to compare with)

    @property
    def differs(self) -> bool:
        return self.usual is not NO_USUAL


@dataclass(frozen=True)
class LessonDetails:
    occurrence: Occurrence
    rows: tuple[DetailRow, ...]
    changes: tuple[ChangeLine, ...]


def lesson_details(timetable: Timetable, slot_id: int, week: int, directory: Directory, *, public: bool) -> LessonDetails | None:
    """One lesson in one week: its (public) parameters, each with its usual value where that differs.

    None when the slot does not exist in that week or is closed (closed slots are hidden from readers).
    """
    this = resolve_slot(timetable, slot_id, week)
    if this is None or this.status == STATUS_CLOSED:
        return None
    if public:
        this = public_occurrence(this)
    samples = _samples(timetable, week, public, [slot_id]).get(slot_id, [])
    names = PUBLIC_PARAMETERS if public else tuple(PARAMETERS)
    rows = []
    for name in names:
        if name in _NOT_LISTED or name not in this.values or (name in _BOOKING and not this.values.get("capacity")):
            continue
        if name == "cycle_weeks" and not this.values[name]:
            continue
        value = this.values[name]
        usual = usual_value({occ.week: _hashable(occ.values.get(name)) for occ in samples}, week)
        if usual is not NO_USUAL and usual == _hashable(value):
            usual = NO_USUAL
        rows.append(DetailRow(name, PARAMETERS[name].label, value, usual))
    changes = tuple(deviation_lines(this, samples, directory)) if this.off is None else ()
    return LessonDetails(this, tuple(rows), changes)


def _hashable(value: Any) -> Any:
    return tuple(value) if isinstance(value, list) else value


def describe(name: str, value: Any, directory: Directory) -> str:
    """A parameter's value as readers see it: resource names for references (several joined by commas)."""
    if value is None or value == "":
        return "—"
    parameter = PARAMETERS[name]
    if parameter.ref:
        ids: Sequence[int] = tuple(value) if isinstance(value, (tuple, list)) else (value,)
        return ", ".join(directory.name(parameter.ref, i) for i in ids) or "—"
    return parameter.display(value)
