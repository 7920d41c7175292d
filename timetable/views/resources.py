"""The resources page of a timetable: its staff, rooms, groups and courses, added, changed and retired."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..rules import RulesError, format_week, parse_week
from ..schemas_setup import INPUT_SCHEMAS
from ..services.access import SCHEDULE
from ..services.catalog import current_week, get_timetable
from ..services.resources import KINDS, add_resource, change_resource, get_resource, list_resources, uses_from
from ..services.stripes import SLOT
from ..services.timetables import InvalidFields
from .access import require
from .ids import parse_id

bp = Blueprint("resources", __name__)

KIND = "<any(staff, rooms, groups, courses):kind>"
TITLES = {"staff": "Staff", "rooms": "Rooms", "groups": "Groups (classes)", "courses": "Courses"}
OPTIONAL = ("short_name", "email", "capacity", "size", "retired_from_week")


def _timetable(slug: str):
    if not current_user.is_authenticated:
        require(SCHEDULE)  # 401 (log in) before saying whether the timetable exists
    timetable = get_timetable(slug)
    require(SCHEDULE, timetable.id)
    return timetable


def _typed(kind: str, form) -> dict[str, Any]:
    """The fields the form sent, as the API's schema of this kind reads them."""
    fields = INPUT_SCHEMAS[kind]().fields
    values: dict[str, Any] = {}
    for name in fields:
        if name == "courses":
            if "courses-sent" in form:
                values[name] = [parse_id(text) or text for text in form.getlist("courses")]
        elif name not in form:
            continue
        elif name == "features":
            values[name] = [tag.strip() for tag in form[name].split(",") if tag.strip()]
        elif name in OPTIONAL and not form[name].strip():
            values[name] = None
        elif name in ("capacity", "size"):
            text = form[name].strip()
            values[name] = int(text) if text.isascii() and text.isdigit() and len(text) < 12 else text
        else:
            values[name] = form[name].strip() if name != "name" else form[name]
    return values


def _page(timetable, *, errors: dict[str, dict[str, list[str]]] | None = None, sent: dict[str, Any] | None = None,
          form_key: str = "", saved: str = "", status: int = 200):
    resources = {kind: list_resources(timetable, kind) for kind in KINDS}
    return render_template(
        "resources/page.html", timetable=timetable, resources=resources, titles=TITLES, errors=errors or {},
        sent=sent or {}, form_key=form_key, saved=saved or request.args.get("saved", ""), week=current_week(timetable),
    ), status


def _save(timetable, kind: str, form_key: str, write):
    try:
        values = INPUT_SCHEMAS[kind]().load(_typed(kind, request.form))
        write(values)
    except ValidationError as error:
        messages = {name: (list(value.values())[0] if isinstance(value, dict) else value) for name, value in error.messages.items()}
        return _page(timetable, errors={form_key: messages}, sent=dict(request.form), form_key=form_key, status=400)
    except InvalidFields as error:
        return _page(timetable, errors={form_key: error.fields}, sent=dict(request.form), form_key=form_key, status=400)
    return redirect(url_for(".page", slug=timetable.slug, saved=form_key, _anchor=kind), code=303)


@bp.get("/<slug>/resources")
def page(slug: str):
    """Every resource of the timetable, kind by kind, each with its form and its retirement."""
    return _page(_timetable(slug))


@bp.post(f"/<slug>/resources/{KIND}")
def add(slug: str, kind: str):
    timetable = _timetable(slug)
    return _save(timetable, kind, f"new-{kind}", lambda values: add_resource(timetable, kind, values, user_id=current_user.id))


@bp.post(f"/<slug>/resources/{KIND}/<id:resource_id>")
def change(slug: str, kind: str, resource_id: int):
    timetable = _timetable(slug)
    return _save(timetable, kind, f"{kind}-{resource_id}", lambda values: change_resource(timetable, kind, resource_id, values))


@bp.get(f"/<slug>/resources/{KIND}/<id:resource_id>/retire")
def retire_preview(slug: str, kind: str, resource_id: int):
    """Before retiring: what still assigns the resource from that week on, and a link to reassign it in bulk."""
    timetable = _timetable(slug)
    resource = get_resource(timetable, kind, resource_id)
    try:
        week = parse_week(request.args.get("week", ""))
    except RulesError as error:
        return _page(timetable, errors={f"retire-{kind}-{resource_id}": {"week": [f"{error}. Use an ISO week such as 2027-W02."]}},
                     sent=dict(request.args), form_key=f"retire-{kind}-{resource_id}", status=400)
    uses = uses_from(timetable, kind, resource_id, week)
    slots = sorted({use.owner_id for use in uses if use.owner == SLOT})
    editor_url = url_for("editing.selection_panel", slug=slug, week=format_week(week), ids=slots) if slots else None
    return render_template("resources/retire.html", timetable=timetable, kind=kind, resource=resource, week=week,
                           uses=uses, editor_url=editor_url)
