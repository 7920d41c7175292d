"""Import a FET timetable or a CSV file of lessons: plan first (what it creates, changes and closes), then apply it as one change.

The plan is read-only. Applying re-plans inside one transaction and writes every stripe
through `record_changes` as ONE ChangeSet (shown in History, undone in one action,
announced live). Both formats become the same targets (a slot's values, resources by name,
over a range of weeks), so matching, comparing and writing are shared:
- resources are matched by name. FET creates the missing ones; a CSV file names only those the
  timetable has (case-insensitively; a teacher also by short name) unless `create_missing`;
- slots are matched by their external reference (the FET activity id, a CSV row's `ref`), so
  importing a newer file `from_week` W paints what changed from W on (a CSV row over its own
  weeks), closes from W on what the file no longer has, and keeps everything before W and the
  one-week edits after W of what the new file does not change. CSV rows without a ref are new
  slots every time; a CSV file without any ref closes nothing.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..imports.fet import FetFile, Unused, hour_times
from ..imports.lessons_csv import LessonsCsv
from ..models import ChangeSet, Course, Group, Room, Slot, Staff, Timetable, WeekCycle
from ..rules import PARAMETERS, Placement, Rule, find_clashes, format_week, next_week, value_at, weeks_between
from ..rules.calendar import CYCLE_LABELS, MAX_CYCLE
from ..rules.periods import Period as BellPeriod
from ..rules.periods import validate_grid
from ..rules.weeks import FIRST_WEEK, LAST_WEEK, previous_week
from .bells import grid_for_week, load_grids, replace_grids
from .calendar import check_cycle_labels, load_calendar
from .creation import create_timetable, initial_changes
from .editing.planning import EditRequest, stripe_changes
from .errors import ServiceError
from .recording import record_changes
from .references import check_changes
from .stripes import SLOT, StripeChange, load_stripes

# What an imported row sets on its slot (FET sets no title).
IMPORTED_PARAMS = ("weekday", "start", "duration", "title", "course", "staff", "group", "room", "cycle_weeks", "status")
RESOURCE_MODELS: dict[str, Any] = {"staff": Staff, "group": Group, "room": Room, "course": Course}
KIND_TITLES = {"staff": "staff", "group": "groups", "room": "rooms", "course": "courses"}
KIND_WORDS = {"staff": "teacher", "group": "group", "room": "room", "course": "course"}
# Unknown names listed in one refusal; the rest are counted.
MAX_UNKNOWN_LISTED = 20

Progress = Callable[[str], None]
# What plan_import and apply_import read: a parsed FET file or a parsed CSV file of lessons.
ImportFile = FetFile | LessonsCsv


def _silent(_message: str) -> None:
    pass


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
class _Target:
    """The values a slot gets (resources by name, resolved to ids when applying) over weeks [start, end]."""

    key: str  # the activity id, or the CSV line number
    ref: str | None  # the slot's external reference
    values: Mapping[str, Any]
    start: int
    end: int | None = None


@dataclass
class _Read:
    """A file turned into targets, with what the plan says about it before matching."""

    targets: list[_Target]
    days: int  # weekdays a timetable the import creates shows (1..days)
    cycle_labels: tuple[str, ...] = ("",)  # the labels clashes are looked for in ("" = every week)
    closes_missing: bool = True  # whether slots imported before that the file no longer has are closed
    key_words: tuple[str, str] = ("activity", "activities")


def _fet_targets(fet: FetFile, hours: list[tuple[int, int]], per_week: int, weeks: int, from_week: int,
                 unused: list[Unused]) -> list[_Target]:
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
        targets.append(_Target(activity.id, activity.id, values, from_week))
    return targets


def _read_fet(fet: FetFile, timetable: Timetable | None, options: ImportOptions, plan: ImportPlan, progress: Progress) -> _Read:
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
    progress(f"Read {len(fet.activities)} placed activities, {len(fet.days)} days of {len(fet.hours)} hours")
    targets = _fet_targets(fet, hours, per_week, weeks, options.from_week, plan.unused)
    if timetable is None or grid_for_week(timetable, options.from_week) is None:
        plan.bell_times = tuple((name, start, end) for name, (start, end) in zip(fet.hours, hours))
    return _Read(targets, per_week, tuple(CYCLE_LABELS[:weeks]) if weeks > 1 else ("",))


def _hidden_days(timetable: Timetable | None, days: Any, plan: ImportPlan, element: str) -> None:
    hidden = [day for day in sorted(set(days)) if timetable is not None and day not in timetable.weekdays]
    if hidden:
        names = ", ".join(PARAMETERS["weekday"].display(day) for day in hidden)
        plan.unused.append(Unused(element, f"the timetable does not show {names}: those lessons are imported, and show "
                                           "once the day is added to its weekdays on its settings page"))


def _read_csv(lessons: LessonsCsv, timetable: Timetable | None, options: ImportOptions, plan: ImportPlan,
              progress: Progress) -> _Read:
    plan.ref_word = "ref"
    plan.unused += lessons.unused
    progress(f"Read {len(lessons.lessons)} lessons")
    labels = sorted({label for lesson in lessons.lessons if lesson.cycle_weeks for label in lesson.cycle_weeks.split(",")})
    if timetable is not None:
        plan.cycle_weeks = load_calendar(timetable).cycle.length
        known = load_calendar(timetable).cycle.labels
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
        targets.append(_Target(str(lesson.line), lesson.ref, values, start, lesson.last_week))
    days = sorted({lesson.weekday for lesson in lessons.lessons})
    _hidden_days(timetable, days, plan, "weekday")
    return _Read(targets, max(5, days[-1]), tuple(labels) if labels else ("",),
                 closes_missing=any(t.ref for t in targets), key_words=("line", "lines"))


def _names(target: _Target) -> list[tuple[str, str]]:
    """(kind, name) of every resource a target names."""
    v = target.values
    return ([("staff", n) for n in v["staff"]] + [("group", n) for n in v["group"]]
            + [("room", v["room"])] * bool(v["room"]) + [("course", v["course"])] * bool(v["course"]))


class _Ids:
    """Resource ids by kind and name; names not in the database yet get stand-in ids (negative) in a plan."""

    def __init__(self, timetable: Timetable | None) -> None:
        self.ids: dict[str, dict[str, int]] = {kind: {} for kind in RESOURCE_MODELS}
        self.loose: dict[str, dict[str, set[int]]] = {kind: {} for kind in RESOURCE_MODELS}
        if timetable is not None:
            for kind, model in RESOURCE_MODELS.items():
                rows = list(db.session.execute(select(model.name, model.id).where(model.timetable_id == timetable.id)).all())
                self.ids[kind] = {name: resource_id for name, resource_id in rows}
                if kind == "staff":
                    rows += db.session.execute(select(Staff.short_name, Staff.id).where(
                        Staff.timetable_id == timetable.id, Staff.short_name.is_not(None))).all()
                for name, resource_id in rows:
                    self.loose[kind].setdefault(name.casefold(), set()).add(resource_id)
        self.missing: dict[str, list[str]] = {kind: [] for kind in RESOURCE_MODELS}

    def known(self, kind: str, name: str, *, loose: bool = False) -> bool:
        """Whether `name` names a resource (with `loose`, also in another case or, for staff, by short name)."""
        if name in self.ids[kind]:
            return True
        found = self.loose[kind].get(name.casefold(), set()) if loose else set()
        if len(found) == 1:
            self.ids[kind][name] = next(iter(found))
            return True
        return False

    def need(self, kind: str, name: str) -> None:
        if name not in self.ids[kind]:
            self.missing[kind].append(name)
            self.ids[kind][name] = -len(self.missing[kind])

    def values(self, target: _Target) -> dict[str, Any]:
        """The slot's parameter values with ids; None means not set (erased)."""
        v = dict(target.values)
        v["course"] = self.ids["course"][v["course"]] if v["course"] else None
        v["room"] = self.ids["room"][v["room"]] if v["room"] else None
        for kind in ("staff", "group"):
            members = tuple(sorted(self.ids[kind][name] for name in v[kind]))
            v[kind] = members or None
        return v


