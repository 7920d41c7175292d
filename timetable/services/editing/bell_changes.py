"""Changing the bell grids: one plan for the grids and the slots of every period that moves.

When a period keeps its name but gets other times from a week on, every slot that starts or
ends with it in those weeks gets the matching `start` / `duration` edits. The plan shows the
grid changes and every slot edit before anything is written; apply writes the grids and
records the slot edits through the one write path, in one transaction, refusing if the
grids or any slot's times changed since the preview.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select

from ...database import is_postgresql, write_transaction
from ...extensions import db
from ...models import BellChange, ChangeSet, Slot, Timetable
from ...rules import value_in_week
from ...rules.compare import UNCOVERED, breakpoints, segments, value_from
from ...rules.periods import BellGrid, PeriodMove, describe_changes, period_moves, retime, validate_grids
from ..bells import decode_grids, encode_grids, load_grids, replace_grids
from ..errors import ServiceError
from ..live import announce
from ..recording import record_changes
from ..stripes import COURSE, SLOT, StripeChange, load_stripes
from .applying import STALE_MESSAGE, StalePlan
from .planning import EditRequest, fingerprint, stripe_changes
from .previews import Preview, build_preview

TIMING = ("weekday", "start", "duration", "course")
BELL_KIND = "bells"


@dataclass(frozen=True)
class BellPlan:
    grids: tuple[BellGrid, ...]
    grid_lines: tuple[str, ...]
    moves: tuple[PeriodMove, ...]
    requests: tuple[EditRequest, ...]
    changes: tuple[StripeChange, ...]
    token: str
    summary: str
    preview: Preview

    @property
    def empty(self) -> bool:
        return not self.grid_lines and not self.changes

    @property
    def slot_ids(self) -> list[int]:
        return sorted({c.owner_id for c in self.changes if c.owner == SLOT})


def _slot_ids(timetable: Timetable) -> list[int]:
    return list(db.session.scalars(select(Slot.id).where(Slot.timetable_id == timetable.id).order_by(Slot.id)))


def retime_requests(timetable: Timetable, moves: Sequence[PeriodMove], *, for_update: bool = False) -> tuple[list[EditRequest], str]:
    """The start and duration edits that make each slot follow the periods it starts or ends with.

    Each slot's weeks are cut where its weekday, start, duration or course changes (and where
    its courses' durations do), so a slot is only retimed in the weeks where it matched the
    period. Returns the requests and a fingerprint of every stripe read.
    """
    if not moves:
        return [], ""
    first = min(m.start_week for m in moves)
    keys = {(SLOT, slot_id, param) for slot_id in _slot_ids(timetable) for param in TIMING}
    stripes = load_stripes(keys, for_update=for_update, window=(first, None))
    course_ids = {r.value for (_o, _i, param), rules in stripes.items() if param == "course" for r in rules if r.value is not None}
    course_stripes = load_stripes({(COURSE, c, "duration") for c in course_ids}, for_update=for_update, window=(first, None))
    by_span: dict[tuple[int, int | None], list[PeriodMove]] = defaultdict(list)
    for move in moves:
        by_span[(move.start_week, move.end_week)].append(move)

    wanted: dict[tuple[str, int | None, int | None, int], list[int]] = defaultdict(list)
    for slot_id in sorted({key[1] for key in keys}):
        own = {param: stripes[(SLOT, slot_id, param)] for param in TIMING}
        if not own["start"]:
            continue
        def stripe_of(param: str, own=own):
            return own.get(param, ())

        def course_stripe_of(course_id: int, param: str):
            return course_stripes.get((COURSE, course_id, param), ())

        courses = {r.value for r in own["course"] if r.value is not None}
        cut_by = [*own.values(), *(course_stripes.get((COURSE, c, "duration"), ()) for c in courses)]
        for (span_start, span_end), span_moves in by_span.items():
            for seg_start, seg_end in segments(breakpoints(cut_by, span_start, span_end), span_end):
                week = seg_start
                weekday, start = value_from(own["weekday"], week), value_from(own["start"], week)
                if UNCOVERED in (weekday, start) or weekday is None or start is None:
                    continue
                duration, _source = value_in_week("duration", week, stripe_of, course_stripe_of)
                moved = retime(weekday, start, start + duration, span_moves)
                if moved is None:
                    continue
                new_start, new_end = moved
                if new_start != start:
                    wanted[("start", week, seg_end, new_start)].append(slot_id)
                if new_end - new_start != duration:
                    wanted[("duration", week, seg_end, new_end - new_start)].append(slot_id)
    requests = [
        EditRequest(SLOT, tuple(ids), param, start, end, value)
        for (param, start, end, value), ids in sorted(wanted.items(), key=lambda item: (item[0][1], item[0][0], item[0][3]))
    ]
    return requests, fingerprint({**stripes, **course_stripes})


def _token(grids: Sequence[BellGrid], stripes_token: str) -> str:
    return hashlib.sha256(f"{grids!r}|{stripes_token}".encode()).hexdigest()[:32]


def _summary(lines: Sequence[str], changes: Sequence[StripeChange]) -> str:
    slots = len({c.owner_id for c in changes if c.owner == SLOT})
    what = "; ".join(lines) if len(lines) <= 3 else f"{'; '.join(lines[:3])}; and {len(lines) - 3} more"
    return f"Bell times: {what or 'no change'}" + (f" · {slots} slot{'s' if slots != 1 else ''} retimed" if slots else "")


def plan_bells(timetable: Timetable, grids: Sequence[BellGrid], reference_week: int | None = None) -> BellPlan:
    """What replacing the timetable's bell grids by `grids` would do, without writing."""
    new = validate_grids(grids)
    old = load_grids(timetable.id)
    moves = period_moves(old, new)
    requests, stripes_token = retime_requests(timetable, moves)
    changes, _ = stripe_changes(timetable, requests) if requests else ([], "")
    lines = describe_changes(old, new)
    if reference_week is None:
        reference_week = min((m.start_week for m in moves), default=None) or (new[0].from_week if new else 0)
    preview = build_preview(timetable, changes, reference_week) if changes else Preview()
    return BellPlan(new, tuple(lines), tuple(moves), tuple(requests), tuple(changes), _token(old, stripes_token),
                    _summary(lines, changes), preview)


