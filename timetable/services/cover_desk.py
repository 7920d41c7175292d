"""The substitution desk: the lessons absences touch, ranked stand-ins with their reasons, other solutions.

Weeks are resolved by `services.resolution` (inheritance and calendar: holidays and closed
occurrences are already left out); the comparisons are the pure `rules.cover`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..formatting import hhmm, weekday_name
from ..models import Absence, CoverLimits, Group, Room, SlotRule, Staff, Term, Timetable, staff_courses
from ..rules import PARAMETERS, STATUS_TEMPORARILY_CLOSED, add_weeks, iter_weeks, ref_ids, week_of, weeks_between
from ..rules.cover import GROUP, ROOM, STAFF, Candidate, CoverWorld, Lesson, Limits, term_cover_counts
from .absences import as_away
from .errors import InvalidField
from .resolution import Directory, Occurrence, load_directory, occurrences_of, read_week

# Candidates shown per lesson (the others are counted); eligible ones come first.
SHOWN_CANDIDATES = 5
# Without a term around the absence, covers count for fairness over this many weeks before it.
UNTERMED_WEEKS = 12


def staff_ids(values: Mapping[str, Any]) -> tuple[int, ...]:
    """The teachers of an occurrence (several for team teaching)."""
    return ref_ids(values.get("staff"))


def group_ids(values: Mapping[str, Any]) -> tuple[int, ...]:
    """The groups of an occurrence (several for a joint class)."""
    return ref_ids(values.get("group"))


def lesson_of(occurrence: Occurrence, directory: Directory) -> Lesson:
    values = occurrence.values
    return Lesson(occurrence.slot_id, occurrence.week, occurrence.date, occurrence.start, occurrence.end,
                  staff_ids(values), values.get("substitute"), group_ids(values), values.get("course"), values.get("room"),
                  cancelled=occurrence.status == STATUS_TEMPORARILY_CLOSED, title=occurrence.title(directory))


@dataclass(frozen=True)
class Suggestion:
    """Another way to handle a lesson: cancel, merge, move, change room. `action` is what the desk can do at once."""

    kind: str
    text: str
    action: str | None = None


@dataclass
class AffectedLesson:
    lesson: Lesson
    occurrence: Occurrence
    label: str
    absences: tuple[int, ...]
    kind: str
    # Who stands in already (the substitute), when present: the lesson is covered.
    covered_by: int | None = None
    candidates: list[Candidate] = field(default_factory=list)
    suggestions: list[Suggestion] = field(default_factory=list)

    @property
    def open(self) -> bool:
        return self.kind == STAFF and self.covered_by is None

    @property
    def eligible(self) -> list[Candidate]:
        return [c for c in self.candidates if c.eligible]


@dataclass
class Desk:
    timetable: Timetable
    absences: list[Absence]
    world: CoverWorld
    directory: Directory
    affected: list[AffectedLesson]
    occurrences: dict[tuple[int, int], Occurrence]
    weeks: list[int]
    limits: Limits
    # Read once, by the free-room finder.
    rooms: dict[int, Room] | None = None
    group_sizes: dict[int, int] = field(default_factory=dict)
    # The first day the desk looks at (not before today): a move never goes before it.
    first_day: date | None = None

    @property
    def open(self) -> list[AffectedLesson]:
        return [a for a in self.affected if a.open]

    def status_of(self, lesson: Lesson) -> str:
        """The staff_status a covered lesson gets: that of the (first) absence of its teacher."""
        return self.status_at(lesson.key)

    def status_at(self, key: tuple[int, int]) -> str:
        """The staff_status the lesson (slot, week) gets when covered; "other" when no staff absence touches it."""
        by_id = {a.id: a for a in self.absences}
        for affected in self.affected:
            if affected.lesson.key == key:
                for absence_id in affected.absences:
                    if absence_id in by_id and by_id[absence_id].kind == STAFF:
                        return by_id[absence_id].status
        return "other"


def load_limits(timetable: Timetable) -> Limits:
    row = db.session.get(CoverLimits, timetable.id)
    return Limits() if row is None else Limits(row.per_day, row.per_week)


MAX_COVERS = 50


def set_limits(timetable: Timetable, per_day: object, per_week: object) -> Limits:
    """Store the timetable's cover limits (per teacher, per day and per week), refusing what is no count."""
    counts = {}
    for field_name, value in (("per_day", per_day), ("per_week", per_week)):
        text = str(value).strip()
        if not text.isdigit() or not 0 <= int(text) <= MAX_COVERS:
            raise InvalidField(f"Give a whole number of covers from 0 to {MAX_COVERS}.", field_name)
        counts[field_name] = int(text)
    with write_transaction():
        row = db.session.get(CoverLimits, timetable.id)
        if row is None:
            db.session.add(CoverLimits(timetable_id=timetable.id, **counts))
        else:
            row.per_day, row.per_week = counts["per_day"], counts["per_week"]
    return Limits(counts["per_day"], counts["per_week"])


