"""Rule stripes and the pure planner that paints or erases a week range with the fewest actions.

A stripe is the history of one parameter of one slot (or course): rules `(id, start, end,
value)` whose inclusive week ranges never overlap. `None` as a start means "since always",
as an end "for ever". A week no rule covers is uncovered: the owner inherits the value.

`paint` and `erase` never touch a database: they read a stripe and return the `Action`s
(delete / update / insert) that turn it into the new one; `apply` carries actions out in
memory. Every function checks its whole input first and raises a `RulesError` (naming the
offending rules and weeks) before computing anything, and none mutates its arguments.

What a paint produces. Painting `value` over [start, end] overwrites those weeks; rules
partly inside keep their outside remnants; and the painted weeks merge with every rule of the
same value they touch (the week after one's end is the other's start), so afterwards the
painted range lies inside ONE rule, as long as the run of `value` it belongs to. Erasing
uncovers [start, end] and keeps the remnants. On a stripe that is already merged, the result
is therefore merged everywhere. A legacy stripe may hold touching rules of equal value that
were never merged: painting merges such a chain only when the painted run reaches it (even if
no week changes value); elsewhere, a remnant's neighbour included, such splits stay as they
were, and no plan ever creates one. `normalize` merges them all.

Fewest actions. Let O be the old rules that do not survive identically (same bounds and
value) and N the rules of the result that are not identical to an old rule. The plan has
exactly max(|O|, |N|) actions: min(|O|, |N|) old rules are reused through updates, the rest of
O is deleted, the rest of N inserted. Rules outside the change are never mentioned, and a
paint or erase that changes nothing returns []. Reuse is chosen in a stable order of
preference: an old rule overlapping the new one with the same value (a rule keeping its
remnant), then an overlapping one, then one with the same value, then any; ties go to the
earlier old rule, then the earlier new one.

Order of the actions, and why it is safe. Deletes come first, then updates that keep their
rule within its old bounds, then updates that widen it, then inserts; each group by start
week (open starts first). In a paint at most one update widens its rule: the rule reused for
the painted run. A remnant is always kept by the rule it is cut from, which only shrinks. So
deletes and shrinks only free weeks; when the widening update runs every other rule already
has its final bounds or is gone; and inserts add final rules one at a time. Every prefix of
the list therefore leaves a stripe without overlaps, and a database that checks a no-overlap
constraint after each statement accepts the actions executed in the returned order (one
transaction is still wanted, for atomicity). The same holds for `erase` and `normalize`.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .errors import InvalidAction, InvalidRange, InvalidStripe, InvalidWeek, OverlappingRules
from .weeks import (
    FIRST_WEEK,
    LAST_WEEK,
    format_span,
    format_week,
    is_week,
    next_week,
    previous_week,
    validate_week,
)

DELETE = "delete"
UPDATE = "update"
INSERT = "insert"
ACTION_KINDS = (DELETE, UPDATE, INSERT)

# Stand-ins for open ends when comparing: below and above every real key (101 .. 999952).
_BEFORE_ALL = 0
_AFTER_ALL = 1_000_000


def _lo(start: int | None) -> int:
    return _BEFORE_ALL if start is None else start


def _hi(end: int | None) -> int:
    return _AFTER_ALL if end is None else end


def _span(start: object, end: object) -> str:
    """`format_span` that survives invalid weeks, for messages about invalid rules."""
    if (start is None or is_week(start)) and (end is None or is_week(end)):
        return format_span(start, end)  # type: ignore[arg-type]
    return f"{start!r} to {end!r}"


@dataclass(frozen=True)
class Rule:
    """One value over an inclusive week range; `None` bounds are open (always / for ever).

    `id` is whatever names the rule where it is stored (the row id); rules that are not
    stored yet have `id` None. Values are any Python values, compared with `==`.
    """

    id: Hashable
    start: int | None
    end: int | None
    value: Any

    def covers(self, week: int) -> bool:
        """Tell whether `week` lies within the rule's bounds."""
        return _lo(self.start) <= week <= _hi(self.end)

    def __str__(self) -> str:
        return f"rule {self.id!r} ({_span(self.start, self.end)} = {self.value!r})"


