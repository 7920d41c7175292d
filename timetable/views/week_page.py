"""What every week view shows: the grid, the navigation around it, the filters applied."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from flask import current_app, url_for

from .. import clock
from ..grid import WeekGrid, layout_week
from ..models import Timetable
from ..rules import Clash, find_clashes, format_week, monday_of, next_week, previous_week
from ..rules.periods import Period
from ..services.bells import grid_for_week
from ..services.booking import UnitAvailability, week_availability
from ..services.calendar import WeekCalendar, week_calendar
from ..services.catalog import current_week
from ..services.changes import CANCELLED, ChangeLine
from ..services.deviations import KIND_LABELS, week_deviations
from ..services.editing.previews import placements
from ..services.kept_weeks import read_week_kept
from ..services.public_view import public_occurrences
from ..services.resolution import Directory, Occurrence, WeekFilter, load_directory, occurrences_of, read_week
from .chooser_page import PATH_WORDS


@dataclass(frozen=True)
class BlockBookings:
    """One bookable occurrence's places on the grid, summed over its appointments."""

    capacity: int
    free: int
    mine: int
    held: int  # by other visitors (holds and waiting-list offers whose lease runs)
    waiting: int
    booked: int  # confirmed or awaiting approval
    units: int
    free_units: int
    started: bool  # every unit has begun: nothing left to book

    @classmethod
    def of(cls, units: list[UnitAvailability]) -> BlockBookings:
        return cls(
            capacity=sum(u.unit.capacity for u in units),
            free=sum(u.free for u in units),
            mine=sum(u.mine for u in units),
            held=sum(u.held_by_others for u in units),
            waiting=sum(u.waiting for u in units),
            booked=sum(u.taken - u.held_by_others - u.mine for u in units),
            units=len(units),
            free_units=sum(1 for u in units if u.free > 0),
            started=all(u.started for u in units),
        )


# A slot id no slug or week can contain (a slug has letters; a week has a "W"), replaced in built URLs.
_SLOT_MARK = 987654321


@dataclass(frozen=True)
class WeekPage:
    timetable: Timetable
    week: int
    filters: WeekFilter
    include_closed: bool
    occurrences: list[Occurrence]
    grid: WeekGrid
    directory: Directory
    endpoint: str
    clashes: tuple[Clash, ...] = ()
    # The week's cycle label and holidays (a day column shows its holiday's name).
    calendar: WeekCalendar = WeekCalendar(None, {})
    # Places of each bookable occurrence by slot id, when the view shows them.
    availability: Mapping[int, list[UnitAvailability]] | None = None
    # The periods of the week's bell grid, when the view draws them (the editor).
    periods: tuple[Period, ...] = ()
    # For "Select all lessons this week of…": ("staff" | "room" | "group", id) -> every slot of the
    # week with it, whatever the filter shows (a teacher's include the lessons they cover).
    lessons_of: Mapping[tuple[str, int], tuple[int, ...]] = field(default_factory=dict)

    def lessons_attribute(self, kind: str, resource_id: int) -> str:
        return ",".join(str(slot_id) for slot_id in self.lessons_of.get((kind, resource_id), ()))
    # A class, teacher or room page: the filter its path fixes ("group", 3); its URLs carry it in the path.
    fixed: tuple[str, int] | None = None
    # How each occurrence that differs from its usual week differs (slot id -> lines), when the view marks them.
    deviations: Mapping[int, tuple[ChangeLine, ...]] = field(default_factory=dict)

    def changes_of(self, occurrence: Occurrence) -> tuple[ChangeLine, ...]:
        return self.deviations.get(occurrence.slot_id, ())

    def change_text(self, line: ChangeLine) -> str:
        return f"{KIND_LABELS[line.kind]}: {line.text}" if line.kind != CANCELLED else line.text

    @property
    def carried_filters(self) -> dict[str, int]:
        """The filters a form must send along (a fixed one is in the path already)."""
        fixed = self.fixed[0] if self.fixed else None
        values = {name: getattr(self.filters, name) for name in ("staff", "room", "group")}
        return {name: value for name, value in values.items() if value is not None and name != fixed}
    # "grid" when the editor's grid was asked for with no filter (else the editor shows the overview).
    view: str | None = None

    def periods_on(self, weekday: int) -> tuple[Period, ...]:
        """A day's periods that fall inside the grid's hours."""
        return tuple(p for p in self.periods if p.weekday == weekday and p.end > self.grid.first_minute and p.start < self.grid.last_minute)

    def periods_attribute(self, weekday: int) -> str:
        """A day's periods for the grid script, as "start-end" minutes: "480-525,525-570"."""
        return ",".join(f"{p.start}-{p.end}" for p in self.periods if p.weekday == weekday)

    @property
    def axis_periods(self) -> tuple[Period, ...]:
        """The periods named on the time axis: those of the first shown day that has any."""
        for day in self.grid.days:
            found = self.periods_on(day.weekday)
            if found:
                return found
        return ()

    def bookings_of(self, occurrence: Occurrence) -> BlockBookings | None:
        """The occurrence's places, if this view shows availability and it is bookable this week."""
        units = (self.availability or {}).get(occurrence.slot_id)
        return BlockBookings.of(units) if units else None

    @cached_property
    def clashing(self) -> dict[int, list[Clash]]:
        """Each clashing slot with its clashes, for marking blocks on the grid."""
        found: dict[int, list[Clash]] = {}
        for clash in self.clashes:
            found.setdefault(clash.first, []).append(clash)
            found.setdefault(clash.second, []).append(clash)
        return found

    def slot_url(self, endpoint: str, slot_id: int) -> str:
        """`endpoint`'s URL for one slot in this week; a week grid needs thousands of these."""
        pattern = self._slot_url_patterns.get(endpoint)
        if pattern is None:
            pattern = url_for(endpoint, slug=self.timetable.slug, slot_id=_SLOT_MARK, week=format_week(self.week))
            self._slot_url_patterns[endpoint] = pattern
        return pattern.replace(f"/{_SLOT_MARK}", f"/{slot_id}", 1)

    @cached_property
    def _slot_url_patterns(self) -> dict[str, str]:
        return {}

    def url(self, **changes: Any) -> str:
        """This view's URL with some arguments changed; the week and filters carry over."""
        args: dict[str, Any] = {
            "week": format_week(self.week),
            "staff": self.filters.staff,
            "room": self.filters.room,
            "group": self.filters.group,
            "closed": "1" if self.include_closed else None,
            "view": self.view,
        }
        args.update(changes)
        if isinstance(args["week"], int):
            args["week"] = format_week(args["week"])
        if self.fixed:
            args.pop(self.fixed[0], None)
        return url_for(self.endpoint, slug=self.timetable.slug, **self._path_args, **{k: v for k, v in args.items() if v is not None})

    @property
    def base_url(self) -> str:
        """The view's URL with no arguments, for GET forms that send every argument themselves."""
        return url_for(self.endpoint, slug=self.timetable.slug, **self._path_args)

    @property
    def _path_args(self) -> dict[str, int]:
        return {"kind": PATH_WORDS[self.fixed[0]], "ref": self.fixed[1]} if self.fixed else {}

    @property
    def previous_week(self) -> int:
        return previous_week(self.week)

    @property
    def next_week(self) -> int:
        return next_week(self.week)

    @property
    def this_week(self) -> int:
        return current_week(self.timetable)

    @property
    def today_weekday(self) -> int | None:
        """Today's weekday when this page shows the current week (the day a phone opens on)."""
        return clock.today(self.timetable.time_zone).isoweekday() if self.week == self.this_week else None

    @property
    def monday(self):
        return monday_of(self.week)

    def title(self, occurrence: Occurrence) -> str:
        return occurrence.title(self.directory)


