"""A timetable's school calendar: terms, holidays and the week cycle, read and replaced whole.

The calendar is an overlay on the stripes: changing it writes no rule row, so no slot's history
changes. Week resolution reads it through `load_calendar` (services.resolution).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType

from sqlalchemy import Date, Integer, String, cast, delete, literal, null, select, union_all

from ..database import write_transaction
from ..extensions import db
from ..models import Holiday, Term, Timetable, WeekCycle, WeekLabelOverride
from ..rules import RulesError
from ..rules import calendar as rules
from .errors import InvalidField, ServiceError
from .live import announce


@dataclass(frozen=True)
class TermSpec:
    name: str
    start_week: int
    end_week: int


@dataclass(frozen=True)
class CalendarSpec:
    """A whole calendar as read from a request or shown on the page."""

    terms: Sequence[TermSpec] = ()
    holidays: Sequence[rules.Holiday] = ()
    cycle: rules.Cycle = field(default_factory=rules.Cycle)


def load_calendar(timetable: Timetable) -> rules.Calendar:
    """The holidays and cycle of `timetable` as the pure core's Calendar, in one query.

    Week resolution reads this on every call, so holidays, the cycle and its overrides come
    back as the rows of one UNION ALL: ("holiday", name, start, end), ("cycle", length,
    start week), ("override", label, week).
    """
    no_date, no_text, no_number = cast(null(), Date), cast(null(), String), cast(null(), Integer)
    holidays_q = select(literal("holiday"), Holiday.name, Holiday.start_date, Holiday.end_date, no_number, no_number).where(
        Holiday.timetable_id == timetable.id)
    cycle_q = select(literal("cycle"), no_text, no_date, no_date, WeekCycle.length, WeekCycle.start_week).where(
        WeekCycle.timetable_id == timetable.id)
    overrides_q = select(literal("override"), WeekLabelOverride.label, no_date, no_date, WeekLabelOverride.week, no_number).where(
        WeekLabelOverride.timetable_id == timetable.id)
    holidays, overrides = [], {}
    length, start_week = 1, None
    for kind, text, start, end, number, other in db.session.execute(union_all(holidays_q, cycle_q, overrides_q)):
        if kind == "holiday":
            holidays.append(rules.Holiday(text, start, end))
        elif kind == "cycle":
            length, start_week = number, other
        else:
            overrides[number] = text
    holidays.sort(key=lambda h: (h.start, h.end, h.name))
    cycle = rules.Cycle(length, start_week, MappingProxyType(overrides)) if length > 1 else rules.Cycle()
    return rules.Calendar(tuple(holidays), cycle, tuple(timetable.weekdays))


def calendar_spec(timetable: Timetable) -> CalendarSpec:
    """Everything the calendar page and `GET …/calendar` show."""
    terms = [TermSpec(t.name, t.start_week, t.end_week) for t in timetable.terms]
    loaded = load_calendar(timetable)
    row = db.session.get(WeekCycle, timetable.id)
    # A one-week cycle keeps its start week, so the page shows what was saved.
    cycle = loaded.cycle if loaded.cycle.length > 1 else rules.Cycle(1, row.start_week if row else None)
    return CalendarSpec(terms, loaded.holidays, cycle)


def check_calendar(spec: CalendarSpec) -> None:
    """Refuse what the schema cannot see alone: the same term name twice."""
    seen: set[str] = set()
    for term in spec.terms:
        key = term.name.strip().casefold()
        if key in seen:
            raise ServiceError(f"terms: two terms are called “{term.name}”; give each term its own name.")
        seen.add(key)
        if term.end_week < term.start_week:
            raise ServiceError(f"terms: the term “{term.name}” ends before it starts.")


def replace_calendar(timetable: Timetable, spec: CalendarSpec) -> None:
    """Replace the timetable's terms, holidays and cycle in one transaction; no stripe changes."""
    check_calendar(spec)
    try:
        # Rebuilt so that the pure core checks them whatever the caller built them from.
        holidays = [rules.Holiday(h.name, h.start, h.end) for h in spec.holidays]
        cycle = rules.Cycle(spec.cycle.length, spec.cycle.start_week, spec.cycle.overrides)
    except RulesError as error:
        raise ServiceError(str(error)) from None
    with write_transaction():
        db.session.execute(delete(Term).where(Term.timetable_id == timetable.id))
        db.session.execute(delete(Holiday).where(Holiday.timetable_id == timetable.id))
        db.session.execute(delete(WeekLabelOverride).where(WeekLabelOverride.timetable_id == timetable.id))
        db.session.execute(delete(WeekCycle).where(WeekCycle.timetable_id == timetable.id))
        db.session.add_all(Term(timetable_id=timetable.id, name=t.name, start_week=t.start_week, end_week=t.end_week)
                           for t in spec.terms)
        db.session.add_all(Holiday(timetable_id=timetable.id, name=h.name, start_date=h.start, end_date=h.end)
                           for h in holidays)
        if cycle.length > 1 or cycle.start_week is not None:
            db.session.add(WeekCycle(timetable_id=timetable.id, length=cycle.length, start_week=cycle.start_week))
        if cycle.length > 1:
            db.session.add_all(WeekLabelOverride(timetable_id=timetable.id, week=week, label=label)
                               for week, label in cycle.overrides.items())
        # Every open week view redraws: holidays and labels can change any week.
        announce(timetable.id, "change")
    db.session.expire(timetable, ["terms"])


@dataclass(frozen=True)
class WeekCalendar:
    """What a week view shows of the calendar: the cycle label and each holiday weekday's holiday."""

    label: str | None
    holidays: dict[int, str]  # ISO weekday -> holiday name

    @property
    def heading(self) -> str:
        return f"Week {self.label}" if self.label else ""


def week_calendar(timetable: Timetable, week: int) -> WeekCalendar:
    calendar = load_calendar(timetable)
    return shown_calendar(calendar.label(week), calendar.holidays_of_week(week))


def shown_calendar(label: str | None, holidays: Mapping[int, rules.Holiday]) -> WeekCalendar:
    """What a week view shows of a week's label and holidays already read (a resolved week's WeekRules hold them)."""
    return WeekCalendar(label, {day: h.name for day, h in holidays.items()})


def check_cycle_labels(timetable: Timetable, values: Iterable[str | None]) -> None:
    """Refuse cycle_weeks values naming a label the timetable's cycle does not have: the slot would never occur."""
    named = {label for value in values if value for label in value.split(",")}
    if not named:
        return
    labels = load_calendar(timetable).cycle.labels
    unknown = sorted(named - set(labels))
    if unknown:
        has = f"weeks {', '.join(labels)}" if labels else "no week cycle (set one on its calendar page)"
        raise InvalidField(f"cycle_weeks: this timetable has {has}, so week {', '.join(unknown)} never comes.", "cycle_weeks")
