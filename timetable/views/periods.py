"""The bell-times page: the grids and the week each holds from; edit one, preview, apply (SCHEDULE right)."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required

from ..rules import RulesError, parse_week
from ..rules.periods import WEEKDAY_NAMES, BellGrid, grid_end, grid_in_week
from ..services.access import SCHEDULE
from ..services.bells import load_grids
from ..services.catalog import current_week, get_timetable
from ..services.editing import StalePlan
from ..services.editing.bell_changes import apply_bells, plan_bells
from ..services.errors import ServiceError
from .access import require
from .period_forms import GridForm, day_field, prefilled, read_grid_form, same_field

bp = Blueprint("periods", __name__)


@bp.before_request
@login_required
def require_login():
    """Every bell-times route needs an editor; each also checks the SCHEDULE right on its timetable."""


def _timetable(slug: str):
    timetable = get_timetable(slug)
    require(SCHEDULE, timetable.id)
    return timetable


def _weekdays(timetable, grids) -> list[int]:
    """The timetable's shown weekdays, and any other day a grid has periods on."""
    return sorted(set(timetable.weekdays) | {p.weekday for g in grids for p in g.periods})


def _context(timetable, grids, **extra):
    return dict(timetable=timetable, grids=grids, weekdays=_weekdays(timetable, grids), weekday_names=WEEKDAY_NAMES,
                day_field=day_field, same_field=same_field, grid_end=lambda g: grid_end(grids, g),
                this_week=current_week(timetable), **extra)


@bp.get("/<slug>/periods")
def index(slug: str):
    timetable = _timetable(slug)
    grids = load_grids(timetable.id)
    return render_template("periods/index.html", **_context(timetable, grids))


@bp.get("/<slug>/periods/edit")
def edit(slug: str):
    """The form of the grid from `?from=` week: that grid, or a copy of the one holding then to start from."""
    timetable = _timetable(slug)
    grids = load_grids(timetable.id)
    try:
        from_week = parse_week(request.args.get("from") or current_week(timetable))
    except RulesError as error:
        raise ServiceError(f"from: {error}") from None
    grid = grid_in_week(grids, from_week)
    editing = grid is not None and grid.from_week == from_week
    form = prefilled(grid, from_week, _weekdays(timetable, grids))
    return render_template("periods/edit.html", **_context(timetable, grids, form=form, editing=editing, copied_from=grid))


def _wanted(grids: tuple[BellGrid, ...], form: GridForm) -> list[BellGrid]:
    """The grids after the form: its grid added or put in place of the one from its week, or that one removed."""
    kept = [g for g in grids if g.from_week != form.from_week]
    if form.remove:
        if len(kept) == len(grids):
            raise ServiceError(f"from_week: there is no bell grid from {form.week_text} to remove.")
        return kept
    assert form.grid is not None
    return [*kept, form.grid]


def _form_error(timetable, grids, form: GridForm):
    editing = any(g.from_week == form.from_week for g in grids)
    return render_template("periods/edit.html", **_context(timetable, grids, form=form, editing=editing, copied_from=None)), 400


@bp.post("/<slug>/periods/preview")
def preview(slug: str):
    """What saving the grid would change: the periods, and every slot of a period that moves."""
    timetable = _timetable(slug)
    grids = load_grids(timetable.id)
    form = read_grid_form(request.form, _weekdays(timetable, grids))
    if not form.valid:
        return _form_error(timetable, grids, form)
    plan = plan_bells(timetable, _wanted(grids, form))
    return render_template("periods/preview.html", **_context(timetable, grids, form=form, plan=plan))


@bp.post("/<slug>/periods/apply")
def apply(slug: str):
    timetable = _timetable(slug)
    grids = load_grids(timetable.id)
    form = read_grid_form(request.form, _weekdays(timetable, grids))
    if not form.valid:
        return _form_error(timetable, grids, form)
    wanted = _wanted(grids, form)
    try:
        change = apply_bells(timetable, wanted, request.form.get("token", ""), current_user.id)
    except StalePlan as error:
        plan = plan_bells(timetable, wanted)
        return render_template("periods/preview.html", **_context(timetable, grids, form=form, plan=plan, stale=str(error))), 409
    flash(f"Applied: {change.summary}", "info")
    return redirect(url_for(".index", slug=slug), code=303)

