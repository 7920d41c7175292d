"""The bell grids of a timetable as stored: read them, and replace them inside a writer's transaction.

Changing them goes through `services.editing.bell_changes`, which also retimes the slots of
a period that moves, through the one write path.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select

from ..extensions import db
from ..models import BellSchedule, Period, Timetable
from ..rules.periods import BellGrid, grid_in_week
from ..rules.periods import Period as BellPeriod


def load_grids(timetable_id: int) -> tuple[BellGrid, ...]:
    """Every bell grid of the timetable, ordered by the week it starts: plain columns in one query
    (every week page reads this; on a server database each query is a round trip)."""
    rows = db.session.execute(
        select(BellSchedule.id, BellSchedule.from_week, Period.weekday, Period.start_minute, Period.end_minute, Period.name)
        .outerjoin(Period, Period.schedule_id == BellSchedule.id)
        .where(BellSchedule.timetable_id == timetable_id)
        .order_by(BellSchedule.from_week, BellSchedule.id)
    ).all()
    grids: dict[int, tuple[int, list[BellPeriod]]] = {}
    for schedule_id, from_week, weekday, start, end, name in rows:
        periods = grids.setdefault(schedule_id, (from_week, []))[1]
        if weekday is not None:  # a grid without periods has one row, of NULLs
            periods.append(BellPeriod(weekday, start, end, name))
    return tuple(BellGrid(from_week, tuple(sorted(periods))) for from_week, periods in grids.values())


def encode_grids(grids: Sequence[BellGrid]) -> list:
    """Grids as a change keeps them: [from_week, [[weekday, name, start, end], …]]."""
    return [[g.from_week, [[p.weekday, p.name, p.start, p.end] for p in g.periods]] for g in grids]


def decode_grids(stored: list) -> tuple[BellGrid, ...]:
    return tuple(BellGrid(week, tuple(BellPeriod(day, start, end, name) for day, name, start, end in periods)) for week, periods in stored)


def grid_for_week(timetable: Timetable, week: int) -> BellGrid | None:
    """The bell grid holding in `week`, or None when the timetable has none yet then."""
    return grid_in_week(load_grids(timetable.id), week)


def replace_grids(timetable: Timetable, grids: Sequence[BellGrid]) -> None:
    """Store exactly `grids` (already validated) as the timetable's bell grids (caller's transaction)."""
    schedules = select(BellSchedule.id).where(BellSchedule.timetable_id == timetable.id)
    db.session.execute(delete(Period).where(Period.schedule_id.in_(schedules)))
    db.session.execute(delete(BellSchedule).where(BellSchedule.timetable_id == timetable.id))
    for grid in grids:
        row = BellSchedule(timetable_id=timetable.id, from_week=grid.from_week)
        row.periods = [Period(weekday=p.weekday, name=p.name, start_minute=p.start, end_minute=p.end) for p in grid.periods]
        db.session.add(row)
    db.session.flush()
    # The ORM may still hold the deleted rows; the next read must see the new ones.
    db.session.expire_all()
