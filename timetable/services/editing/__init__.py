"""Editing: plan, preview and apply changes to stripes, read a slot's history, undo a change.

The verbs schedulers and the API use are re-exported here; the modules behind them are
planning (requests into stripe changes), previews (what a plan does, in words), applying (the
edit use cases), history (the change log and undo) and inspection (the slot panel).
"""

from .applying import (
    STALE_MESSAGE,
    Plan,
    StalePlan,
    apply_creation,
    apply_creations,
    apply_plan,
    plan_creation,
    plan_creations,
    plan_edit,
    record_requests,
    summarize,
)
from .history import apply_undo, get_change_set, list_history, plan_undo
from .inspection import inspect_owner
from .planning import MAX_OWNERS_PER_REQUEST, EditRequest, check_owners, stripe_changes
from .previews import Preview, build_preview, describe, slot_label, week_clashes

__all__ = [
    "MAX_OWNERS_PER_REQUEST",
    "STALE_MESSAGE",
    "EditRequest",
    "Plan",
    "Preview",
    "StalePlan",
    "apply_creation",
    "apply_creations",
    "apply_plan",
    "apply_undo",
    "build_preview",
    "check_owners",
    "describe",
    "get_change_set",
    "inspect_owner",
    "list_history",
    "plan_creation",
    "plan_creations",
    "plan_edit",
    "plan_undo",
    "record_requests",
    "slot_label",
    "stripe_changes",
    "summarize",
    "week_clashes",
]
