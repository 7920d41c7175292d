"""Editor pages: the master overview and the week grid schedulers work on (schedulers of the timetable)."""

from __future__ import annotations

from flask import Blueprint, redirect, request

from ..services.access import SCHEDULE
from .access import checked_timetable, require_on_requested_timetable
from .overview_page import build_overview_page, requested_rows
from .rendering import render_page_or_fragment, wants_fragment
from .week_args import requested_filter, requested_week
from .week_page import build_week_page

bp = Blueprint("editor", __name__)


@bp.before_request
def require_scheduler():
    """The editor's grid is for the timetable's schedulers."""
    require_on_requested_timetable(SCHEDULE)


@bp.get("/<slug>/edit")
def week(slug: str):
    """One week of a timetable for editing: the master overview (one row per class, teacher or room),
    or the week grid with `view=grid`, a filter or `closed=1`; htmx navigation gets only the fragment."""
    timetable = checked_timetable(slug)
    filters = requested_filter()
    # The grid: asked for, or with a filter, or showing closed slots (the overview has neither control).
    if not filters.active and request.args.get("view") != "grid" and request.args.get("closed") != "1":
        page = build_overview_page(timetable, requested_week(timetable), requested_rows(request.args.get("rows")))
        if "date" in request.args and not wants_fragment():
            return redirect(page.url(), code=303)
        return render_page_or_fragment("editor/week.html", "editor/_overview.html", page=page, push_url=page.url())
    page = build_week_page(
        timetable,
        requested_week(timetable),
        filters,
        endpoint="editor.week",
        include_closed=request.args.get("closed") == "1",
        with_clashes=True,
        with_availability=True,
        with_periods=True,
        # Marked like the readers' pages (services/deviations.py), with every parameter: schedulers see it all.
        with_deviations=True,
        view="grid" if request.args.get("view") == "grid" else None,
    )
    if "date" in request.args and not wants_fragment():
        return redirect(page.url(), code=303)
    return render_page_or_fragment("editor/week.html", "editor/_week.html", page=page, push_url=page.url())
