"""Import a FET timetable: plan first (what it creates, changes and closes), then apply it as one change.

The plan is read-only. Applying re-plans inside one transaction and writes every stripe
through `record_changes` as ONE ChangeSet (shown in History, undone in one action,
announced live). Resources are matched by name and created when missing; slots are matched by
their external reference (the FET activity id), so importing a newer run `from_week` W paints
changed activities from W on, closes removed ones from W on, and keeps everything before W
and the one-week edits after W of what the new run does not change.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..imports.fet import Activity, FetFile, Unused, hour_times
from ..models import ChangeSet, Course, Group, Room, Slot, Staff, Timetable, WeekCycle
from ..rules import PARAMETERS, Placement, Rule, find_clashes, format_week, value_at
from ..rules.calendar import CYCLE_LABELS, MAX_CYCLE
from ..rules.periods import Period as BellPeriod
from ..rules.periods import validate_grid
from .bells import grid_for_week, load_grids, replace_grids
from .calendar import check_cycle_labels, load_calendar
from .creation import create_timetable, initial_changes
from .editing.planning import EditRequest, stripe_changes
from .errors import ServiceError
from .recording import record_changes
from .references import check_changes
from .stripes import SLOT, StripeChange, load_stripes

# What an activity sets on its slot.
IMPORTED_PARAMS = ("weekday", "start", "duration", "course", "staff", "group", "room", "cycle_weeks", "status")
RESOURCE_MODELS: dict[str, Any] = {"staff": Staff, "group": Group, "room": Room, "course": Course}
KIND_TITLES = {"staff": "staff", "group": "groups", "room": "rooms", "course": "courses"}

Progress = Callable[[str], None]


def _silent(_message: str) -> None:
    pass


@dataclass(frozen=True)
class ImportOptions:
    from_week: int
    periods: tuple[tuple[int, int], ...] | None = None  # (start, end) per FET hour, from --periods
    days_per_week: int | None = None
    name: str | None = None  # of a timetable the import creates


@dataclass
class ImportPlan:
    """What an import will do; `lines()` says it in words."""

    slug: str
    from_week: int
    creates_timetable: bool
    cycle_weeks: int
    resources: dict[str, list[str]] = field(default_factory=dict)  # kind -> names to create
    create: list[str] = field(default_factory=list)  # activity ids
    change: list[tuple[str, int, tuple[str, ...]]] = field(default_factory=list)  # (activity id, slot id, params)
    close: list[tuple[str, int]] = field(default_factory=list)  # (activity id, slot id)
    clashes: list[str] = field(default_factory=list)
    unused: list[Unused] = field(default_factory=list)
    bell_times: tuple[tuple[str, int, int], ...] = ()  # (hour name, start, end) added as the bell grid
    unchanged: int = 0

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
        out += [f"  activity {ref} (slot {slot_id}): {', '.join(params)}" for ref, slot_id, params in self.change]
        out.append(f"Slots to close from {format_week(self.from_week)}: {len(self.close)}")
        out += [f"  activity {ref} (slot {slot_id}): not in the new file" for ref, slot_id in self.close]
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
    """The values an activity's slot gets, resources by name (resolved to ids when applying)."""

    activity: Activity
    values: Mapping[str, Any]


def _targets(fet: FetFile, hours: list[tuple[int, int]], per_week: int, weeks: int, unused: list[Unused]) -> list[_Target]:
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
        targets.append(_Target(activity, values))
    return targets


class _Ids:
    """Resource ids by kind and name; names not in the database yet get stand-in ids (negative) in a plan."""

    def __init__(self, timetable: Timetable | None) -> None:
        self.ids: dict[str, dict[str, int]] = {kind: {} for kind in RESOURCE_MODELS}
        if timetable is not None:
            for kind, model in RESOURCE_MODELS.items():
                rows = db.session.execute(select(model.name, model.id).where(model.timetable_id == timetable.id))
                self.ids[kind] = {name: resource_id for name, resource_id in rows}
        self.missing: dict[str, list[str]] = {kind: [] for kind in RESOURCE_MODELS}

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


