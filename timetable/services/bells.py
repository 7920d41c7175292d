"""The bell grids of a timetable as stored: read them, and replace them inside a writer's transaction.

Changing them goes through `services.editing.bell_changes`, which also retimes the slots of
a period that moves, through the one write path.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import delete, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..models import BellSchedule, Period, Timetable
from ..rules.periods import BellGrid, grid_in_week
from ..rules.periods import Period as BellPeriod


def load_grids(timetable_id: int) -> tuple[BellGrid, ...]:
    """Every bell grid of the timetable, ordered by the week it starts."""
    rows = db.session.scalars(
        select(BellSchedule).where(BellSchedule.timetable_id == timetable_id)
        .options(selectinload(BellSchedule.periods)).order_by(BellSchedule.from_week)
    )
    return tuple(
        BellGrid(row.from_week, tuple(sorted(BellPeriod(p.weekday, p.start_minute, p.end_minute, p.name) for p in row.periods)))
        for row in rows
    )


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