@dataclass(frozen=True)
class Action:
    """One step of a plan against stored rules.

    - delete: `id` names the rule; `start`, `end` and `value` are None.
    - update: `id` names the rule; `start`, `end`, `value` are its complete new state.
    - insert: `id` is None (the store assigns one); `start`, `end`, `value` are the new rule.
    """

    kind: str
    id: Hashable = None
    start: int | None = None
    end: int | None = None
    value: Any = None

    def __post_init__(self) -> None:
        if self.kind not in ACTION_KINDS:
            raise InvalidAction(f"{self.kind!r}: unknown action kind (expected delete, update or insert)")
        if self.kind == INSERT and self.id is not None:
            raise InvalidAction(f"insert with id {self.id!r}: a new rule gets its id where it is stored")
        if self.kind != INSERT and self.id is None:
            raise InvalidAction(f"{self.kind} without an id: it must name the rule it changes")
        if self.kind == DELETE and not (self.start is None and self.end is None and self.value is None):
            raise InvalidAction(f"delete of rule {self.id!r} carries bounds or a value; it needs only the id")

    @classmethod
    def delete(cls, id: Hashable) -> Action:
        return cls(DELETE, id)

    @classmethod
    def update(cls, id: Hashable, start: int | None, end: int | None, value: Any) -> Action:
        return cls(UPDATE, id, start, end, value)

    @classmethod
    def insert(cls, start: int | None, end: int | None, value: Any) -> Action:
        return cls(INSERT, None, start, end, value)

    def __str__(self) -> str:
        if self.kind == DELETE:
            return f"delete rule {self.id!r}"
        change = f"{_span(self.start, self.end)} = {self.value!r}"
        return f"update rule {self.id!r} to {change}" if self.kind == UPDATE else f"insert {change}"


def _start_key(rule: Rule) -> int:
    return _lo(rule.start)


def _end_key(rule: Rule) -> int:
    return _hi(rule.end)


def _check_range(start: object, end: object, what: object) -> None:
    """Raise unless start/end are weeks or None and start is not after end.

    `what` (a rule, or a phrase) names the range in messages; it is turned into text only
    on error, since formatting every rule of a long stripe would dominate the planning time.
    """
    for name, week in (("start", start), ("end", end)):
        if week is not None:
            try:
                validate_week(week)  # type: ignore[arg-type]
            except InvalidWeek as error:
                raise InvalidWeek(f"{what}: {name} {error}") from None
    if start is not None and end is not None and start > end:  # type: ignore[operator]
        raise InvalidRange(
            f"{what}: start {format_week(start)} is after end {format_week(end)}"  # type: ignore[arg-type]
        )


def _checked_stripe(rules: Iterable[Rule], *, need_ids: bool) -> list[Rule]:
    """Return the rules sorted by start, or raise on the first thing that is not a stripe."""
    stripe = list(rules)
    seen: set[Hashable] = set()
    for rule in stripe:
        if not isinstance(rule, Rule):
            raise InvalidStripe(f"{rule!r} is not a Rule")
        if rule.id is None:
            if need_ids:
                raise InvalidStripe(f"{rule} has no id, so an action could not name it")
        else:
            try:
                repeated = rule.id in seen
            except TypeError:
                raise InvalidStripe(f"{rule} has an id that cannot be hashed") from None
            if repeated:
                raise InvalidStripe(f"two rules have the id {rule.id!r}")
            seen.add(rule.id)
        _check_range(rule.start, rule.end, rule)
    stripe.sort(key=_start_key)
    # Sorted by start, a stripe has an overlap only if two neighbours overlap.
    for before, after in zip(stripe, stripe[1:]):
        if _end_key(before) >= _start_key(after):
            common_end = min(before, after, key=_end_key).end
            raise OverlappingRules(
                f"{before} and {after} overlap: {format_span(after.start, common_end)}",
                before,
                after,
            )
    return stripe


def validate_stripe(rules: Iterable[Rule]) -> list[Rule]:
    """Return the rules sorted by start (open starts first) after checking they form a stripe.

    Raises `InvalidWeek` for a bound that is not a week, `InvalidRange` for a rule starting
    after it ends, `OverlappingRules` for two rules sharing a week, and `InvalidStripe` for a
    non-rule or two rules with one id. Touching rules of equal value are allowed (legacy).
    """
    return _checked_stripe(rules, need_ids=False)


def _touch(before: int | None, after: int | None) -> bool:
    """Tell whether week `after` directly follows week `before` (open ends never touch)."""
    return before is not None and after is not None and next_week(before) == after


def paint(rules: Iterable[Rule], start: int | None, end: int | None, value: Any) -> list[Action]:
    """Return the fewest actions that paint `value` over [start, end] of the stripe `rules`.

    `start` or `end` may be None (open). Every rule needs an id. See the module docstring for
    what the result is (merged around the painted range), why the plan is minimal, and why the
    returned order is safe to execute statement by statement.
    """
    return _plan(rules, start, end, value, painting=True)


