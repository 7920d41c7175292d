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

The change sets the transaction recorded are stamped with the revision it made
(`ChangeSet.revision`): revisions are ordered by their commits, as change set ids are not, so a
reader that knows a revision can ask what changed after it. A commit that changed more than rules
also sets `setup_revision` to its revision: what a reader made at a revision at or after it,
beyond the rules, is still true (services/kept_weeks.py).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from itertools import chain

from sqlalchemy import event as sa_event
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from .. import clock
from ..models import BellSchedule, ChangeSet, Course, Group, Holiday, Room, Slot, Staff, Term, Timetable, WeekCycle, WeekLabelOverride

_TOUCHED = "touched_timetables"
_BEYOND_RULES = "touched_beyond_rules"
_CHANGE_SETS = "recorded_change_sets"
_WATCHED = (Term, BellSchedule, Holiday, WeekCycle, WeekLabelOverride, Staff, Room, Group, Course, Slot)


def touch(session: Session, timetable_id: int, *, rules_only: bool = False) -> None:
    """Mark the timetable changed by this transaction: its marker moves when (and if) it commits.

    `rules_only`: only rules changed, through change sets (services/recording.py). Anything else
    (names, the calendar, bell times, bookings, the timetable itself) also moves `setup_revision`.
    """
    session.info.setdefault(_TOUCHED, set()).add(timetable_id)
    if not rules_only:
        session.info.setdefault(_BEYOND_RULES, set()).add(timetable_id)


def stamp_at_commit(session: Session, timetable_id: int, change_set_id: int) -> None:
    """Mark the timetable's rules changed, and give the change set the revision this transaction's commit makes."""
    touch(session, timetable_id, rules_only=True)
    session.info.setdefault(_CHANGE_SETS, {}).setdefault(timetable_id, []).append(change_set_id)


def recorded_uncommitted(session: Session, timetable_id: int) -> bool:
    """Whether this transaction has recorded a change set of the timetable that is not committed yet."""
    return bool(session.info.get(_CHANGE_SETS, {}).get(timetable_id))


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
    beyond_rules = session.info.pop(_BEYOND_RULES, set())
    change_sets = session.info.pop(_CHANGE_SETS, {})
    if not touched:
        return
    now = clock.now()
    for timetable_id in sorted(touched):  # always in the same order: two committers never wait on each other crosswise
        bumped = {"revision": Timetable.revision + 1, "changed_at": now}
        if timetable_id in beyond_rules:
            bumped["setup_revision"] = Timetable.revision + 1  # the revision this commit makes
        session.execute(update(Timetable).where(Timetable.id == timetable_id).values(**bumped),
                        execution_options={"synchronize_session": False})
        if recorded := change_sets.get(timetable_id):
            made = select(Timetable.revision).where(Timetable.id == timetable_id).scalar_subquery()
            session.execute(update(ChangeSet).where(ChangeSet.id.in_(recorded)).values(revision=made),
                            execution_options={"synchronize_session": False})


@sa_event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_TOUCHED, None)
    session.info.pop(_BEYOND_RULES, None)
    session.info.pop(_CHANGE_SETS, None)
