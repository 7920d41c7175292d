"""The JSON API under /api: timetables and their resolved weeks, with an OpenAPI description."""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, jsonify
from flask_login import current_user

from ..rules import monday_of
from ..schemas import TimetableSchema, WeekSchema
from ..services.access import VIEW, granted_timetables
from ..services.calendar import week_calendar
from ..services.catalog import list_timetables
from ..services.public_view import occurrences_for
from ..services.resolution import REFERENCE_KINDS, Directory, Occurrence, load_directory, resolve_week
from .access import readable_timetable
from .openapi import build_document
from .week_args import week_from_text

bp = Blueprint("api", __name__, url_prefix="/api")



def occurrence_payload(occurrence: Occurrence, directory: Directory) -> dict:
    values = occurrence.values
    labels = {param: directory.name(kind, values[param]) for param, kind in REFERENCE_KINDS.items() if values.get(param)}
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
      summary: List timetables (published ones, and those the caller may view)
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: TimetableSchema
    """
    readable = granted_timetables(current_user, VIEW)
    found = list_timetables(published_only=readable is not None, also=readable)
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
    """
    timetable = readable_timetable(slug)
    week_key = week_from_text(week, timetable)
    directory = load_directory(timetable.id)
    # Callers without the VIEW right (anonymous visitors) get the public view of each occurrence.
    occurrences = occurrences_for(current_user, timetable.id, resolve_week(timetable, week_key))
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
    return jsonify(build_document())