def erase(rules: Iterable[Rule], start: int | None, end: int | None) -> list[Action]:
    """Return the fewest actions that leave [start, end] uncovered, keeping outside remnants."""
    return _plan(rules, start, end, None, painting=False)


def _plan(
    rules: Iterable[Rule], start: int | None, end: int | None, value: Any, *, painting: bool
) -> list[Action]:
    _check_range(start, end, "painted range" if painting else "erased range")
    stripe = _checked_stripe(rules, need_ids=True)
    lo, hi = _lo(start), _hi(end)
    # Ends are sorted too (no overlaps), so both searches are binary.
    first = bisect_left(stripe, lo, key=_end_key)
    stop = bisect_right(stripe, hi, key=_start_key)
    hit = stripe[first:stop]

    # Rules sticking out of the range keep their outside weeks as remnants, except where
    # painting merges them into the run. (An open end reaching past the calendar's first or
    # last week has no outside weeks there.)
    outer_left = hit[0] if hit and _start_key(hit[0]) < lo else None
    outer_right = hit[-1] if hit and _end_key(hit[-1]) > hi else None
    merge_left = painting and outer_left is not None and outer_left.value == value
    merge_right = painting and outer_right is not None and outer_right.value == value
    left = right = None
    if outer_left is not None and not merge_left and start != FIRST_WEEK:
        left = Rule(None, outer_left.start, previous_week(start), outer_left.value)  # type: ignore[arg-type]
    if outer_right is not None and not merge_right and end != LAST_WEEK:
        right = Rule(None, next_week(end), outer_right.end, outer_right.value)  # type: ignore[arg-type]

    if not painting:
        pieces = [piece for piece in (left, right) if piece is not None]
        return _actions(hit, pieces)

    run_start = outer_left.start if merge_left else start  # type: ignore[union-attr]
    run_end = outer_right.end if merge_right else end  # type: ignore[union-attr]
    # Absorb touching rules of the same value beyond the range: the neighbour, and on a
    # legacy stripe the whole chain of unmerged equal rules behind it. A remnant of another
    # value in between stops this.
    below, above = first - 1, stop
    if outer_left is None or merge_left:
        while below >= 0 and stripe[below].value == value and _touch(stripe[below].end, run_start):
            run_start = stripe[below].start
            below -= 1
    if outer_right is None or merge_right:
        while above < len(stripe) and stripe[above].value == value and _touch(run_end, stripe[above].start):
            run_end = stripe[above].end
            above += 1
    run = Rule(None, run_start, run_end, value)
    pieces = [piece for piece in (left, run, right) if piece is not None]
    return _actions(stripe[below + 1 : above], pieces)


def _affinity(old: Rule, new: Rule) -> int:
    """Rank how naturally `old` becomes `new` through an update (lower is better)."""
    overlapping = _start_key(old) <= _end_key(new) and _start_key(new) <= _end_key(old)
    same_value = old.value == new.value
    return (0 if overlapping else 2) + (0 if same_value else 1)


def _within(inner: Rule, outer: Rule) -> bool:
    return _start_key(outer) <= _start_key(inner) and _end_key(inner) <= _end_key(outer)


def _actions(old: Sequence[Rule], new: Sequence[Rule]) -> list[Action]:
    """Return the fewest actions turning the old rules (ids set) into the new ones (ids None).

    Both are sorted by start and cover the same changed stretch of one stripe.
    """
    by_bounds = {(rule.start, rule.end): rule for rule in old}
    kept: set[Hashable] = set()
    added: list[Rule] = []
    for rule in new:
        same = by_bounds.get((rule.start, rule.end))
        if same is not None and same.value == rule.value:
            kept.add(same.id)
        else:
            added.append(rule)
    gone = [rule for rule in old if rule.id not in kept]

    # Greedy by (affinity, old position, new position): deterministic, and in a paint at
    # most three pairs are made (N holds a left remnant, the run and a right remnant).
    free_old, free_new = list(range(len(gone))), list(range(len(added)))
    pairs: list[tuple[Rule, Rule]] = []
    while free_old and free_new:
        _, i, j = min((_affinity(gone[i], added[j]), i, j) for i in free_old for j in free_new)
        free_old.remove(i)
        free_new.remove(j)
        pairs.append((gone[i], added[j]))

    deletes = [Action.delete(gone[i].id) for i in free_old]
    pairs.sort(key=lambda pair: (not _within(pair[1], pair[0]), _start_key(pair[1])))
    updates = [Action.update(o.id, n.start, n.end, n.value) for o, n in pairs]
    inserts = [Action.insert(added[j].start, added[j].end, added[j].value) for j in free_new]
    return deletes + updates + inserts


