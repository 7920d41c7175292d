"""What the editor's master overview shows: every class (or teacher, or room) of a week as a row of cards."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import cached_property
from html import escape
from typing import Any

from flask import current_app, url_for
from markupsafe import Markup

from ..formatting import hhmm
from ..models import Timetable
from ..overview import ROW_KINDS, Column, Overview, group_ids, layout_overview, staff_ids
from ..rules import Clash, find_clashes, format_week, get_parameter, monday_of, next_week, previous_week
from ..services.bells import grid_for_week
from ..services.calendar import WeekCalendar, week_calendar
from ..services.catalog import current_week
from ..services.editing.previews import placements
from ..services.freshness import marker
from ..services.resolution import Directory, Occurrence, load_directory, resolve_week
from .conditional import RenderCache

UNNAMED = {"group": "No class", "staff": "No teacher", "room": "No room"}

# A slot id no slug or week can contain, replaced in built URLs (a week has hundreds of cards).
_SLOT_MARK = 987654321


@dataclass(frozen=True)
class OverviewPage:
    timetable: Timetable
    week: int
    rows: str  # "group", "staff" or "room"
    overview: Overview
    directory: Directory
    occurrences: list[Occurrence]
    clashes: tuple[Clash, ...]
    calendar: WeekCalendar
    # What the cards and cells were rendered into, shared by every request for the same revision (see build_overview_page).
    rendered: dict[Hashable, Any]
    view = "overview"

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
        names = dict.fromkeys(self.directory.name(c.kind, c.resource) for c in self.clashing.get(slot_id, ()))
        return f"Clash: {', '.join(names)} in two places" if names else ""

    def staff_text(self, occ: Occurrence) -> str:
        """"A. Moreau", or "A. Moreau → C. Ito" when someone stands in."""
        teachers = ", ".join(self.directory.name("staff", i) for i in staff_ids(occ.values))
        substitute = occ.values.get("substitute")
        return f"{teachers} → {self.directory.name('staff', substitute)}" if substitute else teachers

    @property
    def cards(self) -> dict[int, Markup]:
        """Each occurrence's card as HTML, made once however many rows show it: a week has hundreds,
        and rendering them here keeps the page within its time budget (see bench/overview.py)."""
        cards = self.rendered.get("cards")
        if cards is None:
            cards = self.rendered["cards"] = self._cards()
        return cards

    def _cards(self) -> dict[int, Markup]:
        columns = self.overview.columns
        column_of = {occ.slot_id: columns[index] for row in self.overview.rows
                     for index, cell in enumerate(row.cells) for occ in cell}
        return {occ.slot_id: self._card(occ, column_of[occ.slot_id]) for occ in self.occurrences if occ.slot_id in column_of}

    def _card(self, occ: Occurrence, column: Column) -> Markup:
        directory, values = self.directory, occ.values
        shown = {
            "staff": self.staff_text(occ),
            "room": directory.name("room", values.get("room")),
            "group": directory.name("group", values.get("group")),
        }
        # The two the row is not; a teacher's row still says who stands in for whom.
        details = [(kind, shown[kind]) for kind in ("staff", "room", "group")
                   if shown[kind] and (kind != self.rows or (kind == "staff" and values.get("substitute")))]
        status = ""
        if occ.off:
            status = occ.off
        elif occ.status != "open":
            status = get_parameter("status").display(occ.status) + (f": {values['note']}" if values.get("note") else "")
        title = occ.title(directory)
        time = f"{hhmm(occ.start)}–{hhmm(occ.end)}"
        clash = self.clash_text(occ.slot_id)
        tooltip = " · ".join(part for part in (title, time, *(text for _, text in details), status, clash) if part)
        classes = " ".join(part for part in ("card", f"status-{occ.status}", "clash" if clash else "", "off" if occ.off else "") if part)
        panel_url = escape(self.slot_url("editing.slot_panel", occ.slot_id))
        # Ids and minutes need no escaping; written out rather than joined from a dict (hundreds of cards).
        attributes = (f'data-slot-id="{occ.slot_id}" data-panel-url="{panel_url}" '
                      f'data-move-url="{escape(self.slot_url("editing.move_form", occ.slot_id))}" '
                      f'data-weekday="{occ.weekday}" data-start="{occ.start}" data-duration="{occ.duration}" '
                      f'data-staff="{" ".join(map(str, staff_ids(values)))}" data-substitute="{values.get("substitute") or ""}" '
                      f'data-room="{values.get("room") or ""}" data-group="{" ".join(map(str, group_ids(values)))}"')
        lines = [f'<strong class="card-title">{escape(title)}</strong>']
        if occ.start != column.start or (column.period and occ.end > column.end):  # not the column's own time
            lines.append(f'<span class="card-time">{time}</span>')
        lines += [f'<span class="card-{kind}">{escape(text)}</span>' for kind, text in details]
        if status:
            lines.append(f'<span class="card-status" data-testid="card-status">{escape(status)}</span>')
        if clash:
            lines.append(f'<span class="card-clash" data-testid="card-clash">⚠ {escape(clash)}</span>')
        style = f' style="--block-color: {escape(values["color"])}"' if values.get("color") else ""
        # Plain strings escaped with html.escape: a week has hundreds of cards, and Markup's % is several times slower.
        return Markup(f'<article class="{classes}" tabindex="0" data-testid="card" {attributes} title="{escape(tooltip)}"{style}>'
                      f'<a class="card-link" href="{panel_url}" tabindex="-1">{"".join(lines)}</a></article>')

    def cells(self, row) -> Markup:
        """A row's cells, each with its cards; a clash in the cell marks it (one row has dozens of cells)."""
        key = ("cells", row.kind, row.resource)
        found = self.rendered.get(key)
        if found is None:
            found = self.rendered[key] = self._cells(row)
        return found

    def _cells(self, row) -> Markup:
        cards, clashing, columns = self.cards, self.clashing, self.overview.columns
        parts = []
        for column, cell in zip(columns, row.cells, strict=True):
            classes = "cell day-start" if column.first else "cell"
            if any(occ.slot_id in clashing for occ in cell):
                classes += " clash"
            parts.append(f'<td class="{classes}" data-testid="cell">{"".join(cards[occ.slot_id] for occ in cell)}</td>')
        return Markup("".join(parts))

    def slot_url(self, endpoint: str, slot_id: int) -> str:
        pattern = self._patterns.get(endpoint)
        if pattern is None:
            pattern = url_for(endpoint, slug=self.timetable.slug, slot_id=_SLOT_MARK, week=format_week(self.week))
            self._patterns[endpoint] = pattern
        return pattern.replace(f"/{_SLOT_MARK}", f"/{slot_id}", 1)

    @cached_property
    def _patterns(self) -> dict[str, str]:
        return {}

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
    rendered: dict[Hashable, Any]