def apply_bells(timetable: Timetable, grids: Sequence[BellGrid], token: str | None, user_id: int | None) -> ChangeSet:
    """Store the grids and record the slots' retiming as one change, in one transaction.

    With a `token` (from the preview), refuse if the grids or the slots' times changed since;
    without one (the API's PUT), plan and apply at once on the locked rows.
    """
    new = validate_grids(grids)
    with write_transaction():
        if is_postgresql():
            db.session.scalar(select(Timetable.id).where(Timetable.id == timetable.id).with_for_update())
        old = load_grids(timetable.id)
        moves = period_moves(old, new)
        requests, stripes_token = retime_requests(timetable, moves, for_update=True)
        if token is not None and token != _token(old, stripes_token):
            raise StalePlan(STALE_MESSAGE)
        lines = describe_changes(old, new)
        changes, _ = stripe_changes(timetable, requests, for_update=True) if requests else ([], "")
        if not lines:
            raise ServiceError("Nothing to apply: the bell grids are already these.")
        replace_grids(timetable, new)
        change_set = record_changes(timetable, changes, _summary(lines, changes), user_id, kind=BELL_KIND)
        keep_grids(change_set, old, new)
        return change_set


def keep_grids(change_set: ChangeSet, before: Sequence[BellGrid], after: Sequence[BellGrid]) -> None:
    """Keep the grids a change set replaced, for its undo, and tell open week views from the
    first week whose grid changed on, so that they redraw their period lines (caller's transaction)."""
    db.session.add(BellChange(change_set_id=change_set.id, before=encode_grids(before), after=encode_grids(after)))
    db.session.flush()
    changed = {g.from_week for g in set(before) ^ set(after)}
    if changed:
        announce(change_set.timetable_id, "change", ((min(changed), None),))


@dataclass(frozen=True)
class GridUndo:
    """What undoing a change does to the bell grids: from `current` back to `restored`."""

    current: tuple[BellGrid, ...]
    restored: tuple[BellGrid, ...]

    @property
    def lines(self) -> list[str]:
        return describe_changes(self.current, self.restored)


def grid_undo(timetable: Timetable, change_set: ChangeSet) -> GridUndo | None:
    """The grids undoing `change_set` puts back, or None when it did not change them.

    Refused when the grids changed again since: undo then has no single right answer, and the
    bell-times page is where to set them.
    """
    kept = db.session.scalar(select(BellChange).where(BellChange.change_set_id == change_set.id))
    if kept is None:
        return None
    current = load_grids(timetable.id)
    if current != decode_grids(kept.after):
        raise ServiceError(f"The bell times changed again after change {change_set.id}, so it cannot be undone here: "
                           "set them on the bell-times page.")
    return GridUndo(current, decode_grids(kept.before))


def undo_grids(timetable: Timetable, undo: GridUndo, change_set: ChangeSet) -> None:
    """Put the grids back as part of the undo change set (caller's transaction)."""
    replace_grids(timetable, undo.restored)
    keep_grids(change_set, undo.current, undo.restored)