def _match_resources(targets: list[_Target], ids: _Ids, *, csv: bool, create_missing: bool, new_timetable: bool) -> None:
    """Every name gets an id; CSV names the timetable lacks are refused with their lines unless `create_missing`."""
    unknown: dict[tuple[str, str], list[str]] = {}
    for target in targets:
        for kind, name in _names(target):
            if ids.known(kind, name, loose=csv):
                continue
            if csv and not create_missing:
                unknown.setdefault((kind, name), []).append(target.key)
            else:
                ids.need(kind, name)
    if unknown:
        listed = [f"line{'s' * (len(keys) > 1)} {', '.join(keys)}: unknown {KIND_WORDS[kind]} “{name}”"
                  for (kind, name), keys in list(unknown.items())[:MAX_UNKNOWN_LISTED]]
        more = f" (and {len(unknown) - MAX_UNKNOWN_LISTED} more)" if len(unknown) > MAX_UNKNOWN_LISTED else ""
        if new_timetable:
            raise ServiceError("; ".join(listed) + more + "; the timetable does not exist yet, so it has none of them: "
                               "pass --create-missing to create them with it")
        raise ServiceError("; ".join(listed) + more + "; add them on the Resources page or pass --create-missing")


def _existing_slots(timetable: Timetable | None) -> dict[str, int]:
    if timetable is None:
        return {}
    rows = db.session.execute(select(Slot.external_ref, Slot.id).where(Slot.timetable_id == timetable.id, Slot.external_ref.is_not(None)))
    return {ref: slot_id for ref, slot_id in rows}


