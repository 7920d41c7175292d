"""Edit = plan, preview, apply: the use cases schedulers run on the week grid and the API."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..database import write_transaction
from ..extensions import db
from ..models import ChangeSet, ChangeStripe, Slot, Timetable
from ..rules import PARAMETERS, Action, Rule, format_span, get_parameter, invert, validate_week
from ..rules.compare import differences
from .errors import Conflict, ServiceError
from .planning import COURSE, RULE_MODELS, SLOT, EditRequest, StripeChange, stripe_changes
from .booking import offer_after_edit
from .live import announce
from .previews import BOOKING_SENSITIVE, Preview, build_preview, describe, slots_of_courses, union_spans
from .resolution import load_directory
from .stripes import write_actions


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
    directory = load_directory(timetable.id)
    parts = []
    for request in (r.validated() for r in requests):
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


def plan_edit(timetable: Timetable, requests: list[EditRequest], reference_week: int) -> Plan:
    """Compute what the requests would change, without writing: actions, readable diff, clashes."""
    changes, token = stripe_changes(timetable, requests)
    return Plan(tuple(requests), tuple(changes), token, summarize(timetable, requests),
                build_preview(timetable, changes, reference_week))


def apply_plan(timetable: Timetable, requests: list[EditRequest], token: str, user_id: int | None) -> ChangeSet:
    """Apply the previewed requests in one transaction, or refuse if their stripes changed since."""
    summary = summarize(timetable, requests)
    with write_transaction():
        changes, current_token = stripe_changes(timetable, requests, for_update=True)
        if current_token != token:
            raise StalePlan(STALE_MESSAGE)
        if not changes:
            raise ServiceError("Nothing to apply: the slots already have these values in these weeks.")
        change_set = record_changes(timetable, changes, summary, user_id)
    return change_set


def record_changes(
    timetable: Timetable, changes: list[StripeChange] | tuple[StripeChange, ...], summary: str,
    user_id: int | None, *, kind: str = "edit", undoes_id: int | None = None,
) -> ChangeSet:
    """Write the changes' actions and keep them, with their inverse, as one change set (caller's transaction)."""
    change_set = ChangeSet(timetable_id=timetable.id, user_id=user_id, summary=summary, kind=kind, undoes_id=undoes_id)
    db.session.add(change_set)
    db.session.flush()
    for change in changes:
        inserted = write_actions(RULE_MODELS[change.owner], change.owner_id, timetable.id, change.param, list(change.actions))
        inverse = invert(change.before, change.actions, inserted)
        db.session.add(ChangeStripe(
            change_set_id=change_set.id, owner_kind=change.owner, owner_id=change.owner_id, param=change.param,
            before=encode_rules(change.param, change.before), after=encode_rules(change.param, change.after),
            actions=encode_actions(change.param, change.actions), inverse=encode_actions(change.param, inverse),
        ))
    db.session.flush()
    _offer_freed_places(timetable, changes)
    spans = union_spans(
        (d.start, d.end) for change in changes for d in differences(list(change.before), list(change.after))
    )
    announce(timetable.id, "change", spans or ((None, None),))
    return change_set


def _offer_freed_places(timetable: Timetable, changes) -> None:
    """A change that raised capacity or reopened an occurrence frees places for its waiting list."""
    sensitive = [c for c in changes if c.param in BOOKING_SENSITIVE]
    slot_ids = {c.owner_id for c in sensitive if c.owner == SLOT}
    slot_ids |= slots_of_courses({c.owner_id for c in sensitive if c.owner == COURSE})
    offer_after_edit(timetable, slot_ids)


def encode_rules(param: str, rules) -> list:
    encode = get_parameter(param).encode
    return [[rule.start, rule.end, encode(rule.value)] for rule in rules]


def decode_rules(param: str, stored: list) -> list[Rule]:
    decode = get_parameter(param).decode
    return [Rule(index, start, end, decode(value)) for index, (start, end, value) in enumerate(stored)]


def encode_actions(param: str, actions) -> list:
    encode = get_parameter(param).encode
    return [
        [a.kind, a.id, a.start, a.end, None if a.kind == "delete" else encode(a.value)]
        for a in actions
    ]


# The id a slot being created has in previews, before it exists.
NEW_SLOT_ID = -1
CREATION_TOKEN = "new-slot"


def _creation_changes(values: dict[str, Any], start: int | None, end: int | None, slot_id: int) -> list[StripeChange]:
    for week in (start, end):
        if week is not None:
            validate_week(week)
    if start is not None and end is not None and start > end:
        raise ServiceError("The first week of the range comes after its last week.")
    missing = [PARAMETERS[name].label.lower() for name in ("weekday", "start") if values.get(name) is None]
    if missing:
        raise ServiceError(f"A new slot needs a {' and a '.join(missing)}.")
    changes = []
    for param, value in values.items():
        value = get_parameter(param).validate(value)
        if value is None or value == "":
            continue
        rule = Rule(None, start, end, value)
        changes.append(StripeChange(SLOT, slot_id, param, (), (Action.insert(start, end, value),), (rule,)))
    return changes


def plan_creation(timetable: Timetable, values: dict[str, Any], start: int | None, end: int | None, reference_week: int) -> Plan:
    """Preview a new slot with all its parameters set over [start, end]: what it is, what it clashes with."""
    changes = _creation_changes(values, start, end, NEW_SLOT_ID)
    summary = f"New slot · {format_span(start, end)}"
    return Plan((), tuple(changes), CREATION_TOKEN, summary, build_preview(timetable, changes, reference_week))


def apply_creation(timetable: Timetable, values: dict[str, Any], start: int | None, end: int | None, user_id: int | None) -> ChangeSet:
    """Create the slot and its first rules in one transaction, recorded as a change (undo erases them)."""
    with write_transaction():
        slot = Slot(timetable_id=timetable.id)
        db.session.add(slot)
        db.session.flush()
        changes = _creation_changes(values, start, end, slot.id)
        return record_changes(timetable, changes, f"New slot {slot.id} · {format_span(start, end)}", user_id, kind="create")
