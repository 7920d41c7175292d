"""Assign all open lessons of the desk at once, and turn the result into a normal plan (preview, apply, undo).

The solver is `scipy.optimize.linear_sum_assignment` (min-cost bipartite matching), run in
rounds: in each round every teacher takes at most one more lesson, so no two lessons of one
round can clash for a substitute, and later rounds see what earlier ones planned (busy times,
per-day and per-week limits). A teacher's cost grows with every cover they already give or
were planned, which spreads the load. Each lesson also has its own dummy column, so it may stay
uncovered when no one fits. The greedy first-free baseline (for the benchmark) takes, lesson by
lesson in time order, the first free colleague.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..models import ChangeSet, Timetable
from ..rules import format_span
from ..rules.cover import Lesson
from ..rules.params import MAX_INTEGER
from .cover_desk import AffectedLesson, Desk, Suggestion
from .cover_solutions import Solution, counts, solution_requests
from .editing import EditRequest, Plan, apply_plan, plan_edit
from .errors import FieldConflict, InvalidField
from .stripes import SLOT

# What leaving a lesson uncovered costs: more than any candidate, so that covering is always preferred.
UNCOVERED_COST = 10_000.0
CANCEL_NOTE = "Cancelled: the teacher is absent"


@dataclass(frozen=True)
class Cover:
    """One lesson given to one stand-in."""

    slot_id: int
    week: int
    staff_id: int
    status: str


@dataclass(frozen=True)
class Uncovered:
    lesson: AffectedLesson
    why: str
    suggestion: Suggestion | None


@dataclass
class Assignment:
    covers: list[Cover] = field(default_factory=list)
    cancels: list[tuple[int, int]] = field(default_factory=list)
    uncovered: list[Uncovered] = field(default_factory=list)

    def load(self) -> Counter[int]:
        return Counter(c.staff_id for c in self.covers)

    @property
    def largest_load(self) -> int:
        return max(self.load().values(), default=0)


def _planned(covers: Iterable[tuple[Lesson, int]]) -> dict[int, list[Lesson]]:
    planned: dict[int, list[Lesson]] = defaultdict(list)
    for lesson, staff_id in covers:
        planned[staff_id].append(lesson)
    return planned


def solve(desk: Desk) -> Assignment:
    """Cover as many open lessons as possible, with no substitute clash, the load spread by cost."""
    world, rows = desk.world, [a for a in desk.open]
    staff = list(world.staff)
    chosen: list[tuple[AffectedLesson, int]] = []
    remaining = rows
    while remaining and staff:
        planned = _planned((a.lesson, s) for a, s in chosen)
        cost = np.full((len(remaining), len(staff) + len(remaining)), np.inf)
        for i, affected in enumerate(remaining):
            for j, staff_id in enumerate(staff):
                candidate = world.candidate(affected.lesson, staff_id, planned)
                if candidate.eligible:
                    cost[i, j] = candidate.cost
            cost[i, len(staff) + i] = UNCOVERED_COST
        row_ind, col_ind = linear_sum_assignment(cost)
        taken = {i: staff[j] for i, j in zip(row_ind, col_ind) if j < len(staff)}
        if not taken:
            break
        chosen += [(remaining[i], staff_id) for i, staff_id in taken.items()]
        remaining = [a for i, a in enumerate(remaining) if i not in taken]
    return _assignment(desk, chosen, remaining)


def greedy(desk: Desk) -> Assignment:
    """The baseline: lesson by lesson in time order, the first free colleague (by name) takes it."""
    world = desk.world
    staff = sorted(world.staff, key=lambda s: world.name("staff", s))
    chosen: list[tuple[AffectedLesson, int]] = []
    left = []
    planned: dict[int, list[Lesson]] = defaultdict(list)
    for affected in desk.open:
        taker = next((s for s in staff if world.candidate(affected.lesson, s, planned).eligible), None)
        if taker is None:
            left.append(affected)
            continue
        planned[taker].append(affected.lesson)
        chosen.append((affected, taker))
    return _assignment(desk, chosen, left)


def _assignment(desk: Desk, chosen: Sequence[tuple[AffectedLesson, int]], left: Sequence[AffectedLesson]) -> Assignment:
    covers = [Cover(a.lesson.slot_id, a.lesson.week, s, desk.status_of(a.lesson)) for a, s in chosen]
    planned = _planned((a.lesson, s) for a, s in chosen)
    uncovered = [Uncovered(a, why_uncovered(desk, a, planned), next(iter(a.suggestions), None)) for a in left]
    return Assignment(sorted(covers, key=lambda c: (c.week, c.slot_id)), [], uncovered)


def why_uncovered(desk: Desk, affected: AffectedLesson, planned: dict[int, list[Lesson]]) -> str:
    """Why no one could take it: the most common refusal among the colleagues."""
    reasons: Counter[str] = Counter()
    for staff_id in desk.world.staff:
        candidate = desk.world.candidate(affected.lesson, staff_id, planned)
        if candidate.eligible:
            return "every free colleague was needed for another lesson at that time"
        first = candidate.reasons[0]
        reasons["busy then" if first.startswith("busy") else "absent then" if first == "absent then"
                else "at their cover limit" if "limit" in first else first] += 1
    if not reasons:
        return "the timetable has no other staff"
    return "no colleague is free: " + ", ".join(f"{n} {why}" for why, n in reasons.most_common())


def requests_for(covers: Sequence[Cover], cancels: Sequence[tuple[int, int]] = ()) -> list[EditRequest]:
    """One-week edits: the substitute and the absent teacher's status per covered lesson; status and note per cancel."""
    grouped: dict[tuple[str, int, object], list[int]] = defaultdict(list)
    for cover in covers:
        grouped[("substitute", cover.week, cover.staff_id)].append(cover.slot_id)
        grouped[("staff_status", cover.week, cover.status)].append(cover.slot_id)
    for slot_id, week in cancels:
        grouped[("status", week, "temporarily_closed")].append(slot_id)
        grouped[("note", week, CANCEL_NOTE)].append(slot_id)
    return [EditRequest(SLOT, tuple(sorted(ids)), param, week, week, value)
            for (param, week, value), ids in sorted(grouped.items(), key=lambda item: (item[0][1], item[0][0], str(item[0][2])))]


