"""Creating slots through the API: plan (preview) then apply with the plan's token, like the grid's "New slot"."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user
from marshmallow import ValidationError

from ..schemas_editing import EditPlanSchema, NewSlotsAppliedSchema, NewSlotsApplyRequestSchema, NewSlotsRequestSchema
from ..services.access import SCHEDULE
from ..services.catalog import current_week, get_timetable
from ..services.editing import apply_creations, plan_creations
from .access import require
from .api_bodies import invalid_request, load_body

bp = Blueprint("api_slots", __name__, url_prefix="/api")
bp.register_error_handler(ValidationError, invalid_request)


def _timetable(slug: str):
    if not current_user.is_authenticated:
        require(SCHEDULE)  # 401 before saying whether the timetable exists
    timetable = get_timetable(slug)
    require(SCHEDULE, timetable.id)
    return timetable


@bp.post("/timetables/<slug>/slots/plan")
def plan_new_slots(slug: str):
    """Preview new slots.
    ---
    post:
      summary: Preview one or many new slots, every parameter set from a week on
      description: >
        Computes, without writing, the new slots' stripes, their values in words and the clashes
        they would create. Every staff member, room, group and course named must be this
        timetable's and not retired in those weeks. Apply with the same body and the plan's token;
        the result is one change of the history, which undo reverts.
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: NewSlotsRequestSchema
            example:
              start: 2027-W02
              end: null
              slots:
                - {weekday: Monday, start: "08:00", duration: 50, course: 3, group: 2, staff: 7, room: 12}
                - {weekday: 3, start: "10:00", title: Chess club, capacity: 12}
      responses:
        200:
          content:
            application/json:
              schema: EditPlanSchema
    """
    timetable = _timetable(slug)
    body = load_body(NewSlotsRequestSchema())
    reference_week = body["week"] or body["start"] or current_week(timetable)
    plan = plan_creations(timetable, body["slots"], body["start"], body["end"], reference_week)
    return EditPlanSchema().dump(plan)


@bp.post("/timetables/<slug>/slots/apply")
def apply_new_slots(slug: str):
    """Create previewed slots.
    ---
    post:
      summary: Create the new slots, as previewed
      description: >
        Send the body of the plan with its token. If it differs from what was previewed, or a
        resource it names was retired since, nothing is written.
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: NewSlotsApplyRequestSchema
      responses:
        201:
          description: Created, as one change of the history
          content:
            application/json:
              schema: NewSlotsAppliedSchema
        409: Conflict
    """
    timetable = _timetable(slug)
    body = load_body(NewSlotsApplyRequestSchema())
    change_set = apply_creations(timetable, body["slots"], body["start"], body["end"], body["token"], current_user.id)
    return NewSlotsAppliedSchema().dump({"change": change_set}), 201
