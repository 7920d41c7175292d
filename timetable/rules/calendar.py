"""A timetable's calendar as pure values: holidays (ranges of dates) and the week cycle (A/B…).

Holidays are an overlay: on a holiday date no occurrence takes place, whatever its stripes say.
A week whose shown weekdays are all holidays is a *holiday week*: it gets no cycle label and
does not advance the cycle. Every other week is labelled by counting non-holiday weeks from the
cycle's start week (labelled "A"), forwards and backwards, modulo the cycle length. An override
gives one week another label and changes no other week.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from types import MappingProxyType

from .errors import RulesError
from .weeks import monday_of, validate_week, week_of, weeks_between

CYCLE_LABELS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
MAX_CYCLE = len(CYCLE_LABELS)
# A holiday longer than a year is a closure: paint the slots' status instead.
MAX_HOLIDAY_DAYS = 366


@dataclass(frozen=True)
class Holiday:
    """A named range of dates, both included: a bank-holiday Monday, two weeks at Easter."""

    name: str
    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise RulesError(f"holiday {self.name!r}: its end {self.end} is before its start {self.start}")
        if (self.end - self.start).days >= MAX_HOLIDAY_DAYS:
            raise RulesError(f"holiday {self.name!r}: a holiday lasts at most {MAX_HOLIDAY_DAYS} days")

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def weeks(self) -> list[int]:
        """Every ISO week that has at least one day of the holiday."""
        first, last = week_of(self.start), week_of(self.end)
        count = weeks_between(first, last) + 1
        monday = monday_of(first)
        return [week_of(monday + timedelta(weeks=n)) for n in range(count)]


@dataclass(frozen=True)
class Cycle:
    """A cycle of `length` weeks (1 = no cycle) whose `start_week` is labelled "A"."""

    length: int = 1
    start_week: int | None = None
    overrides: Mapping[int, str] = field(default_factory=lambda: MappingProxyType({}))

    def __post_init__(self) -> None:
        if isinstance(self.length, bool) or not isinstance(self.length, int) or not 1 <= self.length <= MAX_CYCLE:
            raise RulesError(f"a cycle has from 1 to {MAX_CYCLE} weeks, not {self.length!r}")
        if self.length > 1 and self.start_week is None:
            raise RulesError("a cycle of several weeks needs a start week")
        if self.start_week is not None:
            validate_week(self.start_week)
        for week, label in self.overrides.items():
            validate_week(week)
            if label not in self.labels:
                raise RulesError(f"week label {label!r} is not one of {', '.join(self.labels)}")

    @property
    def labels(self) -> str:
        """The cycle's labels in order: "AB" for a two-week cycle, "" when there is none."""
        return CYCLE_LABELS[: self.length] if self.length > 1 else ""


@dataclass(frozen=True)
class Calendar:
    """What a week resolution needs to know about the timetable's calendar."""

    holidays: tuple[Holiday, ...] = ()
    cycle: Cycle = Cycle()
    weekdays: tuple[int, ...] = (1, 2, 3, 4, 5)

    def holiday_on(self, day: date) -> Holiday | None:
        """The first holiday (in start order) covering `day`, or None."""
        return next((h for h in sorted(self.holidays, key=lambda h: (h.start, h.name)) if h.covers(day)), None)

    def holidays_of_week(self, week: int) -> dict[int, Holiday]:
        """Each ISO weekday of `week` (shown or not) that is a holiday, with its holiday."""
        monday = monday_of(week)
        found = {}
        for weekday in range(1, 8):
            holiday = self.holiday_on(monday + timedelta(days=weekday - 1))
            if holiday is not None:
                found[weekday] = holiday
        return found

    def is_holiday_week(self, week: int) -> bool:
        """True when every shown weekday of `week` is a holiday."""
        return is_holiday_week(self.holidays, self.weekdays, week)

    def label(self, week: int) -> str | None:
        return week_label(self.cycle, self.holidays, self.weekdays, week)


def is_holiday_week(holidays: Iterable[Holiday], weekdays: Sequence[int], week: int) -> bool:
    """True when every weekday of `weekdays` in `week` falls on a holiday (never with no weekdays)."""
    monday = monday_of(week)
    days = [monday + timedelta(days=weekday - 1) for weekday in weekdays]
    listed = list(holidays)
    return bool(days) and all(any(h.covers(day) for h in listed) for day in days)


def _holiday_weeks(holidays: Sequence[Holiday], weekdays: Sequence[int]) -> set[int]:
    candidates = {week for holiday in holidays for week in holiday.weeks}
    return {week for week in candidates if is_holiday_week(holidays, weekdays, week)}


def week_label(cycle: Cycle, holidays: Sequence[Holiday], weekdays: Sequence[int], week: int) -> str | None:
    """The label of `week` ("A", "B", …), or None without a cycle or in a holiday week.

    An override wins, even in a holiday week. Otherwise the label is the count of non-holiday
    weeks from the start week to `week`, modulo the length: weeks before the start count
    backwards, so the cycle runs the same way on both sides.
    """
    validate_week(week)
    if cycle.length == 1 or cycle.start_week is None:
        return None
    if week in cycle.overrides:
        return cycle.overrides[week]
    skipped = _holiday_weeks(holidays, weekdays)
    if week in skipped:
        return None
    start = cycle.start_week
    low, high = min(start, week), max(start, week)
    # Holiday weeks in [low, high): they do not advance the cycle.
    between = sum(1 for w in skipped if low <= w < high)
    distance = weeks_between(low, high) - between
    steps = distance if week >= start else -distance
    return CYCLE_LABELS[steps % cycle.length]


def parse_labels(text: str, allowed: str = CYCLE_LABELS) -> str:
    """Read a set of week labels ("a, b", "A B", "AB") into canonical text: sorted, unique, "A,B".

    Empty text means every week and reads as "".
    """
    letters = [c for c in text.upper() if not c.isspace() and c != ","]
    unknown = [c for c in letters if c not in allowed]
    if unknown:
        raise RulesError(f"{unknown[0]!r} is not a week label (labels are letters {allowed[0]} to {allowed[-1]})")
    return ",".join(sorted(set(letters)))


def runs_in(cycle_weeks: str, label: str | None) -> bool:
    """Whether a slot whose `cycle_weeks` is this canonical text takes place in a week labelled `label`.

    Every week ("") runs always; a week without a label (no cycle, a holiday week) runs every slot.
    """
    return not cycle_weeks or label is None or label in cycle_weeks.split(",")
