"""The set-up API under /api: create and configure timetables, and manage their staff, rooms, groups and courses."""

from __future__ import annotations

from flask import Blueprint, jsonify, request, url_for
from flask_login import current_user
from marshmallow import ValidationError

from ..models import Timetable
from ..rules import format_week
from ..schemas_setup import (
    INPUT_SCHEMAS,
    OUTPUT_SCHEMAS,
    NewTimetableSchema,
    TimetableDetailSchema,
    TimetableSettingsSchema,
    UsesArgsSchema,
    UsesSchema,
)
from ..services.access import ADMINISTER, SCHEDULE, VIEW
from ..services.catalog import get_timetable
from ..services.resources import add_resource, change_resource, get_resource, list_resources, uses_from
from ..services.stripes import SLOT
from ..services.timetables import add_timetable, configure_timetable
from .access import require
from .api_bodies import invalid_request, load_body

bp = Blueprint("api_setup", __name__, url_prefix="/api")
bp.register_error_handler(ValidationError, invalid_request)

KIND = "<any(staff, rooms, groups, courses):kind>"


def _readable(slug: str) -> Timetable:
    """A published timetable for anyone; an unpublished one for those who may view it."""
    timetable = get_timetable(slug, published_only=not current_user.is_authenticated)
    if not timetable.published:
        require(VIEW, timetable.id)
    return timetable


def _scheduled(slug: str) -> Timetable:
    """A timetable the current user may change (401/403 otherwise)."""
    if not current_user.is_authenticated:
        require(SCHEDULE)
    timetable = get_timetable(slug)
    require(SCHEDULE, timetable.id)
    return timetable


@bp.post("/timetables")
def create_timetable():
    """Create a timetable.
    ---
    post:
      summary: Create a timetable (administrators)
      description: >
        slug, name and time_zone are required; weekdays default to Monday–Friday and the day to
        08:00–18:00; a new timetable is not published. A reserved slug or an unknown time zone is
        refused (400), a slug or name taken already is a conflict (409), with a message per field; nothing is written.
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: NewTimetableSchema
            example:
              {slug: north-school, name: North School, time_zone: Europe/London, weekdays: [1, 2, 3, 4, 5], day_end: "17:00"}
      responses:
        201:
          content:
            application/json:
              schema: TimetableDetailSchema
        409: Conflict
    """
    require(ADMINISTER)
    body = load_body(NewTimetableSchema())
    timetable = add_timetable(body)
    return TimetableDetailSchema().dump(timetable), 201, {"Location": url_for(".timetable", slug=timetable.slug)}


@bp.get("/timetables/<slug>")
def timetable(slug: str):
    """One timetable's settings.
    ---
    get:
      summary: A timetable's settings (a published one for anyone, else for those who may view it)
      responses:
        200:
          content:
            application/json:
              schema: TimetableDetailSchema
        401: LoginRequired
    """
    return TimetableDetailSchema().dump(_readable(slug))


@bp.patch("/timetables/<slug>")
def configure(slug: str):
    """Change a timetable's settings.
    ---
    patch:
      summary: Rename, move, configure or publish a timetable (schedulers of it)
      description: Give only the settings that change. A new slug moves every address of the timetable.
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: TimetableSettingsSchema
            example: {name: North School (2027), published: true, weekdays: [1, 2, 3, 4, 5, 6]}
      responses:
        200:
          content:
            application/json:
              schema: TimetableDetailSchema
        409: Conflict
    """
    timetable = _scheduled(slug)
    body = load_body(TimetableSettingsSchema())
    return TimetableDetailSchema().dump(configure_timetable(timetable, body))


@bp.get(f"/timetables/<slug>/{KIND}")
def resources(slug: str, kind: str):
    """List a kind of resource.
    ---
    get:
      summary: The staff, rooms, groups or courses of a timetable, retired ones included
      security: [{}, {session: []}, {bearer: []}]  # anonymous callers read a published timetable's
      parameters:
        - {in: path, name: kind, schema: {type: string, enum: [staff, rooms, groups, courses]}, required: true}
      responses:
        200:
          description: A list of StaffSchema, RoomSchema, GroupSchema or CourseSchema, after the kind
        401: LoginRequired
        403: Forbidden
    """
    timetable = get_timetable(slug, published_only=not current_user.is_authenticated)
    require(VIEW, timetable.id)
    return jsonify(OUTPUT_SCHEMAS[kind](many=True).dump(list_resources(timetable, kind)))


