"""The JSON API under /api: timetables and their resolved weeks, with an OpenAPI description."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify
from flask_login import current_user

from ..rules import RulesError, monday_of, parse_week
from ..schemas import TimetableSchema, WeekSchema
from ..services.calendar import week_calendar
from ..services.catalog import get_timetable, list_timetables
from ..services.errors import ServiceError
from ..services.resolution import REFERENCE_KINDS, Directory, Occurrence, load_directory, resolve_week
from .openapi import build_spec

bp = Blueprint("api", __name__, url_prefix="/api")



def occurrence_payload(occurrence: Occurrence, directory: Directory) -> dict:
    values = occurrence.values
    labels = {param: directory.name(kind, values[param]) for param, kind in REFERENCE_KINDS.items() if values[param]}
    return {
        "slot_id": occurrence.slot_id,
        "date": occurrence.date,
        "weekday": occurrence.weekday,
        "start": occurrence.start,
        "end": occurrence.end,
        "duration": occurrence.duration,
        "title": occurrence.title(directory),
        "parameters": dict(values),
        "labels": labels,
        "sources": dict(occurrence.sources),
    }


@bp.get("/timetables")
def timetables():
    """List the timetables the caller may read.
    ---
    get:
      summary: List timetables (published ones; all of them for a logged-in editor)
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: TimetableSchema
    """
    found = list_timetables(published_only=not current_user.is_authenticated)
    return jsonify(TimetableSchema(many=True).dump(found))


@bp.get("/timetables/<slug>/weeks/<week>")
def week(slug: str, week: str):
    """Return every occurrence of one ISO week.
    ---
    get:
      summary: The occurrences of one week, every parameter resolved
      parameters:
        - in: path
          name: slug
          schema: {type: string}
          required: true
        - in: path
          name: week
          schema: {type: string, example: 2026-W47}
          required: true
          description: ISO year-week as 2026-W47, 2026W47 or 202647
      responses:
        200:
          content:
            application/json:
              schema: WeekSchema
        400: Invalid
        404: NotFound
    """
    timetable = get_timetable(slug, published_only=not current_user.is_authenticated)
    try:
        week_key = parse_week(week)
    except RulesError as error:
        raise ServiceError(f"{error}. Use an ISO week such as 2026-W47.") from error
    directory = load_directory(timetable.id)
    occurrences = resolve_week(timetable, week_key)
    calendar = week_calendar(timetable, week_key)
    monday = monday_of(week_key)
    return WeekSchema().dump(
        {
            "timetable": timetable.slug,
            "week": week_key,
            "monday": monday,
            "time_zone": timetable.time_zone,
            "cycle_label": calendar.label,
            "holidays": [{"date": monday + timedelta(days=day - 1), "weekday": day, "name": name}
                         for day, name in sorted(calendar.holidays.items())],
            "occurrences": [occurrence_payload(occ, directory) for occ in occurrences],
        }
    )


@bp.get("/openapi.json")
def openapi():
    """The OpenAPI 3 description of this API."""
    return jsonify(build_spec().to_dict())