def _mostly(stripe: list[Rule], start: int, end: int) -> Any:
    """The value a stripe holds in most weeks of [start, end] (None where no rule covers them)."""
    weeks: Counter = Counter()
    for rule in stripe:
        low, high = max(rule.start or FIRST_WEEK, start), min(rule.end or LAST_WEEK, end)
        if low <= high:
            weeks[rule.value] += weeks_between(low, high) + 1
    uncovered = weeks_between(start, end) + 1 - sum(weeks.values())
    if uncovered > 0:
        weeks[None] += uncovered
    return weeks.most_common(1)[0][0]


def _reference(stripe: list[Rule], start: int, end: int | None, param: str) -> Any:
    """What a stripe usually holds over [start, end], as the import compares it.

    Open-ended: its open-ended rule, else its value in `start`; a range: its value in most weeks.
    One-week edits are not what the slot usually holds, so they do not count as a difference."""
    if end is None:
        open_ended = [rule for rule in stripe if rule.end is None]
        value = open_ended[0].value if open_ended else value_at(stripe, start)
    else:
        value = _mostly(stripe, start, end)
    return PARAMETERS[param].default if value is None and param == "status" else value


def _occurs(weekday: list[Rule], status: list[Rule], start: int, end: int | None) -> bool:
    """Whether a slot with these stripes takes place in any week of [start, end] (values only change at rule bounds)."""
    weeks = {start}
    for rule in (*weekday, *status):
        for week in (rule.start, next_week(rule.end) if rule.end is not None and rule.end < LAST_WEEK else None):
            if week is not None and start <= week and (end is None or week <= end):
                weeks.add(week)
    return any(value_at(weekday, w) is not None and value_at(status, w) != "closed" for w in weeks)


def _outside(target: _Target, from_week: int) -> list[tuple[int, int | None]]:
    """The weeks from `from_week` on that a target's range leaves out."""
    spans: list[tuple[int, int | None]] = []
    if target.start > from_week:
        spans.append((from_week, previous_week(target.start)))
    if target.end is not None:
        spans.append((next_week(target.end), None))
    return spans


def _meet(a: _Target, b: _Target) -> bool:
    return a.start <= (b.end or LAST_WEEK) and b.start <= (a.end or LAST_WEEK)


