"""What anonymous people may see: the one public view of an occurrence, and of a live event.

Every output an anonymous visitor receives goes through here: the published week page and
its fragments, the booking pages, the JSON API answered to callers without the VIEW right,
and the live events on their streams. A parameter reaches them only if it is declared
`public` in rules/params.py (staff status and the internal note are not).
"""

from __future__ import annotations

from collections.abc import Iterable

from ..rules import PUBLIC_PARAMETERS
from .access import VIEW, Person, allowed
from .live import LiveEvent
from .resolution import Occurrence


def sees_everything(user: Person | None, timetable_id: int) -> bool:
    """Whether `user` reads the full occurrence (every parameter) rather than its public view."""
    return allowed(user, VIEW, timetable_id)


def public_occurrence(occurrence: Occurrence) -> Occurrence:
    """The occurrence with only its public parameters (values and where they came from)."""
    return Occurrence(
        occurrence.slot_id,
        occurrence.week,
        {name: occurrence.values[name] for name in PUBLIC_PARAMETERS if name in occurrence.values},
        {name: occurrence.sources[name] for name in PUBLIC_PARAMETERS if name in occurrence.sources},
    )


def public_occurrences(occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    return [public_occurrence(occurrence) for occurrence in occurrences]


def occurrences_for(user: Person | None, timetable_id: int, occurrences: Iterable[Occurrence]) -> list[Occurrence]:
    """The occurrences as `user` may read them: whole with the VIEW right, else their public view."""
    occurrences = list(occurrences)
    return occurrences if sees_everything(user, timetable_id) else public_occurrences(occurrences)


def public_event(event: LiveEvent) -> LiveEvent:
    """A live event as an anonymous stream receives it: its timetable, kind and weeks, nothing else.

    Events carry no parameter values today; rebuilding it field by field keeps it so if one
    ever does.
    """
    return LiveEvent(event.timetable_id, event.kind, tuple(event.spans))