def _term_of(timetable: Timetable, week: int) -> tuple[int, int] | None:
    """The shortest term holding the week: whose covers count for fairness."""
    terms = db.session.scalars(select(Term).where(Term.timetable_id == timetable.id, Term.start_week <= week, Term.end_week >= week))
    spans = sorted(((t.start_week, t.end_week) for t in terms), key=lambda span: weeks_between(*span))
    return spans[0] if spans else None


def term_covers(timetable: Timetable, span: tuple[int, int]) -> dict[int, int]:
    """Covers per teacher over the weeks of `span`, from the slots' substitute rules (one lesson a week each)."""
    first, last = span
    rows = db.session.execute(select(SlotRule.start_week, SlotRule.end_week, SlotRule.value).where(
        SlotRule.timetable_id == timetable.id, SlotRule.param == "substitute", SlotRule.value.is_not(None),
        (SlotRule.start_week.is_(None)) | (SlotRule.start_week <= last), (SlotRule.end_week.is_(None)) | (SlotRule.end_week >= first)))
    decode = PARAMETERS["substitute"].decode

    def weeks(start: int | None, end: int | None) -> int:
        return weeks_between(max(start or first, first), min(end or last, last)) + 1

    return term_cover_counts((decode(value), weeks(start, end)) for start, end, value in rows if decode(value) is not None)


def _qualifications(timetable: Timetable) -> dict[int, frozenset[int]]:
    found: dict[int, set[int]] = {}
    rows = db.session.execute(select(staff_courses.c.staff_id, staff_courses.c.course_id).join(
        Staff, Staff.id == staff_courses.c.staff_id).where(Staff.timetable_id == timetable.id))
    for staff_id, course_id in rows:
        found.setdefault(staff_id, set()).add(course_id)
    return {staff_id: frozenset(courses) for staff_id, courses in found.items()}


def _names(directory: Directory) -> dict[tuple[str, int], str]:
    names = {}
    for kind in ("staff", "room", "group", "course"):
        for resource_id, name in getattr(directory, kind).items():
            names[(kind, resource_id)] = name
    return names


def span_of(absences: Sequence[Absence], today: date) -> tuple[date, date]:
    """The dates the desk looks at: from the first absence's start (not before today) to the last one's end."""
    start = max(min(a.start_date for a in absences), today)
    return start, max(max(a.end_date for a in absences), start)


def load_desk(timetable: Timetable, absences: Sequence[Absence], today: date, *, with_candidates: bool = True) -> Desk:
    """The lessons the absences touch from `today` on, each with its ranked candidates and other solutions."""
    directory = load_directory(timetable.id)
    limits = load_limits(timetable)
    if not absences:
        empty = CoverWorld([], [], [], limits=limits)
        return Desk(timetable, [], empty, directory, [], {}, [], limits)
    first, last = span_of(absences, today)
    weeks = list(iter_weeks(week_of(first), week_of(last)))
    occurrences: dict[tuple[int, int], Occurrence] = {}
    for week in weeks:
        for occurrence in occurrences_of(read_week(timetable, week)):
            occurrences[(occurrence.slot_id, week)] = occurrence
    lessons = [lesson_of(o, directory) for o in occurrences.values()]
    every_absence = db.session.scalars(select(Absence).where(
        Absence.timetable_id == timetable.id, Absence.withdrawn.is_(False), Absence.end_date >= first, Absence.start_date <= last))
    # The desk's own absences count even before they are stored (a preview of an absence being registered).
    aways = list({a.id: as_away(a) for a in [*every_absence, *absences]}.values())
    active_staff = [s for s in directory.staff if (directory.retired_from("staff", s) or 10**7) > weeks[0]]
    term = _term_of(timetable, weeks[0]) or (add_weeks(weeks[0], -UNTERMED_WEEKS), weeks[-1])
    world = CoverWorld(lessons, aways, active_staff, _qualifications(timetable), term_covers(timetable, term), limits,
                       _names(directory))

    by_key: dict[tuple[int, int], AffectedLesson] = {}
    for absence in absences:
        away = as_away(absence)
        for lesson in world.affected(away):
            if lesson.day < first or lesson.day > last or not world.takes_place(lesson):
                continue
            if lesson.key in by_key:
                found = by_key[lesson.key]
                found.absences = (*found.absences, absence.id)
                continue
            occurrence = occurrences[lesson.key]
            when = f"{weekday_name(occurrence.weekday, short=True)} {lesson.day.isoformat()} {hhmm(lesson.start)}"
            label = f"{occurrence.title(directory)} · {when}"
            affected = AffectedLesson(lesson, occurrence, label, (absence.id,), absence.kind)
            if absence.kind == STAFF and lesson.substitute is not None and not world.absent(
                    lesson.substitute, lesson.day, lesson.start, lesson.end):
                affected.covered_by = lesson.substitute
            by_key[lesson.key] = affected
    affected_list = sorted(by_key.values(), key=lambda a: (a.lesson.day, a.lesson.start, a.lesson.slot_id))
    desk = Desk(timetable, list(absences), world, directory, affected_list, occurrences, weeks, limits, first_day=first)
    if with_candidates:
        for affected in affected_list:
            if affected.open:
                affected.candidates = world.ranked(affected.lesson)
            affected.suggestions = suggestions(desk, affected)
    return desk


