"""Create and configure timetables: slug, name, time zone, shown weekdays, the day's hours, publication.

Values arrive typed (the API's and the forms' schemas parse text); this module checks what
needs the database or the zone list, and reports every problem by field name, writing nothing.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..database import write_transaction
from ..extensions import db
from ..models import Timetable
from .catalog import RESERVED_SLUGS
from .creation import create_timetable
from .errors import Conflict, ServiceError

SLUG_PATTERN = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?", re.ASCII)
SLUG_RULE = "lowercase letters, digits and inner hyphens, at most 64 characters, such as “north-school”"
SETTINGS = ("slug", "name", "time_zone", "weekdays", "day_start", "day_end", "published")


class InvalidFields(ServiceError):
    """Input refused field by field; the message repeats every field's problem."""

    def __init__(self, fields: Mapping[str, str]) -> None:
        super().__init__("; ".join(f"{name}: {problem}" for name, problem in fields.items()))
        self.fields = {name: [problem] for name, problem in fields.items()}


class TakenFields(InvalidFields, Conflict):
    """Values another row already holds (a slug, a name): a conflict with the current state (409), not bad data."""


def refuse(errors: Mapping[str, str], taken: Mapping[str, str]) -> None:
    """Raise for the problems found: 400 if any value is invalid (taken ones listed too), else 409 for taken ones."""
    if errors:
        raise InvalidFields({**errors, **taken})
    if taken:
        raise TakenFields(taken)


@cache
def time_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def _errors(values: Mapping[str, Any], timetable: Timetable | None) -> tuple[dict[str, str], dict[str, str]]:
    """The invalid values' problems, and the taken ones'."""
    errors: dict[str, str] = {}
    taken: dict[str, str] = {}
    current_id = timetable.id if timetable else None
    if "slug" in values:
        slug = values["slug"] or ""
        if not SLUG_PATTERN.fullmatch(slug):
            errors["slug"] = f"“{slug}” is not a valid slug: use {SLUG_RULE}."
        elif slug in RESERVED_SLUGS:
            errors["slug"] = f"“{slug}” is a reserved address of the application; choose another slug."
        elif db.session.scalar(select(Timetable.id).where(Timetable.slug == slug, Timetable.id != current_id)):
            taken["slug"] = f"Another timetable already has the slug “{slug}”."
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name or len(name) > 200:
            errors["name"] = "Give a name of 1 to 200 characters."
        elif db.session.scalar(select(Timetable.id).where(func.lower(Timetable.name) == name.lower(), Timetable.id != current_id)):
            taken["name"] = f"Another timetable is already called “{name}”."
    if "time_zone" in values and values["time_zone"] not in time_zones():
        errors["time_zone"] = f"“{values['time_zone']}” is not a known time zone; use an IANA name such as Europe/Paris."
    if "weekdays" in values:
        days = values["weekdays"] or []
        if not days:
            errors["weekdays"] = "Show at least one weekday."
        elif any(not isinstance(d, int) or isinstance(d, bool) or not 1 <= d <= 7 for d in days):
            errors["weekdays"] = "Weekdays are 1 (Monday) to 7 (Sunday)."
    start = values.get("day_start", timetable.day_start if timetable else 8 * 60)
    end = values.get("day_end", timetable.day_end if timetable else 18 * 60)
    if not 0 <= start <= 1439:
        errors["day_start"] = "The first hour must be a time of day."
    elif not 0 < end <= 1440:
        errors["day_end"] = "The last hour must be a time of day (24:00 at the latest)."
    elif start >= end:
        field = "day_end" if "day_end" in values else "day_start"
        errors[field] = "The day's first hour must come before its last hour."
    return errors, taken


def _columns(values: Mapping[str, Any]) -> dict[str, Any]:
    columns = {name: value for name, value in values.items() if name in SETTINGS and name != "weekdays"}
    if "name" in columns:
        columns["name"] = columns["name"].strip()
    if "weekdays" in values:
        columns["shown_weekdays"] = ",".join(str(day) for day in sorted(set(values["weekdays"])))
    return columns


def add_timetable(values: Mapping[str, Any]) -> Timetable:
    """Create a timetable from its settings (slug, name and time zone are required), in one transaction."""
    missing = {name: "This field is required." for name in ("slug", "name", "time_zone") if not values.get(name)}
    if missing:
        raise InvalidFields(missing)
    try:
        with write_transaction():
            refuse(*_errors(values, None))
            columns = _columns(values)
            return create_timetable(columns.pop("slug"), columns.pop("name"), columns.pop("time_zone"), **columns)
    except IntegrityError:
        # Another request took the slug between the check and the insert (PostgreSQL does not serialize them).
        raise TakenFields({"slug": f"Another timetable already has the slug “{values['slug']}”."}) from None


def configure_timetable(timetable: Timetable, values: Mapping[str, Any]) -> Timetable:
    """Change some settings of a timetable (rename, move its slug, publish…), in one transaction."""
    try:
        with write_transaction():
            refuse(*_errors(values, timetable))
            for name, value in _columns(values).items():
                setattr(timetable, name, value)
    except IntegrityError:
        raise TakenFields({"slug": f"Another timetable already has the slug “{values.get('slug')}”."}) from None
    return timetable
