"""The bell-times API: read a timetable's bell grids, preview and apply a change of them."""

from __future__ import annotations

from flask import Blueprint
from flask_login import current_user, login_required
from marshmallow import ValidationError

from ..rules.periods import InvalidPeriods
from ..schemas_editing import AppliedChangeSchema
from ..schemas_periods import BellGridsSchema, BellPlanSchema, dump_grids
from ..services.access import SCHEDULE
from ..services.bells import load_grids
from ..services.catalog import get_timetable
from ..services.editing.bell_changes import apply_bells, plan_bells
from .access import require
from .api_bodies import INVALID, invalid_request, load_body
from .errors import error_response

bp = Blueprint("api_periods", __name__, url_prefix="/api")
bp.register_error_handler(ValidationError, invalid_request)


@bp.errorhandler(InvalidPeriods)
def invalid_periods(error: InvalidPeriods):
    """400 naming the field: schedules.<grid>.periods.<period>.<field>, as marshmallow would."""
    where: dict = {error.field: [str(error)]}
    if error.index is not None:
        where = {"periods": {str(error.index): where}}
    if error.grid is not None:
        where = {"schedules": {str(error.grid): where}}
    return error_response(400, INVALID, where)


def _timetable(slug: str):
    # login_required answers anonymous callers (401 JSON); require decides the right (403).
    timetable = get_timetable(slug)
    require(SCHEDULE, timetable.id)
    return timetable


@bp.get("/timetables/<slug>/periods")
@login_required
def get_periods(slug: str):
    """The bell grids of a timetable.
    ---
    get:
      summary: The bell grids (periods per weekday) and the week from which each holds
      security: [{session: []}, {bearer: []}]
      responses:
        200:
          content:
            application/json:
              schema: BellGridsSchema
    """
    return dump_grids(load_grids(_timetable(slug).id))


@bp.post("/timetables/<slug>/periods/plan")
@login_required
def plan_periods(slug: str):
    """Preview a change of the bell grids.
    ---
    post:
      summary: Preview replacing the bell grids, with every slot edit it brings
      description: >
        A period that keeps its name but gets other times from a week on moves its slots: every
        slot that starts (ends) with it in those weeks gets the new start (end). Nothing is
        written; PUT the same grids with the plan's token to apply them.
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: BellGridsSchema
      responses:
        200:
          content:
            application/json:
              schema: BellPlanSchema
    """
    timetable = _timetable(slug)
    body = load_body(BellGridsSchema())
    return BellPlanSchema().dump(plan_bells(timetable, body["grids"]))


@bp.put("/timetables/<slug>/periods")
@login_required
def put_periods(slug: str):
    """Replace the bell grids.
    ---
    put:
      summary: Replace the bell grids, retiming the slots of every period that moves
      description: >
        Every grid holds from its first week until the next one starts. Periods of a day may
        not overlap, end before they start or leave 00:00–24:00, and are on 5-minute steps.
        The grids and the slots' retiming are one change (history, undo), in one transaction;
        with a plan's token it is refused (409) if anything changed since the plan.
        Grids equal to the stored ones change nothing (200, change null).
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: BellGridsSchema
            example:
              schedules:
                - from_week: 2026-W36
                  periods:
                    - {weekday: 1, name: "1", start: "08:00", end: "08:45"}
                    - {weekday: 5, name: "1", start: "08:00", end: "08:40"}
      responses:
        200:
          content:
            application/json:
              schema: AppliedChangeSchema
        409: Conflict
    """
    timetable = _timetable(slug)
    body = load_body(BellGridsSchema())
    if body["token"] is None and plan_bells(timetable, body["grids"]).empty:
        return {"change": None}
    change = apply_bells(timetable, body["grids"], body["token"], current_user.id)
    return AppliedChangeSchema().dump({"change": change})
