"""`POST /api/timetables/<slug>/imports`: plan an import from an uploaded file, then apply it with the plan's token."""

from __future__ import annotations

import re

from flask import Blueprint, request
from flask_login import current_user
from marshmallow import ValidationError
from sqlalchemy import select

from ..extensions import db
from ..models import Timetable
from ..schemas_imports import ImportAppliedSchema, ImportPlanSchema, load_fields, plan_document
from ..schemas_setup import SLUG_REGEX
from ..services.access import ADMINISTER, SCHEDULE
from ..services.catalog import RESERVED_SLUGS
from ..services.errors import InvalidField, NotFound
from ..services.import_uploads import apply_upload, build_options, default_from_week, plan_upload, read_upload
from .access import require
from .api_bodies import invalid_request
from .uploads import allow_import_uploads, requested_upload

bp = Blueprint("api_imports", __name__, url_prefix="/api")
bp.register_error_handler(ValidationError, invalid_request)
allow_import_uploads(bp)


def _existing_or_creatable(slug: str) -> Timetable | None:
    """The timetable if the caller may SCHEDULE it; None for a new slug only an administrator may create."""
    timetable = db.session.scalar(select(Timetable).where(Timetable.slug == slug))
    if timetable is not None:
        require(SCHEDULE, timetable.id)
        return timetable
    require(SCHEDULE)  # 401 for anonymous callers first
    if not current_user.is_admin:
        raise NotFound(f"There is no timetable called “{slug}”: only an administrator may create one by importing.")
    require(ADMINISTER)
    if not re.fullmatch(SLUG_REGEX, slug) or slug in RESERVED_SLUGS:
        raise InvalidField(f"“{slug}” cannot be a timetable's address: use lowercase letters, digits and inner hyphens "
                           "(not a reserved word)", "slug")
    return None


@bp.post("/timetables/<slug>/imports")
def import_file(slug: str):
    """Plan an import from a file (no token), or apply it (the plan's token).
    ---
    post:
      summary: Import a timetable file (FET or CSV) — plan, then apply with the plan's token
      description: >
        Send the file as multipart/form-data (field `file`) with the options. Without `token`
        nothing is written: the answer (200) is the plan — resources to create, slots to create,
        change (painted from `from_week`) or close, clashes, what is not imported and why — and
        its `token`. Send the same file and fields again with that `token` to apply the plan as
        one change (201), shown in the history and undone in one action. The token covers the
        file's content, the options and the timetable's last change: if any of them differ, the
        answer is 409 and nothing is written (preview again). A file that cannot be imported
        (malformed, not generated, unknown days or hours or names, times missing) is a 400 naming the line
        or element; a body over TIMETABLE_MAX_IMPORT_BYTES (16 MiB) is a 413. Needs the right to
        schedule the timetable; a slug that does not exist yet is created by the import, which
        only an administrator may do (others get 404). `format` defaults to the file name's
        extension (.fet or .csv; the CSV format is in docs/csv-import.md).
      security: [{session: [], csrf: []}, {bearer: []}]
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              required: [file]
              properties:
                file: {type: string, format: binary, description: "The file to import (FET: *_data_and_timetable.fet)"}
                format: {type: string, enum: [auto, fet, csv], default: auto}
                from_week: {type: string, example: 2027-W02, description: "First week the import holds from (default: next week)"}
                periods: {type: string, maxLength: 2000, example: "08:00-08:45,08:50-09:35",
                          description: "FET: times of hours whose names carry none, each ending after it starts"}
                days_per_week: {type: integer, minimum: 1, maximum: 7, description: "FET: days of one week when the file has more"}
                name: {type: string, maxLength: 100, description: "Name of the timetable the import creates"}
                create_missing: {type: boolean, description: "CSV: create the names the timetable lacks"}
                token: {type: string, maxLength: 200, description: "The plan's token: apply exactly that plan"}
      responses:
        200:
          description: The plan; nothing was written
          content:
            application/json:
              schema: ImportPlanSchema
        201:
          description: Applied as one change
          content:
            application/json:
              schema: ImportAppliedSchema
        409: Conflict
        413:
          description: The body is larger than the import limit
          content:
            application/json:
              schema: ErrorSchema
    """
    timetable = _existing_or_creatable(slug)
    given = load_fields(request.form)
    upload = requested_upload()
    from_week = given.get("from_week") or default_from_week(timetable)
    options = build_options(from_week, given.get("periods"), given.get("days_per_week"), given.get("name"), given["create_missing"])
    read = read_upload(slug, upload, given["format"], options)
    if "token" not in given:
        plan, token = plan_upload(read)
        return ImportPlanSchema().dump(plan_document(plan, read, token)), 200
    plan, change_set = apply_upload(read, given["token"], current_user.id)
    document = plan_document(plan, read, None)
    del document["token"]
    return ImportAppliedSchema().dump({"change": change_set, "plan": document}), 201
