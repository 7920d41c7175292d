"""The calendar page of a timetable: terms, holidays, the week cycle and its per-week labels.

Each form changes one part; the view rebuilds the whole calendar with that change and hands it
to the same schema and service as `PUT /api/timetables/<slug>/calendar`, so the page and the
API accept and refuse the same things. htmx swaps the #calendar fragment; without JavaScript a
successful POST redirects back to the page.
"""

from __future__ import annotations

from contextlib import suppress

from flask import Blueprint, redirect, request, url_for
from marshmallow import ValidationError

from ..models import Timetable
from ..rules import RulesError, format_week, parse_week
from ..rules.calendar import CYCLE_LABELS
from ..schemas_calendar import CalendarSpecSchema, dump_calendar_spec
from ..services.access import SCHEDULE
from ..services.calendar import calendar_spec, replace_calendar, week_calendar
from ..services.catalog import current_week, get_timetable
from .access import require
from .rendering import render_page_or_fragment, wants_fragment

bp = Blueprint("calendar", __name__)

SECTIONS = {"terms": ("name", "start", "end"), "holidays": ("name", "start", "end")}
SECTION_NAMES = {"terms": "Term", "holidays": "Holiday", "overrides": "Week label", "cycle": "Cycle"}


def _timetable(slug: str) -> Timetable:
    timetable = get_timetable(slug)
    require(SCHEDULE, timetable.id)
    return timetable


def _messages(messages, path=()) -> list[str]:
    """Marshmallow's nested messages as lines a person reads: "Holiday 2 · end: The holiday ends before it starts."."""
    if isinstance(messages, dict):
        return [line for key, value in messages.items() for line in _messages(value, (*path, key))]
    if isinstance(messages, list) and messages and not isinstance(messages[0], str):
        return [line for item in messages for line in _messages(item, path)]
    words: list[str] = []
    for part in path:
        if isinstance(part, int) or (isinstance(part, str) and part.isdigit()):
            words[-1] = f"{words[-1]} {int(part) + 1}"
        else:
            words.append(SECTION_NAMES.get(part, part))
    where = " · ".join(words)
    return [f"{where}: {message}" for message in (messages if isinstance(messages, list) else [messages])]


def _render(timetable: Timetable, *, errors=(), draft=None, section=None, status=200, data=None):
    spec = calendar_spec(timetable)
    this_week = current_week(timetable)
    return render_page_or_fragment(
        "calendar/calendar.html", "calendar/_calendar.html", status=status,
        timetable=timetable, calendar=data or dump_calendar_spec(spec), errors=list(errors), draft=draft or {},
        error_section=section, this_week=format_week(this_week), this_week_calendar=week_calendar(timetable, this_week),
    )


@bp.get("/<slug>/calendar")
def page(slug: str):
    """The calendar page (the SCHEDULE right on the timetable)."""
    return _render(_timetable(slug))


def _save(timetable: Timetable, data: dict, section: str, draft: dict | None = None):
    try:
        spec = CalendarSpecSchema().load(data)
    except ValidationError as error:
        return _render(timetable, errors=_messages(error.messages), draft=draft, section=section, status=400)
    replace_calendar(timetable, spec)
    if not wants_fragment():
        return redirect(url_for("calendar.page", slug=timetable.slug), code=303)
    return _render(timetable)


def _index(data: list) -> int | None:
    try:
        index = int(request.form.get("index", ""))
    except ValueError:
        return None
    return index if 0 <= index < len(data) else None


@bp.post("/<slug>/calendar/<any(terms, holidays):section>")
def change_list(slug: str, section: str):
    """Add, save or remove one term or holiday (form field `action`)."""
    timetable = _timetable(slug)
    data = dump_calendar_spec(calendar_spec(timetable))
    items = data[section]
    item = {name: request.form.get(name, "").strip() for name in SECTIONS[section]}
    action = request.form.get("action", "add")
    if action == "add":
        items.append(item)
        return _save(timetable, data, section, draft=item)
    index = _index(items)
    if index is None:
        return _render(timetable, errors=[f"{SECTION_NAMES[section]}: there is no such entry; reload the page."],
                       section=section, status=400)
    if action == "remove":
        del items[index]
    else:
        items[index] = item
    return _save(timetable, data, section)


@bp.post("/<slug>/calendar/cycle")
def change_cycle(slug: str):
    """Set the cycle's length and start week (its overrides stay while their labels exist)."""
    timetable = _timetable(slug)
    data = dump_calendar_spec(calendar_spec(timetable))
    length_text = request.form.get("length", "").strip()
    if not length_text.isdigit():
        return _render(timetable, errors=["Cycle · length: give a whole number of weeks, 1 for no cycle."],
                       section="cycle", status=400)
    length = int(length_text)
    start = request.form.get("start", "").strip() or None
    overrides = [o for o in data["cycle"]["overrides"] if length > 1 and CYCLE_LABELS.index(o["label"]) < length]
    data["cycle"] = {"length": length, "start": start, "overrides": overrides}
    return _save(timetable, data, "cycle")


@bp.post("/<slug>/calendar/weeks")
def change_week_label(slug: str):
    """Set one week's label by hand, or (empty label) go back to the computed one."""
    timetable = _timetable(slug)
    data = dump_calendar_spec(calendar_spec(timetable))
    week = request.form.get("week", "").strip()
    with suppress(RulesError):  # a bad week stays as typed: the schema names it
        week = format_week(parse_week(week))
    label = request.form.get("label", "").strip().upper()
    overrides = [o for o in data["cycle"]["overrides"] if o["week"] != week]
    if label:
        overrides.append({"week": week, "label": label})
    elif len(overrides) == len(data["cycle"]["overrides"]):
        return _render(timetable, errors=[f"Week label · week: {week or 'no week'} has no label set by hand."],
                       section="overrides", status=400)
    data["cycle"]["overrides"] = overrides
    return _save(timetable, data, "overrides", draft={"week": week, "label": label})