@bp.post(f"/timetables/<slug>/{KIND}")
def add(slug: str, kind: str):
    """Add a staff member, room, group or course.
    ---
    post:
      summary: Add a resource (schedulers of the timetable)
      description: >
        staff take short_name, email and courses (the ids of the courses they can teach); rooms
        capacity and features; groups size; courses only a name (their defaults are edited as
        stripes, like a slot's parameters). Names are unique per kind within a timetable.
      security: [{session: [], csrf: []}, {bearer: []}]
      parameters:
        - {in: path, name: kind, schema: {type: string, enum: [staff, rooms, groups, courses]}, required: true}
      requestBody:
        required: true
        content:
          application/json:
            schema: RoomInputSchema
            example: {name: Lab 2, capacity: 24, features: [sink, projector]}
      responses:
        201:
          description: The resource as created (StaffSchema, RoomSchema, GroupSchema or CourseSchema)
        409: Conflict
    """
    timetable = _scheduled(slug)
    body = load_body(INPUT_SCHEMAS[kind]())
    resource = add_resource(timetable, kind, body, user_id=current_user.id)
    return OUTPUT_SCHEMAS[kind]().dump(resource), 201


@bp.patch(f"/timetables/<slug>/{KIND}/<id:resource_id>")
def change(slug: str, kind: str, resource_id: int):
    """Rename, change the details of, or retire a resource.
    ---
    patch:
      summary: Change a resource; retired_from_week retires it from that week (null brings it back)
      description: >
        Nothing is deleted. From the week it is retired from, no edit may assign the resource;
        before it, its name still shows. GET …/uses?week= first lists what still assigns it.
      security: [{session: [], csrf: []}, {bearer: []}]
      parameters:
        - {in: path, name: kind, schema: {type: string, enum: [staff, rooms, groups, courses]}, required: true}
        - {in: path, name: resource_id, schema: {type: integer, minimum: 1, maximum: 2147483647}, required: true}
      requestBody:
        required: true
        content:
          application/json:
            schema: StaffInputSchema
            example: {email: a.moreau@example.org, retired_from_week: 2027-W02}
      responses:
        200:
          description: The resource as changed
        409: Conflict
    """
    timetable = _scheduled(slug)
    body = load_body(INPUT_SCHEMAS[kind]())
    return OUTPUT_SCHEMAS[kind]().dump(change_resource(timetable, kind, resource_id, body))


@bp.get(f"/timetables/<slug>/{KIND}/<id:resource_id>/uses")
def uses(slug: str, kind: str, resource_id: int):
    """What still assigns a resource from a week on (the retire preview).
    ---
    get:
      summary: The slots and course defaults that assign this resource in the week given or later
      description: >
        Reassign them in bulk (POST /api/timetables/{slug}/plan with their slot ids) before
        retiring the resource from that week; editor_url opens the editor with them selected.
      security: [{session: []}, {bearer: []}]
      parameters:
        - {in: path, name: kind, schema: {type: string, enum: [staff, rooms, groups, courses]}, required: true}
        - {in: path, name: resource_id, schema: {type: integer, minimum: 1, maximum: 2147483647}, required: true}
        - {in: query, name: week, schema: {type: string, example: 2027-W02}, required: true}
      responses:
        200:
          content:
            application/json:
              schema: UsesSchema
    """
    timetable = _scheduled(slug)
    week = UsesArgsSchema().load(request.args)["week"]
    get_resource(timetable, kind, resource_id)
    found = uses_from(timetable, kind, resource_id, week)
    slots = sorted({use.owner_id for use in found if use.owner == SLOT})
    editor_url = url_for("editing.selection_panel", slug=slug, week=format_week(week), ids=slots) if slots else None
    return UsesSchema().dump({"week": week, "uses": found, "slots": slots, "editor_url": editor_url})
