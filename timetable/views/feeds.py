"""iCalendar feeds: `/<slug>/calendar.ics`, whole or filtered by `group`, `staff` or `room` like the week page.

With `?key=…` it is someone's private calendar link (services/feed_links.py): calendar apps send
no session cookie, so the key stands for its owner and the feed holds what they may read.

A feed is built once per timetable revision, week, filter and audience and then served from
this process's cache; its ETag and Last-Modified come from the same marker, so a calendar app
that revalidates gets `304 Not Modified` without the feed being read at all.
"""

from __future__ import annotations

import hashlib
from datetime import datetime, time
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, current_app, request
from flask_limiter.util import get_remote_address
from flask_login import current_user

from ..extensions import limiter
from ..models import Timetable
from ..rules import monday_of
from ..services.catalog import current_week, get_timetable
from ..services.errors import NotFound
from ..services.feed_links import feed_reader
from ..services.feeds import build_feed
from ..services.freshness import marker
from ..services.public_view import sees_everything
from .access import readable_timetable
from .conditional import RenderCache, answer_not_modified, etag_of, not_modified, validated
from .week_args import requested_filter

bp = Blueprint("feeds", __name__)
feed_cache: RenderCache[bytes] = RenderCache(64)

DEAD_LINK = ("This private calendar link does not work: it was revoked, or its owner may no longer read this timetable. "
             "Make a new one on your account page.")


def _reader():
    """The timetable and whose rights the feed is read with: the key's owner, else whoever asks."""
    key = request.args.get("key")
    if key is None:
        return readable_timetable(request.view_args["slug"]), current_user
    try:
        timetable = get_timetable(request.view_args["slug"])
    except NotFound:
        timetable = None
    owner = feed_reader(timetable, key.strip()) if timetable is not None else None
    if owner is None:
        # One answer for every key that does not work, so none tells which timetables exist.
        raise NotFound(DEAD_LINK)
    return timetable, owner


def _last_modified(timetable: Timetable, week: int, changed: datetime) -> datetime:
    """The feed's window slides every Monday: it is modified then too, even with no change."""
    monday = datetime.combine(monday_of(week), time(), ZoneInfo(timetable.time_zone))
    return max(changed, monday)


def _feed_client() -> str:
    """Whose budget a feed request spends: a private link's own, else its network address's.

    Calendar services (Google's, Apple's) fetch every subscriber's feed from a few addresses of
    theirs; a private link is one subscriber, so it is counted as one, wherever it is read from.
    """
    key = request.args.get("key")
    return "link:" + hashlib.sha256(key.encode()).hexdigest() if key else get_remote_address()


@bp.get("/<slug>/calendar.ics")
@limiter.limit(lambda: current_app.config["FEED_RATE_LIMIT"], scope="feeds", key_func=_feed_client,
               error_message="Too many calendar feed requests from your network address, or for this link. "
                             "Wait a minute, then try again.")
def feed(slug: str):
    """The timetable's occurrences as an iCalendar feed (published ones to everyone, others to their viewers)."""
    timetable, reader = _reader()
    filters = requested_filter()
    public = not sees_everything(reader, timetable.id)
    mark = marker(timetable)
    week = current_week(timetable)
    key = ("feed", mark.key, week, filters, public)
    etag, last_modified = etag_of(key), _last_modified(timetable, week, mark.changed_at)
    private_link = "key" in request.args
    private = not timetable.published or private_link
    if not_modified(etag, last_modified):
        response = answer_not_modified(etag, last_modified, private=private)
    else:
        body = feed_cache.get_or_build(key, lambda: build_feed(timetable, filters, public=public))
        response = Response(body, content_type="text/calendar; charset=utf-8")
        response.headers["Content-Disposition"] = f'inline; filename="{timetable.slug}.ics"'
        response = validated(response, etag, last_modified, private=private)
    if private_link:
        # The address is a secret: keep the answer out of shared caches.
        response.headers["Cache-Control"] = "private, no-store"
    return response
