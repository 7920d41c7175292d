"""Cover statistics as pure values: who covered whom, and whose lessons were cancelled, over some weeks.

The input is what week resolution says took place: one `Lesson` per occurrence that the
calendar lets happen (holidays and weeks outside a slot's cycle are left out by the caller).
Counted per teacher:

- covers given: lessons where they are the substitute of someone else;
- own lessons cancelled: their lessons that are temporarily closed, or closed for a stretch
  the slot comes back from within the weeks counted (a slot closed up to the end is a slot
  that stopped, not a run of cancellations);
- own lessons covered by others: their lessons, not cancelled, with another teacher as
  substitute.

A cancelled lesson is not a cover, even when a substitute was named before it was cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from .params import STATUS_CLOSED, STATUS_TEMPORARILY_CLOSED


@dataclass(frozen=True)
class Lesson:
    """One occurrence, reduced to what cover statistics read."""

    slot_id: int
    week: int
    staff: tuple[int, ...]
    substitute: int | None
    status: str


@dataclass(frozen=True)
class CoverCounts:
    covers_given: int = 0
    cancelled: int = 0
    covered_by_others: int = 0


def tally(lessons: Iterable[Lesson]) -> dict[int, CoverCounts]:
    """Counts per staff id, for every teacher with at least one count (the others have none)."""
    lessons = list(lessons)
    reopens_after = _last_week_taking_place(lessons)
    given: dict[int, int] = {}
    cancelled: dict[int, int] = {}
    covered: dict[int, int] = {}
    for lesson in lessons:
        if lesson.status == STATUS_CLOSED and lesson.week >= reopens_after.get(lesson.slot_id, lesson.week):
            continue  # the slot stopped: nothing after this closure takes place in these weeks
        if lesson.status in (STATUS_TEMPORARILY_CLOSED, STATUS_CLOSED):
            for staff_id in lesson.staff:
                cancelled[staff_id] = cancelled.get(staff_id, 0) + 1
            continue
        if lesson.substitute is None or lesson.substitute in lesson.staff:
            continue
        given[lesson.substitute] = given.get(lesson.substitute, 0) + 1
        for staff_id in lesson.staff:
            covered[staff_id] = covered.get(staff_id, 0) + 1
    return {
        staff_id: CoverCounts(given.get(staff_id, 0), cancelled.get(staff_id, 0), covered.get(staff_id, 0))
        for staff_id in given.keys() | cancelled.keys() | covered.keys()
    }


def _last_week_taking_place(lessons: list[Lesson]) -> dict[int, int]:
    """Per slot, the last week in which it is not closed (so a closure before it is a gap, not an end)."""
    last: dict[int, int] = {}
    for lesson in lessons:
        if lesson.status != STATUS_CLOSED and lesson.week > last.get(lesson.slot_id, 0):
            last[lesson.slot_id] = lesson.week
    return last
