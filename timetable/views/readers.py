"""Pages people read: the chooser, one class's, teacher's or room's week, and one lesson's details.

Anonymous visitors get everything through the public view (services/public_view.py); readers
with the VIEW right see every parameter. See chooser_page.py for the URLs.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import Blueprint, abort, redirect, render_template, request, session, url_for
from flask_login import current_user

from ..rules import format_week
from ..services.catalog import current_week
from ..services.deviations import describe, lesson_details, ref_ids
from ..services.public_view import sees_everything
from ..services.resolution import WeekFilter, load_directory
from .access import readable_timetable
from .chooser_page import KINDS, PATH_WORDS, build_chooser, find_resource
from .page_cache import cached_page, week_page_freshness
from .rendering import render_page_or_fragment, wants_fragment
from .week_args import requested_week
from .week_page import WeekPage, build_week_page

bp = Blueprint("readers", __name__)


@bp.get("/<slug>/timetables")
def chooser(slug: str):
    """Every class, teacher and room of the timetable, each linking to its week; `?q=` searches them."""
    timetable = readable_timetable(slug)
    query = request.args.get("q", "").strip()[:100]
    page = build_chooser(timetable, load_directory(timetable.id), current_week(timetable), query)
    return render_template("public/chooser.html", chooser=page)


@bp.get("/<slug>/<any(class, teacher, room):kind>/<ref>")
def resource_week(slug: str, kind: str, ref: str):
    """One class's, teacher's or room's week; lessons that differ from the usual week are marked.
    A stable address people bookmark: served from the page cache, with ETags, like the public week page."""
    timetable = readable_timetable(slug)
    filter_name, resource_id = find_resource(load_directory(timetable.id), kind, ref)
    if ("date" in request.args or ref != str(resource_id)) and not wants_fragment():
        # A name in the path becomes the id, which stays if it is renamed.
        return redirect(_resource_page(timetable, filter_name, resource_id).url(), code=303)

    def render():
        page = _resource_page(timetable, filter_name, resource_id)
        _one_word, one, _many = KINDS[kind]
        week_label = format_week(page.week)
        filters = {filter_name: resource_id}
        links = ResourceLinks(
            feed=url_for("feeds.feed", slug=timetable.slug, _external=True, **filters),
            pdf=url_for("prints.week_pdf", slug=timetable.slug, week=week_label, **filters),
            csv=url_for("exports.export_csv", slug=timetable.slug, week=week_label, **filters),
        )
        response = render_page_or_fragment("public/resource_week.html", "public/_resource_week.html", page=page,
                                           heading=f"{one} {page.directory.name(filter_name, resource_id)}",
                                           push_url=page.url(), links=links)
        return response, week_page_freshness(page)

    return cached_page(timetable, render)


@dataclass(frozen=True)
class ResourceLinks:
    """Where a class's, teacher's or room's week goes elsewhere: its calendar feed (https; webcal:// is made of it),
    its week as a PDF and as CSV."""

    feed: str
    pdf: str
    csv: str


def _resource_page(timetable, filter_name: str, resource_id: int) -> WeekPage:
    return build_week_page(
        timetable, requested_week(timetable), WeekFilter(**{filter_name: resource_id}), endpoint="readers.resource_week",
        with_availability=timetable.published, lock_code=session.get("lock_code"),
        public=not sees_everything(current_user, timetable.id), fixed=(filter_name, resource_id), with_deviations=True,
    )


@bp.get("/<slug>/lesson/<id:slot_id>")
def lesson(slug: str, slot_id: int):
    """One lesson in one week (`?week=`): every parameter readers may see, and what differs from its usual week."""
    timetable = readable_timetable(slug)
    week = requested_week(timetable)
    directory = load_directory(timetable.id)
    details = lesson_details(timetable, slot_id, week, directory, public=not sees_everything(current_user, timetable.id))
    if details is None:
        abort(404, f"Lesson {slot_id} does not take place in this timetable that week.")
    occ = details.occurrence
    v = occ.values
    weeks_of = [
        (PATH_WORDS[kind], resource_id, directory.name(kind, resource_id))
        for kind, ids in (("group", ref_ids(v, "group")), ("staff", ref_ids(v, "staff") + ref_ids(v, "substitute")),
                          ("room", ref_ids(v, "room")))
        for resource_id in ids
    ]
    return render_template("public/lesson.html", timetable=timetable, details=details, week=week, directory=directory,
                           describe=describe, weeks_of=weeks_of)

