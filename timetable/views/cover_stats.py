"""Cover statistics of a term, for schedulers: the page (a table sortable by any column) and its CSV.

The JSON twin is in api_cover_stats.py; both read services.cover_stats.
"""

from __future__ import annotations

import csv
import io

from flask import Blueprint, Response, request, url_for

from ..services.access import SCHEDULE
from ..services.catalog import get_timetable
from ..services.cover_stats import CoverRow, as_table, cover_statistics
from ..services.errors import InvalidField
from .access import require_on_requested_timetable
from .rendering import render_page_or_fragment

bp = Blueprint("cover_stats", __name__)

# The columns the table sorts by: (query value, heading, key of a row).
COLUMNS = (
    ("teacher", "Teacher", lambda r: (r.name.casefold(), r.staff_id)),
    ("covers_given", "Covers given", lambda r: r.covers_given),
    ("cancelled", "Own lessons cancelled", lambda r: r.cancelled),
    ("covered_by_others", "Own lessons covered by others", lambda r: r.covered_by_others),
)
SORT_KEYS = {name: key for name, _heading, key in COLUMNS}


@bp.before_request
def require_scheduler():
    """Who covered whom is for the timetable's schedulers."""
    require_on_requested_timetable(SCHEDULE)


def _sorted(rows: tuple[CoverRow, ...], sort: str, descending: bool) -> list[CoverRow]:
    # Ties keep the teachers' alphabetical order whichever way the column runs.
    # (Python's sort is stable, reversed or not.)
    return sorted(sorted(rows, key=SORT_KEYS["teacher"]), key=SORT_KEYS[sort], reverse=descending)


def _requested_sort() -> tuple[str, bool]:
    sort = request.args.get("sort", "teacher")
    if sort not in SORT_KEYS:
        raise InvalidField(f"Sort by one of {', '.join(SORT_KEYS)}, not “{sort}”.", "sort")
    order = request.args.get("order", "asc")
    if order not in ("asc", "desc"):
        raise InvalidField(f"The order is “asc” or “desc”, not “{order}”.", "order")
    return sort, order == "desc"


@bp.get("/<slug>/edit/cover-statistics")
def page(slug: str):
    """Per teacher and term: covers given, own lessons cancelled, own lessons covered by others."""
    timetable = get_timetable(slug)
    sort, descending = _requested_sort()
    stats = cover_statistics(timetable, request.args.get("term"))

    def sort_url(column: str) -> str:
        # A column opens with the most covers first; a second click turns it round.
        first_desc = column != "teacher"
        desc = (not descending) if column == sort else first_desc
        return url_for("cover_stats.page", slug=slug, term=stats.term, sort=column, order="desc" if desc else "asc")

    return render_page_or_fragment(
        "cover_stats/page.html", "cover_stats/_table.html", timetable=timetable, stats=stats,
        rows=_sorted(stats.rows, sort, descending), columns=[(name, heading) for name, heading, _key in COLUMNS],
        sort=sort, descending=descending, sort_url=sort_url,
        csv_url=url_for("cover_stats.as_csv", slug=slug, term=stats.term),
    )


def _spreadsheet_safe(value):
    """Text a spreadsheet would run as a formula ("=…", "+…") is kept as text."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + value
    return value


@bp.get("/<slug>/edit/cover-statistics.csv")
def as_csv(slug: str):
    """The same table as CSV, UTF-8 with a byte-order mark so that spreadsheets read the accents."""
    timetable = get_timetable(slug)
    stats = cover_statistics(timetable, request.args.get("term"))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in as_table(stats):
        writer.writerow([_spreadsheet_safe(value) for value in row])
    filename = f"cover-statistics-{timetable.slug}-{stats.term}".replace('"', "").replace("/", "-")
    ascii_name = filename.encode("ascii", "replace").decode().replace("?", "_").replace(" ", "_")
    return Response(
        ("\ufeff" + out.getvalue()).encode("utf-8"), mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{ascii_name}.csv"'},
    )
