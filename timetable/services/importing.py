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
from dataclasses import dataclass
from typing import Any

from flask import current_app
from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..imports.fet import FetFile, Unused
from ..imports.lessons_csv import LessonsCsv
from ..models import ChangeSet, Course, Group, Room, Slot, Staff, Timetable, WeekCycle
from ..rules import PARAMETERS, Placement, Rule, find_clashes, format_week, next_week, value_at, weeks_between
from ..rules.periods import Period as BellPeriod
from ..rules.periods import validate_grid
from ..rules.weeks import FIRST_WEEK, LAST_WEEK, previous_week
from .bells import load_grids, replace_grids
from .calendar import check_cycle_labels
from .creation import create_timetable, initial_changes
from .editing.planning import EditRequest, stripe_changes
from .errors import ServiceError
from .import_reading import ImportOptions, ImportPlan, Progress, Read, Target, read_csv, read_fet
from .recording import record_changes
from .references import check_changes
from .stripes import SLOT, StripeChange, load_stripes

RESOURCE_MODELS: dict[str, Any] = {"staff": Staff, "group": Group, "room": Room, "course": Course}
KIND_WORDS = {"staff": "teacher", "group": "group", "room": "room", "course": "course"}
# Unknown names listed in one refusal; the rest are counted.
MAX_UNKNOWN_LISTED = 20

__all__ = ["ImportFile", "ImportOptions", "ImportPlan", "apply_import", "plan_import"]

# What plan_import and apply_import read: a parsed FET file or a parsed CSV file of lessons.
ImportFile = FetFile | LessonsCsv


def _silent(_message: str) -> None:
    pass


def _names(target: Target) -> list[tuple[str, str]]:
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
            # A CSV file writing "9a" after "9A" means the same new group.
            self.loose[kind][name.casefold()] = {self.ids[kind][name]}

    def created(self, kind: str, rows: list[Any]) -> None:
        """Replace the stand-in ids of the names created (and their other spellings) with the new rows' ids."""
        new_ids = {-index: row.id for index, row in enumerate(rows, start=1)}
        self.ids[kind] = {name: new_ids.get(i, i) for name, i in self.ids[kind].items()}

    def values(self, target: Target) -> dict[str, Any]:
        """The slot's parameter values with ids; None means not set (erased)."""
        v = dict(target.values)
        v["course"] = self.ids["course"][v["course"]] if v["course"] else None
        v["room"] = self.ids["room"][v["room"]] if v["room"] else None
        for kind in ("staff", "group"):
            members = tuple(sorted(self.ids[kind][name] for name in v[kind]))
            v[kind] = members or None
        return v


def _match_resources(targets: list[Target], ids: _Ids, *, csv: bool, create_missing: bool, new_timetable: bool) -> None:
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


def _outside(target: Target, from_week: int) -> list[tuple[int, int | None]]:
    """The weeks from `from_week` on that a target's range leaves out."""
    spans: list[tuple[int, int | None]] = []
    if target.start > from_week:
        spans.append((from_week, previous_week(target.start)))
    if target.end is not None:
        spans.append((next_week(target.end), None))
    return spans


def _meet(a: Target, b: Target) -> bool:
    return a.start <= (b.end or LAST_WEEK) and b.start <= (a.end or LAST_WEEK)


def _clash_lines(read: Read, ids: _Ids) -> list[str]:
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
    read: Read
    ids: _Ids
    new: list[Target]
    # (slot id, its target, the parameters to paint over the target's weeks, the weeks to close outside them)
    updates: list[tuple[int, Target, tuple[str, ...], list[tuple[int, int | None]]]]


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
        read = read_csv(file, timetable, options, plan, progress)
    else:
        read = read_fet(file, timetable, options, plan, progress)
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
    expect: Callable[[], None] | None = None,
) -> tuple[ImportPlan, ChangeSet | None]:
    """Apply the import in one transaction: resources, then every slot stripe as one ChangeSet.

    `source` names the file in the change's summary (default: "FET file" or "CSV file").
    `expect` runs inside the transaction once the file is known to be importable, and may refuse (the upload's
    token check, which locks the timetable row: anything committed since the plan's reads is then seen)."""
    with write_transaction():
        work = _compute(slug, file, options, progress)
        if expect is not None:
            expect()
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
            work.ids.created(kind, rows)
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
        progress(f"Recorded as change {change_set.id}; committing")
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
