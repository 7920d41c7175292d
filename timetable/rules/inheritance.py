"""The inheritance rule: a slot's parameter in a week is its own rule, else its course's, else the default.

It is written once, here. Services hand it the values of the rules covering a week (already
looked up by the database, or read off stripes) and get back the value with its source, which
the grid, the slot panel and the previews show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .compare import UNCOVERED, value_from
from .params import PARAMETERS, get_parameter
from .stripes import Rule

SOURCE_SLOT = "slot"
SOURCE_COURSE = "course"
SOURCE_DEFAULT = "default"


def inherit(param: str, own: Any, course: Any = UNCOVERED, *, own_source: str = SOURCE_SLOT) -> tuple[Any, str]:
    """One parameter's value in one week and where it comes from.

    `own` and `course` are the values of the owner's and its course's rules covering the week,
    UNCOVERED where no rule does. A rule holding None is a value (cleared on purpose), not a
    gap. `own_source` names the owner: a course's own rules are its source "course".
    """
    if own is not UNCOVERED:
        return own, own_source
    if course is not UNCOVERED:
        return course, SOURCE_COURSE
    return get_parameter(param).default, SOURCE_DEFAULT


def resolve_parameters(own: Mapping[str, Any], course: Mapping[str, Any]) -> tuple[dict[str, Any], dict[str, str]]:
    """Every parameter of a slot in one week, from its own and its course's covering values.

    `inherit` for each parameter, unrolled: a week view resolves hundreds of slots (and the usual
    week eight times as many), so the defaults are copied once and the covered values laid over them.
    """
    values = dict(_DEFAULTS)
    sources = dict(_DEFAULT_SOURCES)
    for layer, source in ((course, SOURCE_COURSE), (own, SOURCE_SLOT)):
        for name, value in layer.items():
            if value is not UNCOVERED and name in values:
                values[name] = value
                sources[name] = source
    return values, sources


# Every parameter's default, in PARAMETERS' order (the order resolved values are listed in).
_DEFAULTS: dict[str, Any] = {name: parameter.default for name, parameter in PARAMETERS.items()}
_DEFAULT_SOURCES: dict[str, str] = dict.fromkeys(PARAMETERS, SOURCE_DEFAULT)


StripeOf = Callable[[str], Sequence[Rule]]
CourseStripeOf = Callable[[int, str], Sequence[Rule]]


def value_in_week(
    param: str, week: int | None, stripe_of: StripeOf, course_stripe_of: CourseStripeOf | None = None,
) -> tuple[Any, str]:
    """A parameter's value in `week` read off stripes: `stripe_of(param)` gives a slot's own
    stripe, `course_stripe_of(course_id, param)` its courses' (None for a course, which
    inherits nothing). `week` None means "since always"."""
    own = value_from(stripe_of(param), week)
    own_source = SOURCE_SLOT if course_stripe_of is not None else SOURCE_COURSE
    if own is not UNCOVERED or course_stripe_of is None or param == "course":
        return inherit(param, own, own_source=own_source)
    course_id = value_from(stripe_of("course"), week)
    inherited = UNCOVERED if course_id in (UNCOVERED, None) else value_from(course_stripe_of(course_id, param), week)
    return inherit(param, own, inherited)
