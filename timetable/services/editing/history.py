"""The history of applied changes, and undo as a new change that shows what it would overwrite."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ...database import write_transaction
from ...extensions import db
from ...models import ChangeSet, ChangeStripe, Timetable
from ...rules import PARAMETERS, apply, format_span
from ...rules.compare import restore, transform
from ..calendar import check_cycle_labels
from ..errors import NotFound, ServiceError
from ..recording import record_changes
from ..references import check_reassignments
from ..resolution import load_directory
from ..stripes import SLOT, StripeChange, decode_rules, load_stripes
from .applying import STALE_MESSAGE, StalePlan
from .bell_changes import grid_undo, undo_grids
from .planning import fingerprint
from .previews import Preview, build_preview, describe


@dataclass(frozen=True)
class OverwriteLine:
    """Weeks a later change repainted, which undo would set back."""

    owner: str
    owner_id: int
    param: str
    start: int | None
    end: int | None
    found: str
    restored: str

    def __str__(self) -> str:
        return (f"{self.owner} {self.owner_id} · {PARAMETERS[self.param].label.lower()} is now {self.found}"
                f" (changed later); undo sets it to {self.restored} · {format_span(self.start, self.end)}")


@dataclass(frozen=True)
class UndoPlan:
    change_set: ChangeSet
    changes: tuple[StripeChange, ...]
    overwrites: tuple[OverwriteLine, ...]
    token: str
    preview: Preview
    # What undo does to the bell grids, when the change set replaced them.
    grid_lines: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.changes and not self.grid_lines

    @property
    def summary(self) -> str:
        return undo_summary(self.change_set)


def undo_summary(change_set: ChangeSet) -> str:
    return f"Undo of change {change_set.id}: {change_set.summary}"


def list_history(timetable: Timetable, *, slot_id: int | None = None, limit: int = 200) -> list[ChangeSet]:
    """The timetable's change sets, newest first; with `slot_id`, only those that touched that slot."""
    query = (
        select(ChangeSet)
        .where(ChangeSet.timetable_id == timetable.id)
        .options(selectinload(ChangeSet.stripes), selectinload(ChangeSet.user))
        .order_by(ChangeSet.id.desc())
        .limit(limit)
    )
    if slot_id is not None:
        touched = select(ChangeStripe.change_set_id).where(ChangeStripe.owner_kind == SLOT, ChangeStripe.owner_id == slot_id)
        query = query.where(ChangeSet.id.in_(touched))
    return list(db.session.scalars(query))


def undone_by(timetable: Timetable) -> dict[int, int]:
    """Which change set undid which: {undone id: undoing id}."""
    rows = db.session.execute(
        select(ChangeSet.undoes_id, ChangeSet.id).where(ChangeSet.timetable_id == timetable.id, ChangeSet.undoes_id.is_not(None))
    )
    return {undone: undoing for undone, undoing in rows}


def get_change_set(timetable: Timetable, change_set_id: int) -> ChangeSet:
    change_set = db.session.scalar(
        select(ChangeSet).where(ChangeSet.id == change_set_id, ChangeSet.timetable_id == timetable.id)
        .options(selectinload(ChangeSet.stripes))
    )
    if change_set is None:
        raise NotFound(f"This timetable has no change {change_set_id}.")
    return change_set


def _undo_changes(timetable: Timetable, change_set: ChangeSet, *, for_update: bool) -> tuple[list[StripeChange], list[tuple], str]:
    keys = {(s.owner_kind, s.owner_id, s.param) for s in change_set.stripes}
    current = load_stripes(keys, for_update=for_update)
    changes: list[StripeChange] = []
    overwrites: list[tuple] = []
    for stored in change_set.stripes:
        key = (stored.owner_kind, stored.owner_id, stored.param)
        target, conflicts = restore(current[key], decode_rules(stored.param, stored.before), decode_rules(stored.param, stored.after))
        actions = transform(current[key], target)
        if actions:
            before = tuple(sorted(current[key], key=lambda r: (r.start is not None, r.start or 0)))
            changes.append(StripeChange(*key, before, tuple(actions), tuple(apply(before, actions))))
        overwrites.extend((key, conflict) for conflict in conflicts)
    # Undo rebuilds history; it may not bring a retired resource back into the weeks it is retired from.
    check_reassignments(change_set.timetable_id, changes, retired_advice=(
        f"undoing change {change_set.id} would assign it again in those weeks. Bring it back on the resources page first, "
        "or make a new edit of those weeks instead"))
    _check_cycle_weeks_exist(timetable, change_set, changes)
    return changes, overwrites, fingerprint(current)


def _check_cycle_weeks_exist(timetable: Timetable, change_set: ChangeSet, changes: list[StripeChange]) -> None:
    """Undo may not bring back a week of the cycle the calendar no longer has: the lesson would never take place."""
    restored = (a.value for c in changes if c.param == "cycle_weeks" for a in c.actions if a.kind != "delete")
    try:
        check_cycle_labels(timetable, restored)
    except ServiceError as error:
        raise ServiceError(f"Undoing change {change_set.id} would bring back a week of the cycle that is gone ({error}) "
                           "Add that week back to the cycle on the calendar page first, or make a new edit instead.") from None


def _check_undoable(timetable: Timetable, change_set: ChangeSet) -> None:
    undoing = undone_by(timetable).get(change_set.id)
    if undoing is not None:
        raise ServiceError(f"Change {change_set.id} was already undone by change {undoing}.")


def plan_undo(timetable: Timetable, change_set_id: int, reference_week: int) -> UndoPlan:
    """What undoing a change would do now, including the later edits it would overwrite."""
    change_set = get_change_set(timetable, change_set_id)
    _check_undoable(timetable, change_set)
    changes, overwrites, token = _undo_changes(timetable, change_set, for_update=False)
    directory = load_directory(timetable.id)
    lines = tuple(
        OverwriteLine(owner, owner_id, param, c.start, c.end, describe(param, c.found, directory), describe(param, c.restored, directory))
        for (owner, owner_id, param), c in overwrites
    )
    grids = grid_undo(timetable, change_set)
    return UndoPlan(change_set, tuple(changes), lines, token, build_preview(timetable, changes, reference_week),
                    tuple(grids.lines) if grids else ())


def apply_undo(timetable: Timetable, change_set_id: int, token: str, user_id: int | None) -> ChangeSet:
    """Undo a change as a new change set, refusing if the stripes moved since the undo preview."""
    with write_transaction():
        change_set = get_change_set(timetable, change_set_id)
        _check_undoable(timetable, change_set)
        changes, _overwrites, current_token = _undo_changes(timetable, change_set, for_update=True)
        if current_token != token:
            raise StalePlan(STALE_MESSAGE)
        grids = grid_undo(timetable, change_set)
        if not changes and grids is None:
            raise ServiceError(f"Undoing change {change_set.id} would change nothing: its weeks already hold the earlier values.")
        undo = record_changes(timetable, changes, undo_summary(change_set), user_id, kind="undo", undoes_id=change_set.id)
        if grids is not None:
            undo_grids(timetable, grids, undo)
        return undo
