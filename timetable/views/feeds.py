"""iCalendar feeds: `/<slug>/calendar.ics`, whole or filtered by `group`, `staff` or `room` like the week page.

A feed is built once per timetable revision, week, filter and audience and then served from
this process's cache; its ETag and Last-Modified come from the same marker, so a calendar app
that revalidates gets `304 Not Modified` without the feed being read at all.
"""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app
from flask_login import current_user

from ..extensions import limiter
from ..models import Timetable
from ..rules import monday_of
from ..services.catalog import current_week
from ..services.feeds import build_feed
from ..services.freshness import marker
from ..services.public_view import sees_everything
from .access import readable_timetable
from .conditional import RenderCache, answer_not_modified, etag_of, not_modified, validated
from .week_args import requested_filter

bp = Blueprint("feeds", __name__)
feed_cache: RenderCache[bytes] = RenderCache(64)


def _last_modified(timetable: Timetable, week: int, changed: datetime) -> datetime:
    """The feed's window slides every Monday: it is modified then too, even with no change."""
    monday = datetime.combine(monday_of(week), time(), ZoneInfo(timetable.time_zone))
    return max(changed, monday)


@bp.get("/<slug>/calendar.ics")
@limiter.limit(lambda: current_app.config["FEED_RATE_LIMIT"], scope="feeds",
               error_message="Too many calendar feed requests from your network address. Wait a minute, then try again.")
def feed(slug: str):
    """The timetable's occurrences as an iCalendar feed (published ones to everyone, others to their viewers)."""
    timetable = readable_timetable(slug)
    filters = requested_filter()
    public = not sees_everything(current_user, timetable.id)
    mark = marker(timetable)
    week = current_week(timetable)
    key = ("feed", mark.key, week, filters, public)
    etag, last_modified = etag_of(key), _last_modified(timetable, week, mark.changed_at)
    private = not timetable.published
    if not_modified(etag, last_modified):
        return answer_not_modified(etag, last_modified, private=private)
    body = feed_cache.get_or_build(key, lambda: build_feed(timetable, filters, public=public))
    response = Response(body, content_type="text/calendar; charset=utf-8")
    response.headers["Content-Disposition"] = f'inline; filename="{timetable.slug}.ics"'
    return validated(response, etag, last_modified, private=private)
