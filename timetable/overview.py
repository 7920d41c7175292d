"""Lay a week out as the master overview: one row per class (or teacher, or room), one column per
day × period, each occurrence a card in the cell where it starts.

Days with bell times get their periods as columns. Days without get time bands: the distinct
lesson starts of the week (so the columns line up from day to day), or whole hours when there
are too many starts to read. An occurrence that starts outside every period gets a band of its
own at its start, so nothing is left out.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import date, timedelta

from .rules import ref_ids
from .rules.periods import Period
from .services.resolution import Occurrence

ROW_KINDS = ("group", "staff", "room")
# More distinct lesson starts than this in a week without bell times: whole-hour bands instead.
MAX_START_BANDS = 14


def group_ids(values) -> tuple[int, ...]:
    """The classes of an occurrence (several for a joint class)."""
    return ref_ids(values.get("group"))


def staff_ids(values) -> tuple[int, ...]:
    """The teachers of an occurrence (several for team teaching)."""
    return ref_ids(values.get("staff"))


def row_ids(kind: str, values) -> tuple[int, ...]:
    """The rows an occurrence shows in: its classes, its rooms, or its teachers and whoever stands in."""
    if kind == "group":
        return group_ids(values)
    if kind == "room":
        return (values["room"],) if values.get("room") else ()
    substitute = (values["substitute"],) if values.get("substitute") else ()
    return tuple(dict.fromkeys(staff_ids(values) + substitute))


@dataclass(frozen=True)
class Column:
    weekday: int
    start: int
    end: int
    label: str  # the period's name, or the band's start ("08:55")
    period: bool  # a bell-time period (else a time band)
    first: bool = False  # the day's first column (drawn with a heavier rule)


@dataclass(frozen=True)
class Day:
    weekday: int
    date: date
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Row:
    kind: str
    resource: int | None  # None: the occurrences that have no class (teacher, room)
    name: str
    cells: tuple[tuple[Occurrence, ...], ...]  # one per column of the overview, in column order

    @property
    def count(self) -> int:
        return sum(len(cell) for cell in self.cells)


@dataclass(frozen=True)
class Overview:
    kind: str
    days: tuple[Day, ...]
    rows: tuple[Row, ...]

    @property
    def columns(self) -> tuple[Column, ...]:
        return tuple(column for day in self.days for column in day.columns)


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


def _bands(starts: Iterable[int], day_start: int, day_end: int) -> list[int]:
    """Band starts for days without periods: the lesson starts, or whole hours if there are too many."""
    distinct = sorted(set(starts))
    if distinct and len(distinct) <= MAX_START_BANDS:
        return distinct
    first = min([day_start, *distinct]) // 60 * 60
    last = max([day_end, *(s + 1 for s in distinct)])
    return list(range(first, last, 60))


def _day_columns(weekday: int, periods: Sequence[Period], bands: Sequence[int], stray: Iterable[int]) -> tuple[Column, ...]:
    if not periods:
        ends = [*bands[1:], bands[-1] + 60] if bands else []
        return tuple(Column(weekday, start, end, _hhmm(start), False) for start, end in zip(bands, ends, strict=True))
    columns = [Column(weekday, p.start, p.end, p.name, True) for p in periods]
    columns += [Column(weekday, start, start, _hhmm(start), False) for start in sorted(set(stray))]
    return tuple(sorted(columns, key=lambda c: (c.start, not c.period)))


def _column_of(columns: Sequence[Column], start: int) -> int:
    """The index of the column an occurrence starting at `start` goes in (its day's columns, in order)."""
    for index, column in enumerate(columns):
        if column.period and column.start <= start < column.end:
            return index
    best = 0
    for index, column in enumerate(columns):
        if column.start <= start and (not column.period or column.start == start):
            best = index
    return best


def layout_overview(
    occurrences: Sequence[Occurrence], *, kind: str, monday: date, weekdays: Sequence[int], periods: Sequence[Period],
    names: dict[int, str], day_start: int, day_end: int, unnamed: str,
) -> Overview:
    """The overview of a week's occurrences with one row per resource of `kind` named in `names`."""
    shown = sorted(set(weekdays) | {o.weekday for o in occurrences})
    periods_by_day = {day: sorted((p for p in periods if p.weekday == day), key=lambda p: p.start) for day in shown}

    def in_period(occ: Occurrence) -> bool:
        return any(p.start <= occ.start < p.end for p in periods_by_day[occ.weekday])

    bands = _bands((o.start for o in occurrences if not periods_by_day[o.weekday]), day_start, day_end)
    days = []
    for weekday in shown:
        stray = (o.start for o in occurrences if o.weekday == weekday and not in_period(o))
        columns = _day_columns(weekday, periods_by_day[weekday], bands, stray)
        columns = tuple(replace(c, first=True) if i == 0 else c for i, c in enumerate(columns))
        days.append(Day(weekday, monday + timedelta(days=weekday - 1), columns))

    offsets, position = {}, 0
    for day in days:
        offsets[day.weekday] = position
        position += len(day.columns)
    by_day = {day.weekday: day.columns for day in days}

    cells: dict[int | None, list[list[Occurrence]]] = {rid: [[] for _ in range(position)] for rid in [*names, None]}
    index_of: dict[tuple[int, int], int] = {}  # (weekday, start) -> column: a week has few distinct starts
    for occ in sorted(occurrences, key=lambda o: (o.weekday, o.start, o.slot_id)):
        weekday, start = occ.weekday, occ.start
        index = index_of.get((weekday, start))
        if index is None:
            index = index_of[(weekday, start)] = offsets[weekday] + _column_of(by_day[weekday], start)
        for rid in row_ids(kind, occ.values) or (None,):
            row_cells = cells.get(rid)
            if row_cells is None:
                row_cells = cells[rid] = [[] for _ in range(position)]
            row_cells[index].append(occ)

    rows = [Row(kind, rid, name, tuple(map(tuple, cells[rid]))) for rid, name in names.items()]
    rows += [Row(kind, rid, f"#{rid}", tuple(map(tuple, found))) for rid, found in cells.items()
             if rid is not None and rid not in names and any(found)]
    if any(cells[None]):
        rows.append(Row(kind, None, unnamed, tuple(map(tuple, cells[None]))))
    return Overview(kind, tuple(days), tuple(rows))
