"""Check what an edit names: every staff member, room, group and course it assigns must belong to
this timetable and not be retired in the weeks it is assigned for.

Every plan goes through here (edits, bulk and course edits, slot and course creation), so no
writer can point a slot at a room of another timetable, at "#99999", or at a retired teacher.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select

from ..extensions import db
from ..models import Course, Group, Room, Staff
from ..rules import PARAMETERS, format_week, ref_ids
from ..rules.compare import UNCOVERED, differences
from .errors import InvalidField
from .stripes import StripeChange

# The model each kind of reference points at.
REF_MODELS: dict[str, type[Staff] | type[Room] | type[Group] | type[Course]] = {
    "staff": Staff, "room": Room, "group": Group, "course": Course,
}
KIND_WORDS = {"staff": "staff member", "room": "room", "group": "group", "course": "course"}

# (parameter, value, first week, last week) of one assignment; None weeks are open ends.
Assignment = tuple[str, Any, int | None, int | None]


class InvalidReference(InvalidField):
    """An edit names a resource that is not this timetable's, or is retired in those weeks."""


def check_assignments(timetable_id: int, assignments: Iterable[Assignment], *, retired_advice: str | None = None) -> None:
    """Refuse the first assignment of a missing or retired resource, naming it; one query per kind.

    A set of staff or groups is checked member by member: each must exist and not be retired.
    `retired_advice` replaces the message's advice to a resource that is retired.
    """
    refs = [(param, member, start, end) for param, value, start, end in assignments
            if PARAMETERS[param].ref is not None for member in ref_ids(value)]
    wanted: dict[str, set[int]] = defaultdict(set)
    for param, value, _start, _end in refs:
        wanted[PARAMETERS[param].ref or ""].add(value)
    found: dict[str, dict[int, tuple[str, int | None]]] = {}
    for kind, ids in wanted.items():
        model = REF_MODELS[kind]
        rows = db.session.execute(
            select(model.id, model.name, model.retired_from_week).where(model.timetable_id == timetable_id, model.id.in_(ids))
        )
        found[kind] = {row.id: (row.name, row.retired_from_week) for row in rows}
    for param, value, _start, end in refs:
        kind = PARAMETERS[param].ref or ""
        label = PARAMETERS[param].label
        if value not in found[kind]:
            raise InvalidReference(f"{label}: this timetable has no {KIND_WORDS[kind]} #{value}.", param)
        name, retired = found[kind][value]
        if retired is not None and (end is None or end >= retired):
            advice = retired_advice or f"choose another {KIND_WORDS[kind]} or end the weeks before {format_week(retired)}"
            raise InvalidReference(
                f"{label}: {name} is retired from {format_week(retired)} and cannot be assigned from then on; {advice}.", param,
            )


def check_changes(timetable_id: int, changes: Iterable[StripeChange]) -> None:
    """Check the rules a creation inserts (new slots and courses have no earlier rules to keep)."""
    check_assignments(timetable_id, (
        (change.param, action.value, action.start, action.end)
        for change in changes for action in change.actions if action.kind != "delete"
    ))


def _added(old: Any, new: Any) -> Any:
    """What `new` assigns that `old` did not: the value itself, or for a set of ids (staff, groups) its new members."""
    if isinstance(new, (tuple, list, frozenset, set)):
        kept = set(old) if isinstance(old, (tuple, list, frozenset, set)) else {old}
        return tuple(member for member in new if member not in kept)
    return new


def check_reassignments(timetable_id: int, changes: Iterable[StripeChange], *, retired_advice: str | None = None) -> None:
    """Check only the weeks in which `changes` assign a resource the stripe did not hold there before.

    Undo rebuilds stripes from history rather than painting a requested value, so it is checked
    here: it may not put back a resource retired in those weeks. Weeks that keep a resource they
    already hold (a retired teacher still on the stripe, awaiting reassignment) are not refused.
    """
    assignments: list[Assignment] = []
    for change in changes:
        if PARAMETERS[change.param].ref is None:
            continue
        for difference in differences(change.before, change.after):
            if difference.new is UNCOVERED or difference.new is None:
                continue
            value = _added(None if difference.old is UNCOVERED else difference.old, difference.new)
            if value not in ((), None):
                assignments.append((change.param, value, difference.start, difference.end))
    check_assignments(timetable_id, assignments, retired_advice=retired_advice)
