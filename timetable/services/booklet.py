"""The term booklet: every class's usual week, from the weeks of a term.

A slot belongs to the usual week if it takes place in at least half of the sampled weeks that
have any lesson at all (holiday weeks and empty weeks give no sample). Each of its parameters
then takes its usual value as rules/usual.py decides it: the value it holds in most sampled
weeks, ties to the earliest week. A one-week substitution, room change or cancellation is
therefore not in the booklet; a change for the rest of the term is, if it covers most of it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from ..models import Term, Timetable
from ..rules import add_weeks, iter_weeks, ref_ids
from ..rules.params import STATUS_OPEN
from ..rules.usual import NO_USUAL, comparison_weeks, usual_value
from .public_view import public_occurrences
from .resolution import Directory, Occurrence, resolve_week

MAX_WEEKS = 20  # a longer term is sampled over its first twenty weeks


def group_ids(values) -> tuple[int, ...]:
    """The classes a slot is for (several for a joint class)."""
    return ref_ids(values.get("group"))


def sample_weeks(timetable: Timetable, term: Term | None, week: int) -> list[int]:
    """The weeks the usual week is read from: the term's (at most MAX_WEEKS), else the weeks around `week`."""
    if term is None:
        return comparison_weeks(week)
    last = min(term.end_week, add_weeks(term.start_week, MAX_WEEKS - 1))
    return list(iter_weeks(term.start_week, last))


def _hashable(value) -> Hashable:
    return tuple(value) if isinstance(value, list) else value


def usual_week(timetable: Timetable, weeks: Sequence[int], *, public: bool) -> list[Occurrence]:
    """One occurrence per slot of the usual week, dated in the first sampled week, ordered by day and time."""
    by_slot: dict[int, dict[int, Occurrence]] = defaultdict(dict)
    sampled = 0
    for week in weeks:
        occurrences = resolve_week(timetable, week)
        if public:
            occurrences = public_occurrences(occurrences)
        if occurrences:
            sampled += 1
        for occurrence in occurrences:
            by_slot[occurrence.slot_id][week] = occurrence
    before = add_weeks(weeks[0], -1) if weeks else 0  # ties go to the earliest sampled week
    usual = []
    for slot_id, samples in by_slot.items():
        if 2 * len(samples) < sampled:
            continue
        keys = {key for occurrence in samples.values() for key in occurrence.values}
        values = {}
        for key in keys:
            value = usual_value({w: _hashable(o.values.get(key)) for w, o in samples.items()}, before)
            values[key] = None if value is NO_USUAL else value
        if values.get("status") != STATUS_OPEN:  # usually cancelled: not a lesson of the usual week
            continue
        values["substitute"] = None
        first = next(iter(samples.values()))
        usual.append(Occurrence(slot_id, weeks[0], values, first.sources))
    return sorted(usual, key=lambda o: (o.weekday, o.start, o.slot_id))


@dataclass(frozen=True)
class BookletPage:
    group_id: int
    name: str
    occurrences: list[Occurrence]


def booklet(occurrences: Sequence[Occurrence], directory: Directory) -> list[BookletPage]:
    """One page per class that has lessons in the usual week, in the order of their names."""
    by_group: dict[int, list[Occurrence]] = defaultdict(list)
    for occurrence in occurrences:
        for group in group_ids(occurrence.values):
            by_group[group].append(occurrence)
    pages = [BookletPage(group, directory.name("group", group), found) for group, found in by_group.items()]
    return sorted(pages, key=lambda page: (page.name.casefold(), page.group_id))
