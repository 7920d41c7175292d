"""Administrators create timetables; schedulers configure theirs: slug, name, zone, weekdays, hours, publication."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..formatting import hhmm
from ..rules.params import WEEKDAYS
from ..schemas_setup import TimetableSettingsSchema
from ..services.access import ADMINISTER, SCHEDULE
from ..services.catalog import get_timetable
from ..services.timetables import InvalidFields, add_timetable, configure_timetable, time_zones
from .access import require

bp = Blueprint("settings", __name__)

DEFAULTS = {"slug": "", "name": "", "time_zone": "Europe/Paris", "weekdays": ["1", "2", "3", "4", "5"],
            "day_start": "08:00", "day_end": "18:00", "published": False}


def _typed(form) -> dict[str, Any]:
    """The form as the API's settings schema reads it (the weekdays are checkboxes)."""
    return {"slug": form.get("slug", "").strip(), "name": form.get("name", ""), "time_zone": form.get("time_zone", "").strip(),
            "weekdays": form.getlist("weekdays"), "day_start": form.get("day_start", ""), "day_end": form.get("day_end", ""),
            "published": form.get("published") == "1"}


def _read(form) -> tuple[dict[str, Any], dict[str, list[str]]]:
    try:
        return TimetableSettingsSchema().load(_typed(form)), {}
    except ValidationError as error:
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        # A bad checkbox reads as {"weekdays": {0: [...]}}: one message per field is enough.
        return {}, {name: (list(value.values())[0] if isinstance(value, dict) else value) for name, value in messages.items()}


def _render(template: str, values: dict[str, Any], errors: dict[str, list[str]], status: int = 200, **context):
    return render_template(template, values=values, errors=errors, weekday_names=WEEKDAYS, time_zones=sorted(time_zones()),
                           **context), status


@bp.route("/admin/timetables/new", methods=["GET", "POST"])
def new_timetable():
    """Create a timetable, then go on to its resources."""
    require(ADMINISTER)
    if request.method == "GET":
        return _render("settings/new.html", DEFAULTS, {})
    values, errors = _read(request.form)
    if not errors:
        try:
            timetable = add_timetable(values)
        except InvalidFields as error:
            errors = error.fields
        else:
            flash(f"{timetable.name} is created. Add its staff, rooms, groups and courses.", "success")
            return redirect(url_for("resources.page", slug=timetable.slug), code=303)
    return _render("settings/new.html", _typed(request.form), errors, 400)


@bp.route("/<slug>/settings", methods=["GET", "POST"])
def settings(slug: str):
    """Rename, move or configure a timetable, and publish it or not."""
    if not current_user.is_authenticated:
        require(SCHEDULE)  # 401 (log in) before saying whether the timetable exists
    timetable = get_timetable(slug)
    require(SCHEDULE, timetable.id)
    if request.method == "GET":
        current = {"slug": timetable.slug, "name": timetable.name, "time_zone": timetable.time_zone,
                   "weekdays": [str(day) for day in timetable.weekdays], "day_start": hhmm(timetable.day_start),
                   "day_end": hhmm(timetable.day_end), "published": timetable.published}
        return _render("settings/settings.html", current, {}, timetable=timetable)
    values, errors = _read(request.form)
    if not errors:
        try:
            configure_timetable(timetable, values)
        except InvalidFields as error:
            errors = error.fields
        else:
            flash("Settings saved.", "success")
            return redirect(url_for(".settings", slug=timetable.slug), code=303)
    return _render("settings/settings.html", _typed(request.form), errors, 400, timetable=get_timetable(slug))
