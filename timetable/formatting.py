"""How times, days and week stretches read for people; shared by services and templates."""

from __future__ import annotations

from datetime import date

from .rules import WEEKDAYS, format_span, format_week


def hhmm(minutes: int | None) -> str:
    if minutes is None:
        return ""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def weekday_name(weekday: int, short: bool = False) -> str:
    name = WEEKDAYS[weekday - 1]
    return name[:3] if short else name


def day_label(day: date) -> str:
    return f"{weekday_name(day.isoweekday(), short=True)} {day.day} {day.strftime('%b')}"


def spans_text(spans) -> str:
    """Stretches of weeks as "2026-W48, 2026-W50 to 2026-W52"."""
    return ", ".join(format_week(start) if start == end else format_span(start, end) for start, end in spans)