# Overviews by (timetable revision, week, rows asked for, URL prefix): a scheduler's every click
# that changes nothing (week back and forth, rows, reloads after another's change) is served from here.
overview_cache: RenderCache[_Week] = RenderCache(32)


def build_overview_page(timetable: Timetable, week: int, rows: str | None) -> OverviewPage:
    """The overview of `week` by `rows`: made once per revision of the timetable (services/freshness.py:
    every committed change moves it, so nothing made before a change is shown after it), cards and cells
    included. Only the navigation (which week is "Today") and the page around it are made per request."""
    def build() -> _Week:
        return _build_week(timetable, week, rows)

    if not current_app.config["PAGE_CACHE"]:
        made = build()
    else:
        key = ("overview", marker(timetable).key, week, rows, url_for("editor.week", slug=timetable.slug))
        made = overview_cache.get_or_build(key, build)
    return OverviewPage(
        timetable=timetable, week=week, rows=made.rows, overview=made.overview, directory=made.directory,
        occurrences=made.occurrences, clashes=made.clashes, calendar=made.calendar, rendered=made.rendered,
    )


def _build_week(timetable: Timetable, week: int, rows: str | None) -> _Week:
    """Resolve the week once, find its clashes over every occurrence, and lay it out by `rows`:
    by default the classes, or the teachers where there are no classes (a clinic)."""
    occurrences = resolve_week(timetable, week)
    directory = load_directory(timetable.id)
    rows = rows or ("group" if directory.group else "staff")
    bells = grid_for_week(timetable, week)
    # A class, teacher or room retired by this week keeps its row only while it still has lessons.
    names = {rid: name for rid, name in getattr(directory, rows).items()
             if (retired := directory.retired_from(rows, rid)) is None or retired > week}
    overview = layout_overview(
        occurrences, kind=rows, monday=monday_of(week), weekdays=timetable.weekdays, periods=bells.periods if bells else (),
        names=names, day_start=timetable.day_start, day_end=timetable.day_end, unnamed=UNNAMED[rows],
    )
    return _Week(
        rows=rows, overview=overview, directory=directory, occurrences=occurrences,
        clashes=tuple(find_clashes(placements(occurrences))), calendar=week_calendar(timetable, week), rendered={},
    )
