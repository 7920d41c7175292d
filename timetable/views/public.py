"""The published, read-only timetable that visitors see without logging in."""

from __future__ import annotations

from flask import Blueprint, redirect, render_template, request, session
from flask_login import current_user

from ..services.access import VIEW, allowed
from ..services.catalog import current_week
from ..services.resolution import load_directory
from .access import readable_timetable
from .chooser_page import build_chooser, opens_on_chooser
from .page_cache import cached_page, week_page_freshness
from .rendering import render_page_or_fragment, wants_fragment
from .week_args import requested_filter, requested_week
from .week_page import build_week_page

bp = Blueprint("public", __name__)


@bp.get("/<slug>")
def week(slug: str):
    """Show one week of a published timetable (or an unpublished one to its viewers) as its public view;
    closed slots are never shown here. Served from the page cache when the visitor has nothing of their own on it."""
    timetable = readable_timetable(slug)
    directory, this_week = load_directory(timetable.id), current_week(timetable)
    large = opens_on_chooser(directory, this_week)
    if large and not request.args and not wants_fragment():
        # A school opens on its chooser (its week has too many classes side by side to read); `?week=` shows it all.
        return render_template("public/chooser.html", chooser=build_chooser(timetable, directory, this_week, ""))
    if "date" in request.args and not wants_fragment():
        return redirect(_page(timetable, large).url(), code=303)

    def render():
        page = _page(timetable, large)
        # People who may read the timetable whole can make a private calendar link of this view.
        response = render_page_or_fragment("public/week.html", "public/_week.html", page=page, push_url=page.url(),
                                           private_feed=allowed(current_user, VIEW, timetable.id))
        return response, week_page_freshness(page)

    return cached_page(timetable, render)


def _page(timetable, large: bool):
    # The visitor's own hold (lock code kept in their session) shows as theirs, not as taken.
    # An unpublished timetable takes no booking: its viewers see it without places to book.
    # Changes are marked where the week is readable: a filtered view, or a small timetable's whole week
    # (comparing every lesson of a school with eight other weeks would slow the page everyone opens).
    filters = requested_filter()
    return build_week_page(timetable, requested_week(timetable), filters, endpoint="public.week",
                           with_availability=timetable.published, lock_code=session.get("lock_code"), public=True,
                           with_deviations=filters.active or not large)