def _clash_lines(read: _Read, ids: _Ids) -> list[str]:
    names = {kind: {i: name for name, i in ids.ids[kind].items()} for kind in ("staff", "room", "group")}
    by_key = {target.key: target for target in read.targets}
    values = {target.key: ids.values(target) for target in read.targets}
    lines: dict[str, None] = {}
    for label in read.cycle_labels:
        placements = [
            Placement(key, v["weekday"], v["start"], v["start"] + v["duration"], staff=v["staff"], room=v["room"], group=v["group"])
            for key, v in values.items() if not label or not v["cycle_weeks"] or label in v["cycle_weeks"].split(",")
        ]
        for clash in find_clashes(placements):
            if not _meet(by_key[str(clash.first)], by_key[str(clash.second)]):
                continue
            week = f"week {label} " if label else ""
            lines[f"{clash.kind} {names[clash.kind].get(clash.resource, clash.resource)}: {read.key_words[1]} {clash.first} and "
                  f"{clash.second} overlap on {week}{PARAMETERS['weekday'].display(clash.weekday)}"] = None
    return list(lines)


@dataclass
class _Work:
    plan: ImportPlan
    read: _Read
    ids: _Ids
    new: list[_Target]
    # (slot id, its target, the parameters to paint over the target's weeks, the weeks to close outside them)
    updates: list[tuple[int, _Target, tuple[str, ...], list[tuple[int, int | None]]]]


def _wanted(values: Mapping[str, Any], param: str) -> Any:
    """A value as the stripe holds it: "" (no title, every week) is the default, so no rule."""
    value = values[param]
    return None if value == "" else value


def _compare(work: _Work, existing: dict[str, int], from_week: int, progress: Progress) -> None:
    plan, targets = work.plan, work.read.targets
    matched = {t.ref: existing[t.ref] for t in targets if t.ref is not None and t.ref in existing}
    params = {param for t in targets for param in t.values} | {"weekday", "status"}
    stripes = load_stripes({(SLOT, slot_id, param) for slot_id in existing.values() for param in params})
    progress(f"Comparing {len(matched)} slots imported before")
    for target in targets:
        if target.ref not in matched:
            work.new.append(target)
            plan.create.append(target.ref or f"line {target.key}")
            continue
        slot_id = matched[target.ref]
        wanted = work.ids.values(target)
        changed = tuple(param for param in target.values if _reference(
            stripes[(SLOT, slot_id, param)], target.start, target.end, param) != _wanted(wanted, param))
        closes = [span for span in _outside(target, from_week)
                  if _occurs(stripes[(SLOT, slot_id, "weekday")], stripes[(SLOT, slot_id, "status")], *span)]
        if changed or closes:
            plan.change.append((target.ref, slot_id, changed + (("weeks",) if closes else ())))
            work.updates.append((slot_id, target, changed, closes))
        else:
            plan.unchanged += 1
    if not work.read.closes_missing:
        return
    wanted_refs = {t.ref for t in targets}
    for ref, slot_id in sorted(existing.items(), key=lambda item: item[1]):
        if ref not in wanted_refs and _reference(stripes[(SLOT, slot_id, "status")], from_week, None, "status") != "closed":
            plan.close.append((ref, slot_id))


def _compute(slug: str, file: ImportFile, options: ImportOptions, progress: Progress) -> _Work:
    timetable = db.session.scalar(select(Timetable).where(Timetable.slug == slug))
    plan = ImportPlan(slug, options.from_week, timetable is None, 1)
    csv = isinstance(file, LessonsCsv)
    if isinstance(file, LessonsCsv):
        read = _read_csv(file, timetable, options, plan, progress)
    else:
        read = _read_fet(file, timetable, options, plan, progress)
    ids = _Ids(timetable)
    _match_resources(read.targets, ids, csv=csv, create_missing=options.create_missing, new_timetable=timetable is None)
    plan.resources = {kind: names for kind, names in ids.missing.items() if names}
    work = _Work(plan, read, ids, [], [])
    _compare(work, _existing_slots(timetable), options.from_week, progress)
    plan.clashes = _clash_lines(read, ids)
    return work


