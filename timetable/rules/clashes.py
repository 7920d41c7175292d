"""Clash detection: the same teacher, room or group in two overlapping occurrences of a week."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass

from .params import ref_ids

CLASH_KINDS = ("staff", "room", "group")

# One id, a set of ids (team teaching, joint classes) or None.
Members = int | tuple[int, ...] | None


@dataclass(frozen=True)
class Placement:
    """What one occurrence occupies: a time on a weekday, and the resources it needs there.

    `staff` are the people actually there (the substitute when there is one), so that a
    substitution moves the clash check from the absent teacher to the one who stands in.
    `staff` and `group` may be sets: every member is checked.
    """

    key: Hashable
    weekday: int
    start: int
    end: int
    staff: Members = None
    room: Members = None
    group: Members = None


@dataclass(frozen=True, order=True)
class Clash:
    """Two occurrences (keys in ascending order) that need one resource at overlapping times."""

    kind: str
    resource: int
    weekday: int
    first: Hashable
    second: Hashable


def find_clashes(placements: Iterable[Placement]) -> list[Clash]:
    """Return every clash, sorted; touching occurrences (one ends when the next starts) do not clash.

    Placements are bucketed by weekday and resource (each member of a set on its own), then
    swept in start order, so the cost is proportional to the placements plus the clashes found.
    """
    buckets: dict[tuple[str, int, int], list[Placement]] = defaultdict(list)
    for placement in placements:
        if placement.end <= placement.start:
            continue
        for kind in CLASH_KINDS:
            for resource in ref_ids(getattr(placement, kind)):
                buckets[(kind, resource, placement.weekday)].append(placement)

    clashes: set[Clash] = set()
    for (kind, resource, weekday), bucket in buckets.items():
        if len(bucket) < 2:
            continue
        bucket.sort(key=lambda p: (p.start, p.end, str(p.key)))
        running: list[Placement] = []
        for placement in bucket:
            running = [other for other in running if other.end > placement.start]
            for other in running:
                first, second = sorted((other.key, placement.key), key=_sort_key)
                clashes.add(Clash(kind, resource, weekday, first, second))
            running.append(placement)
    return sorted(clashes, key=lambda c: (c.weekday, c.kind, c.resource, _sort_key(c.first), _sort_key(c.second)))


def _sort_key(key: Hashable):
    return (type(key).__name__, key)
