"""Turn edit requests into stripe changes: which rules each stripe gets, computed without writing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from itertools import count
from typing import Any, cast

from sqlalchemy import select

from ...database import is_postgresql
from ...extensions import db
from ...models import Timetable
from ...rules import FIRST_WEEK, LAST_WEEK, Rule, apply, erase, get_parameter, next_week, paint, previous_week, validate_week
from ...rules.compare import transform
from ..calendar import check_cycle_labels
from ..errors import NotFound, ServiceError
from ..references import check_assignments
from ..stripes import COURSE, OWNER_MODELS, StripeChange, StripeKey, Window, load_stripes

MAX_OWNERS_PER_REQUEST = 2000


@dataclass(frozen=True)
class EditRequest:
    """Paint `value` (or erase) over [start, end] of one parameter of some slots or courses."""

    owner: str
    ids: tuple[int, ...]
    param: str
    start: int | None
    end: int | None
    value: Any = None
    erase: bool = False

    def validated(self) -> EditRequest:
        """Return the request with its value checked and normalised, or raise with a clear message."""
        if self.owner not in OWNER_MODELS:
            raise ServiceError(f"Edits apply to slots or courses, not “{self.owner}”.")
        if not self.ids:
            raise ServiceError("Select at least one slot to change.")
        if len(self.ids) > MAX_OWNERS_PER_REQUEST:
            raise ServiceError(f"At most {MAX_OWNERS_PER_REQUEST} slots can change at once.")
        parameter = get_parameter(self.param)
        if self.owner == COURSE and self.param == "course":
            raise ServiceError("A course cannot point at another course.")
        for week in (self.start, self.end):
            if week is not None:
                validate_week(week)
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ServiceError("The first week of the range comes after its last week.")
        value = None if self.erase else parameter.validate(self.value)
        if not self.erase and value is None and not parameter.nullable and parameter.default is None:
            raise ServiceError(f"{parameter.label} needs a value.")
        return EditRequest(self.owner, tuple(dict.fromkeys(self.ids)), self.param, self.start, self.end, value, self.erase)


def check_owners(timetable: Timetable, owner: str, ids: tuple[int, ...], *, lock: bool = False) -> None:
    """Refuse ids that are not this timetable's; with `lock`, hold the owners' rows until commit.

    Locking the slot (or course) rows, in id order so that writers never deadlock, is what
    serializes writers of one stripe on PostgreSQL: locking the rule rows alone would not
    stop a concurrent insert into the same stripe.
    """
    model = OWNER_MODELS[owner]
    query = select(model.id).where(model.timetable_id == timetable.id, model.id.in_(ids)).order_by(model.id)
    if lock and is_postgresql():
        query = query.with_for_update()
    found = set(db.session.scalars(query))
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise NotFound(f"This timetable has no {owner} {', '.join(missing)}.")


def check_cycle_weeks(timetable: Timetable, requests: list[EditRequest]) -> None:
    """Refuse cycle_weeks that name a label the timetable's cycle does not have: the slot would never occur."""
    check_cycle_labels(timetable, (r.value for r in requests if r.param == "cycle_weeks" and not r.erase))


def stripe_changes(
    timetable: Timetable, requests: list[EditRequest], *, for_update: bool = False
) -> tuple[list[StripeChange], str]:
    """Compute every stripe's change for the requests, in order, and the token of what was read.

    Requests are applied one after the other to working copies, so two requests on one
    stripe compose; each stripe's actions are then the fewest from its stored state to its
    final one. The token fingerprints the stored stripes, so apply can refuse a plan whose
    stripes changed since the preview.
    """
    requests = [request.validated() for request in requests]
    check_cycle_weeks(timetable, requests)
    for owner in sorted({request.owner for request in requests}):
        check_owners(timetable, owner, tuple(i for r in requests if r.owner == owner for i in r.ids), lock=for_update)
    check_assignments(timetable.id, ((r.param, r.value, r.start, r.end) for r in requests if not r.erase))
    keys = {(r.owner, owner_id, r.param) for r in requests for owner_id in r.ids}
    stored = load_stripes(keys, for_update=for_update, window=_window(requests))

    temporary_ids = count(1)
    working = {key: list(rules) for key, rules in stored.items()}
    for request in requests:
        for owner_id in request.ids:
            key = (request.owner, owner_id, request.param)
            stripe = working[key]
            if request.erase:
                actions = erase(stripe, request.start, request.end)
            else:
                actions = paint(stripe, request.start, request.end, request.value)
            working[key] = apply(stripe, actions, new_id=lambda: ("new", next(temporary_ids)))

    changes = []
    for key in sorted(keys):
        actions = transform(stored[key], working[key])
        if actions:
            before = tuple(sorted(stored[key], key=_start_order))
            changes.append(StripeChange(*key, before, tuple(actions), tuple(apply(before, actions))))
    return changes, fingerprint(stored)


def _window(requests: list[EditRequest]) -> Window:
    """The weeks the requests paint, widened by a week on each side: the rules a paint may
    cut, and the touching neighbours of equal value it merges with."""
    starts = [r.start for r in requests if r.start is not None]
    ends = [r.end for r in requests if r.end is not None]
    open_start = len(starts) < len(requests) or min(starts) == FIRST_WEEK
    open_end = len(ends) < len(requests) or max(ends) == LAST_WEEK
    return (None if open_start else previous_week(min(starts))), (None if open_end else next_week(max(ends)))


def _start_order(rule: Rule):
    return (rule.start is not None, rule.start or 0)


def _stored_id(rule: Rule) -> int:
    return cast(int, rule.id)  # stored rules are named by their row id


def fingerprint(stripes: dict[StripeKey, list[Rule]]) -> str:
    """A short digest of stored stripes (ids, bounds, values); any write changes it."""
    canonical = [
        [list(key), [[rule.id, rule.start, rule.end, repr(rule.value)] for rule in sorted(rules, key=_stored_id)]]
        for key, rules in sorted(stripes.items())
    ]
    return hashlib.sha256(json.dumps(canonical, separators=(",", ":")).encode()).hexdigest()[:32]
