"""The JSON twin of the cover statistics page: GET /api/timetables/<slug>/cover-statistics?term=…."""

from __future__ import annotations

from flask import Blueprint, jsonify, request

from ..services.access import SCHEDULE
from ..services.cover_stats import as_payload, cover_statistics
from .access import require_on

bp = Blueprint("api_cover_stats", __name__, url_prefix="/api")


@bp.get("/timetables/<slug>/cover-statistics")
def cover_statistics_of_term(slug: str):
    """Cover statistics of one term.
    ---
    get:
      summary: "Per teacher and term: covers given, own lessons cancelled, own lessons covered by others"
      description: >
        Counted over the occurrences that take place in the term's weeks, as the week API
        resolves them; holidays and weeks outside a slot's cycle count nowhere. A cover given is
        an occurrence with the teacher as substitute of someone else. An own lesson cancelled is
        one of the teacher's occurrences that is temporarily closed, or closed for weeks that the
        slot comes back from within the term. An own lesson covered by others has another
        teacher as substitute and is not cancelled. Without `term`, the current term: the
        shortest term that holds this week, else the last that has ended. Schedulers only.
      security: [{session: []}, {bearer: []}]
      parameters:
        - in: query
          name: term
          schema: {type: string, example: Autumn term}
          required: false
          description: the term's name, as on the calendar page
      responses:
        409:
          description: The timetable has no terms yet (add them on its calendar page), or the term is longer than statistics count
          content:
            application/json:
              schema: ErrorSchema
        200:
          content:
            application/json:
              schema:
                type: object
                properties:
                  term:
                    type: object
                    properties:
                      name: {type: string}
                      start: {type: string, example: 2026-W36}
                      end: {type: string, example: 2026-W51}
                  terms: {type: array, items: {type: string}}
                  teachers:
                    type: array
                    items:
                      type: object
                      properties:
                        staff_id: {type: integer}
                        name: {type: string}
                        covers_given: {type: integer}
                        own_lessons_cancelled: {type: integer}
                        own_lessons_covered_by_others: {type: integer}
    """
    timetable = require_on(SCHEDULE, slug)
    return jsonify(as_payload(cover_statistics(timetable, request.args.get("term"))))
