"""Resolve a week of a timetable: every slot's occurrence with each parameter's value."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
import datetime
from datetime import timedelta
from typing import Any, Mapping

from sqlalchemy import or_, select, union_all

from ..extensions import db
from ..models import Course, CourseRule, Group, Room, SlotRule, Staff, Timetable
from ..rules import PARAMETERS, Rule, monday_of
from ..rules.compare import UNCOVERED, value_from

STATUS_CLOSED = "closed"


@dataclass(frozen=True)
class Occurrence:
    """A slot in one week with every parameter resolved (slot rule, else course rule, else default)."""

    slot_id: int
    week: int
    values: Mapping[str, Any]
    # Where each value came from: "slot", "course" or "default".
    sources: Mapping[str, str]

    @property
    def weekday(self) -> int:
        return self.values["weekday"]

    @property
    def start(self) -> int:
        return self.values["start"]

    @property
    def duration(self) -> int:
        return self.values["duration"]

    @property
    def end(self) -> int:
        return self.start + self.duration

    @property
    def date(self) -> datetime.date:
        return monday_of(self.week) + timedelta(days=self.weekday - 1)

    @property
    def status(self) -> str:
        return self.values["status"]

    @property
    def present_staff(self) -> int | None:
        """The teacher actually there: the substitute when there is one."""
        return self.values.get("substitute") or self.values.get("staff")


@dataclass(frozen=True)
class Directory:
    """Names of what parameters point at, for display: one query per resource kind."""

    staff: Mapping[int, str] = field(default_factory=dict)
    room: Mapping[int, str] = field(default_factory=dict)
    group: Mapping[int, str] = field(default_factory=dict)
    course: Mapping[int, str] = field(default_factory=dict)

    def name(self, kind: str, resource_id: int | None) -> str:
        if resource_id is None:
            return ""
        return getattr(self, kind).get(resource_id, f"#{resource_id}")


def load_directory(timetable_id: int) -> Directory:
    def names(model) -> dict[int, str]:
        rows = db.session.execute(
            select(model.id, model.name).where(model.timetable_id == timetable_id).order_by(model.name)
        )
        return dict(rows.all())

    return Directory(staff=names(Staff), room=names(Room), group=names(Group), course=names(Course))


def _covering(model, timetable_id: int, week: int):
    """Rules of a timetable covering `week`, as one statement.

    Two halves joined by UNION ALL — rules ending in or after the week, rules that never
    end — so that each half is a range scan of the index (timetable_id, end_week,
    start_week) on any engine, with or without planner statistics: past history, however
    long, is not read. (An OR of the two conditions makes SQLite scan every rule of the
    timetable until ANALYZE has run.)
    """
    starts_by_then = or_(model.start_week <= week, model.start_week.is_(None))
    ending_later = select(model).where(model.timetable_id == timetable_id, model.end_week >= week, starts_by_then)
    never_ending = select(model).where(model.timetable_id == timetable_id, model.end_week.is_(None), starts_by_then)
    return select(model).from_statement(union_all(ending_later, never_ending))


def _decoded(rows, owner_field: str) -> dict[int, dict[str, Any]]:
    by_owner: dict[int, dict[str, Any]] = defaultdict(dict)
    for row in rows:
        by_owner[getattr(row, owner_field)][row.param] = PARAMETERS[row.param].decode(row.value)
    return by_owner


def resolve_values(
    slot_values: Mapping[str, Any], course_values: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, str]]:
    """Combine one slot's and its course's rules for a week over the parameters' defaults."""
    values: dict[str, Any] = {}
    sources: dict[str, str] = {}
    for name, parameter in PARAMETERS.items():
        if name in slot_values:
            values[name], sources[name] = slot_values[name], "slot"
        elif name in course_values:
            values[name], sources[name] = course_values[name], "course"
        else:
            values[name], sources[name] = parameter.default, "default"
    return values, sources


# A stripe seen as it would be after a plan: ("slot" | "course", owner id, parameter) -> rules.
Overrides = Mapping[tuple[str, int, str], list[Rule]]


def _override(values_by_owner: dict[int, dict[str, Any]], kind: str, overrides: Overrides, week: int) -> None:
    for (owner_kind, owner_id, param), stripe in overrides.items():
        if owner_kind != kind:
            continue
        value = value_from(stripe, week)
        if value is UNCOVERED:
            values_by_owner.get(owner_id, {}).pop(param, None)
        else:
            values_by_owner.setdefault(owner_id, {})[param] = value


def resolve_week(
    timetable: Timetable, week: int, *, include_closed: bool = False, overrides: Overrides | None = None
) -> list[Occurrence]:
    """Return the week's occurrences ordered by day and time, in two queries whatever the slot count.

    A slot occurs in a week when its weekday and start are set there; closed slots are left
    out unless asked for. `overrides` replaces some stripes by what a plan would make of
    them, so a preview can show the week after the plan without writing anything.
    """
    slot_rules = _decoded(db.session.scalars(_covering(SlotRule, timetable.id, week)), "slot_id")
    course_rules = _decoded(db.session.scalars(_covering(CourseRule, timetable.id, week)), "course_id")
    if overrides:
        _override(slot_rules, "slot", overrides, week)
        _override(course_rules, "course", overrides, week)

    occurrences = []
    for slot_id, own in slot_rules.items():
        values, sources = resolve_values(own, course_rules.get(own.get("course"), {}))
        if values["weekday"] is None or values["start"] is None:
            continue
        if values["status"] == STATUS_CLOSED and not include_closed:
            continue
        occurrences.append(Occurrence(slot_id, week, values, sources))
    occurrences.sort(key=lambda o: (o.weekday, o.start, o.end, o.slot_id))
    return occurrences


@dataclass(frozen=True)
class WeekFilter:
    """Which occurrences a viewer asked for; empty fields match everything."""

    staff: int | None = None
    room: int | None = None
    group: int | None = None

    def matches(self, occurrence: Occurrence) -> bool:
        values = occurrence.values
        if self.staff is not None and self.staff not in (values["staff"], values["substitute"]):
            return False
        if self.room is not None and values["room"] != self.room:
            return False
        if self.group is not None and values["group"] != self.group:
            return False
        return True

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.staff, self.room, self.group))


def resolve_slot(timetable: Timetable, slot_id: int, week: int) -> Occurrence | None:
    """One slot in one week (closed ones included), in two small queries: what booking needs."""
    own_rows = db.session.scalars(select(SlotRule).where(
        SlotRule.slot_id == slot_id, SlotRule.timetable_id == timetable.id,
        or_(SlotRule.end_week >= week, SlotRule.end_week.is_(None)),
        or_(SlotRule.start_week <= week, SlotRule.start_week.is_(None))))
    own = _decoded(own_rows, "slot_id").get(slot_id, {})
    if not own:
        return None
    inherited: dict[str, Any] = {}
    if own.get("course") is not None:
        course_rows = db.session.scalars(select(CourseRule).where(
            CourseRule.course_id == own["course"],
            or_(CourseRule.end_week >= week, CourseRule.end_week.is_(None)),
            or_(CourseRule.start_week <= week, CourseRule.start_week.is_(None))))
        inherited = _decoded(course_rows, "course_id").get(own["course"], {})
    values, sources = resolve_values(own, inherited)
    if values["weekday"] is None or values["start"] is None:
        return None
    return Occurrence(slot_id, week, values, sources)
