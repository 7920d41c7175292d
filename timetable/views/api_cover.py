"""The cover API: plan the desk's cover (assign all, or explicit items), apply it, read and set the cover limits (SCHEDULE)."""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user
from marshmallow import ValidationError

from .. import clock
from ..schemas_cover import CoverApplyRequestSchema, CoverLimitsSchema, CoverPlanRequestSchema, CoverPlanSchema
from ..schemas_editing import AppliedChangeSchema
from ..services.absences import get_absence, list_absences
from ..services.access import SCHEDULE
from ..services.catalog import get_timetable
from ..services.cover_assignment import Cover, apply_cover, plan_cover, solve
from ..services.cover_desk import Desk, Suggestion, load_desk, load_limits, set_limits
from ..services.cover_solutions import MERGE, MOVE, ROOM, Solution, check_unique, make_solution, parse_solutions
from ..services.errors import InvalidField
from .access import require_on_requested_timetable
from .api_bodies import invalid_request, load_body

bp = Blueprint("api_cover", __name__, url_prefix="/api")
bp.register_error_handler(ValidationError, invalid_request)

Parts = tuple[list[Cover], list[tuple[int, int]], list[Solution]]


@bp.before_request
def require_scheduler():
    """Cover is planned by the timetable's schedulers only."""
    require_on_requested_timetable(SCHEDULE)


def _desk(timetable, body: dict) -> Desk:
    """The desk over the absences the body names (default: every current or coming one), cut to its date range."""
    today = clock.today(timetable.time_zone)
    first, last = body.get("first_day"), body.get("last_day")
    if "absences" in body:
        absences = [get_absence(timetable, absence_id) for absence_id in dict.fromkeys(body["absences"])]
        if withdrawn := [str(a.id) for a in absences if a.withdrawn]:
            raise InvalidField(f"Absence {', '.join(withdrawn)} was withdrawn: leave it out.", "absences")
    else:
        absences = [a for a in list_absences(timetable, ending_from=max(first or today, today)) if last is None or a.start_date <= last]
    desk = load_desk(timetable, absences, today)
    desk.affected = [a for a in desk.affected if (first is None or a.lesson.day >= first) and (last is None or a.lesson.day <= last)]
    return desk


def _parts(items: list[dict], desk: Desk | None) -> Parts:
    covers, cancels, solutions = [], [], []
    for item in items:
        slot_id, week = item["slot_id"], item["week"]
        if item["kind"] == "cover":
            status = item.get("status") or (desk.status_at((slot_id, week)) if desk else "other")
            covers.append(Cover(slot_id, week, item["staff_id"], status))
        elif item["kind"] == "cancel":
            cancels.append((slot_id, week))
        elif item["kind"] == "room":
            solutions.append(make_solution(ROOM, slot_id, week, item["room_id"]))
        elif item["kind"] == "merge":
            solutions.append(make_solution(MERGE, slot_id, week, item["with_slot_id"]))
        else:
            solutions.append(make_solution(MOVE, slot_id, week, item["weekday"], item["start"]))
    return covers, cancels, check_unique(solutions)


def _items(covers, cancels, solutions) -> list[dict]:
    items: list[dict] = [{"kind": "cover", "slot_id": c.slot_id, "week": c.week, "staff_id": c.staff_id, "status": c.status}
                         for c in covers]
    items += [{"kind": "cancel", "slot_id": slot_id, "week": week} for slot_id, week in cancels]
    for s in solutions:
        target = {ROOM: {"room_id": s.target}, MERGE: {"with_slot_id": s.target}, MOVE: {"weekday": s.target, "start": s.start}}[s.kind]
        items.append({"kind": s.kind, "slot_id": s.slot_id, "week": s.week, **target})
    return items


def _suggestion(suggestion: Suggestion) -> dict:
    item = None
    if suggestion.action and suggestion.kind == "cancel":
        _kind, slot_id, week = suggestion.action.split(":")
        item = {"kind": "cancel", "slot_id": int(slot_id), "week": int(week)}
    elif suggestion.action:
        item = _items([], [], parse_solutions([suggestion.action]))[0]
    return {"kind": suggestion.kind, "text": suggestion.text, "item": item}


