"""Turn a parsed FET or CSV file into import targets: a slot's values (resources by name) over a range of weeks.

What is particular to each format lives here: FET's hours, days and cycle of weeks; a CSV row's
own weeks and cycle labels. `services.importing` then matches, compares, plans and applies
them the same way. `ImportOptions` and `ImportPlan` are defined here and re-exported there.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from ..imports.fet import FetFile, Unused, hour_times
from ..imports.lessons_csv import LessonsCsv
from ..models import Timetable
from ..rules import PARAMETERS, format_week
from ..rules.calendar import CYCLE_LABELS, MAX_CYCLE
from .bells import grid_for_week
from .calendar import load_calendar
from .errors import ServiceError

KIND_TITLES = {"staff": "staff", "group": "groups", "room": "rooms", "course": "courses"}

Progress = Callable[[str], None]


@dataclass(frozen=True)
class ImportOptions:
    from_week: int
    periods: tuple[tuple[int, int], ...] | None = None  # (start, end) per FET hour, from --periods
    days_per_week: int | None = None
    name: str | None = None  # of a timetable the import creates
    create_missing: bool = False  # CSV: create staff, groups, rooms and courses the timetable lacks (FET always does)


@dataclass
class ImportPlan:
    """What an import will do; `lines()` says it in words."""

    slug: str
    from_week: int
    creates_timetable: bool
    cycle_weeks: int
    resources: dict[str, list[str]] = field(default_factory=dict)  # kind -> names to create
    create: list[str] = field(default_factory=list)  # activity ids (CSV: the ref, else "line N")
    change: list[tuple[str, int, tuple[str, ...]]] = field(default_factory=list)  # (activity id or ref, slot id, params)
    close: list[tuple[str, int]] = field(default_factory=list)  # (activity id or ref, slot id)
    clashes: list[str] = field(default_factory=list)
    unused: list[Unused] = field(default_factory=list)
    bell_times: tuple[tuple[str, int, int], ...] = ()  # (hour name, start, end) added as the bell grid
    unchanged: int = 0
    ref_word: str = "activity"  # what the file calls a slot's external reference

    def lines(self) -> list[str]:
        out = [f"Import into “{self.slug}” from {format_week(self.from_week)}"
               + (" (a new timetable)" if self.creates_timetable else "")
               + (f", a cycle of {self.cycle_weeks} weeks" if self.cycle_weeks > 1 else "")]
        for kind, names in self.resources.items():
            if names:
                out.append(f"Resources to create, {KIND_TITLES[kind]} ({len(names)}): {', '.join(sorted(names, key=str.casefold))}")
        if self.bell_times:
            out.append("Bell times to add: " + ", ".join(f"{name} {_hhmm(s)}–{_hhmm(e)}" for name, s, e in self.bell_times))
        out.append(f"Slots to create: {len(self.create)}")
        out.append(f"Slots to change from {format_week(self.from_week)}: {len(self.change)}")
        out += [f"  {self.ref_word} {ref} (slot {slot_id}): {', '.join(params)}" for ref, slot_id, params in self.change]
        out.append(f"Slots to close from {format_week(self.from_week)}: {len(self.close)}")
        out += [f"  {self.ref_word} {ref} (slot {slot_id}): not in the new file" for ref, slot_id in self.close]
        if self.unchanged:
            out.append(f"Slots unchanged: {self.unchanged}")
        out.append(f"Clashes: {len(self.clashes)}")
        out += [f"  {clash}" for clash in self.clashes]
        out.append(f"Not imported: {len(self.unused)}")
        out += [f"  {unused}" for unused in self.unused]
        return out


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
def _hours(fet: FetFile, timetable: Timetable | None, options: ImportOptions) -> list[tuple[int, int]]:
    """(start, end) of each FET hour: --periods, else the times in the hour names, else the timetable's bell times."""
    count = len(fet.hours)
    if options.periods is not None:
        if len(options.periods) != count:
            raise ServiceError(f"--periods: the file has {count} hours but {len(options.periods)} periods were given")
        return list(options.periods)
    named = [hour_times(name) for name in fet.hours]
    if all(times is not None for times in named):
        return [times for times in named if times is not None]
    if timetable is not None:
        grid = grid_for_week(timetable, options.from_week)
        monday = grid.on(1) if grid else ()
        if len(monday) == count:
            return [(p.start, p.end) for p in monday]
    without = next(name for name, times in zip(fet.hours, named) if times is None)
    raise ServiceError(f"the hour “{without}” carries no times and the timetable has no bell times of {count} periods: "
                       f"give --periods 08:00-08:45,… with one time range per FET hour ({count})")


