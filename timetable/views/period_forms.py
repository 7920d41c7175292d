"""The bell-grid form: one text box per weekday, a period per line ("3 10:00-10:45"), "same as Monday"."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from ..rules import RulesError, format_week, parse_week
from ..rules.periods import WEEKDAY_NAMES, BellGrid, InvalidPeriods, Period, clock, validate_periods

_LINE = re.compile(r"(?P<name>.+?)\s+(?P<start>\d{1,2}[:h.]\d{2})\s*(?:-|–|to)\s*(?P<end>\d{1,2}[:h.]\d{2})", re.ASCII | re.IGNORECASE)
_CLOCK = re.compile(r"(\d{1,2})[:h.](\d{2})", re.ASCII)
MONDAY = 1
MAX_FIELD_LENGTH = 4000


def day_field(weekday: int) -> str:
    return f"periods-{weekday}"


def same_field(weekday: int) -> str:
    return f"same-{weekday}"


def grid_text(grid: BellGrid | None, weekday: int) -> str:
    if grid is None:
        return ""
    return "\n".join(f"{p.name} {clock(p.start)}-{clock(p.end)}" for p in grid.on(weekday))


def _minutes(text: str) -> int | None:
    match = _CLOCK.fullmatch(text)
    if not match or int(match[2]) >= 60:
        return None
    return int(match[1]) * 60 + int(match[2])


@dataclass
class GridForm:
    """What the form sent: the grid's first week and each weekday's text, and what is wrong with them."""

    weekdays: Sequence[int]
    from_week: int | None = None
    week_text: str = ""
    texts: dict[int, str] = field(default_factory=dict)
    same: set[int] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)
    grid: BellGrid | None = None
    # Remove the grid from `from_week` instead (its weeks fall back to the grid before it).
    remove: bool = False

    @property
    def valid(self) -> bool:
        return not self.errors and (self.grid is not None or self.remove)

    def hidden_fields(self) -> list[tuple[str, str]]:
        fields = [("from_week", self.week_text)]
        if self.remove:
            return [*fields, ("remove", "1")]
        fields += [(day_field(day), self.texts.get(day, "")) for day in self.weekdays]
        fields += [(same_field(day), "1") for day in sorted(self.same)]
        return fields


def read_grid_form(data: Mapping[str, str], weekdays: Sequence[int]) -> GridForm:
    """Read and check the form; on success `grid` holds the checked bell grid."""
    form = GridForm(weekdays=weekdays, week_text=data.get("from_week", "").strip())
    try:
        form.from_week = parse_week(form.week_text)
    except RulesError as error:
        form.errors["from_week"] = f"First week: {error}."
    if data.get("remove"):
        form.remove = True
        return form
    for day in weekdays:
        form.texts[day] = data.get(day_field(day), "")[:MAX_FIELD_LENGTH]
        if day != MONDAY and data.get(same_field(day)):
            form.same.add(day)
    periods: list[Period] = []
    origin: list[tuple[int, int]] = []  # (weekday, line number) of each period, for messages
    for day in weekdays:
        source = MONDAY if day in form.same else day
        for number, line in enumerate(form.texts.get(source, "").splitlines(), start=1):
            line = line.strip()
            if not line:
                continue
            match = _LINE.fullmatch(line)
            start = _minutes(match["start"].replace(".", ":")) if match else None
            end = _minutes(match["end"].replace(".", ":")) if match else None
            if match is None or start is None or end is None:
                form.errors.setdefault(day_field(source), f"{WEEKDAY_NAMES[source - 1]}, line {number}: “{line}” is not "
                                                          "a period like “3 10:00-10:45” (name, start, end).")
                continue
            periods.append(Period(day, start, end, match["name"].strip()))
            origin.append((source, number))
    if form.errors:
        return form
    try:
        validate_periods(periods)
    except InvalidPeriods as error:
        source, number = origin[error.index] if error.index is not None else (MONDAY, 0)
        form.errors[day_field(source)] = f"Line {number}: {error}"
        return form
    assert form.from_week is not None
    form.grid = BellGrid(form.from_week, tuple(periods))
    return form


def prefilled(grid: BellGrid | None, from_week: int, weekdays: Sequence[int]) -> GridForm:
    """A form showing `grid`'s periods (the one to edit, or the one to copy from)."""
    return GridForm(weekdays=weekdays, from_week=from_week, week_text=format_week(from_week),
                    texts={day: grid_text(grid, day) for day in weekdays})
