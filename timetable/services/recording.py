"""The one write path of stripes: write a plan's actions, keep them as history, announce them.

Every writer of rules — edits, undo, slot and course creation, the demo, imports — hands its
computed stripe changes to `record_changes`, inside the caller's transaction. Nothing else
inserts, updates or deletes rule rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import NamedTuple

from sqlalchemy import insert

from ..extensions import db
from ..models import ChangeSet, ChangeStripe, Timetable, User
from ..rules import invert, union_spans
from ..rules.compare import differences
from .booking import BOOKING_SENSITIVE, offer_after_edit
from .freshness import stamp_at_commit
from .live import announce
from .stripes import (
    BULK_STRIPES,
    COURSE,
    SLOT,
    StripeChange,
    delete_rules_of,
    encode_actions,
    encode_rules,
    insert_new_stripes,
    is_new_stripe,
    is_whole_delete,
    refresh_statistics,
    slots_of_courses,
    write_changes,
)


class WrittenStripe(NamedTuple):
    owner_kind: str
    owner_id: int
    param: str


@dataclass(frozen=True)
class WrittenChange:
    """A change set as it was written, for the answer to the request that wrote it.

    Committing expires the change set, and reading it back would load its stripes (thousands of
    JSON values for a large edit) only to name them: this keeps what the answer shows in memory.
    """

    id: int
    kind: str
    summary: str
    user_id: int | None
    created_at: datetime
    undoes_id: int | None
    stripes: tuple[WrittenStripe, ...]

    @cached_property
    def user(self) -> User | None:
        return None if self.user_id is None else db.session.get(User, self.user_id)


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
    stamp_at_commit(db.session(), timetable.id, change_set.id)
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
    if len(changes) >= BULK_STRIPES:
        refresh_statistics()
    _offer_freed_places(timetable, changes)
    spans = union_spans(
        (d.start, d.end) for change in changes for d in differences(list(change.before), list(change.after))
    )
    announce(timetable.id, "change", spans or ((None, None),), rules_only=True)
    change_set.written = WrittenChange(
        change_set.id, kind, summary, user_id, change_set.created_at, undoes_id,
        tuple(WrittenStripe(change.owner, change.owner_id, change.param) for change in changes),
    )
    return change_set


def _offer_freed_places(timetable: Timetable, changes: Sequence[StripeChange]) -> None:
    """A change that raised capacity or reopened an occurrence frees places for its waiting list."""
    sensitive = [c for c in changes if c.param in BOOKING_SENSITIVE]
    slot_ids = {c.owner_id for c in sensitive if c.owner == SLOT}
    slot_ids |= slots_of_courses({c.owner_id for c in sensitive if c.owner == COURSE})
    offer_after_edit(timetable, slot_ids)
