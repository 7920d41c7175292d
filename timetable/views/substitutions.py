"""The substitution desk page: register an absence → assign all → preview → apply (SCHEDULE right).

Every route answers htmx with the desk fragment (or the preview inside it) and a plain
browser with the whole page, so the desk also works without JavaScript.
"""

from __future__ import annotations

from flask import Blueprint, request
from flask_login import current_user
from marshmallow import ValidationError

from .. import clock
from ..rules import STAFF_STATUSES
from ..schemas_absences import AbsenceInputSchema
from ..services.absences import ABSENT_STATUSES, audit_of, change_absence, list_absences, register_absence
from ..services.access import SCHEDULE
from ..services.bells import grid_for_week
from ..services.catalog import current_week, get_timetable
from ..services.cover_assignment import apply_cover, parse_items, plan_cover, solve
from ..services.cover_desk import SHOWN_CANDIDATES, load_desk, set_limits
from ..services.cover_solutions import describe, parse_solutions
from ..services.editing import StalePlan, apply_undo, plan_undo
from ..services.errors import DomainError, InvalidField
from .access import require_on_requested_timetable
from .errors import status_of
from .rendering import CHANGED_EVENT, render_page_or_fragment

bp = Blueprint("substitutions", __name__)

PAGE, DESK, PREVIEW = "substitutions/page.html", "substitutions/_desk.html", "substitutions/_preview.html"


@bp.before_request
def require_scheduler():
    """Absences and their reasons are for the timetable's schedulers only."""
    require_on_requested_timetable(SCHEDULE)


def _desk(timetable):
    today = clock.today(timetable.time_zone)
    return load_desk(timetable, list_absences(timetable, ending_from=today), today)


def _render(timetable, *, status: int = 200, fragment: str = DESK, **extra):
    desk = extra.pop("desk", None) or _desk(timetable)
    grid = grid_for_week(timetable, current_week(timetable))
    period_names = list(dict.fromkeys(p.name for p in grid.periods)) if grid else []
    context = dict(timetable=timetable, desk=desk, audits=audit_of([a.id for a in desk.absences]), period_names=period_names,
                   statuses=[s for s in STAFF_STATUSES if s[0] in ABSENT_STATUSES],
                   shown=SHOWN_CANDIDATES, week=current_week(timetable), form=extra.pop("form", {}), errors=extra.pop("errors", {}),
                   **extra)
    return render_page_or_fragment(PAGE, fragment, status=status, **context)


def _form_body(form) -> dict:
    """The absence form as the API's body: who is "staff:12" (or room:, group:); blank times mean the whole day."""
    body: dict = {}
    kind, _, resource = form.get("who", "").partition(":")
    if kind in ("staff", "room", "group"):
        body[kind] = int(resource) if resource.isdigit() else resource
    for name in ("start", "end", "status", "reason", "first_period", "last_period"):
        if form.get(name, "").strip():
            body[name] = form[name].strip() if name != "reason" else form[name]
    if form.get("from", "").strip() or form.get("until", "").strip():
        body["from"], body["until"] = form.get("from", ""), form.get("until", "")
    return body


