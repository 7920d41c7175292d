"""Bell times: the periods of each weekday, in bell grids that hold from a week on.

A timetable may have several bell grids, each holding from its `from_week` until the next
one starts (a winter timetable from 2027-W45, say). Before the first grid there are no
periods. A period is named per weekday ("1", "2", "Lunch"), and its name is how a change of
its times is recognised: the slots that start or end with it move with it.

Pure: no Flask, no database. Every bad grid raises `InvalidPeriods`, which names the field.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .errors import RulesError
from .params import text_problem
from .weeks import format_week, previous_week, validate_week

DAY_MINUTES = 24 * 60
STEP = 5  # period times fall on 5-minute steps, like slot durations
MAX_NAME_LENGTH = 40
MAX_PERIODS_PER_DAY = 48
MAX_GRIDS = 200
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


class InvalidPeriods(RulesError):
    """A bell grid cannot be kept: `index` is the offending period's position (None for the
    grid itself) and `field` the part of it that is wrong ("start", "end", "name", "weekday",
    "from_week")."""

    def __init__(self, message: str, *, field: str, index: int | None = None, grid: int | None = None) -> None:
        super().__init__(message)
        self.field = field
        self.index = index
        self.grid = grid


@dataclass(frozen=True, order=True)
class Period:
    """One period of one weekday: [start, end) in minutes since midnight."""

    weekday: int
    start: int
    end: int
    name: str

    @property
    def label(self) -> str:
        return f"{self.name} {clock(self.start)}–{clock(self.end)}"


@dataclass(frozen=True)
class BellGrid:
    """The periods that hold from `from_week` until the next grid starts."""

    from_week: int
    periods: tuple[Period, ...]

    def on(self, weekday: int) -> tuple[Period, ...]:
        return tuple(p for p in self.periods if p.weekday == weekday)

    def named(self, weekday: int, name: str) -> Period | None:
        return next((p for p in self.periods if p.weekday == weekday and p.name == name), None)


@dataclass(frozen=True)
class PeriodMove:
    """Over weeks [start_week, end_week] (None: for ever) period `old` now runs as `new`."""

    start_week: int
    end_week: int | None
    old: Period
    new: Period


def clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _where(period: Period | None, weekday: object, index: int) -> str:
    day = WEEKDAY_NAMES[weekday - 1] if _is_int(weekday) and 1 <= weekday <= 7 else "period"  # type: ignore[operator]
    name = f" “{period.name}”" if period is not None and isinstance(period.name, str) and period.name else ""
    if day == "period":
        return f"period {index + 1}"
    return f"{day}{name}" if name else f"{day}, period {index + 1}"


def validate_periods(periods: Iterable[Period]) -> tuple[Period, ...]:
    """Return the periods in order (weekday, start), or raise `InvalidPeriods` naming the field.

    Each period lies inside the day (0..1440, start before end, on 5-minute steps), has a
    name of 1..40 characters unique on its weekday, and no two periods of a day overlap
    (one may end when the next starts).
    """
    given = list(periods)
    per_day: dict[int, list[tuple[int, Period]]] = {}
    for index, period in enumerate(given):
        where = _where(period, period.weekday, index)
        if not _is_int(period.weekday) or not 1 <= period.weekday <= 7:
            raise InvalidPeriods(f"{where}: weekday {period.weekday!r} is not 1 (Monday) to 7 (Sunday).", field="weekday", index=index)
        if not isinstance(period.name, str) or not period.name.strip():
            raise InvalidPeriods(f"{where}: a period needs a name.", field="name", index=index)
        if len(period.name) > MAX_NAME_LENGTH or period.name != period.name.strip():
            raise InvalidPeriods(f"{where}: a name has 1 to {MAX_NAME_LENGTH} characters, without spaces around it.",
                                 field="name", index=index)
        problem = text_problem(period.name)
        if problem:
            raise InvalidPeriods(f"{where}: the name {problem}.", field="name", index=index)
        for field in ("start", "end"):
            value = getattr(period, field)
            if not _is_int(value) or not 0 <= value <= DAY_MINUTES:
                raise InvalidPeriods(f"{where}: {field} {value!r} is not a time from 00:00 to 24:00.", field=field, index=index)
            if value % STEP:
                raise InvalidPeriods(f"{where}: {field} {clock(value)} is not on a 5-minute step.", field=field, index=index)
        if period.end <= period.start:
            raise InvalidPeriods(f"{where}: it ends at {clock(period.end)}, not after its start {clock(period.start)}.",
                                 field="end", index=index)
        per_day.setdefault(period.weekday, []).append((index, period))
    for weekday, entries in per_day.items():
        if len(entries) > MAX_PERIODS_PER_DAY:
            index = entries[MAX_PERIODS_PER_DAY][0]
            raise InvalidPeriods(f"{WEEKDAY_NAMES[weekday - 1]}: at most {MAX_PERIODS_PER_DAY} periods a day.",
                                 field="weekday", index=index)
        names: dict[str, int] = {}
        for index, period in entries:
            if period.name in names:
                raise InvalidPeriods(f"{_where(period, weekday, index)}: another period of that day is already called “{period.name}”.",
                                     field="name", index=index)
            names[period.name] = index
        ordered = sorted(entries, key=lambda entry: (entry[1].start, entry[1].end))
        for (_, before), (index, after) in zip(ordered, ordered[1:]):
            if after.start < before.end:
                raise InvalidPeriods(
                    f"{_where(after, weekday, index)}: {clock(after.start)}–{clock(after.end)} overlaps "
                    f"“{before.name}” {clock(before.start)}–{clock(before.end)}.",
                    field="start", index=index)
    return tuple(sorted(given))


def validate_grid(from_week: int, periods: Iterable[Period]) -> BellGrid:
    """Return the bell grid with its periods checked and ordered."""
    try:
        validate_week(from_week)
    except RulesError as error:
        raise InvalidPeriods(f"from_week: {error}", field="from_week") from None
    return BellGrid(from_week, validate_periods(periods))


def validate_grids(grids: Iterable[BellGrid]) -> tuple[BellGrid, ...]:
    """Return the grids ordered by first week, each checked; two grids cannot start the same week."""
    checked: list[BellGrid] = []
    seen: set[int] = set()
    for position, grid in enumerate(grids):
        if position >= MAX_GRIDS:
            raise InvalidPeriods(f"At most {MAX_GRIDS} bell grids.", field="from_week", grid=position)
        try:
            grid = validate_grid(grid.from_week, grid.periods)
        except InvalidPeriods as error:
            error.grid = position
            raise
        if grid.from_week in seen:
            raise InvalidPeriods(f"from_week: two bell grids start in {format_week(grid.from_week)}.", field="from_week", grid=position)
        seen.add(grid.from_week)
        checked.append(grid)
    return tuple(sorted(checked, key=lambda g: g.from_week))


def grid_in_week(grids: Sequence[BellGrid], week: int) -> BellGrid | None:
    """The grid holding in `week`: the latest one starting in or before it (None before the first)."""
    holding = None
    for grid in grids:
        if grid.from_week <= week and (holding is None or grid.from_week > holding.from_week):
            holding = grid
    return holding


def grid_end(grids: Sequence[BellGrid], grid: BellGrid) -> int | None:
    """The last week `grid` holds: the week before the next grid starts (None: for ever)."""
    later = [g.from_week for g in grids if g.from_week > grid.from_week]
    return previous_week(min(later)) if later else None


def period_moves(old: Sequence[BellGrid], new: Sequence[BellGrid]) -> list[PeriodMove]:
    """Where replacing the grids `old` by `new` changes the times of a period kept by name.

    The weeks are cut at every grid start of either side; in each stretch the period of a
    weekday that has the same name in the old and the new grid but other times has moved.
    Periods added or removed move nothing.
    """
    starts = sorted({g.from_week for g in (*old, *new)})
    moves = []
    for position, first in enumerate(starts):
        last = previous_week(starts[position + 1]) if position + 1 < len(starts) else None
        before, after = grid_in_week(old, first), grid_in_week(new, first)
        if before is None or after is None:
            continue
        for period in before.periods:
            kept = after.named(period.weekday, period.name)
            if kept is not None and (kept.start, kept.end) != (period.start, period.end):
                moves.append(PeriodMove(first, last, period, kept))
    return moves


def retime(weekday: int, start: int, end: int, moves: Iterable[PeriodMove]) -> tuple[int, int] | None:
    """A slot's new (start, end) when periods move, or None when it stays as it is.

    A slot whose start is a moved period's start takes the new start; one whose end is a
    moved period's end takes the new end (a double lesson over two periods follows both).
    A slot that would end up ending before it starts is left alone.
    """
    new_start, new_end = start, end
    for move in moves:
        if move.old.weekday != weekday:
            continue
        if start == move.old.start:
            new_start = move.new.start
        if end == move.old.end:
            new_end = move.new.end
    if (new_start, new_end) == (start, end) or new_end <= new_start:
        return None
    return new_start, new_end


def snap_minutes(periods: Iterable[Period]) -> list[int]:
    """Every start and end of the periods, in order, without repeats: where gestures snap."""
    return sorted({minute for p in periods for minute in (p.start, p.end)})


def describe_changes(old: Sequence[BellGrid], new: Sequence[BellGrid]) -> list[str]:
    """What replacing the grids `old` by `new` changes, one line per grid added or removed and
    per period added, removed or moved: "Grid from 2027-W45: Friday “3” 10:00–10:45 → 10:10–10:55"."""
    before = {g.from_week: g for g in old}
    after = {g.from_week: g for g in new}
    lines = []
    for week in sorted(before.keys() | after.keys()):
        grid = f"Grid from {format_week(week)}"
        if week not in before:
            lines.append(f"{grid} added ({len(after[week].periods)} periods)")
            continue
        if week not in after:
            lines.append(f"{grid} removed")
            continue
        was, now = before[week], after[week]
        for period in was.periods:
            kept = now.named(period.weekday, period.name)
            day = WEEKDAY_NAMES[period.weekday - 1]
            if kept is None:
                lines.append(f"{grid}: {day} “{period.name}” {clock(period.start)}–{clock(period.end)} removed")
            elif (kept.start, kept.end) != (period.start, period.end):
                lines.append(f"{grid}: {day} “{period.name}” {clock(period.start)}–{clock(period.end)}"
                             f" → {clock(kept.start)}–{clock(kept.end)}")
        for period in now.periods:
            if was.named(period.weekday, period.name) is None:
                lines.append(f"{grid}: {WEEKDAY_NAMES[period.weekday - 1]} “{period.name}” "
                             f"{clock(period.start)}–{clock(period.end)} added")
    return lines
