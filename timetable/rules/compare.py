"""Comparing stripes: where two differ, and the fewest actions that turn one into another.

Previews diff the resolved value of a parameter before and after a plan; undo puts back
the weeks a change touched while keeping everything else as it is now. Both work on
*segments*: the stretches between the weeks at which any of the stripes involved changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from .stripes import Action, Rule, _actions, rule_at, validate_stripe
from .weeks import FIRST_WEEK, LAST_WEEK, next_week, previous_week


class _Uncovered:
    """The value of a week no rule covers (distinct from a rule whose value is None)."""

    def __repr__(self) -> str:
        return "UNCOVERED"


UNCOVERED: Any = _Uncovered()


@dataclass(frozen=True)
class Difference:
    """Over [start, end] the first stripe says `old` and the second `new` (or UNCOVERED)."""

    start: int | None
    end: int | None
    old: Any
    new: Any


@dataclass(frozen=True)
class Conflict:
    """Weeks that a later change repainted: undo expected `expected`, found `found`, puts `restored`."""

    start: int | None
    end: int | None
    expected: Any
    found: Any
    restored: Any


def _in_range(week: int, start: int | None, end: int | None) -> bool:
    return (start is None or week > start) and (end is None or week <= end)


def breakpoints(stripes: Iterable[Iterable[Rule]], start: int | None = None, end: int | None = None) -> list[int | None]:
    """The weeks in [start, end] where any of the stripes may change value, in order.

    The first point is `start` itself (None: since always); each later point starts a
    segment over which every stripe keeps one value.
    """
    points: set[int] = set()
    for stripe in stripes:
        for rule in stripe:
            if rule.start is not None and _in_range(rule.start, start, end):
                points.add(rule.start)
            if rule.end is not None and rule.end != LAST_WEEK:
                after = next_week(rule.end)
                if _in_range(after, start, end):
                    points.add(after)
    return [start, *sorted(points)]


def segments(points: Sequence[int | None], end: int | None) -> list[tuple[int | None, int | None]]:
    """Turn breakpoints into consecutive (start, end) segments ending at `end`."""
    return [
        (point, previous_week(points[i + 1]) if i + 1 < len(points) else end)  # type: ignore[arg-type]
        for i, point in enumerate(points)
        # Since always begins at FIRST_WEEK: before a point there, there is no week to make a segment of.
        if not (point is None and i + 1 < len(points) and points[i + 1] == FIRST_WEEK)
    ]


def value_from(rules: Iterable[Rule], week: int | None) -> Any:
    """The value at `week`, where None means "since always"; UNCOVERED when no rule covers it."""
    if week is None:
        for rule in rules:
            if rule.start is None:
                return rule.value
        return UNCOVERED
    found = rule_at(rules, week)
    return UNCOVERED if found is None else found.value


def differences(before: Sequence[Rule], after: Sequence[Rule], start: int | None = None, end: int | None = None) -> list[Difference]:
    """The maximal stretches of [start, end] where the two stripes disagree, in order."""
    found: list[Difference] = []
    for seg_start, seg_end in segments(breakpoints([before, after], start, end), end):
        old, new = value_from(before, seg_start), value_from(after, seg_start)
        if old == new:
            continue
        last = found[-1] if found else None
        if last and last.old == old and last.new == new and last.end is not None and seg_start == next_week(last.end):
            found[-1] = Difference(last.start, seg_end, old, new)
        else:
            found.append(Difference(seg_start, seg_end, old, new))
    return found


def _merged_rules(pieces: Iterable[tuple[int | None, int | None, Any]]) -> list[Rule]:
    rules: list[Rule] = []
    for start, end, value in pieces:
        if value is UNCOVERED:
            continue
        last = rules[-1] if rules else None
        if last and last.value == value and last.end is not None and start == next_week(last.end):
            rules[-1] = Rule(None, last.start, end, value)
        else:
            rules.append(Rule(None, start, end, value))
    return rules


def transform(rules: Iterable[Rule], target: Iterable[Rule]) -> list[Action]:
    """The fewest actions turning the stripe `rules` (ids set) into the stripe `target`.

    Rules identical in both are kept; the others are paired into updates as far as
    possible, so the count is max(|rules that change|, |target rules that are new|).
    """
    current = validate_stripe(rules)
    wanted = validate_stripe(Rule(None, rule.start, rule.end, rule.value) for rule in target)
    return _actions(current, wanted)


def restore(current: Sequence[Rule], before: Sequence[Rule], after: Sequence[Rule]) -> tuple[list[Rule], list[Conflict]]:
    """Undo one change: the stripe with the weeks it changed put back, and what that overwrites.

    `before`/`after` are the stripe around the change; `current` is the stripe now. Weeks
    where before and after agree keep their current value, so unrelated later edits
    survive. Where a later change repainted a week the undone change had touched, the week
    still goes back to `before`, and a Conflict reports it so a person can decide.
    """
    footprint = differences(before, after)

    def touched(week: int | None) -> bool:
        for diff in footprint:
            lo_ok = diff.start is None or (week is not None and week >= diff.start)
            hi_ok = diff.end is None or (week is not None and week <= diff.end) or (week is None and diff.start is None)
            if lo_ok and hi_ok:
                return True
        return False

    pieces: list[tuple[int | None, int | None, Any]] = []
    conflicts: list[Conflict] = []
    for seg_start, seg_end in segments(breakpoints([current, before, after]), None):
        now = value_from(current, seg_start)
        if not touched(seg_start):
            pieces.append((seg_start, seg_end, now))
            continue
        old, expected = value_from(before, seg_start), value_from(after, seg_start)
        pieces.append((seg_start, seg_end, old))
        if now != expected:
            last = conflicts[-1] if conflicts else None
            if (last and (last.expected, last.found, last.restored) == (expected, now, old)
                    and last.end is not None and seg_start == next_week(last.end)):
                conflicts[-1] = Conflict(last.start, seg_end, expected, now, old)
            else:
                conflicts.append(Conflict(seg_start, seg_end, expected, now, old))
    return _merged_rules(pieces), conflicts
