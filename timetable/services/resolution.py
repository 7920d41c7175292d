"""Resolve a week of a timetable: every slot's occurrence with each parameter's value."""

from __future__ import annotations

import datetime
from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any

from sqlalchemy import literal, select, union_all

from ..extensions import db
from ..models import Course, Group, Room, Staff, Timetable
from ..rules import PARAMETERS, Rule, monday_of, ref_ids, resolve_parameters
from ..rules.calendar import Holiday, runs_in
from ..rules.compare import UNCOVERED, value_from
from .calendar import load_calendar
from .stripes import COURSE, SLOT, covering_values, covering_values_by_week

STATUS_CLOSED = "closed"


@dataclass(frozen=True)
class Occurrence:
    """A slot in one week with every parameter resolved (slot rule, else course rule, else default)."""

    slot_id: int
    week: int
    values: Mapping[str, Any]
    # Where each value came from: "slot", "course" or "default".
    sources: Mapping[str, str]
    # Why the calendar says it does not take place ("Holiday: Easter", "Week B only"), or None.
    off: str | None = None

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
    def staff_ids(self) -> tuple[int, ...]:
        """The teachers it is planned with (several for team teaching)."""
        return ref_ids(self.values.get("staff"))

    @property
    def group_ids(self) -> tuple[int, ...]:
        """The groups it is for (several for a joint class)."""
        return ref_ids(self.values.get("group"))

    @property
    def present_staff(self) -> tuple[int, ...]:
        """The teachers actually there: the substitute, who stands in for them all, when there is one."""
        substitute = self.values.get("substitute")
        return (substitute,) if substitute else self.staff_ids

    def title(self, directory: Directory) -> str:
        """What people call it: its own title, else its course's name, else "Slot 12"."""
        return self.values["title"] or directory.name("course", self.values["course"]) or f"Slot {self.slot_id}"


# Which kind of resource each reference parameter names ("substitute" names staff).
REFERENCE_KINDS = {name: parameter.ref for name, parameter in PARAMETERS.items() if parameter.ref}


@dataclass(frozen=True)
class Directory:
    """Names of what parameters point at, for display: one query per resource kind."""

    staff: Mapping[int, str] = field(default_factory=dict)
    room: Mapping[int, str] = field(default_factory=dict)
    group: Mapping[int, str] = field(default_factory=dict)
    course: Mapping[int, str] = field(default_factory=dict)
    # (kind, id) -> the week a resource is retired from; its name still shows before and after.
    retired: Mapping[tuple[str, int], int] = field(default_factory=dict)

    def name(self, kind: str, resource_id: int | tuple[int, ...] | None) -> str:
        """A resource's name; a set of them ("A. Moreau, C. Ito") for a set of ids; "" for None."""
        names = getattr(self, kind)
        if type(resource_id) is int:  # one id, the usual case: a week view asks this thousands of times
            return names.get(resource_id, f"#{resource_id}")
        return ", ".join(names.get(member, f"#{member}") for member in ref_ids(resource_id))

    def retired_from(self, kind: str, resource_id: int) -> int | None:
        return self.retired.get((kind, resource_id))


def load_directory(timetable_id: int, only: Mapping[str, Collection[int]] | None = None) -> Directory:
    """Every resource's name (by kind, in name order) and the week it is retired from, in one query,
    or `only` the ids given per kind (those a one-line summary names): the rows of one UNION ALL,
    each tagged with its kind (every week page reads this; on a server database each query is a
    round trip)."""
    kinds = (("staff", Staff), ("room", Room), ("group", Group), ("course", Course))
    parts = []
    for order, (kind, model) in enumerate(kinds):
        part = select(literal(order).label("kind"), model.id, model.name, model.retired_from_week).where(model.timetable_id == timetable_id)
        if only is not None:
            if not only.get(kind):
                continue
            part = part.where(model.id.in_(sorted(only[kind])))
        parts.append(part)
    found: list[dict[int, str]] = [{} for _ in kinds]
    retired: dict[tuple[str, int], int] = {}
    if parts:
        union = union_all(*parts)
        columns = union.selected_columns
        for order, resource_id, name, retired_from in db.session.execute(union.order_by(columns.kind, columns.name)).all():
            found[order][resource_id] = name
            if retired_from is not None:
                retired[(kinds[order][0], resource_id)] = retired_from
    staff, room, group, course = found
    return Directory(staff=staff, room=room, group=group, course=course, retired=retired)


# A stripe seen as it would be after a plan: ("slot" | "course", owner id, parameter) -> rules.
Overrides = Mapping[tuple[str, int, str], list[Rule]]


def _overridden(
    values_by_owner: Mapping[int, Mapping[str, Any]], kind: str, overrides: Overrides, week: int,
) -> Mapping[int, Mapping[str, Any]]:
    """The owners' covering values with the overriding stripes' values in `week` in place (copied, if any)."""
    mine = [(owner_id, param, stripe) for (owner_kind, owner_id, param), stripe in overrides.items() if owner_kind == kind]
    if not mine:
        return values_by_owner
    found = {owner_id: dict(values) for owner_id, values in values_by_owner.items()}
    for owner_id, param, stripe in mine:
        value = value_from(stripe, week)
        if value is UNCOVERED:
            found.get(owner_id, {}).pop(param, None)
        else:
            found.setdefault(owner_id, {})[param] = value
    return found


