"""Jinja filters that show core values the way people read them."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask import Flask

from ..formatting import day_label, hhmm, spans_text, weekday_name
from ..rules import format_week, get_parameter


def display_value(value, param: str) -> str:
    return get_parameter(param).display(value)


def local_time(moment: datetime, time_zone: str) -> str:
    """A stored instant as the timetable's clock shows it: "2026-11-21 14:05"."""
    return moment.astimezone(ZoneInfo(time_zone)).strftime("%Y-%m-%d %H:%M")


def form_text(value, param: str) -> str:
    """A value as an edit form shows it (what `parse` reads back)."""
    return "" if value is None else get_parameter(param).to_text(value)


def webcal(url: str) -> str:
    """A feed's absolute URL as a subscription link: calendar apps open webcal:// and keep it up to date."""
    for scheme in ("https://", "http://"):
        if url.startswith(scheme):
            return "webcal://" + url[len(scheme):]
    return url


def register_template_filters(app: Flask) -> None:
    app.add_template_filter(hhmm)
    app.add_template_filter(weekday_name)
    app.add_template_filter(day_label)
    app.add_template_filter(format_week, "week_label")
    app.add_template_filter(display_value)
    app.add_template_filter(form_text)
    app.add_template_filter(local_time)
    app.add_template_filter(spans_text)
    app.add_template_filter(webcal)
