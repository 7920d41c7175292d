"""The last-change marker of a timetable: what ETags, Last-Modified and the page and feed caches key on.

`timetables.revision` goes up by one, and `changed_at` takes the commit's time, in every
committed transaction that changed something its readers see:
* every live event (`live.announce`: stripe changes, bell times, the calendar, holds, bookings)
  calls `touch`;
* any ORM change of the timetable itself or of its resources, terms, holidays, cycle or slots
  is noticed before the flush.
The bump is one UPDATE, made just before the commit (so the row is locked for no longer than
the commit) and only if the transaction commits. Readers load the timetable row anyway, so
reading the marker costs nothing more, and every gunicorn worker or machine sees the same one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from sqlalchemy import event as sa_event
from sqlalchemy import update
from sqlalchemy.orm import Session

from .. import clock
from ..models import BellSchedule, Course, Group, Holiday, Room, Slot, Staff, Term, Timetable, WeekCycle, WeekLabelOverride

_TOUCHED = "touched_timetables"
_WATCHED = (Term, BellSchedule, Holiday, WeekCycle, WeekLabelOverride, Staff, Room, Group, Course, Slot)


def touch(session: Session, timetable_id: int) -> None:
    """Mark the timetable changed by this transaction: its marker moves when (and if) it commits."""
    session.info.setdefault(_TOUCHED, set()).add(timetable_id)


@dataclass(frozen=True)
class Marker:
    """A timetable's last-change marker: `key` changes with every committed change, `changed_at` is when."""

    key: tuple[int, str, int]  # id, creation (an id reused by a new timetable never matches), revision
    changed_at: datetime


def marker(timetable: Timetable) -> Marker:
    """The timetable's last-change marker, as loaded with its row (no query of its own)."""
    return Marker((timetable.id, timetable.created_at.isoformat(), timetable.revision or 0), timetable.changed_at or timetable.created_at)


@sa_event.listens_for(Session, "before_flush")
def _notice_changes(session: Session, _context, _instances) -> None:
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, Timetable):
            if obj.id is not None and session.is_modified(obj, include_collections=False):
                touch(session, obj.id)
        elif isinstance(obj, _WATCHED):
            timetable_id = getattr(obj, "timetable_id", None)
            if timetable_id is not None:
                touch(session, timetable_id)


@sa_event.listens_for(Session, "before_commit")
def _bump_markers(session: Session) -> None:
    session.flush()  # changes still pending are noticed first
    touched = session.info.pop(_TOUCHED, None)
    if not touched:
        return
    now = clock.now()
    for timetable_id in sorted(touched):  # always in the same order: two committers never wait on each other crosswise
        session.execute(
            update(Timetable).where(Timetable.id == timetable_id).values(revision=Timetable.revision + 1, changed_at=now),
            execution_options={"synchronize_session": False},
        )


@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
