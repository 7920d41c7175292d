"""The import upload page `/<slug>/edit/import`: choose a file and options → preview the plan → apply it with the plan's token.

Preview and apply answer htmx with the result fragment and a plain browser with the whole page.
Both read the same form (the file is sent again to apply); the server re-plans and applies only
if the plan's token still matches (409 otherwise). SCHEDULE right on the timetable.
"""

from __future__ import annotations

from flask import Blueprint, current_app, request
from flask_login import current_user
from marshmallow import ValidationError

from ..schemas_imports import FORMAT_CHOICES, load_fields, plan_document
from ..services.access import SCHEDULE
from ..services.catalog import get_timetable
from ..services.editing import StalePlan
from ..services.errors import ServiceError
from ..services.import_uploads import (
    FORMATS,
    apply_upload,
    build_options,
    default_from_week,
    plan_upload,
    read_upload,
    supports_create_missing,
)
from .access import require_on_requested_timetable
from .rendering import render_page_or_fragment
from .uploads import allow_import_uploads, requested_upload

bp = Blueprint("imports", __name__)
allow_import_uploads(bp)

PAGE, RESULT = "imports/page.html", "imports/_result.html"
# Lists longer than this are folded into <details> on the page.
SHOWN = 8


@bp.before_request
def require_scheduler():
    """Importing into a timetable is for its schedulers (and administrators)."""
    require_on_requested_timetable(SCHEDULE)


def _render(timetable, *, status: int = 200, **context):
    form = request.form if request.method == "POST" else {}
    return render_page_or_fragment(
        PAGE, RESULT, status=status, timetable=timetable, form=form, formats=FORMAT_CHOICES, available=FORMATS,
        create_missing=supports_create_missing(), default_week=default_from_week(timetable), shown=SHOWN,
        max_bytes=current_app.config["MAX_IMPORT_BYTES"], **context)


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        messages = error.messages if isinstance(error.messages, dict) else {"": error.messages}
        return " ".join(f"{name.replace('_', ' ')}: {value[0] if isinstance(value, list) else value}" for name, value in messages.items())
    fields = getattr(error, "fields", None)
    if fields:
        return " ".join(f"{name}: {messages[0]}" for name, messages in fields.items())
    return str(error)


def _read(timetable):
    given = load_fields(request.form)
    upload = requested_upload()
    options = build_options(given.get("from_week") or default_from_week(timetable), given.get("periods"), given.get("days_per_week"),
                            None, given["create_missing"])
    return read_upload(timetable.slug, upload, given["format"], options), given


@bp.get("/<slug>/edit/import")
def page(slug: str):
    """The upload form: file, format, from-week and the FET options."""
    return _render(get_timetable(slug))


@bp.post("/<slug>/edit/import/plan")
def plan(slug: str):
    """Preview what importing the file would do; writes nothing."""
    timetable = get_timetable(slug)
    try:
        read, _given = _read(timetable)
        found, token = plan_upload(read)
    except (ValidationError, ServiceError) as error:
        return _render(timetable, status=400, problem=_message(error))
    return _render(timetable, plan=plan_document(found, read, token))


@bp.post("/<slug>/edit/import/apply")
def apply(slug: str):
    """Apply the previewed import as one change; 409 when the timetable or the file changed since the preview."""
    timetable = get_timetable(slug)
    try:
        read, given = _read(timetable)
        found, change_set = apply_upload(read, given.get("token", ""), current_user.id)
    except StalePlan as error:
        return _render(timetable, status=409, problem=str(error), stale=True)
    except (ValidationError, ServiceError) as error:
        return _render(timetable, status=400, problem=_message(error))
    return _render(get_timetable(slug), applied=change_set, plan=plan_document(found, read, None))
