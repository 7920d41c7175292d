"""Cover statistics of a timetable's teachers over one term, read from the resolved weeks.

Every week of the term is resolved as the grid resolves it (services.resolution), closed
occurrences included, so that inheritance, holidays and the week cycle are decided in one
place. Occurrences the calendar cancels (a holiday, a week outside the slot's cycle) are not
lessons and count nowhere. The counting itself is pure (rules.cover_stats).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..models import Term, Timetable
from ..rules import format_week, iter_weeks, weeks_between
from ..rules.cover_stats import CoverCounts, Lesson, tally
from .catalog import current_week
from .errors import FieldConflict, InvalidField
from .resolution import load_directory, resolve_week

# Every week is resolved: a term of a thousand years would keep a worker busy for minutes.
MAX_WEEKS = 106


def staff_ids(values: Mapping[str, Any]) -> tuple[int, ...]:
    """The teachers a slot names in a week (staff may become a set: adapt here only)."""
    staff = values.get("staff")
    if staff is None:
        return ()
    if isinstance(staff, (tuple, list, set, frozenset)):
        return tuple(sorted(staff))
    return (staff,)


@dataclass(frozen=True)
class CoverRow:
    staff_id: int
    name: str
    covers_given: int
    cancelled: int
    covered_by_others: int


@dataclass(frozen=True)
class CoverStatistics:
    term: str
    start_week: int
    end_week: int
    terms: tuple[str, ...]
    rows: tuple[CoverRow, ...]


def choose_term(timetable: Timetable, name: str | None) -> Term:
    """The term called `name`, or (no name) the current term by the clock.

    Terms may overlap (a school year and its terms): the current term is the shortest one
    that holds this week, else the last one that has ended, else the first one to come.
    """
    terms = sorted(timetable.terms, key=lambda t: (t.start_week, t.end_week, t.name))
    if not terms:
        raise FieldConflict("This timetable has no terms yet: add them on its calendar page.", "term")
    if name is not None and name.strip():
        wanted = name.strip().casefold()
        for term in terms:
            if term.name.casefold() == wanted:
                return term
        known = ", ".join(f"“{t.name}”" for t in terms)
        raise InvalidField(f"There is no term called “{name.strip()}”; the terms are {known}.", "term")
    this_week = current_week(timetable)
    holding = [t for t in terms if t.start_week <= this_week <= t.end_week]
    if holding:
        return min(holding, key=lambda t: (weeks_between(t.start_week, t.end_week), -t.start_week, t.name))
    ended = [t for t in terms if t.end_week < this_week]
    return max(ended, key=lambda t: (t.end_week, t.start_week)) if ended else terms[0]


def lessons_of_term(timetable: Timetable, term: Term) -> list[Lesson]:
    """Every occurrence that takes place in the term's weeks (closed ones included, calendar-cancelled ones not)."""
    lessons = []
    for week in iter_weeks(term.start_week, term.end_week):
        for occurrence in resolve_week(timetable, week, include_closed=True):
            if occurrence.off is not None:
                continue
            values = occurrence.values
            lessons.append(Lesson(occurrence.slot_id, week, staff_ids(values), values.get("substitute"), occurrence.status))
    return lessons


def cover_statistics(timetable: Timetable, term_name: str | None = None) -> CoverStatistics:
    """Per teacher, in the chosen term: covers given, own lessons cancelled, own lessons covered by others.

    Every teacher of the timetable is listed (by name), except those retired before the term
    who have nothing to count in it.
    """
    term = choose_term(timetable, term_name)
    length = weeks_between(term.start_week, term.end_week) + 1
    if length > MAX_WEEKS:
        raise FieldConflict(f"The term “{term.name}” lasts {length} weeks; cover statistics count at most {MAX_WEEKS} "
                           "weeks at once: add a shorter term on the calendar page.", "term")
    counts = tally(lessons_of_term(timetable, term))
    directory = load_directory(timetable.id)
    rows = []
    for staff_id, name in directory.staff.items():
        found = counts.get(staff_id, CoverCounts())
        retired = directory.retired_from("staff", staff_id)
        if retired is not None and retired <= term.start_week and found == CoverCounts():
            continue
        rows.append(CoverRow(staff_id, name, found.covers_given, found.cancelled, found.covered_by_others))
    rows.sort(key=lambda row: (row.name.casefold(), row.staff_id))
    terms = tuple(t.name for t in sorted(timetable.terms, key=lambda t: (t.start_week, t.end_week, t.name)))
    return CoverStatistics(term.name, term.start_week, term.end_week, terms, tuple(rows))


def as_payload(stats: CoverStatistics) -> dict[str, Any]:
    """The JSON answer of `GET /api/timetables/<slug>/cover-statistics`."""
    return {
        "term": {"name": stats.term, "start": format_week(stats.start_week), "end": format_week(stats.end_week)},
        "terms": list(stats.terms),
        "teachers": [
            {"staff_id": r.staff_id, "name": r.name, "covers_given": r.covers_given,
             "own_lessons_cancelled": r.cancelled, "own_lessons_covered_by_others": r.covered_by_others}
            for r in stats.rows
        ],
    }


def as_table(stats: CoverStatistics) -> list[list[Any]]:
    """The CSV's rows, its header first."""
    header = ["Teacher", "Covers given", "Own lessons cancelled", "Own lessons covered by others"]
    return [header] + [[r.name, r.covers_given, r.cancelled, r.covered_by_others] for r in stats.rows]
