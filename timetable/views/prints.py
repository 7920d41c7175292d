"""Print-outs as PDF: a week (`/<slug>/week.pdf`) and the term booklet (`/<slug>/booklet.pdf`).

`week.pdf` takes the week page's arguments (`week`, `group`, `staff`, `room`) and shows what the
week page shows to the same reader (the public view of a readable timetable), one A4 landscape
page for a class, teacher or room. `booklet.pdf?term=<id>` (default: the shortest term holding this
week, else the next one, else the weeks around this one) gives every class's usual week (services/booklet.py), one page each.
Both are built once per timetable revision and served with ETags like the pages.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request
from flask_login import current_user
from werkzeug.exceptions import NotFound

from ..extensions import db
from ..formatting import weekday_name
from ..models import Term, Timetable
from ..pdf import html_to_pdf
from ..rules import format_week, monday_of, ref_ids, weeks_between
from ..services.booklet import booklet, sample_weeks, usual_week
from ..services.catalog import current_week
from ..services.freshness import marker
from ..services.resolution import Directory, Occurrence, WeekFilter, load_directory
from .access import readable_timetable
from .conditional import RenderCache, answer_not_modified, etag_of, not_modified, validated
from .ids import parse_id
from .week_args import requested_filter, requested_week
from .week_page import build_week_page

bp = Blueprint("prints", __name__)
pdf_cache: RenderCache[bytes] = RenderCache(64)


@dataclass(frozen=True)
class PrintDay:
    label: str
    holiday: str | None
    occurrences: list[Occurrence]


def staff_ids(values) -> tuple[int, ...]:
    """The teachers of an occurrence (several for team teaching)."""
    return ref_ids(values.get("staff"))


def _teacher(occurrence: Occurrence, directory: Directory) -> str:
    names = ", ".join(directory.name("staff", s) for s in staff_ids(occurrence.values))
    substitute = occurrence.values.get("substitute")
    if substitute:
        return f"{names or '—'} → {directory.name('staff', substitute)}"
    return names


def _subject(filters: WeekFilter, directory: Directory) -> str:
    parts = []
    if filters.group is not None:
        parts.append(f"Class {directory.name('group', filters.group)}")
    if filters.staff is not None:
        parts.append(f"Teacher {directory.name('staff', filters.staff)}")
    if filters.room is not None:
        parts.append(f"Room {directory.name('room', filters.room)}")
    return " · ".join(parts) or "Whole timetable"


def _pdf(timetable: Timetable, key: tuple, filename: str, build) -> Response:
    mark = marker(timetable)
    week_start = datetime.combine(monday_of(current_week(timetable)), time(), ZoneInfo(timetable.time_zone))
    full_key = ("pdf", mark.key, key, current_week(timetable), not current_user.is_authenticated)
    etag, last_modified = etag_of(full_key), max(mark.changed_at, week_start)
    private = not timetable.published
    if not_modified(etag, last_modified):
        return answer_not_modified(etag, last_modified, private=private)
    body = pdf_cache.get_or_build(full_key, lambda: html_to_pdf(build()))
    response = Response(body, content_type="application/pdf")
    response.headers["Content-Disposition"] = f'inline; filename="{filename}"'
    return validated(response, etag, last_modified, private=private)


@bp.get("/<slug>/week.pdf")
def week_pdf(slug: str):
    """The week page as a PDF: same week, filters and visibility; one A4 landscape page for a class, teacher or room."""
    timetable = readable_timetable(slug)
    week, filters = requested_week(timetable), requested_filter()

    def build() -> str:
        page = build_week_page(timetable, week, filters, endpoint="public.week", public=True)
        days = [PrintDay(f"{weekday_name(day.weekday)} {day.date.day} {day.date.strftime('%b')}",
                         page.calendar.holidays.get(day.weekday),
                         sorted((b.occurrence for b in day.blocks), key=lambda o: (o.start, o.slot_id)))
                for day in page.grid.days]
        sunday = monday_of(week) + timedelta(days=6)
        return render_template("prints/week.html", timetable=timetable, subject=_subject(filters, page.directory),
                               heading=f"{format_week(week)} · {monday_of(week):%d %b} – {sunday:%d %b %Y}",
                               cycle=page.calendar.heading, days=days, directory=page.directory, teacher=_teacher)

    return _pdf(timetable, ("week", week, filters), f"{timetable.slug}-{format_week(week)}.pdf", build)


def _term(timetable: Timetable) -> Term | None:
    raw = request.args.get("term", "").strip()
    if raw:
        term_id = parse_id(raw)
        term = db.session.get(Term, term_id) if term_id is not None else None
        if term is None or term.timetable_id != timetable.id:
            raise NotFound(f"This timetable has no term {raw}: the term argument is a term's id (see its calendar page).")
        return term
    # The shortest term holding this week (an autumn term, not the school year around it), else the next to start.
    week = current_week(timetable)
    holding = [t for t in timetable.terms if t.start_week <= week <= t.end_week]
    if holding:
        return min(holding, key=lambda t: (weeks_between(t.start_week, t.end_week), t.start_week))
    return min((t for t in timetable.terms if t.start_week > week), key=lambda t: t.start_week, default=None)


@bp.get("/<slug>/booklet.pdf")
def booklet_pdf(slug: str):
    """Every class's usual week in a term, one A4 landscape page each."""
    timetable = readable_timetable(slug)
    term = _term(timetable)

    def build() -> str:
        weeks = sample_weeks(timetable, term, current_week(timetable))
        directory = load_directory(timetable.id)
        pages = booklet(usual_week(timetable, weeks, public=True), directory)
        shown = sorted(set(timetable.weekdays) | {o.weekday for p in pages for o in p.occurrences})
        days = [(p, [PrintDay(weekday_name(d), None, [o for o in p.occurrences if o.weekday == d]) for d in shown]) for p in pages]
        span = f"{format_week(weeks[0])} to {format_week(weeks[-1])}"
        return render_template("prints/booklet.html", timetable=timetable, pages=days, directory=directory, teacher=_teacher,
                               heading=f"{term.name} ({span})" if term else f"Usual week ({span})")

    return _pdf(timetable, ("booklet", term.id if term else None), f"{timetable.slug}-booklet.pdf", build)


