"""The one write path of stripes: write a plan's actions, keep them as history, announce them.

Every writer of rules — edits, undo, slot and course creation, the demo, imports — hands its
computed stripe changes to `record_changes`, inside the caller's transaction. Nothing else
inserts, updates or deletes rule rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import insert

from ..extensions import db
from ..models import ChangeSet, ChangeStripe, Timetable
from ..rules import invert, union_spans
from ..rules.compare import differences
from .booking import BOOKING_SENSITIVE, offer_after_edit
from .live import announce
from .stripes import (
    COURSE,
    SLOT,
    StripeChange,
    delete_rules_of,
    encode_actions,
    encode_rules,
    insert_new_stripes,
    is_new_stripe,
    is_whole_delete,
    slots_of_courses,
    write_changes,
)

# The kinds of change whose new or emptied stripes are written in batches.
BATCHED_KINDS = ("create", "import", "undo")


def record_changes(
    timetable: Timetable, changes: Sequence[StripeChange], summary: str,
    user_id: int | None, *, kind: str = "edit", undoes_id: int | None = None,
) -> ChangeSet:
    """Write the changes' actions and keep them, with their inverse, as one change set (caller's transaction)."""
    change_set = ChangeSet(timetable_id=timetable.id, user_id=user_id, summary=summary, kind=kind, undoes_id=undoes_id)
    db.session.add(change_set)
    db.session.flush()
    history = []
    # Creations and imports write their new stripes in one batch, and undos empty stripes in a few
    # statements (thousands of rules for an import); everything else goes step by step, each stripe's actions in order.
    batch = kind in BATCHED_KINDS
    fresh = [change for change in changes if batch and is_new_stripe(change)]
    batched = dict(zip(map(id, fresh), insert_new_stripes(timetable.id, fresh), strict=True)) if fresh else {}
    emptied = [change for change in changes if batch and is_whole_delete(change)]
    if emptied:
        delete_rules_of(emptied)
        batched.update((id(change), []) for change in emptied)
    rest = [change for change in changes if id(change) not in batched]
    batched.update(zip(map(id, rest), write_changes(timetable.id, rest), strict=True))
    for change in changes:
        inserted = batched[id(change)]
        inverse = invert(change.before, change.actions, inserted)
        history.append({
            "change_set_id": change_set.id, "owner_kind": change.owner, "owner_id": change.owner_id, "param": change.param,
            "before": encode_rules(change.param, change.before), "after": encode_rules(change.param, change.after),
            "actions": encode_actions(change.param, change.actions), "inverse": encode_actions(change.param, inverse),
        })
    if history:
        db.session.execute(insert(ChangeStripe), history)
    _offer_freed_places(timetable, changes)
    spans = union_spans(
        (d.start, d.end) for change in changes for d in differences(list(change.before), list(change.after))
    )
    announce(timetable.id, "change", spans or ((None, None),))
    return change_set


def _offer_freed_places(timetable: Timetable, changes: Sequence[StripeChange]) -> None:
    """A change that raised capacity or reopened an occurrence frees places for its waiting list."""
    sensitive = [c for c in changes if c.param in BOOKING_SENSITIVE]
    slot_ids = {c.owner_id for c in sensitive if c.owner == SLOT}
    slot_ids |= slots_of_courses({c.owner_id for c in sensitive if c.owner == COURSE})
    offer_after_edit(timetable, slot_ids)
