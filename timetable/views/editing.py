"""Editor actions on the week grid: panels, plan → preview → apply, creation, history and undo."""

from __future__ import annotations

from flask import Blueprint, flash, make_response, redirect, render_template, request, url_for
from flask_login import current_user

from ..rules import PARAMETERS, RulesError, format_week, get_parameter
from ..services.access import SCHEDULE
from ..services.catalog import get_timetable
from ..services.editing import StalePlan, apply_creation, apply_plan, plan_creation, plan_edit
from ..services.editing.history import apply_undo, list_history, plan_undo, undone_by
from ..services.editing.inspection import inspect_owner
from ..services.editing.previews import slot_label, week_clashes
from ..services.errors import ServiceError
from ..services.resolution import load_directory, resolve_week
from ..services.stripes import COURSE, SLOT
from .access import require_on_requested_timetable
from .edit_forms import RANGE_CHOICES, EditForm, field_text, read_edit_form, read_weeks
from .ids import id_arg, parse_id
from .rendering import CHANGED_EVENT, render_page_or_fragment, wants_fragment
from .week_args import requested_week

bp = Blueprint("editing", __name__)

# What a new slot's creation form asks for, in order.
CREATION_PARAMS = ("weekday", "start", "duration", "course", "title", "group", "staff", "room", "capacity", "appointment_length", "note")


@bp.before_request
def require_scheduler():
    """Every editing route needs the right to schedule this timetable."""
    require_on_requested_timetable(SCHEDULE)


def _changed(response):
    """Tell every region showing the timetable (grid, panels) to refresh."""
    response.headers["HX-Trigger"] = CHANGED_EVENT
    return response


def _context(timetable, week, **extra):
    return dict(timetable=timetable, week=week, directory=load_directory(timetable.id), range_choices=RANGE_CHOICES,
                parameters=PARAMETERS, **extra)


@bp.get("/<slug>/edit/slots/<id:slot_id>")
def slot_panel(slug: str, slot_id: int):
    """One slot: each parameter this week, where it comes from, its history over the term, and edit forms."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    view = inspect_owner(timetable, SLOT, slot_id, week)
    label = _slot_label(timetable, slot_id, week)
    self_url = url_for(".slot_panel", slug=slug, slot_id=slot_id, week=format_week(week))
    return render_page_or_fragment("editor/page.html", "editor/_owner_panel.html",
                                   **_context(timetable, week, view=view, label=label, self_url=self_url))


@bp.get("/<slug>/edit/courses/<id:course_id>")
def course_panel(slug: str, course_id: int):
    """One course: the values its slots inherit, their history, and edit forms that propagate."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    view = inspect_owner(timetable, COURSE, course_id, week)
    label = f"Course {view.directory.name('course', course_id)}"
    self_url = url_for(".course_panel", slug=slug, course_id=course_id, week=format_week(week))
    return render_page_or_fragment("editor/page.html", "editor/_owner_panel.html",
                                   **_context(timetable, week, view=view, label=label, self_url=self_url))


@bp.get("/<slug>/edit/selection")
def selection_panel(slug: str):
    """The bulk editor for the selected slots: one parameter, one value, one range for all of them."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    ids = [i for part in request.args.getlist("ids") for i in map(parse_id, part.replace(",", " ").split()) if i]
    occurrences = {o.slot_id: o for o in resolve_week(timetable, week, include_closed=True)}
    selected = [occurrences[i] for i in dict.fromkeys(ids) if i in occurrences]
    param = request.args.get("param", "staff_status")
    if param not in PARAMETERS:
        param = "staff_status"
    self_url = url_for(".selection_panel", slug=slug, week=format_week(week), ids=[o.slot_id for o in selected], param=param)
    return render_page_or_fragment("editor/page.html", "editor/_bulk_panel.html",
                                   **_context(timetable, week, selected=selected, param=param, self_url=self_url))


@bp.get("/<slug>/edit/value-input")
def value_input(slug: str):
    """The input that fits one parameter, swapped in when the bulk form's parameter changes."""
    timetable = get_timetable(slug)
    param = request.args.get("param", "")
    if param not in PARAMETERS:
        raise ServiceError(f"“{param}” is not something a slot has.")
    return render_template("editor/_value_input.html", **_context(timetable, requested_week(timetable), param=param,
                                                                  field_id=request.args.get("field_id", f"value-{param}")))