def build_week_page(
    timetable: Timetable, week: int, filters: WeekFilter, *, endpoint: str, include_closed: bool = False,
    with_clashes: bool = False, with_availability: bool = False, lock_code: str | None = None, public: bool = False,
    with_periods: bool = False, fixed: tuple[str, int] | None = None, with_deviations: bool = False, view: str | None = None,
) -> WeekPage:
    """The week as a view shows it; `public` keeps only what anonymous visitors may see of each occurrence."""
    read = (read_week_kept if current_app.config["PAGE_CACHE"] else read_week)(timetable, week)
    everything = occurrences_of(read, include_closed=include_closed)
    if public:
        everything = public_occurrences(everything)
    occurrences = [occ for occ in everything if filters.matches(occ)]
    # Clashes are found over the whole week, so a filtered view still marks them.
    clashes = tuple(find_clashes(placements(everything))) if with_clashes else ()
    grid = layout_week(occurrences, monday_of(week), timetable.weekdays, timetable.day_start, timetable.day_end)
    # Only the occurrences shown: the week is not resolved a second time.
    availability = week_availability(timetable, week, lock_code, occurrences=occurrences) if with_availability else None
    directory = load_directory(timetable.id)
    deviations = week_deviations(timetable, week, occurrences, directory, public=public) if with_deviations else {}
    return WeekPage(
        timetable=timetable,
        week=week,
        filters=filters,
        include_closed=include_closed,
        occurrences=occurrences,
        grid=grid,
        directory=directory,
        endpoint=endpoint,
        clashes=clashes,
        calendar=week_calendar(timetable, week),
        availability=availability,
        periods=_periods(timetable, week) if with_periods else (),
        lessons_of=_lessons_of(everything),
        fixed=fixed,
        deviations=deviations,
        view=view,
    )


def _ids(value: Any) -> tuple[int, ...]:
    """The ids a reference parameter names: staff and groups may become sets (adapt here only)."""
    if value is None:
        return ()
    return tuple(value) if isinstance(value, (tuple, list, set, frozenset)) else (value,)


def _lessons_of(occurrences: list[Occurrence]) -> dict[tuple[str, int], tuple[int, ...]]:
    found: dict[tuple[str, int], list[int]] = {}
    for occ in occurrences:
        values = occ.values
        keys = {("staff", i) for i in (*_ids(values.get("staff")), *_ids(values.get("substitute")))}
        keys |= {("room", i) for i in _ids(values.get("room"))} | {("group", i) for i in _ids(values.get("group"))}
        for key in keys:
            found.setdefault(key, []).append(occ.slot_id)
    return {key: tuple(ids) for key, ids in found.items()}


def _periods(timetable: Timetable, week: int) -> tuple[Period, ...]:
    grid = grid_for_week(timetable, week)
    return grid.periods if grid is not None else ()
