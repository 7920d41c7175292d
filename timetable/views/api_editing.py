"""The JSON editing API under /api: plan and apply granular or bulk edits, read the history, undo."""

from __future__ import annotations

from flask import Blueprint, jsonify, request
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from marshmallow import ValidationError

from ..models import Timetable
from ..schemas_editing import (
    AppliedChangeSchema,
    BulkApplyRequestSchema,
    BulkEditRequestSchema,
    ChangeSchema,
    EditPlanSchema,
    HistoryArgsSchema,
    SessionSchema,
    SlotApplyRequestSchema,
    SlotEditRequestSchema,
    UndoApplyRequestSchema,
    UndoPlanRequestSchema,
    UndoPlanSchema,
)
from ..services.access import SCHEDULE
from ..services.catalog import current_week, get_timetable
from ..services.editing import EditRequest, apply_plan, plan_edit
from ..services.editing.history import apply_undo, list_history, plan_undo, undone_by
from ..services.stripes import COURSE, SLOT
from .access import require_on_requested_timetable
from .api_bodies import invalid_request, load_body

bp = Blueprint("api_editing", __name__, url_prefix="/api")



bp.register_error_handler(ValidationError, invalid_request)


@bp.before_request
def require_scheduler():
    """Every route of a timetable here (plan, apply, history, undo) needs the right to schedule it."""
    if "slug" in (request.view_args or {}):
        require_on_requested_timetable(SCHEDULE)




def _requests(owner: str, ids: tuple[int, ...], edits: list[dict]) -> list[EditRequest]:
    return [EditRequest(owner, ids, e["param"], e["start"], e["end"], e["value"], e["erase"]) for e in edits]


def _bulk_target(body: dict) -> tuple[str, tuple[int, ...]]:
    return (SLOT, tuple(body["slots"])) if "slots" in body else (COURSE, (body["course"],))


def _reference_week(timetable: Timetable, body: dict) -> int:
    return body.get("week") or body["edits"][0]["start"] or current_week(timetable)


def _plan(timetable: Timetable, requests: list[EditRequest], body: dict):
    return EditPlanSchema().dump(plan_edit(timetable, requests, _reference_week(timetable, body)))


def _applied(change_set) -> tuple[dict, int]:
    return AppliedChangeSchema().dump({"change": change_set}), 201


@bp.get("/session")
def session_info():
    """Who is logged in, and the CSRF token to send with POSTs.
    ---
    get:
      summary: The logged-in editor and the CSRF token
      description: >
        Log in with a form POST to /login (fields username, password and csrf_token, the token
        from here), keep the session cookie, and send the token as the X-CSRFToken header of
        every POST to the API.
      responses:
        200:
          content:
            application/json:
              schema: SessionSchema
    """
    user = current_user.username if current_user.is_authenticated else None
    return SessionSchema().dump({"user": user, "csrf_token": generate_csrf()})


@bp.post("/timetables/<slug>/slots/<id:slot_id>/plan")
def plan_slot_edit(slug: str, slot_id: int):
    """Preview edits of one slot.
    ---
    post:
      summary: Preview granular edits of one slot
      description: >
        Computes, without writing, what the edits would change: the actions per stripe, the
        values per week in words, the clashes created or removed. Apply with the token.
      security: [{session: [], csrf: []}, {bearer: []}]
      parameters:
        - {in: path, name: slot_id, schema: {type: integer, minimum: 1, maximum: 2147483647}, required: true}
      requestBody:
        required: true
        content:
          application/json:
            schema: SlotEditRequestSchema
            example:
              edits:
                - {param: room, value: 12, start: 2026-W48, end: 2026-W50}
                - {param: start, value: "08:30", start: 2026-W48, end: null}
                - {param: note, erase: true, start: null, end: null}
      responses:
        200:
          content:
            application/json:
              schema: EditPlanSchema
    """
    timetable = get_timetable(slug)
    body = load_body(SlotEditRequestSchema())
    return _plan(timetable, _requests(SLOT, (slot_id,), body["edits"]), body)


@bp.post("/timetables/<slug>/slots/<id:slot_id>/apply")
def apply_slot_edit(slug: str, slot_id: int):
    """Apply previewed edits of one slot.
    ---
    post:
      summary: Apply granular edits of one slot, as previewed
      description: >
        Send the same edits as to the plan, with its token. If the slot's stripes changed
        since the preview, nothing is written and the answer is 409: preview again.
      security: [{session: [], csrf: []}, {bearer: []}]
      parameters:
        - {in: path, name: slot_id, schema: {type: integer, minimum: 1, maximum: 2147483647}, required: true}
      requestBody:
        required: true
        content:
          application/json:
            schema: SlotApplyRequestSchema
      responses:
        201:
          description: Applied, as one change of the history
          content:
            application/json:
              schema: AppliedChangeSchema
        409: Conflict
    """
    timetable = get_timetable(slug)
    body = load_body(SlotApplyRequestSchema())
    requests = _requests(SLOT, (slot_id,), body["edits"])
    return _applied(apply_plan(timetable, requests, body["token"], current_user.id))