@bp.get("/<slug>/edit/slots/<id:slot_id>/move")
def move_form(slug: str, slot_id: int):
    """After a drop or a resize on the grid: the new weekday, start or duration, and which weeks."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    changes = [(name, request.args[name]) for name in ("weekday", "start", "duration") if request.args.get(name)]
    if not changes:
        raise ServiceError("Say what moves: a weekday, a start or a duration.")
    for name, text in changes:
        get_parameter(name).parse(text)  # a bad value is refused here, not in the form
    verb = "Move" if any(name != "duration" for name, _ in changes) else "Resize"
    title = f"{verb} {_slot_label(timetable, slot_id, week)}"
    return render_page_or_fragment("editor/page.html", "editor/_move_form.html", into="preview",
                                   **_context(timetable, week, slot_id=slot_id, changes=changes, title=title))


def _slot_label(timetable, slot_id, week) -> str:
    occurrence = next((o for o in resolve_week(timetable, week, include_closed=True) if o.slot_id == slot_id), None)
    return slot_label(occurrence, slot_id, load_directory(timetable.id))


def _form_error(timetable, form: EditForm, week: int):
    """Show the submitted form again with its messages, in place of the form that was sent."""
    response = make_response(render_template("editor/_edit_form_errors.html", **_context(timetable, week, form=form)), 400)
    response.headers["HX-Retarget"] = f"#{form.form_id}-errors"
    response.headers["HX-Reswap"] = "innerHTML"
    return response


@bp.post("/<slug>/edit/plan")
def plan(slug: str):
    """Compute the plan of an edit form and show its preview; nothing is written."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    form = read_edit_form(timetable, request.form, week)
    if not form.valid:
        return _form_error(timetable, form, week)
    try:
        plan = plan_edit(timetable, form.requests, week)
    except (ServiceError, RulesError) as error:
        form.errors["form"] = str(error)
        return _form_error(timetable, form, week)
    return render_page_or_fragment("editor/page.html", "editor/_preview.html", into="preview",
                                   **_context(timetable, week, plan=plan, form=form, apply_url=url_for(".apply", slug=slug)))


@bp.post("/<slug>/edit/apply")
def apply(slug: str):
    """Apply a previewed plan in one transaction; if its slots changed since, show the new preview."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    form = read_edit_form(timetable, request.form, week)
    if not form.valid:
        return _form_error(timetable, form, week)
    try:
        change_set = apply_plan(timetable, form.requests, request.form.get("token", ""), current_user.id)
    except StalePlan as error:
        plan = plan_edit(timetable, form.requests, week)
        return render_page_or_fragment("editor/page.html", "editor/_preview.html", into="preview", status=409,
                                       **_context(timetable, week, plan=plan, form=form, stale=str(error),
                                                  apply_url=url_for(".apply", slug=slug)))
    return _applied(timetable, week, change_set)


def _applied(timetable, week, change_set):
    if not wants_fragment():
        flash(f"Applied: {change_set.summary}", "info")
        return redirect(url_for("editor.week", slug=timetable.slug, week=format_week(week)), code=303)
    response = make_response(render_template("editor/_applied.html", **_context(timetable, week, change_set=change_set)))
    return _changed(response)


def _creation_values(data) -> tuple[dict, dict[str, str]]:
    values, errors = {}, {}
    for name in CREATION_PARAMS:
        text = field_text(data, f"value-{name}")
        if not text.strip():
            continue  # left empty: the slot inherits it from its course, or takes the default
        try:
            values[name] = get_parameter(name).parse(text)
        except RulesError as error:
            errors[f"value-{name}"] = f"{error}."
    return values, errors


def _creation_form(timetable, week, data) -> tuple[EditForm, dict]:
    form = EditForm(week=week, form_id="create-form", params=list(CREATION_PARAMS),
                    texts={name: field_text(data, f"value-{name}") for name in CREATION_PARAMS})
    values, form.errors = _creation_values(data)
    read_weeks(timetable, form, data)
    return form, values


@bp.get("/<slug>/edit/create")
def create_form(slug: str):
    """The form for a new slot, prefilled from what was drawn on the grid (weekday, start, duration)."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    form = EditForm(week=week, form_id="create-form", params=list(CREATION_PARAMS), range="from_here",
                    texts={name: request.args.get(name, "") for name in CREATION_PARAMS})
    return render_page_or_fragment("editor/page.html", "editor/_create_panel.html", **_context(timetable, week, form=form))