def _errors(error: Exception) -> dict:
    if isinstance(error, ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        return {name: (value[0] if isinstance(value, list) else str(value)) for name, value in messages.items()}
    fields = getattr(error, "fields", None) or {"": [str(error)]}
    return {name: messages[0] for name, messages in fields.items()}


@bp.get("/<slug>/edit/substitutions")
def page(slug: str):
    """The desk: current absences, the lessons they touch with ranked stand-ins and other solutions."""
    return _render(get_timetable(slug))


@bp.post("/<slug>/edit/substitutions/absences")
def register(slug: str):
    """Register an absence from the form; the desk then shows the lessons it touches."""
    timetable = get_timetable(slug)
    try:
        given = AbsenceInputSchema().load(_form_body(request.form))
        absence = register_absence(timetable, given, current_user.id)
    except (ValidationError, InvalidField) as error:
        return _render(timetable, status=400, form=request.form, errors=_errors(error))
    return _render(timetable, registered=absence)


@bp.post("/<slug>/edit/substitutions/absences/<id:absence_id>")
def change(slug: str, absence_id: int):
    """Change an absence's dates, times or reason, or withdraw it; the desk re-plans its open lessons."""
    timetable = get_timetable(slug)
    try:
        if request.form.get("withdraw"):
            given = AbsenceInputSchema(partial=True).load({"withdrawn": True})
        else:
            body = _form_body(request.form)
            body.pop("staff", None), body.pop("room", None), body.pop("group", None)
            given = AbsenceInputSchema(partial=True).load(body)
        change_absence(timetable, absence_id, given, current_user.id)
    except (ValidationError, InvalidField) as error:
        return _render(timetable, status=400, errors={f"absence-{absence_id}": " ".join(_errors(error).values())})
    return _render(timetable)


@bp.post("/<slug>/edit/substitutions/limits")
def limits(slug: str):
    """Set how many covers one teacher may be given per day and per week."""
    timetable = get_timetable(slug)
    try:
        set_limits(timetable, request.form.get("per_day", ""), request.form.get("per_week", ""))
    except InvalidField as error:
        return _render(timetable, status=400, errors=_errors(error))
    return _render(timetable, limits_saved=True)


def _items(form):
    """The covers, cancels and other solutions (room, merge, move) the form names, read strictly."""
    covers, cancels = parse_items(form.getlist("cover"), form.getlist("cancel"))
    return covers, cancels, parse_solutions(form.getlist("solution"))


@bp.post("/<slug>/edit/substitutions/assign")
def assign(slug: str):
    """Assign all open lessons at once (or the covers, cancels and solutions the form names) and preview the plan."""
    timetable = get_timetable(slug)
    desk = _desk(timetable)
    assignment = None
    try:
        covers, cancels, solutions = _items(request.form)
        if not (covers or cancels or solutions):
            assignment = solve(desk)
            covers = assignment.covers
        plan = plan_cover(timetable, covers, cancels, solutions)
    except DomainError as error:
        return _render(timetable, desk=desk, fragment=PREVIEW, status=status_of(error), problem=str(error), assignment=assignment)
    labels = {(a.lesson.slot_id, a.lesson.week): a.label for a in desk.affected}
    labels.update({key: f"{o.title(desk.directory)}" for key, o in desk.occurrences.items() if key not in labels})
    return _render(timetable, desk=desk, fragment=PREVIEW, plan=plan, assignment=assignment, covers=covers, cancels=cancels,
                   solutions=solutions, solution_lines=[describe(s, desk.directory, labels) for s in solutions])


@bp.post("/<slug>/edit/substitutions/apply")
def apply(slug: str):
    """Apply the previewed plan as one change (announced live); refused if the lessons changed since."""
    timetable = get_timetable(slug)
    try:
        covers, cancels, solutions = _items(request.form)
        change_set = apply_cover(timetable, covers, cancels, request.form.get("token", ""), current_user.id, solutions)
    except StalePlan as error:
        return _render(timetable, status=409, stale=str(error))
    except DomainError as error:
        return _render(timetable, status=status_of(error), stale=str(error))
    response = _render(timetable, applied=change_set)
    response.headers["HX-Trigger"] = CHANGED_EVENT
    return response


@bp.post("/<slug>/edit/substitutions/undo/<id:change_id>")
def undo(slug: str, change_id: int):
    """Undo an applied cover in one action."""
    timetable = get_timetable(slug)
    plan = plan_undo(timetable, change_id, current_week(timetable))
    try:
        change_set = apply_undo(timetable, change_id, plan.token, current_user.id)
    except StalePlan as error:
        return _render(timetable, status=409, stale=str(error))
    response = _render(timetable, undone=change_set)
    response.headers["HX-Trigger"] = CHANGED_EVENT
    return response