# Free rooms offered as one-click room changes per lesson.
SHOWN_ROOMS = 3


def suggestions(desk: Desk, affected: AffectedLesson) -> list[Suggestion]:
    """The other solutions for one lesson, each one click: change room (free rooms that fit), merge, move, cancel with a note.

    A room change is offered first where the room is away, and last (on request) for a teacher's open lesson."""
    lesson, world = affected.lesson, desk.world
    found: list[Suggestion] = []
    if affected.kind == ROOM or not affected.open:
        if affected.kind == ROOM:
            found += _room_changes(desk, lesson, "none fits and is free then")
        return found
    if affected.kind == STAFF:
        for other in world.by_day.get(lesson.day, ()):
            if other.key == lesson.key or not other.overlaps(lesson) or not world.takes_place(other) or not other.teachers:
                continue
            if set(other.groups) & set(lesson.groups):
                continue
            teacher = other.teachers[0]
            if world.absent(teacher, other.day, other.start, other.end):
                continue
            found.append(Suggestion("merge", f"Merge with {world.describe(other)} ({', '.join(world.name(GROUP, g) for g in other.groups)})"
                                              f" under {world.name(STAFF, teacher)}",
                                    f"merge:{lesson.slot_id}:{lesson.week}:{other.slot_id}"))
            break
        day, start = free_move(desk, lesson)
        if day is not None and start is not None:
            found.append(Suggestion("move", f"Move to {weekday_name(day.isoweekday(), short=True)} {day.isoformat()} at "
                                             f"{hhmm(start)}, when the teacher and the class are free",
                                    f"move:{lesson.slot_id}:{lesson.week}:{day.isoweekday()}:{start}"))
    found.append(Suggestion("cancel", "Cancel it with a note (temporarily closed this week)", f"cancel:{lesson.slot_id}:{lesson.week}"))
    if affected.kind == STAFF:
        found += _room_changes(desk, lesson, None)
    return found


def _room_changes(desk: Desk, lesson: Lesson, none_text: str | None) -> list[Suggestion]:
    rooms = [r for r in free_rooms(desk, lesson) if r != lesson.room][:SHOWN_ROOMS]
    if not rooms:
        return [Suggestion("room", f"Free rooms that fit: {none_text}")] if none_text else []
    return [Suggestion("room", f"Change room to {desk.directory.name('room', r)}", f"room:{lesson.slot_id}:{lesson.week}:{r}")
            for r in rooms]


def free_rooms(desk: Desk, lesson: Lesson) -> list[int]:
    """Rooms free at the lesson's time (not away, not used, not retired), big enough for its groups, smallest first."""
    if desk.rooms is None:
        desk.rooms = {r.id: r for r in db.session.scalars(select(Room).where(Room.timetable_id == desk.timetable.id))}
        desk.group_sizes = {g.id: g.size or 0 for g in db.session.scalars(select(Group).where(Group.timetable_id == desk.timetable.id))}
    size = sum(desk.group_sizes.get(g, 0) for g in lesson.groups)
    used = {o.room for o in desk.world.by_day.get(lesson.day, ()) if o.overlaps(lesson) and desk.world.takes_place(o)}
    away = {a.resource_id for a in desk.world.aways if a.kind == ROOM and a.during(lesson.day, lesson.start, lesson.end)}
    fits = [r for r in desk.rooms.values() if r.id not in used and r.id not in away and (r.capacity is None or r.capacity >= size)
            and (desk.directory.retired_from("room", r.id) or 10**7) > lesson.week]
    return [r.id for r in sorted(fits, key=lambda r: (r.capacity or 0, r.name))]


def _starts(desk: Desk) -> list[tuple[int, int]]:
    return sorted({(o.start, o.end - o.start) for lessons in desk.world.by_day.values() for o in lessons})


def free_move(desk: Desk, lesson: Lesson) -> tuple[date | None, int | None]:
    """Another day of the same week, at a usual lesson time, when the teacher is present and free and the groups are free."""
    world = desk.world
    duration = lesson.end - lesson.start
    starts = [start for start, length in _starts(desk) if length == duration]
    days = sorted({d for d in world.by_day if week_of(d) == lesson.week and d != lesson.day
                   and (desk.first_day is None or d >= desk.first_day)})
    for day in days:
        for start in starts:
            probe = Lesson(lesson.slot_id, lesson.week, day, start, start + duration, lesson.staff, None, lesson.groups,
                           lesson.course, lesson.room)
            if any(world.absent(t, day, probe.start, probe.end) for t in lesson.staff):
                continue
            clash = any(o.overlaps(probe) and world.takes_place(o)
                        and (set(o.teachers) & set(lesson.staff) or set(o.groups) & set(lesson.groups)
                             or (lesson.room is not None and o.room == lesson.room))
                        for o in world.by_day.get(day, ()))
            if not clash:
                return day, start
    return None, None