def normalize(rules: Iterable[Rule]) -> list[Action]:
    """Return the fewest actions merging every chain of touching rules of equal value.

    Each chain keeps its first rule, widened over the chain; the others are deleted (first).
    An already merged stripe gives [].
    """
    stripe = _checked_stripe(rules, need_ids=True)
    deletes: list[Action] = []
    updates: list[Action] = []
    i = 0
    while i < len(stripe):
        head = stripe[i]
        j = i + 1
        while (
            j < len(stripe)
            and stripe[j].value == head.value
            and _touch(stripe[j - 1].end, stripe[j].start)
        ):
            j += 1
        if j - i > 1:
            deletes.extend(Action.delete(rule.id) for rule in stripe[i + 1 : j])
            updates.append(Action.update(head.id, head.start, stripe[j - 1].end, head.value))
        i = j
    return deletes + updates


def apply(
    rules: Iterable[Rule], actions: Iterable[Action], new_id: Callable[[], Hashable] | None = None
) -> list[Rule]:
    """Return the stripe after carrying out `actions` in order, sorted by start (open first).

    Inserted rules get their id from `new_id()` when given (called once per insert, in
    order), else None. Raises `InvalidAction` for an action naming a missing rule or a new id
    already taken, and the stripe errors if the result is not a stripe.
    """
    by_id: dict[Hashable, Rule] = {}
    unnamed: list[Rule] = []
    for rule in _checked_stripe(rules, need_ids=False):
        if rule.id is None:
            unnamed.append(rule)
        else:
            by_id[rule.id] = rule
    for action in actions:
        if not isinstance(action, Action):
            raise InvalidAction(f"{action!r} is not an Action")
        if action.kind == INSERT:
            rule_id = new_id() if new_id is not None else None
            rule = Rule(rule_id, action.start, action.end, action.value)
            if rule_id is None:
                unnamed.append(rule)
            elif rule_id in by_id:
                raise InvalidAction(f"{action}: the new id {rule_id!r} is already taken")
            else:
                by_id[rule_id] = rule
        elif action.id not in by_id:
            raise InvalidAction(f"{action}: there is no rule {action.id!r}")
        elif action.kind == DELETE:
            del by_id[action.id]
        else:
            by_id[action.id] = Rule(action.id, action.start, action.end, action.value)
    return _checked_stripe([*by_id.values(), *unnamed], need_ids=False)


def invert(
    rules: Iterable[Rule], actions: Sequence[Action], inserted_ids: Sequence[Hashable] = ()
) -> list[Action]:
    """Return the actions that undo `actions`, which were applied to the stripe `rules`.

    `inserted_ids` are the ids the store gave the inserted rules, in the order of the
    inserts. A deleted rule comes back through an insert (so under a new id). The inverse is
    the reversed list of per-action inverses, so it passes through the same intermediate
    stripes backwards: if the forward order was safe statement by statement, so is this one.
    """
    before = {rule.id: rule for rule in _checked_stripe(rules, need_ids=True)}
    inserts = [action for action in actions if action.kind == INSERT]
    if len(inserted_ids) != len(inserts):
        raise InvalidAction(f"{len(inserts)} inserts but {len(inserted_ids)} inserted ids")
    new_ids = iter(inserted_ids)
    touched: set[Hashable] = set()
    inverse: list[Action] = []
    for action in actions:
        if action.kind == INSERT:
            inverse.append(Action.delete(next(new_ids)))
            continue
        if action.id not in before:
            raise InvalidAction(f"{action}: there is no rule {action.id!r}")
        if action.id in touched:
            raise InvalidAction(f"{action}: rule {action.id!r} is changed twice")
        touched.add(action.id)
        old = before[action.id]
        if action.kind == DELETE:
            inverse.append(Action.insert(old.start, old.end, old.value))
        else:
            inverse.append(Action.update(old.id, old.start, old.end, old.value))
    inverse.reverse()
    return inverse


def rule_at(rules: Iterable[Rule], week: int) -> Rule | None:
    """Return the rule covering `week`, or None when the week is uncovered.

    A single pass over the rules in any order; it checks the week, and raises
    `OverlappingRules` if it meets two rules covering it, but does not validate the rest.
    """
    week = validate_week(week)
    found = None
    for rule in rules:
        if rule.covers(week):
            if found is not None:
                raise OverlappingRules(f"{found} and {rule} both cover {format_week(week)}", found, rule)
            found = rule
    return found


def value_at(rules: Iterable[Rule], week: int) -> Any:
    """Return the value of the rule covering `week`, or None when uncovered.

    A rule may hold None itself; use `rule_at` to tell the two apart.
    """
    rule = rule_at(rules, week)
    return None if rule is None else rule.value
