"""The readers' week pages under the 07:55 rush: ETags, 304s and a rendered-page cache.

A page is rendered once per timetable revision (services/freshness.py), URL, kind (page or htmx
fragment) and time bucket, then served from this process's cache. The bucket is the current
week, or the current minute for a page that shows places to book (they change with holds that
run out by themselves and occurrences that begin). A change commits a new revision, so no
page made before it is served after it, by this worker or any other.

Only anonymous visitors with nothing of their own on the page (no hold, no flashed message) get
the shared copy; the CSRF token the page carries is each visitor's own, put in as it is served.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time
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

_TOKEN = b"\x00csrf-token\x00"
_KEPT_HEADERS = ("Content-Type", "HX-Push-Url")

page_cache: RenderCache[CachedPage] = RenderCache(256)


@dataclass(frozen=True)
class CachedPage:
    body: bytes
    status: int
    headers: tuple[tuple[str, str], ...]
    by_minute: bool  # shows places to book: good for this minute only
    since: datetime  # the start of the bucket it was made in


def _bucket(timetable: Timetable, by_minute: bool) -> datetime:
    now = clock.now()
    if by_minute:
        return now.replace(second=0, microsecond=0)
    return datetime.combine(monday_of(current_week(timetable, now)), time(), ZoneInfo(timetable.time_zone))


def _shared() -> bool:
    return not current_user.is_authenticated and "lock_code" not in session and "_flashes" not in session


def cached_page(timetable: Timetable, render: Callable[[], tuple[Response, bool]]) -> Response:
    """`render()` (a response, and whether it shows places to book), or its cached copy, or a 304."""
    if request.method != "GET" or not current_app.config["PAGE_CACHE"] or not _shared():
        return render()[0]
    mark = marker(timetable)
    key = ("page", mark.key, request.full_path, wants_fragment())

    def build() -> CachedPage:
        token = generate_csrf().encode()
        response, by_minute = render()
        return CachedPage(response.get_data().replace(token, _TOKEN), response.status_code,
                          tuple((k, v) for k, v in response.headers.items() if k in _KEPT_HEADERS),
                          by_minute, _bucket(timetable, by_minute))

    page = page_cache.get_or_build(key, build, valid=lambda page: page.since == _bucket(timetable, page.by_minute))
    etag, last_modified = etag_of((key, page.since.isoformat())), max(mark.changed_at, page.since)
    private = not timetable.published
    if page.status == 200 and not_modified(etag, last_modified):
        return answer_not_modified(etag, last_modified, private=private)
    response = Response(page.body.replace(_TOKEN, generate_csrf().encode()), status=page.status, headers=list(page.headers))
    return validated(response, etag, last_modified, private=private) if page.status == 200 else response
