"""`/<slug>/export.csv`: a week or a range of weeks as CSV, with the week page's filters and visibility."""

from __future__ import annotations

from flask import Blueprint, make_response, request
from flask_login import current_user

from ..services.errors import ServiceError
from ..services.occurrence_csv import build_csv
from ..services.public_view import sees_everything
from .access import readable_timetable
from .week_args import requested_filter, requested_week, week_from_text

bp = Blueprint("exports", __name__)


def _week(name: str, raw: str, timetable) -> int:
    try:
        return week_from_text(raw, timetable)
    except ServiceError as error:
        raise ServiceError(f"{name}: {error}") from None


@bp.get("/<slug>/export.csv")
def export_csv(slug: str):
    """`?week=2027-W02`, or `?from=2027-W02&to=2027-W10`; filters `group`, `staff`, `room` as on the week page."""
    timetable = readable_timetable(slug)
    filters = requested_filter()
    raw_from, raw_to = request.args.get("from", "").strip(), request.args.get("to", "").strip()
    first = _week("from", raw_from, timetable) if raw_from else requested_week(timetable)
    last = _week("to", raw_to, timetable) if raw_to else first
    text = build_csv(timetable, first, last, filters, public=not sees_everything(current_user, timetable.id))
    response = make_response(text.encode("utf-8"))
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    span = raw_from and raw_to and f"{raw_from}_{raw_to}" or str(first)
    response.headers["Content-Disposition"] = f'attachment; filename="{timetable.slug}-{span}.csv"'
    return response