def _week_shape(fet: FetFile, options: ImportOptions) -> tuple[int, int]:
    """(days per week, weeks in the cycle)."""
    days = len(fet.days)
    per_week = options.days_per_week
    if per_week is None:
        if days > 7:
            raise ServiceError(f"the file has {days} days, more than a week: say how many make a week with --days-per-week "
                               f"(for instance 5 for days 1–5 in week A, 6–10 in week B)")
        per_week = days
    if not 1 <= per_week <= 7:
        raise ServiceError(f"--days-per-week: {per_week} is not from 1 to 7")
    if days % per_week:
        raise ServiceError(f"--days-per-week: the file's {days} days do not divide into weeks of {per_week}")
    weeks = days // per_week
    if weeks > MAX_CYCLE:
        raise ServiceError(f"--days-per-week: {days} days make {weeks} weeks, more than a cycle holds ({MAX_CYCLE})")
    return per_week, weeks


@dataclass(frozen=True)
class Target:
    """The values a slot gets (resources by name, resolved to ids when applying) over weeks [start, end]."""

    key: str  # the activity id, or the CSV line number
    ref: str | None  # the slot's external reference
    values: Mapping[str, Any]
    start: int
    end: int | None = None


@dataclass
class Read:
    """A file turned into targets, with what the plan says about it before matching."""

    targets: list[Target]
    days: int  # weekdays a timetable the import creates shows (1..days)
    cycle_labels: tuple[str, ...] = ("",)  # the labels clashes are looked for in ("" = every week)
    closes_missing: bool = True  # whether slots imported before that the file no longer has are closed
    key_words: tuple[str, str] = ("activity", "activities")


def _fet_targets(fet: FetFile, hours: list[tuple[int, int]], per_week: int, weeks: int, from_week: int,
                 unused: list[Unused]) -> list[Target]:
    targets = []
    for activity in fet.activities:
        start, _ = hours[activity.hour]
        _, end = hours[activity.hour + activity.duration - 1]
        if end - start < 5 or (end - start) % 5:
            unused.append(Unused(f"Activity {activity.id}", f"its periods run {_hhmm(start)}–{_hhmm(end)}, "
                                                            "not a duration in steps of 5 minutes"))
            continue
        cycle, day = divmod(activity.day, per_week)
        if len(activity.rooms) > 1:
            unused.append(Unused(f"Activity {activity.id}", f"a slot has one room: kept {activity.rooms[0]}, "
                                                            f"left out {', '.join(activity.rooms[1:])}"))
        values = {
            "weekday": day + 1, "start": start, "duration": end - start,
            "course": activity.subject, "staff": activity.teachers, "group": activity.students,
            "room": activity.rooms[0] if activity.rooms else None,
            "cycle_weeks": CYCLE_LABELS[cycle] if weeks > 1 else "", "status": "open",
        }
        targets.append(Target(activity.id, activity.id, values, from_week))
    return targets