def parse_items(covers: Iterable[str], cancels: Iterable[str]) -> tuple[list[Cover], list[tuple[int, int]]]:
    """Read the desk form's hidden fields: "slot:week:staff:status" per cover, "slot:week" per cancel."""
    found, cancelled = [], []
    try:
        for item in covers:
            slot, week, staff, status = item.split(":")
            found.append(Cover(int(slot), int(week), int(staff), status))
        for item in cancels:
            slot, week = item.split(":")
            cancelled.append((int(slot), int(week)))
    except ValueError:
        raise InvalidField("A cover is slot:week:staff:status and a cancel slot:week.", "cover") from None
    ids = [n for c in found for n in (c.slot_id, c.staff_id)] + [slot for slot, _w in cancelled]
    if any(not 1 <= n <= MAX_INTEGER for n in ids):
        raise InvalidField(f"Slot and staff ids are whole numbers from 1 to {MAX_INTEGER}.", "cover")
    return found, cancelled


def _requests(timetable: Timetable, covers: Sequence[Cover], cancels: Sequence[tuple[int, int]],
              solutions: Sequence[Solution]) -> list[EditRequest]:
    requests = requests_for(covers, cancels) + solution_requests(timetable, solutions)
    if not requests:
        raise FieldConflict("There is nothing to assign: no open lesson has a free colleague.", "cover")
    return requests


def _weeks(covers: Sequence[Cover], cancels: Sequence[tuple[int, int]], solutions: Sequence[Solution]) -> list[int]:
    return sorted({c.week for c in covers} | {w for _s, w in cancels} | {s.week for s in solutions})


def summary_of(timetable: Timetable, covers: Sequence[Cover], cancels: Sequence[tuple[int, int]],
               solutions: Sequence[Solution] = ()) -> str:
    """"Cover: 15 lessons by 9 colleagues, 2 cancelled, 1 moved · 2026-W50 to 2026-W52"."""
    weeks = _weeks(covers, cancels, solutions)
    parts = []
    if covers:
        people = len({c.staff_id for c in covers})
        parts.append(f"{len(covers)} lesson{'s' if len(covers) != 1 else ''} covered by {people} colleague{'s' if people != 1 else ''}")
    if cancels:
        parts.append(f"{len(cancels)} cancelled")
    parts += counts(solutions)
    return f"Cover: {', '.join(parts)} · {format_span(weeks[0], weeks[-1])}"


def plan_cover(timetable: Timetable, covers: Sequence[Cover], cancels: Sequence[tuple[int, int]] = (),
               solutions: Sequence[Solution] = ()) -> Plan:
    """The preview of the covers, cancellations and other solutions, as any edit: diff, clashes created (should be none), token."""
    requests = _requests(timetable, covers, cancels, solutions)
    weeks = _weeks(covers, cancels, solutions)
    return plan_edit(timetable, requests, weeks[0], summary=summary_of(timetable, covers, cancels, solutions))


def apply_cover(timetable: Timetable, covers: Sequence[Cover], cancels: Sequence[tuple[int, int]], token: str,
                user_id: int | None, solutions: Sequence[Solution] = ()) -> ChangeSet:
    """Apply the previewed plan as one change (one undo), refused if the stripes changed since the preview."""
    return apply_plan(timetable, _requests(timetable, covers, cancels, solutions), token, user_id,
                      summary=summary_of(timetable, covers, cancels, solutions))
