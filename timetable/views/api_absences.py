"""The absences API: list, register and change absences; the lessons they touch with ranked stand-ins (SCHEDULE)."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user, login_required
from marshmallow import ValidationError

from .. import clock
from ..models import Absence
from ..rules import format_week
from ..schemas_absences import AbsenceInputSchema, AbsenceSchema, CoverSchema
from ..services.absences import audit_of, change_absence, get_absence, list_absences, register_absence
from ..services.access import SCHEDULE
from ..services.catalog import get_timetable
from ..services.cover_desk import SHOWN_CANDIDATES, load_desk
from ..services.resolution import load_directory
from .access import require
from .api_bodies import invalid_request, load_body

bp = Blueprint("api_absences", __name__, url_prefix="/api")
bp.register_error_handler(ValidationError, invalid_request)


def _timetable(slug: str):
    timetable = get_timetable(slug)
    require(SCHEDULE, timetable.id)
    return timetable


def _dump(timetable, absences: list[Absence]) -> list[dict]:
    directory = load_directory(timetable.id)
    audits = audit_of([a.id for a in absences])
    return [
        {**AbsenceSchema(exclude=("name", "audit")).dump(a), "name": directory.name(a.kind, a.resource_id),
         "audit": AbsenceSchema(only=("audit",)).dump({"audit": audits[a.id]})["audit"]}
        for a in absences
    ]


@bp.get("/timetables/<slug>/absences")
@login_required
def list_(slug: str):
    """The absences of a timetable.
    ---
    get:
      summary: Absences (staff, rooms, groups) with their audit; withdrawn ones with ?withdrawn=1
      security: [{session: []}, {bearer: []}]
      parameters:
        - {in: query, name: withdrawn, schema: {type: string, enum: ["0", "1"]}}
      responses:
        200:
          content:
            application/json:
              schema: AbsenceListSchema
    """
    timetable = _timetable(slug)
    withdrawn = request.args.get("withdrawn", "0")
    if withdrawn not in ("0", "1"):
        raise ValidationError({"withdrawn": ["Must be 0 (current absences) or 1 (withdrawn ones too)."]})
    absences = list_absences(timetable, withdrawn=withdrawn == "1")
    return {"absences": _dump(timetable, absences)}


@bp.post("/timetables/<slug>/absences")
@login_required
def create(slug: str):
    """Register an absence.
    ---
    post:
      summary: Register the absence of a staff member, or a room or group unavailable
      description: >
        Refused (400, naming the field) when it ends before it starts, names no staff member (room, group)
        of this timetable, or falls only on holidays and closed days. Nothing is written then.
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: AbsenceInputSchema
            example: {staff: 12, start: "2026-12-07", end: "2026-12-25", reason: "Flu"}
      responses:
        201:
          content:
            application/json:
              schema: AbsenceSchema
    """
    timetable = _timetable(slug)
    given = load_body(AbsenceInputSchema())
    absence = register_absence(timetable, given, current_user.id)
    return _dump(timetable, [absence])[0], 201


@bp.patch("/timetables/<slug>/absences/<id:absence_id>")
@login_required
def change(slug: str, absence_id: int):
    """Change an absence.
    ---
    patch:
      summary: "Change some fields of an absence, or withdraw it (withdrawn: true)"
      description: The same checks as registering; the audit keeps the fields before and after.
      security: [{session: [], csrf: []}, {bearer: []}]
      parameters:
        - {in: path, name: absence_id, schema: {type: integer, minimum: 1}, required: true}
      requestBody:
        required: true
        content:
          application/json:
            schema: AbsenceInputSchema
      responses:
        200:
          content:
            application/json:
              schema: AbsenceSchema
    """
    timetable = _timetable(slug)
    given = load_body(AbsenceInputSchema(partial=True))
    absence = change_absence(timetable, absence_id, given, current_user.id)
    return _dump(timetable, [absence])[0]


@bp.get("/timetables/<slug>/absences/<id:absence_id>/cover")
@login_required
def cover(slug: str, absence_id: int):
    """The lessons an absence touches, with ranked stand-ins and other solutions.
    ---
    get:
      summary: The lessons an absence touches from today on, each with its candidates (best first, with reasons)
      security: [{session: []}, {bearer: []}]
      parameters:
        - {in: path, name: absence_id, schema: {type: integer, minimum: 1}, required: true}
      responses:
        200:
          content:
            application/json:
              schema: CoverSchema
    """
    timetable = _timetable(slug)
    absence = get_absence(timetable, absence_id)
    desk = load_desk(timetable, [absence], clock.today(timetable.time_zone))
    affected = [{
        "slot_id": a.lesson.slot_id, "week": format_week(a.lesson.week), "date": a.lesson.day, "start": a.lesson.start,
        "end": a.lesson.end, "label": a.label, "kind": a.kind, "covered_by": a.covered_by,
        "candidates": [{"staff_id": c.staff_id, "name": desk.world.name("staff", c.staff_id), "eligible": c.eligible,
                        "cost": c.cost, "reasons": list(c.reasons)} for c in a.candidates[:SHOWN_CANDIDATES]],
        "suggestions": [s.text for s in a.suggestions],
    } for a in desk.affected]
    return CoverSchema().dump({"affected": affected})
