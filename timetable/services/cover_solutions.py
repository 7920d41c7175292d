"""The desk's one-click solutions besides a stand-in: change room, merge with a parallel lesson, move to a free period.

Each is a one-week edit of stripes, so it joins the desk's plan like a cover or a cancel
(preview, one ChangeSet, undo, live). A merge is told faithfully with what the stripes
hold: the absent teacher's lesson is cancelled that week (temporarily closed, with a note
naming the lesson and teacher it joins) and its groups join the parallel lesson's `group`
set for that week, so the group's own week shows where it goes and clashes are checked on it.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from ..formatting import hhmm, weekday_name
from ..models import Timetable
from ..rules import InvalidWeek, format_week, ref_ids, validate_week
from ..rules.params import MAX_INTEGER
from .editing import EditRequest, check_owners
from .errors import FieldConflict, InvalidField
from .resolution import Directory, Occurrence, load_directory, resolve_slot
from .stripes import SLOT

ROOM, MERGE, MOVE = "room", "merge", "move"
# The parts after the kind: room:<slot>:<week>:<room>, merge:<slot>:<week>:<other slot>, move:<slot>:<week>:<weekday>:<start>.
ARITY = {ROOM: 3, MERGE: 3, MOVE: 4}
MAX_SOLUTIONS = 500
MINUTES_A_DAY = 24 * 60
MERGED_STATUS = "temporarily_closed"


@dataclass(frozen=True)
class Solution:
    """One lesson (slot, week) handled otherwise: `target` is the room, the other slot, or the weekday; `start` for a move."""

    kind: str
    slot_id: int
    week: int
    target: int
    start: int | None = None

    @property
    def value(self) -> str:
        """The form's value for it, as the desk's buttons carry it."""
        tail = f":{self.start}" if self.kind == MOVE else ""
        return f"{self.kind}:{self.slot_id}:{self.week}:{self.target}{tail}"


SYNTAX = "A solution is room:<slot>:<week>:<room>, merge:<slot>:<week>:<other slot> or move:<slot>:<week>:<weekday>:<minutes>."


def parse_solutions(items: Iterable[str]) -> list[Solution]:
    """Read the desk's `solution` fields strictly; anything malformed is refused as a whole (nothing written)."""
    found: list[Solution] = []
    for item in items:
        kind, _, rest = str(item).partition(":")
        parts = rest.split(":")
        if kind not in ARITY or len(parts) != ARITY[kind] or not all(p.isdigit() for p in parts):
            raise InvalidField(SYNTAX, "solution")
        numbers = [int(p) for p in parts]
        found.append(make_solution(kind, *numbers))
    if len(found) > MAX_SOLUTIONS:
        raise InvalidField(f"At most {MAX_SOLUTIONS} solutions at once.", "solution")
    return check_unique(found)


def check_unique(solutions: list[Solution]) -> list[Solution]:
    """Refuse two solutions for one lesson in one week: which would hold is not for the order of a form to say."""
    keys = [(s.slot_id, s.week) for s in solutions]
    if len(set(keys)) != len(keys):
        raise InvalidField("Give one solution per lesson and week.", "solution")
    return solutions


def make_solution(kind: str, slot_id: int, week: int, target: int, start: int | None = None) -> Solution:
    """A solution with its numbers checked (ids, a real ISO week, a weekday 1-7, a time of day)."""
    if kind not in ARITY:
        raise InvalidField(SYNTAX, "solution")
    if any(not 1 <= n <= MAX_INTEGER for n in (slot_id, target)):
        raise InvalidField(f"Slot and room ids are whole numbers from 1 to {MAX_INTEGER}.", "solution")
    try:
        validate_week(week)
    except InvalidWeek:
        raise InvalidField(f"{week} is not an ISO week (give it as YYYYWW, e.g. 202650).", "solution") from None
    if kind == MOVE and (not 1 <= target <= 7 or start is None or not 0 <= start < MINUTES_A_DAY):
        raise InvalidField("A move names a weekday from 1 (Monday) to 7 and a start in minutes after midnight.", "solution")
    if kind == MERGE and target == slot_id:
        raise InvalidField("A lesson cannot merge with itself: name the parallel lesson.", "solution")
    return Solution(kind, slot_id, week, target, start if kind == MOVE else None)