@bp.post("/timetables/<slug>/cover/plan")
def plan(slug: str):
    """Plan the cover of absences.
    ---
    post:
      summary: Preview the cover of absences; with no items, assign every open lesson at once with the solver
      description: >
        Without items, every open lesson of the absences (all current and coming ones by default, or those named,
        cut to from/until) is given to a colleague by min-cost assignment: no substitute clash, within the cover
        limits, the load spread fairly; lessons no one can take are listed with why and the solutions that fit,
        each with the item that does it. With items, exactly those: cover, cancel, room (a free room that week),
        merge (cancel it with a note; its groups join the parallel lesson that week) or move (another weekday and
        start that week). Nothing is written; apply the items with the token. A lesson that does not take place in
        the week named, an unknown or other timetable's id, or two solutions for one lesson are refused (400 or 404).
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: CoverPlanRequestSchema
            example: {absences: [3], items: [{kind: room, slot_id: 12, week: 2026-W50, room_id: 4}]}
      responses:
        200:
          content:
            application/json:
              schema: CoverPlanSchema
        409:
          description: >
            The timetable's state refuses it, not the data: nothing to assign (no open lesson has a free colleague),
            or a lesson named does not take place in the week named (reload the desk)
          content:
            application/json:
              schema: ErrorSchema
    """
    timetable = get_timetable(slug)
    body = load_body(CoverPlanRequestSchema())
    desk = _desk(timetable, body)
    uncovered = []
    if body.get("items"):
        covers, cancels, solutions = _parts(body["items"], desk)
    else:
        assignment = solve(desk)
        covers, cancels, solutions = assignment.covers, [], []
        uncovered = [{"slot_id": u.lesson.lesson.slot_id, "week": u.lesson.lesson.week, "label": u.lesson.label, "why": u.why,
                      "suggestions": [_suggestion(s) for s in u.lesson.suggestions]} for u in assignment.uncovered]
    edit_plan = plan_cover(timetable, covers, cancels, solutions)
    return CoverPlanSchema().dump({"token": edit_plan.token, "summary": edit_plan.summary, "plan": edit_plan,
                                   "clashes_created": len(edit_plan.preview.clashes_created),
                                   "items": _items(covers, cancels, solutions), "uncovered": uncovered})


@bp.post("/timetables/<slug>/cover/apply")
def apply(slug: str):
    """Apply a cover plan.
    ---
    post:
      summary: Apply the plan's items as one change of the history (one undo), announced live
      description: >
        Send the items and token the plan returned. If any of their lessons changed since the plan, nothing
        is written and the answer is 409: plan again.
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: CoverApplyRequestSchema
      responses:
        201:
          description: Applied, as one change of the history
          content:
            application/json:
              schema: AppliedChangeSchema
        409: Conflict
    """
    timetable = get_timetable(slug)
    body = load_body(CoverApplyRequestSchema())
    needs_desk = any(i["kind"] == "cover" and not i.get("status") for i in body["items"])
    desk = _desk(timetable, {}) if needs_desk else None
    covers, cancels, solutions = _parts(body["items"], desk)
    change_set = apply_cover(timetable, covers, cancels, body["token"], current_user.id, solutions)
    return AppliedChangeSchema().dump({"change": change_set}), 201


@bp.route("/timetables/<slug>/cover-limits", methods=["GET", "PUT"])
def cover_limits(slug: str):
    """The cover limits.
    ---
    get:
      summary: How many covers one teacher may be given per day and per week
      security: [{session: []}, {bearer: []}]
      responses:
        200:
          content:
            application/json:
              schema: CoverLimitsSchema
    put:
      summary: Set the cover limits (whole numbers from 0 to 50); the desk and the solver keep to them
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: CoverLimitsSchema
            example: {per_day: 2, per_week: 5}
      responses:
        200:
          content:
            application/json:
              schema: CoverLimitsSchema
    """
    timetable = get_timetable(slug)
    if request.method == "PUT":
        body = load_body(CoverLimitsSchema())
        limits = set_limits(timetable, body["per_day"], body["per_week"])
    else:
        limits = load_limits(timetable)
    return CoverLimitsSchema().dump({"per_day": limits.per_day, "per_week": limits.per_week})