def _requests(work: _Work, from_week: int) -> list[EditRequest]:
    """The edits of slots imported before: their changed parameters painted over their weeks, removed ones closed.

    Built once every resource has its id (a changed activity may name a teacher the import creates)."""
    requests = []
    for slot_id, target, params, closes in work.updates:
        wanted = work.ids.values(target)
        for param in params:
            value = _wanted(wanted, param)
            requests.append(EditRequest(SLOT, (slot_id,), param, target.start, target.end, value, erase=value is None))
        requests += [EditRequest(SLOT, (slot_id,), "status", start, end, "closed") for start, end in closes]
    requests += [EditRequest(SLOT, (slot_id,), "status", from_week, None, "closed") for _ref, slot_id in work.plan.close]
    return requests


def plan_import(slug: str, file: ImportFile, options: ImportOptions, progress: Progress = _silent) -> ImportPlan:
    """What importing `file` (FET or CSV) into the timetable `slug` from `options.from_week` would do; writes nothing."""
    return _compute(slug, file, options, progress).plan


def apply_import(
    slug: str, file: ImportFile, options: ImportOptions, *, source: str | None = None, user_id: int | None = None,
    progress: Progress = _silent,
) -> tuple[ImportPlan, ChangeSet | None]:
    """Apply the import in one transaction: resources, then every slot stripe as one ChangeSet.

    `source` names the file in the change's summary (default: "FET file" or "CSV file")."""
    with write_transaction():
        work = _compute(slug, file, options, progress)
        plan = work.plan
        timetable = db.session.scalar(select(Timetable).where(Timetable.slug == slug))
        if timetable is None:
            timetable = create_timetable(slug, options.name or slug, current_app.config["DEFAULT_TIME_ZONE"],
                                         shown_weekdays=",".join(str(d) for d in range(1, work.read.days + 1)))
            if plan.cycle_weeks > 1:
                # The calendar's cycle, as the calendar page sets it: week A is the first imported week.
                db.session.add(WeekCycle(timetable_id=timetable.id, length=plan.cycle_weeks, start_week=options.from_week))
                db.session.flush()
        if plan.bell_times:
            _add_bell_grid(timetable, options.from_week, work.read.days, plan)
        for kind, names in plan.resources.items():
            rows = [RESOURCE_MODELS[kind](timetable_id=timetable.id, name=name) for name in names]
            db.session.add_all(rows)
            db.session.flush()
            work.ids.ids[kind].update({row.name: row.id for row in rows})
        progress(f"Created {sum(len(n) for n in plan.resources.values())} resources")
        changes: list[StripeChange] = []
        requests = _requests(work, options.from_week)
        if requests:
            edits, _token = stripe_changes(timetable, requests, for_update=True)
            changes += edits
        new_rows = [Slot(timetable_id=timetable.id, external_ref=target.ref) for target in work.new]
        db.session.add_all(new_rows)
        db.session.flush()
        created: list[StripeChange] = []
        for row, target in zip(new_rows, work.new):
            values = {k: v for k, v in work.ids.values(target).items() if v is not None and k != "status"}
            created += initial_changes(SLOT, row.id, values, target.start, target.end)
        check_changes(timetable.id, created)
        check_cycle_labels(timetable, (a.value for c in created if c.param == "cycle_weeks" for a in c.actions))
        changes += created
        progress(f"Writing {len(changes)} stripe changes")
        if not changes:
            return plan, None
        label = source or ("CSV file" if isinstance(file, LessonsCsv) else "FET file")
        summary = (f"Import of {label}: {len(plan.create)} new, {len(plan.change)} changed, {len(plan.close)} closed slots "
                   f"· from {format_week(options.from_week)}")
        change_set = record_changes(timetable, changes, summary[:200], user_id, kind="import")
    return plan, change_set


def _add_bell_grid(timetable: Timetable, week: int, per_week: int, plan: ImportPlan) -> None:
    """The hours' times as the bell grid from `week` on, when the timetable has none then; left out if they overlap."""
    periods = [BellPeriod(day, start, end, name[:40]) for day in range(1, per_week + 1) for name, start, end in plan.bell_times]
    try:
        grid = validate_grid(week, periods)
    except Exception as error:  # the bell grid is a convenience: its problem is reported, the import goes on
        plan.unused.append(Unused("Hours_List", f"not added as bell times: {error}"))
        plan.bell_times = ()
        return
    replace_grids(timetable, (*load_grids(timetable.id), grid))
