"""iCalendar feeds: `/<slug>/calendar.ics`, whole or filtered by `group`, `staff` or `room` like the week page."""

from __future__ import annotations

from flask import Blueprint, current_app, make_response
from flask_login import current_user

from ..extensions import limiter
from ..services.feeds import build_feed
from ..services.public_view import sees_everything
from .access import readable_timetable
from .week_args import requested_filter

bp = Blueprint("feeds", __name__)


@bp.get("/<slug>/calendar.ics")
@limiter.limit(lambda: current_app.config["FEED_RATE_LIMIT"], scope="feeds",
               error_message="Too many calendar feed requests from your network address. Wait a minute, then try again.")
def feed(slug: str):
    """The timetable's occurrences as an iCalendar feed (published ones to everyone, others to their viewers)."""
    timetable = readable_timetable(slug)
    filters = requested_filter()
    response = make_response(build_feed(timetable, filters, public=not sees_everything(current_user, timetable.id)))
    response.headers["Content-Type"] = "text/calendar; charset=utf-8"
    response.headers["Content-Disposition"] = f'inline; filename="{timetable.slug}.ics"'
    return response
