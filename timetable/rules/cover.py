"""Cover for absences, as pure values: which lessons an absence touches, who could stand in, and why.

The services resolve the weeks (inheritance, calendar) and hand the occurrences over as
`Lesson`s; this module only compares times, people and counts. Costs are small integers:
lower is a better candidate, and the assignment solver adds them up.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

STAFF, ROOM, GROUP = "staff", "room", "group"
ABSENCE_KINDS = (STAFF, ROOM, GROUP)

# Cover limits when a timetable has set none: per teacher, per day and per week.
DEFAULT_PER_DAY = 2
DEFAULT_PER_WEEK = 6

# The cost of a candidate: a base, less for what makes them fit, more for the covers they already give.
BASE_COST = 20
QUALIFIED_BONUS = 8
GROUP_BONUS = 5
TERM_COVER_COST = 2
PLANNED_COVER_COST = 4


@dataclass(frozen=True)
class Lesson:
    """An occurrence as cover sees it: when, who teaches (a tuple: staff may be a team), which groups and room."""

    slot_id: int
    week: int
    day: date
    start: int
    end: int
    staff: tuple[int, ...]
    substitute: int | None
    groups: tuple[int, ...]
    course: int | None
    room: int | None
    # Temporarily closed (cancelled for the week): it takes place for nobody.
    cancelled: bool = False
    # What people call it ("Maths 7A"), for the reasons.
    title: str = ""

    @property
    def key(self) -> tuple[int, int]:
        return (self.slot_id, self.week)

    @property
    def teachers(self) -> tuple[int, ...]:
        """Who is actually there: the substitute stands in for the team when there is one."""
        return (self.substitute,) if self.substitute is not None else self.staff

    def overlaps(self, other: Lesson) -> bool:
        return self.day == other.day and self.start < other.end and other.start < self.end


@dataclass(frozen=True)
class Away:
    """An absence: a staff member, room or group away over [start_date, end_date], maybe only at some times of day."""

    absence_id: int
    kind: str
    resource_id: int
    start_date: date
    end_date: date
    start_minute: int | None = None
    end_minute: int | None = None

    def during(self, day: date, start: int, end: int) -> bool:
        if not self.start_date <= day <= self.end_date:
            return False
        if self.start_minute is None or self.end_minute is None:
            return True
        return self.start_minute < end and start < self.end_minute

    def touches(self, lesson: Lesson) -> bool:
        """Whether the lesson needs what is away, at a time it is away."""
        if not self.during(lesson.day, lesson.start, lesson.end):
            return False
        if self.kind == STAFF:
            return self.resource_id in lesson.staff or self.resource_id == lesson.substitute
        if self.kind == ROOM:
            return self.resource_id == lesson.room
        return self.resource_id in lesson.groups


@dataclass(frozen=True)
class Limits:
    per_day: int = DEFAULT_PER_DAY
    per_week: int = DEFAULT_PER_WEEK


@dataclass(frozen=True)
class Candidate:
    """A possible stand-in for one lesson: eligible or not, its cost, and the reasons for both."""

    staff_id: int
    eligible: bool
    cost: int
    reasons: tuple[str, ...]


@dataclass
class CoverWorld:
    """What ranking reads: every lesson of the weeks concerned, the absences, and the counts so far.

    `names` maps staff, group and course ids to names for the reasons; `qualified` maps a staff
    id to the course ids they may teach; `term_covers` counts covers given this term.
    """

    lessons: Sequence[Lesson]
    aways: Sequence[Away]
    staff: Sequence[int]
    qualified: Mapping[int, frozenset[int]] = field(default_factory=dict)
    term_covers: Mapping[int, int] = field(default_factory=dict)
    limits: Limits = field(default_factory=Limits)
    names: Mapping[tuple[str, int], str] = field(default_factory=dict)

    by_day: dict[date, list[Lesson]] = field(init=False, repr=False)
    teaching: dict[tuple[int, date], list[Lesson]] = field(init=False, repr=False)
    group_teachers: dict[int, set[int]] = field(init=False, repr=False)
    day_covers: dict[tuple[int, date], int] = field(init=False, repr=False)
    week_covers: dict[tuple[int, int], int] = field(init=False, repr=False)
    staff_aways: dict[int, list[Away]] = field(init=False, repr=False)
    group_aways: list[Away] = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.by_day, self.teaching = defaultdict(list), defaultdict(list)
        self.group_teachers = defaultdict(set)
        self.day_covers, self.week_covers = defaultdict(int), defaultdict(int)
        self.staff_aways = defaultdict(list)
        self.group_aways = [a for a in self.aways if a.kind == GROUP]
        for away in self.aways:
            if away.kind == STAFF:
                self.staff_aways[away.resource_id].append(away)
        for lesson in self.lessons:
            self.by_day[lesson.day].append(lesson)
            for group in lesson.groups:
                self.group_teachers[group].update(lesson.staff)
            if not self.takes_place(lesson):
                continue
            for teacher in lesson.teachers:
                self.teaching[(teacher, lesson.day)].append(lesson)
            if lesson.substitute is not None:
                self.day_covers[(lesson.substitute, lesson.day)] += 1
                self.week_covers[(lesson.substitute, lesson.week)] += 1

    def name(self, kind: str, resource_id: int | None) -> str:
        if resource_id is None:
            return "—"
        return self.names.get((kind, resource_id), f"#{resource_id}")

    def takes_place(self, lesson: Lesson) -> bool:
        """Not cancelled, and not every group of it away (a class on a trip frees its teacher)."""
        if lesson.cancelled:
            return False
        return not lesson.groups or not all(
            any(a.resource_id == g and a.during(lesson.day, lesson.start, lesson.end) for a in self.group_aways)
            for g in lesson.groups
        )

    def absent(self, staff_id: int, day: date, start: int, end: int) -> bool:
        return any(a.during(day, start, end) for a in self.staff_aways.get(staff_id, ()))

    def affected(self, away: Away) -> list[Lesson]:
        """The lessons the absence touches, in time order (the caller's lessons already exclude holidays and closures)."""
        return sorted((lesson for lesson in self.lessons if away.touches(lesson)), key=lambda x: (x.day, x.start, x.slot_id))

    def busy_with(self, staff_id: int, lesson: Lesson, planned: Mapping[int, Sequence[Lesson]]) -> Lesson | None:
        """A lesson the person teaches or covers at an overlapping time (assigned or planned), or None."""
        for other in self.teaching.get((staff_id, lesson.day), ()):
            if other.key != lesson.key and other.overlaps(lesson):
                return other
        for other in planned.get(staff_id, ()):
            if other.key != lesson.key and other.overlaps(lesson):
                return other
        return None

    def covers_on(self, staff_id: int, day: date) -> int:
        return self.day_covers.get((staff_id, day), 0)

    def covers_in_week(self, staff_id: int, week: int) -> int:
        return self.week_covers.get((staff_id, week), 0)

    def candidate(self, lesson: Lesson, staff_id: int, planned: Mapping[int, Sequence[Lesson]] | None = None) -> Candidate:
        """One person for one lesson: whether they can stand in, at what cost, and why."""
        planned = planned or {}
        mine = planned.get(staff_id, ())
        refusals: list[str] = []
        if staff_id in lesson.staff:
            refusals.append("teaches it already")
        if self.absent(staff_id, lesson.day, lesson.start, lesson.end):
            refusals.append("absent then")
        busy = self.busy_with(staff_id, lesson, planned)
        if busy is not None:
            refusals.append(f"busy: {self.describe(busy)}")
        today = self.covers_on(staff_id, lesson.day) + sum(1 for p in mine if p.day == lesson.day)
        this_week = self.covers_in_week(staff_id, lesson.week) + sum(1 for p in mine if p.week == lesson.week)
        if today >= self.limits.per_day:
            refusals.append(f"already {today} covers that day (limit {self.limits.per_day})")
        if this_week >= self.limits.per_week:
            refusals.append(f"already {this_week} covers that week (limit {self.limits.per_week})")
        if refusals:
            return Candidate(staff_id, False, 0, tuple(refusals))

        cost, reasons = BASE_COST, ["free then", "present"]
        if lesson.course is not None and lesson.course in self.qualified.get(staff_id, frozenset()):
            cost -= QUALIFIED_BONUS
            reasons.append(f"qualified for {self.name('course', lesson.course)}")
        taught = [g for g in lesson.groups if staff_id in self.group_teachers.get(g, ())]
        if taught:
            cost -= GROUP_BONUS
            reasons.append("teaches " + ", ".join(self.name("group", g) for g in taught))
        term = self.term_covers.get(staff_id, 0)
        cost += TERM_COVER_COST * term + PLANNED_COVER_COST * len(mine)
        reasons.append(f"{term} cover{'s' if term != 1 else ''} this term" + (f", {len(mine)} more planned" if mine else ""))
        reasons.append(f"{today + 1} of {self.limits.per_day} covers that day")
        return Candidate(staff_id, True, cost, tuple(reasons))

    def ranked(self, lesson: Lesson, planned: Mapping[int, Sequence[Lesson]] | None = None) -> list[Candidate]:
        """Every staff member for the lesson: eligible ones first by cost, then the others with why not."""
        candidates = [self.candidate(lesson, s, planned) for s in self.staff]
        return sorted(candidates, key=lambda c: (not c.eligible, c.cost, self.name(STAFF, c.staff_id)))

    def describe(self, lesson: Lesson) -> str:
        what = lesson.title or (self.name("course", lesson.course) if lesson.course is not None else f"slot {lesson.slot_id}")
        return f"{what} at {lesson.start // 60:02d}:{lesson.start % 60:02d}"


def term_cover_counts(substitute_rules: Iterable[tuple[int, int]]) -> dict[int, int]:
    """Covers per staff id from (staff id, weeks covered) pairs."""
    counts: dict[int, int] = defaultdict(int)
    for staff_id, weeks in substitute_rules:
        counts[staff_id] += weeks
    return dict(counts)
