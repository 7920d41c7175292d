"""Editor pages: the week grid schedulers work on (login required)."""

from __future__ import annotations

from flask import Blueprint, redirect, request
from flask_login import login_required

from ..services.catalog import get_timetable
from .rendering import render_page_or_fragment, wants_fragment
from .week_args import requested_filter, requested_week
from .week_page import build_week_page

bp = Blueprint("editor", __name__)


@bp.get("/<slug>/edit")
@login_required
def week(slug: str):
    """Show one week of a timetable for editing; htmx navigation gets only the week fragment."""
    timetable = get_timetable(slug)
    page = build_week_page(
        timetable,
        requested_week(timetable),
        requested_filter(),
        endpoint="editor.week",
        include_closed=request.args.get("closed") == "1",
        with_clashes=True,
        with_availability=True,
        with_periods=True,
    )
    if "date" in request.args and not wants_fragment():
        return redirect(page.url(), code=303)
    return render_page_or_fragment("editor/week.html", "editor/_week.html", page=page, push_url=page.url())
