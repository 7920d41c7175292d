"""What "the usual week" of a slot is, so that a day's deviations can be listed.

A parameter's *usual* value for a slot in week W is the value it holds in most of the
comparison weeks: the `SPAN` weeks before W and the `SPAN` weeks after it (W itself is left
out, so a one-week change never makes itself usual). Weeks where the slot does not occur
(not yet created, or closed) give no sample. A tie goes to the value of the nearest sampled
week, the earlier one first when a week before and a week after are equally near. With no
sample at all there is no usual value (`NO_USUAL`), and nothing is reported as a deviation.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Mapping
from typing import Final

from .weeks import add_weeks, weeks_between

SPAN: Final = 4


class _NoUsual:
    def __repr__(self) -> str:
        return "NO_USUAL"


NO_USUAL: Final = _NoUsual()


def comparison_weeks(week: int, span: int = SPAN) -> list[int]:
    """The weeks a usual value is sampled from: `span` before `week` and `span` after it, in order."""
    return [add_weeks(week, n) for n in range(-span, span + 1) if n != 0]


def usual_value(samples: Mapping[int, Hashable], week: int) -> Hashable | _NoUsual:
    """The value most of `samples` (week -> value) hold, ignoring `week` itself; ties to the nearest week."""
    others = {w: v for w, v in samples.items() if w != week}
    if not others:
        return NO_USUAL
    counts = Counter(others.values())
    best = max(counts.values())
    tied = {value for value, count in counts.items() if count == best}
    if len(tied) == 1:  # the common case (one value all along): no tie to break, and no week arithmetic per sample
        return next(iter(tied))
    nearest = min((w for w, v in others.items() if v in tied), key=lambda w: (abs(weeks_between(week, w)), w))
    return others[nearest]