def resolve_week(
    timetable: Timetable, week: int, *, include_closed: bool = False, overrides: Overrides | None = None
) -> list[Occurrence]:
    """Return the week's occurrences ordered by day and time, in a few queries whatever the slot count.

    A slot occurs in a week when its weekday and start are set there; closed slots are left
    out unless asked for. The calendar is applied here, so every view agrees: an occurrence
    on a holiday, or outside its `cycle_weeks` in this week of the cycle, does not take place.
    It is left out, or with `include_closed` kept and marked (`off` says why). `overrides`
    replaces some stripes by what a plan would make of them, so a preview can show the week
    after the plan without writing anything.
    """
    return occurrences_of(read_week(timetable, week), include_closed=include_closed, overrides=overrides)


@dataclass(frozen=True)
class WeekRules:
    """What resolving a week reads from the database: every covering value, and the calendar of the week."""

    week: int
    slot_values: Mapping[int, Mapping[str, Any]]
    course_values: Mapping[int, Mapping[str, Any]]
    label: str | None
    holidays: Mapping[int, Holiday]


def read_week(timetable: Timetable, week: int) -> WeekRules:
    calendar = load_calendar(timetable)
    return WeekRules(week, covering_values(SLOT, timetable.id, week), covering_values(COURSE, timetable.id, week),
                     calendar.label(week), calendar.holidays_of_week(week))


def read_weeks(timetable: Timetable, weeks: Sequence[int]) -> Iterator[WeekRules]:
    """`read_week` for each of `weeks` (ascending), in two statements for them all (a feed's year of weeks)."""
    calendar = load_calendar(timetable)
    slot_values = covering_values_by_week(SLOT, timetable.id, weeks)
    course_values = covering_values_by_week(COURSE, timetable.id, weeks)
    for week in weeks:
        yield WeekRules(week, slot_values[week], course_values[week], calendar.label(week), calendar.holidays_of_week(week))


def occurrences_of(rules: WeekRules, *, include_closed: bool = False, overrides: Overrides | None = None) -> list[Occurrence]:
    """The week's occurrences from what was read, with a plan's stripes in place of some (no database)."""
    week, label, holidays = rules.week, rules.label, rules.holidays
    slot_rules: Mapping[int, Mapping[str, Any]] = rules.slot_values
    course_rules: Mapping[int, Mapping[str, Any]] = rules.course_values
    if overrides:
        # Copies, so that what was read stays as read (a preview resolves a week before and after the plan).
        slot_rules = _overridden(slot_rules, SLOT, overrides, week)
        course_rules = _overridden(course_rules, COURSE, overrides, week)

    occurrences = []
    for slot_id, own in slot_rules.items():
        course = own.get("course")
        values, sources = resolve_parameters(own, course_rules.get(course, {}) if course is not None else {})
        if values["weekday"] is None or values["start"] is None:
            continue
        if values["status"] == STATUS_CLOSED and not include_closed:
            continue
        occurrence = _with_calendar(Occurrence(slot_id, week, values, sources), holidays, label)
        if occurrence.off and not include_closed:
            continue
        occurrences.append(occurrence)
    return in_week_order(occurrences)


def in_week_order(occurrences: list[Occurrence]) -> list[Occurrence]:
    """By day, then time, then slot: the order every view lists a week in."""
    return sorted(occurrences, key=lambda o: (o.weekday, o.start, o.end, o.slot_id))


def _with_calendar(occurrence: Occurrence, holidays: Mapping[int, Holiday], label: str | None) -> Occurrence:
    """The occurrence marked `off` when a holiday (by weekday of its week) or the week cycle cancels it."""
    holiday = holidays.get(occurrence.weekday)
    if holiday is not None:
        return replace(occurrence, off=f"Holiday: {holiday.name}")
    cycle_weeks = occurrence.values.get("cycle_weeks", "")
    if not runs_in(cycle_weeks, label):
        return replace(occurrence, off=f"{PARAMETERS['cycle_weeks'].display(cycle_weeks)} only (this is week {label})")
    return occurrence


@dataclass(frozen=True)
class WeekFilter:
    """Which occurrences a viewer asked for; empty fields match everything."""

    staff: int | None = None
    room: int | None = None
    group: int | None = None

    def matches(self, occurrence: Occurrence) -> bool:
        values = occurrence.values
        if self.staff is not None and self.staff not in (*occurrence.staff_ids, values["substitute"]):
            return False
        if self.room is not None and values["room"] != self.room:
            return False
        return self.group is None or self.group in occurrence.group_ids

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.staff, self.room, self.group))


def resolve_slot(timetable: Timetable, slot_id: int, week: int) -> Occurrence | None:
    """One slot in one week (closed and calendar-cancelled ones included, marked): what booking needs."""
    own = covering_values(SLOT, timetable.id, week, [slot_id]).get(slot_id, {})
    if not own:
        return None
    inherited: dict[str, Any] = {}
    if own.get("course") is not None:
        inherited = covering_values(COURSE, timetable.id, week, [own["course"]]).get(own["course"], {})
    values, sources = resolve_parameters(own, inherited)
    if values["weekday"] is None or values["start"] is None:
        return None
    calendar = load_calendar(timetable)
    return _with_calendar(Occurrence(slot_id, week, values, sources), calendar.holidays_of_week(week), calendar.label(week))
