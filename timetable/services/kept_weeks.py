"""The rules of a week, kept per process and caught up with the change sets committed since.

Reading every rule that covers a week is most of what the week's pages cost to make, and after
a change the editor makes its week again at once. A change set names the stripes it wrote, and
`ChangeSet.revision` the timetable revision its commit made (services/freshness.py); every rule
is written through a change set (services/recording.py). So a week read at revision R0 is
brought to revision R by reading again only the slots and courses that the change sets of
(R0, R] wrote. The calendar of the week is read again only if a commit after R0 changed more than
rules (`Timetable.setup_revision`); when none did, the week's occurrences are kept too, and only
the slots written are resolved again. What is kept equals what `read_week` reads and
`occurrences_of` makes of it.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import ChangeSet, ChangeStripe, Timetable
from .calendar import load_calendar
from .freshness import marker, recorded_uncommitted
from .resolution import Occurrence, WeekRules, in_week_order, occurrences_of, read_week
from .stripes import COURSE, SLOT, covering_values

# Past this many slots and courses written since, the week is read whole (an import, a new term);
# and past this many revisions since (a week nobody opened for long), without asking what they wrote.
CATCH_UP_AT_MOST = 200
CATCH_UP_REVISIONS_AT_MOST = 1000


@dataclass(frozen=True)
class _Kept:
    revision: int
    rules: WeekRules
    occurrences: tuple[Occurrence, ...] | None = None  # occurrences_of(rules), once asked for


class _KeptWeeks:
    """The weeks read last, by (timetable, week), each at the revision it was read at."""

    KEEP = 64

    def __init__(self) -> None:
        self._entries: OrderedDict[Hashable, _Kept] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable) -> _Kept | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def keep(self, key: Hashable, kept: _Kept) -> None:
        """Keep `kept` unless a later revision of the week is kept already (requests finish out of order)."""
        with self._lock:
            found = self._entries.get(key)
            if found is None or found.revision <= kept.revision:
                self._entries[key] = kept
                self._entries.move_to_end(key)
            while len(self._entries) > self.KEEP:
                self._entries.popitem(last=False)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


kept_weeks = _KeptWeeks()


def read_week_kept(timetable: Timetable, week: int) -> WeekRules:
    """What `read_week` reads for the timetable's committed revision: from what was kept, caught up.

    A transaction that has written rules and not committed them reads the database itself: what
    is kept is what was committed.
    """
    return _current(timetable, week, with_occurrences=False).rules


def resolve_week_kept(timetable: Timetable, week: int) -> tuple[WeekRules, list[Occurrence]]:
    """`read_week_kept` and the week's occurrences (as `occurrences_of` makes them): after a change of
    rules alone, only the slots it wrote, or whose courses it wrote, are resolved again."""
    kept = _current(timetable, week, with_occurrences=True)
    assert kept.occurrences is not None
    return kept.rules, list(kept.occurrences)


def _current(timetable: Timetable, week: int, *, with_occurrences: bool) -> _Kept:
    identity, revision = marker(timetable).key[:2], marker(timetable).key[2]
    if recorded_uncommitted(db.session(), timetable.id):
        return _read_whole(timetable, week, revision, with_occurrences)
    # The database too: a timetable of another database may have the same id and creation (tests on a pinned clock).
    key = (db.engine.url, identity, week)
    kept = kept_weeks.get(key)
    if kept is not None and kept.revision == revision:
        if not with_occurrences or kept.occurrences is not None:
            return kept
        current: _Kept | None = replace(kept, occurrences=tuple(occurrences_of(kept.rules)))
    elif kept is not None and kept.revision < revision <= kept.revision + CATCH_UP_REVISIONS_AT_MOST:
        current = _caught_up(timetable, kept, revision, with_occurrences)
    else:
        current = None
    if current is None:
        current = _read_whole(timetable, week, revision, with_occurrences)
    kept_weeks.keep(key, current)
    return current


def _read_whole(timetable: Timetable, week: int, revision: int, with_occurrences: bool) -> _Kept:
    rules = read_week(timetable, week)
    return _Kept(revision, rules, tuple(occurrences_of(rules)) if with_occurrences else None)


def _caught_up(timetable: Timetable, kept: _Kept, revision: int, with_occurrences: bool) -> _Kept | None:
    """`kept` brought to `revision`, or None when too much was written since to be worth it."""
    written = _written_between(timetable.id, kept.revision, revision)
    if written is None:
        return None
    week = kept.rules.week
    rules = replace(
        kept.rules,
        slot_values=_reread(kept.rules.slot_values, SLOT, timetable.id, week, written[SLOT]),
        course_values=_reread(kept.rules.course_values, COURSE, timetable.id, week, written[COURSE]),
    )
    same_calendar = only_rules_changed_since(timetable, kept.revision)
    if not same_calendar:
        calendar = load_calendar(timetable)
        rules = replace(rules, label=calendar.label(week), holidays=calendar.holidays_of_week(week))
    if not with_occurrences:
        return _Kept(revision, rules)
    if kept.occurrences is None or not same_calendar:
        return _Kept(revision, rules, tuple(occurrences_of(rules)))
    return _Kept(revision, rules, _occurrences_caught_up(kept, rules, written))


def _occurrences_caught_up(kept: _Kept, rules: WeekRules, written: dict[str, set[int]]) -> tuple[Occurrence, ...]:
    """The kept occurrences, with those of the slots written (or whose course was, before or after) made again."""
    again = set(written[SLOT])
    if written[COURSE]:
        for values in (kept.rules.slot_values, rules.slot_values):
            again.update(slot_id for slot_id, own in values.items() if own.get("course") in written[COURSE])
    unchanged = [occurrence for occurrence in kept.occurrences or () if occurrence.slot_id not in again]
    remade = occurrences_of(replace(rules, slot_values={s: rules.slot_values[s] for s in again if s in rules.slot_values}))
    return tuple(in_week_order(unchanged + remade))


def only_rules_changed_since(timetable: Timetable, revision: int) -> bool:
    """Whether every commit after `revision` changed rules and nothing else (services/freshness.py)."""
    return (timetable.setup_revision or 0) <= revision


def _written_between(timetable_id: int, after: int, upto: int) -> dict[str, set[int]] | None:
    """The slots and courses whose rules the change sets of revisions (after, upto] wrote; None past CATCH_UP_AT_MOST."""
    statement = (
        select(ChangeStripe.owner_kind, ChangeStripe.owner_id).distinct()
        .join(ChangeSet, ChangeSet.id == ChangeStripe.change_set_id)
        .where(ChangeSet.timetable_id == timetable_id, ChangeSet.revision > after, ChangeSet.revision <= upto)
        .limit(CATCH_UP_AT_MOST + 1)
    )
    rows = db.session.execute(statement).all()
    if len(rows) > CATCH_UP_AT_MOST:
        return None
    written: dict[str, set[int]] = {SLOT: set(), COURSE: set()}
    for owner_kind, owner_id in rows:
        written[owner_kind].add(owner_id)
    return written


def _reread(
    values: Mapping[int, Mapping[str, Any]], owner: str, timetable_id: int, week: int, owner_ids: set[int],
) -> Mapping[int, Mapping[str, Any]]:
    """`values` with the owners' values read again (an owner with no rule covering the week any more drops out)."""
    if not owner_ids:
        return values
    fresh = covering_values(owner, timetable_id, week, sorted(owner_ids))
    merged = {owner_id: own for owner_id, own in values.items() if owner_id not in owner_ids}
    merged.update((owner_id, fresh[owner_id]) for owner_id in owner_ids if owner_id in fresh)
    return merged
