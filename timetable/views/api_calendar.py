"""The calendar API: a timetable's terms, holidays and week cycle, read and replaced whole."""

from __future__ import annotations

from typing import cast

from flask import Blueprint
from flask_login import current_user
from marshmallow import ValidationError

from ..schemas_calendar import CalendarSpecSchema, dump_calendar_spec
from ..services.access import SCHEDULE
from ..services.calendar import CalendarSpec, calendar_spec, replace_calendar
from ..services.catalog import get_timetable
from .access import require_on
from .api_bodies import invalid_request, load_body

bp = Blueprint("api_calendar", __name__, url_prefix="/api")
bp.register_error_handler(ValidationError, invalid_request)


@bp.get("/timetables/<slug>/calendar")
def get_calendar(slug: str):
    """A timetable's calendar.
    ---
    get:
      summary: Terms, holidays and the week cycle of a timetable
      responses:
        200:
          content:
            application/json:
              schema: CalendarSchema
    """
    timetable = get_timetable(slug, published_only=not current_user.is_authenticated)
    return dump_calendar_spec(calendar_spec(timetable))


@bp.put("/timetables/<slug>/calendar")
def put_calendar(slug: str):
    """Replace a timetable's calendar.
    ---
    put:
      summary: Replace the terms, holidays and week cycle of a timetable, all in one transaction
      description: >
        Send the whole calendar; what is left out is removed. Terms may overlap (a school year
        and its terms), but two terms cannot share a name. A holiday's end is its last day. On
        holiday dates no occurrence takes place and booking is closed; the slots' stripes are
        not changed. Week labels (A, B…) count the weeks from the cycle's start week, skipping
        weeks whose shown weekdays are all holidays; an override sets one week's label.
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: CalendarSchema
            example:
              terms: [{name: Autumn, start: 2026-W36, end: 2026-W51}]
              holidays: [{name: Easter, start: "2027-03-29", end: "2027-04-09"}]
              cycle: {length: 2, start: 2026-W36, overrides: [{week: 2027-W03, label: B}]}
      responses:
        200:
          content:
            application/json:
              schema: CalendarSchema
    """
    # Anonymous callers learn nothing of unpublished timetables: 401 before the slug is looked up.
    timetable = require_on(SCHEDULE, slug)
    spec = cast(CalendarSpec, load_body(CalendarSpecSchema()))  # post_load makes the body a CalendarSpec
    replace_calendar(timetable, spec)
    return dump_calendar_spec(calendar_spec(timetable))
