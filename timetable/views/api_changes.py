"""The JSON twin of a day's changes page: GET /api/timetables/<slug>/changes?date=YYYY-MM-DD."""

from __future__ import annotations

from flask import Blueprint, jsonify
from flask_login import current_user

from ..services.changes import as_payload, day_changes
from ..services.public_view import sees_everything
from .access import readable_timetable
from .day_args import requested_day

bp = Blueprint("api_changes", __name__, url_prefix="/api")


@bp.get("/timetables/<slug>/changes")
def changes(slug: str):
    """A day's changes as JSON.
    ---
    get:
      summary: "A day's deviations from the usual week, grouped by class"
      description: >
        Substitutions, room changes, cancellations (temporarily closed, with the note) and moved
        lessons on one day, and the day's holidays. The usual value of a parameter is the one it
        holds in most of the 4 weeks before and the 4 weeks after the day's week (ties go to the
        nearest week). Callers without the VIEW right get the public view of each occurrence.
      parameters:
        - in: path
          name: slug
          schema: {type: string}
          required: true
        - in: query
          name: date
          schema: {type: string, format: date, example: "2026-11-20"}
          required: false
          description: the day (YYYY-MM-DD); today in the timetable's time zone when left out
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                properties:
                  date: {type: string, format: date}
                  holidays: {type: array, items: {type: string}}
                  groups:
                    type: array
                    items:
                      type: object
                      properties:
                        group: {type: string}
                        changes:
                          type: array
                          items:
                            type: object
                            properties:
                              slot_id: {type: integer}
                              title: {type: string}
                              start: {type: string, example: "08:00"}
                              end: {type: string, example: "08:45"}
                              lines:
                                type: array
                                items:
                                  type: object
                                  properties:
                                    kind: {type: string, enum: [substitution, room, cancelled, moved]}
                                    before: {type: string}
                                    after: {type: string}
                                    text: {type: string, example: "A. Moreau → C. Ito"}
    """
    timetable = readable_timetable(slug)
    day = requested_day(timetable)
    # Callers without the VIEW right (anonymous visitors) get the public view of each occurrence.
    return jsonify(as_payload(day_changes(timetable, day, public=not sees_everything(current_user, timetable.id))))