@bp.post("/<slug>/edit/create/plan")
def create_plan(slug: str):
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    form, values = _creation_form(timetable, week, request.form)
    if form.valid:
        try:
            plan = plan_creation(timetable, values, form.start, form.end, week)
        except (ServiceError, RulesError) as error:
            form.errors["form"] = str(error)
    if not form.valid:
        return _form_error(timetable, form, week)
    return render_page_or_fragment("editor/page.html", "editor/_preview.html", into="preview",
                                   **_context(timetable, week, plan=plan, form=form, apply_url=url_for(".create_apply", slug=slug)))


@bp.post("/<slug>/edit/create/apply")
def create_apply(slug: str):
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    form, values = _creation_form(timetable, week, request.form)
    if not form.valid:
        return _form_error(timetable, form, week)
    return _applied(timetable, week, apply_creation(timetable, values, form.start, form.end, current_user.id))


@bp.get("/<slug>/edit/history")
def history(slug: str):
    """Every applied change, newest first, with undo; `?slot=` narrows it to one slot."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    slot_id = id_arg(request.args, "slot", "slot")
    changes = list_history(timetable, slot_id=slot_id)
    return render_page_or_fragment("editor/page.html", "editor/_history.html",
                                   **_context(timetable, week, changes=changes, undone=undone_by(timetable), slot_id=slot_id))


@bp.post("/<slug>/edit/changes/<id:change_id>/undo/plan")
def undo_plan(slug: str, change_id: int):
    """What undoing a change would do now, including later edits it would overwrite."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    try:
        plan = plan_undo(timetable, change_id, week)
    except ServiceError as error:
        return _undo_refused(timetable, week, change_id, error)
    return render_page_or_fragment("editor/page.html", "editor/_undo_preview.html", into="preview", **_context(timetable, week, plan=plan))


def _undo_refused(timetable, week, change_id: int, error: ServiceError):
    """Why this undo may not be made, in the preview, as a 400: nothing was written."""
    return render_page_or_fragment("editor/page.html", "editor/_undo_refused.html", into="preview", status=400,
                                   **_context(timetable, week, change_id=change_id, message=str(error)))


@bp.post("/<slug>/edit/changes/<id:change_id>/undo")
def undo(slug: str, change_id: int):
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    try:
        change_set = apply_undo(timetable, change_id, request.form.get("token", ""), current_user.id)
    except StalePlan as error:
        try:
            plan = plan_undo(timetable, change_id, week)
        except ServiceError as refusal:
            return _undo_refused(timetable, week, change_id, refusal)
        return render_page_or_fragment("editor/page.html", "editor/_undo_preview.html", into="preview", status=409,
                                       **_context(timetable, week, plan=plan, stale=str(error)))
    except ServiceError as error:
        return _undo_refused(timetable, week, change_id, error)
    return _applied(timetable, week, change_set)


@bp.get("/<slug>/edit/clashes")
def clashes(slug: str):
    """The week's clashes: one teacher, room or group in two places at once."""
    timetable = get_timetable(slug)
    week = requested_week(timetable)
    found = week_clashes(timetable, week)
    return render_page_or_fragment("editor/page.html", "editor/_clashes.html", **_context(timetable, week, clashes=found))
