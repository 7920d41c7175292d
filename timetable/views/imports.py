"""The import upload page `/<slug>/edit/import`: choose a file and options → preview the plan → apply it with the plan's token.

Preview and apply answer htmx with the result fragment and a plain browser with the whole page.
Both read the same form (the file is sent again to apply); the server re-plans and applies only
if the plan's token still matches (409 otherwise). SCHEDULE right on the timetable.
"""

from __future__ import annotations

from typing import NamedTuple

from flask import Blueprint, current_app, render_template, request
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
)
from ..services.importing import ImportPlan
from .access import require_on_requested_timetable
from .progress_stream import Progress, progress_stream, wants_progress
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


class AppliedImport(NamedTuple):
    """What the page says of an applied import (read before its thread's session ends)."""

    id: int
    summary: str


def _context(timetable, **context) -> dict:
    form = request.form if request.method == "POST" else {}
    return dict(timetable=timetable, form=form, formats=FORMAT_CHOICES, available=FORMATS,
                default_week=default_from_week(timetable), shown=SHOWN, max_bytes=current_app.config["MAX_IMPORT_BYTES"], **context)


def _render(timetable, *, status: int = 200, **context):
    return render_page_or_fragment(PAGE, RESULT, status=status, **_context(timetable, **context))


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
    """Apply the previewed import as one change; 409 when the timetable or the file changed since the preview.

    A client that accepts application/x-ndjson (the page's script) gets each step as it happens,
    then the result; others get the result alone."""
    timetable = get_timetable(slug)
    try:
        read, given = _read(timetable)
    except (ValidationError, ServiceError) as error:
        return _render(timetable, status=400, problem=_message(error))
    token, user_id = given.get("token", ""), current_user.id

    def work(progress: Progress) -> tuple[ImportPlan, AppliedImport | None]:
        found, change_set = apply_upload(read, token, user_id, progress)
        return found, change_set and AppliedImport(change_set.id, change_set.summary)

    def answer(result, error: Exception | None) -> tuple[int, dict]:
        if isinstance(error, StalePlan):
            return 409, {"problem": str(error), "stale": True}
        if isinstance(error, (ValidationError, ServiceError)):
            return 400, {"problem": _message(error)}
        if error is not None:
            raise error
        found, applied = result
        return 200, {"applied": applied, "plan": plan_document(found, read, None)}

    if wants_progress():
        def finish(result, error: Exception | None) -> tuple[int, str]:
            try:
                status, context = answer(result, error)
            except Exception:
                current_app.logger.exception("an import failed while applying")
                status, context = 500, {"problem": "The import failed on the server and nothing was imported. "
                                                   "Try again; if it fails again, tell the administrator (the server log has the cause)."}
            return status, render_template(RESULT, as_fragment=True, **_context(get_timetable(slug), **context))
        return progress_stream(work, finish)
    try:
        status, context = answer(work(lambda _step: None), None)
    except Exception as error:
        status, context = answer(None, error)
    return _render(get_timetable(slug), status=status, **context)
