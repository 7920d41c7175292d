"""Finding timetables and the week that is "today" in each one's time zone."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, select

from .. import clock
from ..extensions import db
from ..models import Timetable
from ..rules import week_of
from .errors import NotFound

# Top-level paths the app uses itself; a timetable may not take one as its slug.
RESERVED_SLUGS = frozenset({"api", "login", "logout", "static", "vendor", "healthz", "account", "admin", "invitations"})


def get_timetable(slug: str, *, published_only: bool = False) -> Timetable:
    """Return the timetable with this slug, or raise NotFound (also for unpublished ones when asked)."""
    timetable = db.session.scalar(select(Timetable).where(Timetable.slug == slug))
    if timetable is None or (published_only and not timetable.published):
        raise NotFound(f"There is no published timetable called “{slug}”.")
    return timetable


def list_timetables(*, published_only: bool, also: set[int] | None = None) -> list[Timetable]:
    """Every timetable, or only the published ones plus those whose ids are in `also`."""
    query = select(Timetable).order_by(Timetable.name)
    if published_only:
        condition: ColumnElement[bool] = Timetable.published.is_(True)
        if also:
            condition = condition | Timetable.id.in_(sorted(also))
        query = query.where(condition)
    return list(db.session.scalars(query))


def current_week(timetable: Timetable, now: datetime | None = None) -> int:
    """The ISO week of today's date in the timetable's time zone (2024-12-30 is in 2025-W01)."""
    now = now or clock.now()
    return week_of(now.astimezone(ZoneInfo(timetable.time_zone)).date())
