"""What the editor's master overview shows: every class (or teacher, or room) of a week as a row of cards."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from flask import current_app, url_for
from markupsafe import Markup

from ..extensions import db
from ..models import Timetable
from ..overview import ROW_KINDS, Column, Overview, layout_overview
from ..rules import Clash, find_clashes, format_week, monday_of, next_week, previous_week
from ..rules.periods import Period
from ..services.bells import grid_for_week
from ..services.calendar import WeekCalendar, shown_calendar
from ..services.catalog import current_week
from ..services.editing.previews import placements
from ..services.freshness import marker
from ..services.kept_weeks import only_rules_changed_since, resolve_week_kept
from ..services.resolution import Directory, Occurrence, load_directory, occurrences_of, read_week
from .conditional import RenderCache
from .overview_cards import cached_card, directory_token, render_card

UNNAMED = {"group": "No class", "staff": "No teacher", "room": "No room"}

# A slot id no slug or week can contain, replaced in built URLs (a week has hundreds of cards).
_SLOT_MARK = 987654321


@dataclass(frozen=True)
class OverviewPage:
    """One request's overview: the week made for its revision (`made`) and the navigation around it."""

    timetable: Timetable
    week: int
    made: _Week
    view = "overview"

    @property
    def rows(self) -> str:
        return self.made.rows

    @property
    def overview(self) -> Overview:
        return self.made.overview

    @property
    def directory(self) -> Directory:
        return self.made.directory

    @property
    def occurrences(self) -> list[Occurrence]:
        return self.made.occurrences

    @property
    def clashes(self) -> tuple[Clash, ...]:
        return self.made.clashes

    @property
    def calendar(self) -> WeekCalendar:
        return self.made.calendar

    @property
    def cards(self) -> dict[int, Markup]:
        """Each occurrence's card as HTML, made once however many rows show it: a week has hundreds, so
        they are kept per revision, and each by its content across revisions (views/overview_cards.py)."""
        rendered = self.made.rendered
        cards = rendered.get("cards")
        if cards is None:
            cards = rendered["cards"] = self._cards()
        return cards

    def _cards(self) -> dict[int, Markup]:
        made, columns = self.made, self.overview.columns
        column_of = {occ.slot_id: columns[index] for row in self.overview.rows
                     for index, cell in enumerate(row.cells) for occ in cell}
        panel, move = self._pattern("editing.slot_panel"), self._pattern("editing.move_form")
        context = (made.rows, made.directory_token, panel, move)

        def render(occ: Occurrence, column: Column, clash: str) -> Markup:
            return render_card(occ, column, rows=made.rows, directory=made.directory, clash=clash,
                               panel_url=_slot_url(panel, occ.slot_id), move_url=_slot_url(move, occ.slot_id))

        if not current_app.config["PAGE_CACHE"]:
            return {occ.slot_id: render(occ, column, made.clash_text(occ.slot_id))
                    for occ in self.occurrences if (column := column_of.get(occ.slot_id)) is not None}
        return {occ.slot_id: cached_card(occ, column, made.clash_text(occ.slot_id), context, render)
                for occ in self.occurrences if (column := column_of.get(occ.slot_id)) is not None}

    def cells(self, row) -> Markup:
        """A row's cells, each with its cards; a clash in the cell marks it (one row has dozens of cells)."""
        rendered = self.made.rendered
        key = ("cells", row.kind, row.resource)
        found = rendered.get(key)
        if found is None:
            found = rendered[key] = self._cells(row)
        return found

    def _cells(self, row) -> Markup:
        cards, clashing, columns = self.cards, self.made.clashing, self.overview.columns
        parts = []
        for column, cell in zip(columns, row.cells, strict=True):
            classes = "cell day-start" if column.first else "cell"
            if any(occ.slot_id in clashing for occ in cell):
                classes += " clash"
            parts.append(f'<td class="{classes}" data-testid="cell">{"".join(cards[occ.slot_id] for occ in cell)}</td>')
        return Markup("".join(parts))

    def _pattern(self, endpoint: str) -> str:
        """The endpoint's URL for this week's slot _SLOT_MARK (built once: a week has hundreds of cards)."""
        return url_for(endpoint, slug=self.timetable.slug, slot_id=_SLOT_MARK, week=format_week(self.week))

    def url(self, **changes: Any) -> str:
        args: dict[str, Any] = {"week": self.week, "rows": None if self.rows == "group" else self.rows}
        args.update(changes)
        if isinstance(args["week"], int):
            args["week"] = format_week(args["week"])
        return url_for("editor.week", slug=self.timetable.slug, **{k: v for k, v in args.items() if v is not None})

    @property
    def grid_url(self) -> str:
        return url_for("editor.week", slug=self.timetable.slug, week=format_week(self.week), view="grid")

    def row_url(self, row) -> str:
        """The grid of one row's week (the class, teacher or room as a filter)."""
        return url_for("editor.week", slug=self.timetable.slug, week=format_week(self.week), **{row.kind: row.resource})

    @property
    def previous_week(self) -> int:
        return previous_week(self.week)

    @property
    def next_week(self) -> int:
        return next_week(self.week)

    @property
    def this_week(self) -> int:
        return current_week(self.timetable)

    def title(self, occ: Occurrence) -> str:
        return occ.title(self.directory)