@bp.post("/timetables/<slug>/plan")
def plan_bulk_edit(slug: str):
    """Preview the same edits over many slots or a course.
    ---
    post:
      summary: Preview bulk edits over many slots, or a course's edits
      description: >
        Give either slots (every one gets the edits) or course (its slots inherit the
        course's new values, except where a slot has its own: the preview lists those as kept).
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: BulkEditRequestSchema
            example:
              slots: [12, 14, 31]
              edits:
                - {param: staff_status, value: sick, start: 2026-W48, end: 2026-W50}
                - {param: substitute, value: 7, start: 2026-W48, end: 2026-W50}
      responses:
        200:
          content:
            application/json:
              schema: EditPlanSchema
    """
    timetable = get_timetable(slug)
    body = load_body(BulkEditRequestSchema())
    return _plan(timetable, _requests(*_bulk_target(body), body["edits"]), body)


@bp.post("/timetables/<slug>/apply")
def apply_bulk_edit(slug: str):
    """Apply previewed bulk edits.
    ---
    post:
      summary: Apply bulk or course edits, as previewed
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: BulkApplyRequestSchema
      responses:
        201:
          description: Applied, as one change of the history
          content:
            application/json:
              schema: AppliedChangeSchema
        409: Conflict
    """
    timetable = get_timetable(slug)
    body = load_body(BulkApplyRequestSchema())
    requests = _requests(*_bulk_target(body), body["edits"])
    return _applied(apply_plan(timetable, requests, body["token"], current_user.id))


@bp.get("/timetables/<slug>/history")
def history(slug: str):
    """List the applied changes, newest first.
    ---
    get:
      summary: The history of applied changes, newest first
      security: [{session: []}, {bearer: []}]
      parameters:
        - in: query
          name: slot
          schema: {type: integer, minimum: 1, maximum: 2147483647}
          description: Only the changes that touched this slot
        - {in: query, name: limit, schema: {type: integer, minimum: 1, maximum: 1000, default: 200}}
      responses:
        200:
          content:
            application/json:
              schema:
                type: array
                items: ChangeSchema
    """
    timetable = get_timetable(slug)
    args = HistoryArgsSchema().load(request.args)
    changes = list_history(timetable, slot_id=args.get("slot"), limit=args["limit"])
    return jsonify(ChangeSchema(many=True, undone_by=undone_by(timetable)).dump(changes))


@bp.post("/timetables/<slug>/changes/<id:change_id>/undo/plan")
def plan_change_undo(slug: str, change_id: int):
    """Preview undoing a change.
    ---
    post:
      summary: Preview undoing a change
      description: >
        Undo puts back the values the change replaced. Where a later change repainted some of
        those weeks, undo would overwrite it: the plan lists those weeks as overwrites.
      security: [{session: [], csrf: []}, {bearer: []}]
      parameters:
        - {in: path, name: change_id, schema: {type: integer, minimum: 1, maximum: 2147483647}, required: true}
      requestBody:
        required: false
        content:
          application/json:
            schema: UndoPlanRequestSchema
      responses:
        200:
          content:
            application/json:
              schema: UndoPlanSchema
    """
    timetable = get_timetable(slug)
    body = load_body(UndoPlanRequestSchema())
    plan = plan_undo(timetable, change_id, body["week"] or current_week(timetable))
    return UndoPlanSchema().dump(plan)


@bp.post("/timetables/<slug>/changes/<id:change_id>/undo")
def apply_change_undo(slug: str, change_id: int):
    """Undo a change, as previewed.
    ---
    post:
      summary: Undo a change, as previewed, as a new change
      security: [{session: [], csrf: []}, {bearer: []}]
      parameters:
        - {in: path, name: change_id, schema: {type: integer, minimum: 1, maximum: 2147483647}, required: true}
      requestBody:
        required: true
        content:
          application/json:
            schema: UndoApplyRequestSchema
      responses:
        201:
          description: Undone, as a new change of kind undo
          content:
            application/json:
              schema: AppliedChangeSchema
        409: Conflict
    """
    timetable = get_timetable(slug)
    body = load_body(UndoApplyRequestSchema())
    return _applied(apply_undo(timetable, change_id, body["token"], current_user.id))
