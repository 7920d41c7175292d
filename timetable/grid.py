"""Lay a week's occurrences out as day columns, overlapping blocks side by side."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from .services.resolution import Occurrence


@dataclass(frozen=True)
class Block:
    occurrence: Occurrence
    lane: int
    lanes: int
    top: float  # percent of the day column's height
    height: float

    @property
    def left(self) -> float:
        return 100.0 * self.lane / self.lanes

    @property
    def width(self) -> float:
        return 100.0 / self.lanes


@dataclass(frozen=True)
class DayColumn:
    weekday: int
    date: date
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class WeekGrid:
    days: tuple[DayColumn, ...]
    first_minute: int
    last_minute: int

    @property
    def hours(self) -> list[int]:
        """Whole hours drawn on the time axis, as minutes since midnight."""
        first_hour = -(-self.first_minute // 60) * 60
        return list(range(first_hour, self.last_minute + 1, 60))

    def offset(self, minute: int) -> float:
        return 100.0 * (minute - self.first_minute) / (self.last_minute - self.first_minute)


def _assign_lanes(occurrences: Sequence[Occurrence]) -> list[tuple[Occurrence, int, int]]:
    """Give each occurrence a lane so that overlapping ones sit side by side.

    Occurrences are grouped into clusters of transitive overlap; every block of a cluster
    takes the cluster's lane count as its width divisor so that the columns line up.
    """
    placed: list[tuple[Occurrence, int, int]] = []
    cluster: list[tuple[Occurrence, int]] = []
    lane_ends: list[int] = []

    def close_cluster() -> None:
        placed.extend((occ, lane, len(lane_ends)) for occ, lane in cluster)

    # Longer blocks first at equal starts, so the long one keeps the leftmost lane.
    for occ in sorted(occurrences, key=lambda o: (o.start, -o.end, o.slot_id)):
        if cluster and occ.start >= max(lane_ends):
            close_cluster()
            cluster, lane_ends = [], []
        for lane, lane_end in enumerate(lane_ends):
            if lane_end <= occ.start:
                lane_ends[lane] = occ.end
                break
        else:
            lane = len(lane_ends)
            lane_ends.append(occ.end)
        cluster.append((occ, lane))
    close_cluster()
    return placed


def layout_week(
    occurrences: Sequence[Occurrence], monday: date, weekdays: Sequence[int], day_start: int, day_end: int
) -> WeekGrid:
    """Return the grid for the shown weekdays, widened so that no occurrence is cut off."""
    shown = sorted(set(weekdays) | {o.weekday for o in occurrences})
    first = min([day_start, *(o.start for o in occurrences)])
    last = max([day_end, *(min(o.end, 24 * 60) for o in occurrences)])
    first, last = first // 60 * 60, -(-last // 60) * 60
    span = last - first

    days = []
    for weekday in shown:
        todays = [o for o in occurrences if o.weekday == weekday]
        blocks = tuple(
            Block(
                occ,
                lane,
                lanes,
                top=100.0 * (occ.start - first) / span,
                height=100.0 * (min(occ.end, last) - occ.start) / span,
            )
            for occ, lane, lanes in _assign_lanes(todays)
        )
        days.append(DayColumn(weekday, monday + timedelta(days=weekday - 1), blocks))
    return WeekGrid(tuple(days), first, last)