def _slot_url(pattern: str, slot_id: int) -> str:
    """A slot's URL from its endpoint's pattern (OverviewPage._pattern)."""
    return pattern.replace(f"/{_SLOT_MARK}", f"/{slot_id}", 1)


def requested_rows(raw: str | None) -> str | None:
    """`rows=group|staff|room`; anything else leaves the choice to the timetable (see build_overview_page)."""
    return raw if raw in ROW_KINDS else None


@dataclass(frozen=True)
class _Week:
    """What an overview is made of, whoever asks: kept per timetable revision (see build_overview_page)."""

    rows: str
    overview: Overview
    directory: Directory
    occurrences: list[Occurrence]
    clashes: tuple[Clash, ...]
    calendar: WeekCalendar
    periods: tuple[Period, ...]  # the bell times of the week
    # What the cards and cells were rendered into, shared by every request for the same revision (see build_overview_page).
    rendered: dict[Hashable, Any]
    directory_token: int  # views/overview_cards.py

    @cached_property
    def clashing(self) -> dict[Hashable, list[Clash]]:
        """Each clashing slot id with its clashes."""
        found: dict[Hashable, list[Clash]] = {}
        for clash in self.clashes:
            found.setdefault(clash.first, []).append(clash)
            found.setdefault(clash.second, []).append(clash)
        return found

    def clash_text(self, slot_id: int) -> str:
        """"Clash: 9A, Room 12 in two places": what the slot shares with another lesson at the same time."""
        clashes = self.clashing.get(slot_id)
        if not clashes:
            return ""
        names = dict.fromkeys(self.directory.name(c.kind, c.resource) for c in clashes)
        return f"Clash: {', '.join(names)} in two places"


# Overviews by (timetable revision, week, rows asked for, URL prefix): a scheduler's every click
# that changes nothing (week back and forth, rows, reloads after another's change) is served from here.
overview_cache: RenderCache[_Week] = RenderCache(32)
# The overview made last of each (week, rows asked for, URL prefix), with its revision: after a change
# of rules alone, its names, bell times and calendar still hold (services/kept_weeks.py).
last_made: RenderCache[tuple[int, _Week]] = RenderCache(32)


def build_overview_page(timetable: Timetable, week: int, rows: str | None) -> OverviewPage:
    """The overview of `week` by `rows`: made once per revision of the timetable (services/freshness.py:
    every committed change moves it, so nothing made before a change is shown after it), cards and cells
    included. Only the navigation (which week is "Today") and the page around it are made per request."""
    if not current_app.config["PAGE_CACHE"]:
        return OverviewPage(timetable=timetable, week=week, made=_build_week(timetable, week, rows))
    identity, revision = marker(timetable).key[:2], marker(timetable).key[2]
    asked = (db.engine.url, identity, week, rows, url_for("editor.week", slug=timetable.slug))

    def build() -> _Week:
        earlier = last_made.get(asked)
        setup = earlier[1] if earlier is not None and earlier[0] <= revision and only_rules_changed_since(timetable, earlier[0]) else None
        made = _build_week(timetable, week, rows, setup)
        if earlier is None or earlier[0] < revision:
            last_made.put(asked, (revision, made))
        return made

    made = overview_cache.get_or_build(("overview", revision, *asked), build)
    return OverviewPage(timetable=timetable, week=week, made=made)


def _build_week(timetable: Timetable, week: int, rows: str | None, setup: _Week | None = None) -> _Week:
    """Resolve the week once, find its clashes over every occurrence, and lay it out by `rows`:
    by default the classes, or the teachers where there are no classes (a clinic). `setup`: an
    overview of the week made earlier, whose names and bell times still hold."""
    # resolve_week, keeping what it read of the calendar (the week's label and holidays) for the heading.
    if current_app.config["PAGE_CACHE"]:
        read, occurrences = resolve_week_kept(timetable, week)
    else:
        read = read_week(timetable, week)
        occurrences = occurrences_of(read)
    if setup is not None:
        directory, periods = setup.directory, setup.periods
    else:
        directory = load_directory(timetable.id)
        bells = grid_for_week(timetable, week)
        periods = bells.periods if bells else ()
    rows = rows or ("group" if directory.group else "staff")
    # A class, teacher or room retired by this week keeps its row only while it still has lessons.
    names = {rid: name for rid, name in getattr(directory, rows).items()
             if (retired := directory.retired_from(rows, rid)) is None or retired > week}
    overview = layout_overview(
        occurrences, kind=rows, monday=monday_of(week), weekdays=timetable.weekdays, periods=periods,
        names=names, day_start=timetable.day_start, day_end=timetable.day_end, unnamed=UNNAMED[rows],
    )
    return _Week(
        rows=rows, overview=overview, directory=directory, occurrences=occurrences,
        clashes=tuple(find_clashes(placements(occurrences))), calendar=shown_calendar(read.label, read.holidays),
        periods=tuple(periods), rendered={}, directory_token=setup.directory_token if setup is not None else directory_token(directory),
    )
