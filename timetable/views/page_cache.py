"""The readers' week pages under the 07:55 rush: ETags, 304s and a rendered-page cache.

A page is rendered once per timetable revision (services/freshness.py), URL, kind (page or htmx
fragment) and time bucket, then served from this process's cache. The bucket is the current
week, cut short at the start of the next occurrence on the page that takes bookings (it then
says "Booking closed"), or the current minute while other visitors' holds are on the page (they
run out by themselves, with no change to mark it). A change commits a new revision, so no page
made before it is served after it, by this worker or any other.

Only anonymous visitors with nothing of their own on the page (no hold, no flashed message) get
the shared copy; the CSRF token the page carries is each visitor's own, put in as it is served.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Response, current_app, request, session
from flask_login import current_user
from flask_wtf.csrf import generate_csrf

from .. import clock
from ..models import Timetable
from ..rules import monday_of
from ..services.catalog import current_week
from ..services.freshness import marker
from .conditional import RenderCache, answer_not_modified, etag_of, not_modified, validated
from .rendering import wants_fragment
from .week_page import WeekPage

_TOKEN = b"\x00csrf-token\x00"
_KEPT_HEADERS = ("Content-Type", "HX-Push-Url")

page_cache: RenderCache[CachedPage] = RenderCache(256)


BY_MINUTE = "minute"
# What render() says of its page's life: BY_MINUTE, or the moment it changes by itself (None: not this week).
Freshness = str | datetime | None


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    freshness: Freshness
    bucket: tuple[str, datetime]  # the time bucket it was made in, and when that began


def week_page_freshness(page: WeekPage) -> Freshness:
    """When a readers' week page changes by itself: each minute while others' holds run, else when its next bookable
    occurrence begins, or at midnight when it shows this week (a phone opens its day tabs on today); None: never,
    until a change."""
    units = [unit for units in (page.availability or {}).values() for unit in units]
    if any(unit.held_by_others for unit in units):
        return BY_MINUTE
    moments = [unit.unit.starts_at(page.timetable.time_zone) for unit in units if not unit.started]
    if page.today_weekday is not None:
        zone = ZoneInfo(page.timetable.time_zone)
        moments.append(datetime.combine(clock.today(page.timetable.time_zone) + timedelta(days=1), time(), zone))
    return min(moments, default=None)


def _bucket(timetable: Timetable, freshness: Freshness) -> tuple[str, datetime]:
    """The same key in every worker for as long as a page of this freshness stays right, and when that began."""
    now = clock.now()
    if freshness == BY_MINUTE:
        minute = now.replace(second=0, microsecond=0)
        return minute.isoformat(), minute
    monday = datetime.combine(monday_of(current_week(timetable, now)), time(), ZoneInfo(timetable.time_zone))
    if isinstance(freshness, datetime):
        if now < freshness:
            return f"{monday.isoformat()}/before {freshness.isoformat()}", monday
        return f"{monday.isoformat()}/from {freshness.isoformat()}", max(monday, freshness)
    return monday.isoformat(), monday


def _shared() -> bool:
    return not current_user.is_authenticated and "lock_code" not in session and "_flashes" not in session


def cached_page(timetable: Timetable, render: Callable[[], tuple[Response, Freshness]]) -> Response:
    """`render()` (a response, and its freshness), or its cached copy, or a 304."""
    if request.method != "GET" or not current_app.config["PAGE_CACHE"] or not _shared():
        return render()[0]
    mark = marker(timetable)
    # Each kind of htmx request (swap, boosted link, history restore) is a variant of its own, as Vary says.
    htmx = tuple(request.headers.get(name, "") for name in ("HX-Request", "HX-Boosted", "HX-History-Restore-Request"))
    key = ("page", mark.key, request.full_path, wants_fragment(), htmx)

    def build() -> CachedPage:
        token = generate_csrf().encode()
        response, freshness = render()
        return CachedPage(response.get_data().replace(token, _TOKEN), response.status_code,
                          tuple((k, v) for k, v in response.headers.items() if k in _KEPT_HEADERS),
                          freshness, _bucket(timetable, freshness))

    page = page_cache.get_or_build(key, build, valid=lambda page: page.bucket == _bucket(timetable, page.freshness))
    etag, last_modified = etag_of((key, page.bucket[0])), max(mark.changed_at, page.bucket[1])
    private = not timetable.published
    if page.status == 200 and not_modified(etag, last_modified):
        return answer_not_modified(etag, last_modified, private=private)
    response = Response(page.body.replace(_TOKEN, generate_csrf().encode()), status=page.status, headers=list(page.headers))
    return validated(response, etag, last_modified, private=private) if page.status == 200 else response