def _existing_slots(timetable: Timetable | None) -> dict[str, int]:
    if timetable is None:
        return {}
    rows = db.session.execute(select(Slot.external_ref, Slot.id).where(Slot.timetable_id == timetable.id, Slot.external_ref.is_not(None)))
    return {ref: slot_id for ref, slot_id in rows}


def _reference(stripe: list[Rule], week: int, param: str) -> Any:
    """What a stripe holds from `week` on, as the import compares it: its open-ended rule, else its value in `week`.

    One-week edits after `week` are not what the slot usually holds, so they do not count as a difference."""
    open_ended = [rule for rule in stripe if rule.end is None]
    value = open_ended[0].value if open_ended else value_at(stripe, week)
    return PARAMETERS[param].default if value is None and param == "status" else value


def _clash_lines(fet: FetFile, targets: list[_Target], ids: _Ids) -> list[str]:
    by_cycle: dict[str, list[Placement]] = {}
    for target in targets:
        v = ids.values(target)
        by_cycle.setdefault(v["cycle_weeks"], []).append(
            Placement(target.activity.id, v["weekday"], v["start"], v["start"] + v["duration"], staff=v["staff"], room=v["room"],
                      group=v["group"]))
    names = {kind: {i: name for name, i in ids.ids[kind].items()} for kind in ("staff", "room", "group")}
    lines = []
    for label, placements in sorted(by_cycle.items()):
        for clash in find_clashes(placements):
            week = f"week {label} " if label else ""
            lines.append(f"{clash.kind} {names[clash.kind].get(clash.resource, clash.resource)}: activities {clash.first} and "
                         f"{clash.second} overlap on {week}{PARAMETERS['weekday'].display(clash.weekday)}")
    return lines


@dataclass
class _Work:
    plan: ImportPlan
    targets: list[_Target]
    ids: _Ids
    existing: dict[str, int]
    updates: list[tuple[int, _Target, tuple[str, ...]]]  # (slot id, its activity, the parameters to paint)
    per_week: int
    hours: list[tuple[int, int]]


def _compute(slug: str, fet: FetFile, options: ImportOptions, progress: Progress) -> _Work:
    timetable = db.session.scalar(select(Timetable).where(Timetable.slug == slug))
    per_week, weeks = _week_shape(fet, options)
    hours = _hours(fet, timetable, options)
    if timetable is not None and weeks > 1:
        length = load_calendar(timetable).cycle.length
        if length != weeks:
            raise ServiceError(f"the file is a cycle of {weeks} weeks but the timetable “{slug}” runs a cycle of {length}: "
                               "set its week cycle on its calendar page first")
    plan = ImportPlan(slug, options.from_week, timetable is None, weeks, unused=list(fet.unused))
    hidden = [day for day in range(1, per_week + 1) if timetable is not None and day not in timetable.weekdays]
    if hidden:
        days = ", ".join(PARAMETERS["weekday"].display(day) for day in hidden)
        plan.unused.append(Unused("Days_List", f"the timetable does not show {days}: those lessons are imported, and show "
                                               "once the day is added to its weekdays on its settings page"))
    progress(f"Read {len(fet.activities)} placed activities, {len(fet.days)} days of {len(fet.hours)} hours")
    targets = _targets(fet, hours, per_week, weeks, plan.unused)
    ids = _Ids(timetable)
    for target in targets:
        a = target.activity
        for kind, names in (("staff", a.teachers), ("group", a.students), ("room", a.rooms[:1]),
                            ("course", (a.subject,) if a.subject else ())):
            for name in names:
                ids.need(kind, name)
    plan.resources = {kind: names for kind, names in ids.missing.items() if names}
    if timetable is None or grid_for_week(timetable, options.from_week) is None:
        plan.bell_times = tuple((name, start, end) for name, (start, end) in zip(fet.hours, hours))

    existing = _existing_slots(timetable)
    matched = {t.activity.id: existing[t.activity.id] for t in targets if t.activity.id in existing}
    stripes = load_stripes({(SLOT, slot_id, param) for slot_id in existing.values() for param in IMPORTED_PARAMS})
    updates: list[tuple[int, _Target, tuple[str, ...]]] = []
    progress(f"Comparing {len(matched)} slots imported before")
    for target in targets:
        ref = target.activity.id
        if ref not in matched:
            plan.create.append(ref)
            continue
        slot_id = matched[ref]
        wanted = ids.values(target)
        changed = []
        for param in IMPORTED_PARAMS:
            value = wanted[param]
            if param == "cycle_weeks" and value == "":
                value = None  # every week: the default, not a rule
            if _reference(stripes[(SLOT, slot_id, param)], options.from_week, param) != value:
                changed.append(param)
        if changed:
            plan.change.append((ref, slot_id, tuple(changed)))
            updates.append((slot_id, target, tuple(changed)))
        else:
            plan.unchanged += 1
    wanted_refs = {t.activity.id for t in targets}
    for ref, slot_id in sorted(existing.items(), key=lambda item: item[1]):
        if ref not in wanted_refs and _reference(stripes[(SLOT, slot_id, "status")], options.from_week, "status") != "closed":
            plan.close.append((ref, slot_id))
    plan.clashes = _clash_lines(fet, targets, ids)
    return _Work(plan, targets, ids, existing, updates, per_week, hours)


