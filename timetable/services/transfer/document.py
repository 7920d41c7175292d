"""Export: a timetable as one `timetable/1` JSON document, with its whole history.

Ids in the document are its own: each kind (staff, rooms, groups, courses, slots, changes) is
numbered 1, 2, … in the order the rows were created, and every reference inside the document
(a stripe's value, a staff member's courses, a change's owner) uses those numbers. Exporting
the same timetable twice, or exporting its import, gives the same numbers.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ... import clock
from ...extensions import db
from ...models import BellChange, ChangeSet, Course, CourseRule, Group, Room, Slot, SlotRule, Staff, Timetable, User
from ...rules import format_week, get_parameter
from ..bells import decode_grids, load_grids
from ..calendar import calendar_spec
from ..stripes import COURSE, SLOT
from . import FORMAT, map_refs

Numbers = Mapping[str, Mapping[int, int]]  # kind → {database id: document id}
RESOURCE_MODELS = {"staff": Staff, "room": Room, "group": Group, "course": Course}


def week_text(week: int | None) -> str | None:
    return None if week is None else format_week(week)


def clock_text(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _numbers(timetable: Timetable) -> dict[str, dict[int, int]]:
    numbers: dict[str, dict[int, int]] = {}
    models: list[tuple[str, Any]] = [*RESOURCE_MODELS.items(), (SLOT, Slot)]
    for kind, model in models:
        ids = db.session.scalars(select(model.id).where(model.timetable_id == timetable.id).order_by(model.id))
        numbers[kind] = {row_id: index for index, row_id in enumerate(ids, start=1)}
    return numbers


def file_value(param: str, stored: str | None, numbers: Numbers) -> str | None:
    """A stored rule value as the document writes it: the parameter's encoding, references renumbered."""
    parameter = get_parameter(param)
    if parameter.ref is None:
        return stored
    return parameter.encode(map_refs(parameter.decode(stored), numbers[parameter.ref]))


def file_rules(param: str, rules: list, numbers: Numbers) -> list:
    """[[start, end, value], …] (weeks as numbers, values stored) → the document's [[“2026-W40”, null, value], …]."""
    return [[week_text(start), week_text(end), file_value(param, value, numbers)] for start, end, value in rules]


def _stripes(model, owner_column, timetable: Timetable, numbers: Numbers, kind: str) -> dict[int, dict[str, list]]:
    found: dict[int, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    rows = db.session.execute(
        select(owner_column, model.param, model.start_week, model.end_week, model.value)
        .where(model.timetable_id == timetable.id)
    )
    ordered = sorted(rows, key=lambda r: (r[0], r[1], r[2] is not None, r[2] or 0))
    for owner_id, param, start, end, value in ordered:
        found[numbers[kind][owner_id]][param].extend(file_rules(param, [(start, end, value)], numbers))
    return {owner: {param: found[owner][param] for param in sorted(found[owner])} for owner in found}


def _grids(grids) -> list:
    return [{"from_week": week_text(g.from_week),
             "periods": [{"weekday": p.weekday, "name": p.name, "start": clock_text(p.start), "end": clock_text(p.end)}
                         for p in g.periods]} for g in grids]


def _settings(timetable: Timetable) -> dict[str, Any]:
    return {"slug": timetable.slug, "name": timetable.name, "time_zone": timetable.time_zone, "published": timetable.published,
            "weekdays": timetable.weekdays, "day_start": clock_text(timetable.day_start), "day_end": clock_text(timetable.day_end)}


def _calendar(timetable: Timetable) -> dict[str, Any]:
    spec = calendar_spec(timetable)
    return {
        "terms": [{"name": t.name, "start_week": week_text(t.start_week), "end_week": week_text(t.end_week)} for t in spec.terms],
        "holidays": [{"name": h.name, "start": h.start.isoformat(), "end": h.end.isoformat()} for h in spec.holidays],
        "cycle": {"length": spec.cycle.length, "start_week": week_text(spec.cycle.start_week),
                  "overrides": {format_week(week): label for week, label in sorted(spec.cycle.overrides.items())}},
    }


def _resources(timetable: Timetable, numbers: Numbers) -> dict[str, list]:
    def rows(model):
        return db.session.scalars(select(model).where(model.timetable_id == timetable.id).order_by(model.id))

    def common(kind, row) -> dict[str, Any]:
        return {"id": numbers[kind][row.id], "name": row.name, "retired_from_week": week_text(row.retired_from_week)}

    staff = [{**common("staff", s), "short_name": s.short_name, "email": s.email,
              "courses": sorted(numbers["course"][c.id] for c in s.courses)} for s in rows(Staff)]
    rooms = [{**common("room", r), "capacity": r.capacity, "features": r.features or []} for r in rows(Room)]
    groups = [{**common("group", g), "size": g.size} for g in rows(Group)]
    course_stripes = _stripes(CourseRule, CourseRule.course_id, timetable, numbers, COURSE)
    courses = [{**common("course", c), "stripes": course_stripes.get(numbers["course"][c.id], {})} for c in rows(Course)]
    return {"staff": staff, "rooms": rooms, "groups": groups, "courses": courses}


def _history(timetable: Timetable, numbers: Numbers) -> list[dict[str, Any]]:
    change_sets = list(db.session.scalars(
        select(ChangeSet).where(ChangeSet.timetable_id == timetable.id).options(selectinload(ChangeSet.stripes)).order_by(ChangeSet.id)
    ))
    change_numbers = {change.id: index for index, change in enumerate(change_sets, start=1)}
    usernames: dict[int | None, str] = {user_id: name for user_id, name in db.session.execute(select(User.id, User.username))}
    bells = {b.change_set_id: b for b in db.session.scalars(
        select(BellChange).where(BellChange.change_set_id.in_(change_numbers)))}
    history = []
    for change in change_sets:
        kept = bells.get(change.id)
        history.append({
            "id": change_numbers[change.id],
            "created_at": change.created_at.isoformat().replace("+00:00", "Z"),
            "user": usernames.get(change.user_id),
            "kind": change.kind,
            "summary": change.summary,
            "undoes": change_numbers.get(change.undoes_id) if change.undoes_id else None,
            "stripes": [{"owner": s.owner_kind, "id": numbers[s.owner_kind][s.owner_id], "param": s.param,
                         "before": file_rules(s.param, s.before, numbers), "after": file_rules(s.param, s.after, numbers)}
                        for s in change.stripes],
            "bells": None if kept is None else {"before": _grids(decode_grids(kept.before)), "after": _grids(decode_grids(kept.after))},
        })
    return history


def export_document(timetable: Timetable) -> dict[str, Any]:
    """The whole timetable as a `timetable/1` document (a dict ready for json.dumps)."""
    numbers = _numbers(timetable)
    slot_stripes = _stripes(SlotRule, SlotRule.slot_id, timetable, numbers, SLOT)
    return {
        "format": FORMAT,
        "exported_at": clock.now().isoformat().replace("+00:00", "Z"),
        "timetable": _settings(timetable),
        "calendar": _calendar(timetable),
        "bells": _grids(load_grids(timetable.id)),
        "resources": _resources(timetable, numbers),
        "slots": [{"id": number, "stripes": slot_stripes.get(number, {})} for number in numbers[SLOT].values()],
        "history": _history(timetable, numbers),
    }
