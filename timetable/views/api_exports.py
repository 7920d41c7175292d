"""The whole-timetable export as JSON, for administrators: `GET /api/timetables/<slug>/export.json`."""

from __future__ import annotations

from flask import Blueprint, jsonify

from ..services.access import ADMINISTER
from ..services.transfer.document import export_document
from .access import require_on

bp = Blueprint("api_exports", __name__, url_prefix="/api")


@bp.get("/timetables/<slug>/export.json")
def export_json(slug: str):
    """The whole timetable with its history, as the `timetable/1` document.
    ---
    get:
      summary: Export a whole timetable with its history (administrators)
      description: >
        Settings, calendar, bell times with their history, resources, every slot's and course's
        rule stripes, and the change history as a log that `flask timetables import FILE --format
        json` replays into another database. The format is described in docs/transfer.md;
        ids in it are the document's own (1, 2, … per kind). Bookings and accounts are not part of it.
      security: [{session: []}, {bearer: []}]
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                required: [format, exported_at, timetable, calendar, bells, resources, slots, history]
                properties:
                  format: {type: string, enum: [timetable/1]}
                  exported_at: {type: string, format: date-time}
                  timetable: {type: object}
                  calendar: {type: object}
                  bells: {type: array, items: {type: object}}
                  resources: {type: object}
                  slots: {type: array, items: {type: object}}
                  history: {type: array, items: {type: object}}
    """
    timetable = require_on(ADMINISTER, slug)
    response = jsonify(export_document(timetable))
    response.headers["Content-Disposition"] = f'attachment; filename="{timetable.slug}.json"'
    return response
