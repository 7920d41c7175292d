"""A day's changes, for readers: the page and its htmx fragment (the JSON twin is in api_changes.py)."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Blueprint, request, url_for
from flask_login import current_user

from .. import clock
from ..services.changes import day_changes
from ..services.public_view import sees_everything
from .access import readable_timetable
from .day_args import requested_day
from .rendering import render_page_or_fragment

bp = Blueprint("changes", __name__)


@bp.get("/<slug>/changes")
def page(slug: str):
    """The day's substitutions, room changes, cancellations, moved lessons and holidays, by class."""
    timetable = readable_timetable(slug)
    day = requested_day(timetable)
    changes = day_changes(timetable, day, public=not sees_everything(current_user, timetable.id))

    def day_url(other: date) -> str:
        return url_for("changes.page", slug=timetable.slug, date=other.isoformat())

    return render_page_or_fragment(
        "changes/page.html", "changes/_changes.html", timetable=timetable, changes=changes,
        previous_url=day_url(day - timedelta(days=1)), next_url=day_url(day + timedelta(days=1)),
        today_url=url_for("changes.page", slug=timetable.slug), push_url=day_url(day),
        feed_url=url_for("feeds.feed", slug=timetable.slug, _external=True),
        board_url=url_for("changes.board", slug=timetable.slug),
    )


@bp.get("/<slug>/changes/board")
def board(slug: str):
    """The day's changes for a hallway screen: full screen, large type, paging through the classes (board.js),
    refreshed when the timetable changes (live events) and every few minutes (so it rolls over to the next day)."""
    timetable = readable_timetable(slug)
    day = requested_day(timetable)
    changes = day_changes(timetable, day, public=not sees_everything(current_user, timetable.id))
    url = url_for("changes.board", slug=timetable.slug, **({"date": day.isoformat()} if "date" in request.args else {}))
    return render_page_or_fragment("changes/board.html", "changes/_board.html", timetable=timetable, changes=changes,
                                   board_url=url, today=clock.today(timetable.time_zone))