def _requests(work: _Work, week: int) -> list[EditRequest]:
    """The edits of slots imported before: their changed parameters painted from `week` on, removed ones closed.

    Built once every resource has its id (a changed activity may name a teacher the import creates)."""
    requests = []
    for slot_id, target, params in work.updates:
        wanted = work.ids.values(target)
        for param in params:
            value = None if param == "cycle_weeks" and wanted[param] == "" else wanted[param]
            requests.append(EditRequest(SLOT, (slot_id,), param, week, None, value, erase=value is None))
    requests += [EditRequest(SLOT, (slot_id,), "status", week, None, "closed") for _ref, slot_id in work.plan.close]
    return requests


def plan_import(slug: str, fet: FetFile, options: ImportOptions, progress: Progress = _silent) -> ImportPlan:
    """What importing `fet` into the timetable `slug` from `options.from_week` would do; writes nothing."""
    return _compute(slug, fet, options, progress).plan


def apply_import(
    slug: str, fet: FetFile, options: ImportOptions, *, source: str = "FET file", user_id: int | None = None,
    progress: Progress = _silent,
    expect: Callable[[], None] | None = None,
) -> tuple[ImportPlan, ChangeSet | None]:
    """Apply the import in one transaction: resources, then every slot stripe as one ChangeSet.

    `expect` runs inside the transaction once the file is known to be importable, and may refuse (the upload's
    token check, which locks the timetable row: anything committed since the plan's reads is then seen)."""
    with write_transaction():
        work = _compute(slug, fet, options, progress)
        if expect is not None:
            expect()
        plan = work.plan
        timetable = db.session.scalar(select(Timetable).where(Timetable.slug == slug))
        if timetable is None:
            timetable = create_timetable(slug, options.name or slug, current_app.config["DEFAULT_TIME_ZONE"],
                                         shown_weekdays=",".join(str(d) for d in range(1, work.per_week + 1)))
            if plan.cycle_weeks > 1:
                # The calendar's cycle, as the calendar page sets it: week A is the first imported week.
                db.session.add(WeekCycle(timetable_id=timetable.id, length=plan.cycle_weeks, start_week=options.from_week))
                db.session.flush()
        if plan.bell_times:
            _add_bell_grid(timetable, options.from_week, work.per_week, plan)
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
        by_ref = {t.activity.id: t for t in work.targets}
        new_rows = [Slot(timetable_id=timetable.id, external_ref=ref) for ref in plan.create]
        db.session.add_all(new_rows)
        db.session.flush()
        created: list[StripeChange] = []
        for row in new_rows:
            values = {k: v for k, v in work.ids.values(by_ref[row.external_ref or ""]).items() if v is not None and k != "status"}
            created += initial_changes(SLOT, row.id, values, options.from_week, None)
        check_changes(timetable.id, created)
        check_cycle_labels(timetable, (a.value for c in created if c.param == "cycle_weeks" for a in c.actions))
        changes += created
        progress(f"Writing {len(changes)} stripe changes")
        if not changes:
            return plan, None
        summary = (f"Import of {source}: {len(plan.create)} new, {len(plan.change)} changed, {len(plan.close)} closed slots "
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