def _taking_place(timetable: Timetable, slot_id: int, week: int) -> Occurrence:
    occurrence = resolve_slot(timetable, slot_id, week)
    if occurrence is None or occurrence.off or occurrence.status != "open":
        # The timetable's state (the lesson was moved, cancelled or never held that week), not the request: a conflict.
        raise FieldConflict(f"Slot {slot_id} does not take place in {format_week(week)}: reload the desk and choose again.",
                            "solution")
    return occurrence


def merge_note(other: Occurrence, directory: Directory) -> str:
    teachers = ", ".join(directory.name("staff", s) for s in other.present_staff) or "no teacher"
    return f"Merged with {other.title(directory)} ({teachers})"


def solution_requests(timetable: Timetable, solutions: Sequence[Solution]) -> list[EditRequest]:
    """The one-week edits of the solutions, after checking each lesson (and a merge's partner) takes place that week."""
    if not solutions:
        return []
    ids = tuple(sorted({s.slot_id for s in solutions} | {s.target for s in solutions if s.kind == MERGE}))
    check_owners(timetable, SLOT, ids)
    directory = load_directory(timetable.id)
    requests: list[EditRequest] = []
    for solution in solutions:
        lesson = _taking_place(timetable, solution.slot_id, solution.week)
        one_week = (solution.week, solution.week)
        if solution.kind == ROOM:
            requests.append(EditRequest(SLOT, (lesson.slot_id,), "room", *one_week, solution.target))
        elif solution.kind == MOVE:
            requests.append(EditRequest(SLOT, (lesson.slot_id,), "weekday", *one_week, solution.target))
            requests.append(EditRequest(SLOT, (lesson.slot_id,), "start", *one_week, solution.start))
        else:
            other = _taking_place(timetable, solution.target, solution.week)
            if other.date != lesson.date or other.start >= lesson.end or lesson.start >= other.end:
                raise InvalidField(f"Slot {other.slot_id} is not parallel to slot {lesson.slot_id} in {format_week(solution.week)}: "
                                   "merge with a lesson at the same time.", "solution")
            groups = sorted({*ref_ids(other.values.get("group")), *lesson.group_ids})
            requests.append(EditRequest(SLOT, (lesson.slot_id,), "status", *one_week, MERGED_STATUS))
            requests.append(EditRequest(SLOT, (lesson.slot_id,), "note", *one_week, merge_note(other, directory)))
            requests.append(EditRequest(SLOT, (other.slot_id,), "group", *one_week, groups))
    return requests


def describe(solution: Solution, directory: Directory, labels: dict[tuple[int, int], str]) -> str:
    """One line of the preview: "Maths · Mon … → room Lab 2"."""
    what = labels.get((solution.slot_id, solution.week), f"Slot {solution.slot_id} · {format_week(solution.week)}")
    if solution.kind == ROOM:
        return f"{what} → room {directory.name('room', solution.target)}"
    if solution.kind == MOVE:
        return f"{what} → moved to {weekday_name(solution.target)} at {hhmm(solution.start or 0)}"
    other = labels.get((solution.target, solution.week), f"slot {solution.target}")
    return f"{what} → merged with {other}"


def counts(solutions: Sequence[Solution]) -> list[str]:
    """Summary parts: "1 room changed", "2 merged", "1 moved"."""
    words = {ROOM: "room changed", MERGE: "merged", MOVE: "moved"}
    return [f"{n} {words[kind]}" for kind in (ROOM, MERGE, MOVE) if (n := sum(s.kind == kind for s in solutions))]
