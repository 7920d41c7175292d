"""Edit = plan, preview, apply: the use cases schedulers run on the week grid and the API."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ...database import write_transaction
from ...models import ChangeSet, Timetable
from ...rules import PARAMETERS, format_span, ref_ids
from ..calendar import check_cycle_labels
from ..creation import create_slots, initial_changes
from ..errors import Conflict, ServiceError
from ..recording import record_changes
from ..references import check_changes
from ..resolution import REFERENCE_KINDS, load_directory
from ..stripes import COURSE, SLOT, StripeChange
from .planning import EditRequest, stripe_changes
from .previews import Preview, build_preview, describe


class StalePlan(Conflict):
    """The stripes changed between the preview and the confirmation."""


STALE_MESSAGE = (
    "Someone changed these slots since this preview was made, so nothing was applied. "
    "Review the new preview and confirm again."
)


@dataclass(frozen=True)
class Plan:
    requests: tuple[EditRequest, ...]
    changes: tuple[StripeChange, ...]
    token: str
    summary: str
    preview: Preview

    @property
    def empty(self) -> bool:
        return not self.changes


def summarize(timetable: Timetable, requests: list[EditRequest]) -> str:
    """One line per request: "Staff status = Sick · 12 slots · 2026-W48 to 2026-W50"."""
    requests = [r.validated() for r in requests]
    directory = load_directory(timetable.id, only=_named(requests))
    parts = []
    for request in requests:
        label = PARAMETERS[request.param].label
        what = f"{label} reset to the course's" if request.erase and request.owner != COURSE else (
            f"{label} cleared" if request.erase else f"{label} = {describe(request.param, request.value, directory)}"
        )
        if request.owner == COURSE:
            names = ", ".join(directory.name("course", i) for i in request.ids)
            who = f"course {names}"
        else:
            who = f"{len(request.ids)} slots" if len(request.ids) > 1 else f"slot {request.ids[0]}"
        parts.append(f"{what} · {who} · {format_span(request.start, request.end)}")
    return "; ".join(parts)


def _named(requests: Sequence[EditRequest]) -> dict[str, set[int]]:
    """The resources a summary of the requests names, by kind: the courses edited, the values referred to."""
    named: dict[str, set[int]] = {"course": {i for r in requests if r.owner == COURSE for i in r.ids}}
    for request in requests:
        kind = REFERENCE_KINDS.get(request.param)
        if kind and not request.erase and request.value is not None:
            named.setdefault(kind, set()).update(ref_ids(request.value))
    return named


def plan_edit(timetable: Timetable, requests: list[EditRequest], reference_week: int, *, summary: str | None = None) -> Plan:
    """Compute what the requests would change, without writing: actions, readable diff, clashes.

    `summary` replaces the line per request, for plans made of many (the substitution desk's)."""
    changes, token = stripe_changes(timetable, requests)
    return Plan(tuple(requests), tuple(changes), token, summary or summarize(timetable, requests),
                build_preview(timetable, changes, reference_week))


def record_requests(
    timetable: Timetable, requests: Sequence[EditRequest], summary: str, user_id: int | None, *, kind: str = "edit",
) -> ChangeSet:
    """Plan the requests on the locked stripes and record them at once (caller's transaction).

    For writers with no preview to honour (the demo; an import previewed as a whole): the
    grid and the API go through `apply_plan`, which also refuses a stale preview.
    """
    changes, _token = stripe_changes(timetable, list(requests), for_update=True)
    return record_changes(timetable, changes, summary, user_id, kind=kind)


def apply_plan(
    timetable: Timetable, requests: list[EditRequest], token: str, user_id: int | None, *, summary: str | None = None,
) -> ChangeSet:
    """Apply the previewed requests in one transaction, or refuse if their stripes changed since."""
    summary = summary or summarize(timetable, requests)
    with write_transaction():
        changes, current_token = stripe_changes(timetable, requests, for_update=True)
        if current_token != token:
            raise StalePlan(STALE_MESSAGE)
        if not changes:
            raise ServiceError("Nothing to apply: the slots already have these values in these weeks.")
        change_set = record_changes(timetable, changes, summary, user_id)
    return change_set


# The id a slot being created has in previews, before it exists.
NEW_SLOT_ID = -1
CREATION_TOKEN = "new-slot"


def plan_creation(timetable: Timetable, values: dict[str, Any], start: int | None, end: int | None, reference_week: int) -> Plan:
    """Preview a new slot with all its parameters set over [start, end]: what it is, what it clashes with."""
    changes = initial_changes(SLOT, NEW_SLOT_ID, values, start, end)
    check_changes(timetable.id, changes)
    summary = f"New slot · {format_span(start, end)}"
    return Plan((), tuple(changes), CREATION_TOKEN, summary, build_preview(timetable, changes, reference_week))


def apply_creation(timetable: Timetable, values: dict[str, Any], start: int | None, end: int | None, user_id: int | None) -> ChangeSet:
    """Create the slot and its first rules in one transaction, recorded as a change (undo erases them)."""
    with write_transaction():
        _slots, change_set = create_slots(timetable, [values], start, end, user_id=user_id)
        return change_set


def _creation_changes(timetable: Timetable, slots: Sequence[dict[str, Any]], start: int | None, end: int | None) -> list[StripeChange]:
    if not slots:
        raise ServiceError("Give at least one slot to create.")
    changes = [
        change for index, values in enumerate(slots)
        for change in initial_changes(SLOT, NEW_SLOT_ID - index, values, start, end)
    ]
    check_changes(timetable.id, changes)
    check_cycle_labels(timetable, (a.value for c in changes if c.param == "cycle_weeks" for a in c.actions))
    return changes


def _creation_token(changes: Sequence[StripeChange]) -> str:
    """A digest of exactly what the preview showed, so apply creates those slots and nothing else."""
    canonical = [[c.owner_id, c.param, [[a.start, a.end, repr(a.value)] for a in c.actions]] for c in changes]
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest()[:32]


def plan_creations(
    timetable: Timetable, slots: Sequence[dict[str, Any]], start: int | None, end: int | None, reference_week: int,
) -> Plan:
    """Preview new slots (ids -1, -2, … until they exist), each with its parameters set over [start, end]."""
    changes = _creation_changes(timetable, slots, start, end)
    who = "New slot" if len(slots) == 1 else f"{len(slots)} new slots"
    return Plan((), tuple(changes), _creation_token(changes), f"{who} · {format_span(start, end)}",
                build_preview(timetable, changes, reference_week))


def apply_creations(
    timetable: Timetable, slots: Sequence[dict[str, Any]], start: int | None, end: int | None, token: str, user_id: int | None,
) -> ChangeSet:
    """Create the previewed slots in one transaction, as one change of the history (undo erases them)."""
    with write_transaction():
        # Checked again under the write lock: a resource may have been retired since the preview.
        if _creation_token(_creation_changes(timetable, slots, start, end)) != token:
            raise StalePlan("These slots are not the ones previewed (the token does not match): preview them again.")
        _slots, change_set = create_slots(timetable, list(slots), start, end, user_id=user_id)
        return change_set