def read_fet(fet: FetFile, timetable: Timetable | None, options: ImportOptions, plan: ImportPlan, progress: Progress) -> Read:
    """A target per placed activity from `from_week` on, with the hours' times and the days' week of the cycle."""
    per_week, weeks = _week_shape(fet, options)
    hours = _hours(fet, timetable, options)
    if timetable is not None and weeks > 1:
        length = load_calendar(timetable).cycle.length
        if length != weeks:
            raise ServiceError(f"the file is a cycle of {weeks} weeks but the timetable “{plan.slug}” runs a cycle of {length}: "
                               "set its week cycle on its calendar page first")
    plan.cycle_weeks = weeks
    plan.unused += fet.unused
    _hidden_days(timetable, range(1, per_week + 1), plan, "Days_List")
    day_count = f"{len(fet.days)} day" + ("s" if len(fet.days) != 1 else "")
    hour_count = f"{len(fet.hours)} hour" + ("s" if len(fet.hours) != 1 else "")
    progress(f"Read {len(fet.activities)} placed activities, {day_count} of {hour_count}")
    targets = _fet_targets(fet, hours, per_week, weeks, options.from_week, plan.unused)
    if timetable is None or grid_for_week(timetable, options.from_week) is None:
        plan.bell_times = tuple((name, start, end) for name, (start, end) in zip(fet.hours, hours))
    return Read(targets, per_week, tuple(CYCLE_LABELS[:weeks]) if weeks > 1 else ("",))


def _hidden_days(timetable: Timetable | None, days: Any, plan: ImportPlan, element: str) -> None:
    hidden = [day for day in sorted(set(days)) if timetable is not None and day not in timetable.weekdays]
    if hidden:
        names = ", ".join(PARAMETERS["weekday"].display(day) for day in hidden)
        plan.unused.append(Unused(element, f"the timetable does not show {names}: those lessons are imported, and show "
                                           "once the day is added to its weekdays on its settings page"))


def read_csv(lessons: LessonsCsv, timetable: Timetable | None, options: ImportOptions, plan: ImportPlan,
             progress: Progress) -> Read:
    """A target per row, over its own weeks from `from_week` on; refuses (naming the line) rows it cannot use."""
    plan.ref_word = "ref"
    plan.unused += lessons.unused
    progress(f"Read {len(lessons.lessons)} lessons")
    labels = sorted({label for lesson in lessons.lessons if lesson.cycle_weeks for label in lesson.cycle_weeks.split(",")})
    if timetable is not None:
        cycle = load_calendar(timetable).cycle
        plan.cycle_weeks, known = cycle.length, cycle.labels
        for lesson in lessons.lessons:
            unknown = [label for label in lesson.cycle_weeks.split(",") if lesson.cycle_weeks and label not in known]
            if unknown:
                has = f"weeks {', '.join(known)}" if known else "no week cycle (set one on its calendar page)"
                raise ServiceError(f"line {lesson.line}, column cycle_weeks: the timetable “{plan.slug}” has {has}, "
                                   f"so week {unknown[0]} never comes")
    elif labels:
        plan.cycle_weeks = max(2, CYCLE_LABELS.index(labels[-1]) + 1)
        if plan.cycle_weeks > MAX_CYCLE:
            raise ServiceError(f"cycle_weeks: week {labels[-1]} makes a cycle of more than {MAX_CYCLE} weeks")
    targets = []
    for lesson in lessons.lessons:
        if lesson.last_week is not None and lesson.last_week < options.from_week:
            raise ServiceError(f"line {lesson.line}, column last_week: {format_week(lesson.last_week)} comes before the "
                               f"import's first week {format_week(options.from_week)}, so nothing of it would be imported; "
                               "remove the row or import from an earlier week")
        values = {
            "weekday": lesson.weekday, "start": lesson.start, "duration": lesson.duration, "title": lesson.title,
            "course": lesson.course, "staff": lesson.staff, "group": lesson.groups, "room": lesson.room,
            "cycle_weeks": lesson.cycle_weeks, "status": "open",
        }
        start = max(lesson.first_week or options.from_week, options.from_week)
        targets.append(Target(str(lesson.line), lesson.ref, values, start, lesson.last_week))
    days = sorted({lesson.weekday for lesson in lessons.lessons})
    _hidden_days(timetable, days, plan, "weekday")
    return Read(targets, max(5, days[-1]), tuple(labels) if labels else ("",),
                 closes_missing=any(t.ref for t in targets), key_words=("line", "lines"))
