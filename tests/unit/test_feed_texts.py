"""A feed's events put together from cached lines are byte for byte what icalendar writes for the whole event."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from timetable.services.feeds import _event, _EventContent, _EventTexts

PARIS, LONDON = ZoneInfo("Europe/Paris"), ZoneInfo("Europe/London")
STAMP = datetime(2026, 11, 20, 7, 30, tzinfo=UTC)
STAMP_LINE = b"DTSTAMP:20261120T073000Z\r\n"


def content(**changes) -> _EventContent:
    values = dict(uid="slot-12-2026-W47@school.timetable", start=datetime(2026, 11, 16, 8, 0, tzinfo=PARIS),
                  end=datetime(2026, 11, 16, 8, 50, tzinfo=PARIS), summary="Maths", location="Language lab",
                  description="Teacher: A. Moreau → C. Ito\nClass: 9A", cancelled=False)
    return _EventContent(**(values | changes))


@pytest.mark.parametrize("event", [
    content(),
    content(cancelled=True, description="Teacher: A. Moreau\nCancelled: class trip; bring, nothing"),
    content(location="", description=""),
    content(summary="A very long title " * 8, description="Line one\n" + "é" * 90),  # folded lines, multi-byte characters
    content(uid="slot-123456-2026-W53@" + "a-very-long-timetable-slug-" * 3 + ".timetable"),  # a UID folded by icalendar
    content(start=datetime(2027, 3, 29, 23, 30, tzinfo=PARIS), end=datetime(2027, 3, 30, 1, 0, tzinfo=PARIS)),
], ids=["lesson", "cancelled", "bare", "folded", "long-uid", "overnight"])
def test_an_event_is_what_icalendar_writes(event):
    texts = _EventTexts()
    expected = _event(event, STAMP).to_ical()
    assert texts.text(event, STAMP_LINE) == expected
    assert texts.text(event, STAMP_LINE) == expected  # from the cache too


def test_the_same_instant_in_another_zone_is_another_line():
    texts = _EventTexts()
    paris = content()
    london = content(start=paris.start.astimezone(LONDON), end=paris.end.astimezone(LONDON))
    assert paris.start == london.start  # equal datetimes…
    texts.text(paris, STAMP_LINE)
    assert texts.text(london, STAMP_LINE) == _event(london, STAMP).to_ical()  # …but London's lines say London
    assert b"TZID=Europe/London:20261116T070000" in texts.text(london, STAMP_LINE)


def test_the_caches_stay_bounded():
    texts = _EventTexts(size=3)
    for minute in range(10):
        event = content(summary=f"Lesson {minute}", start=datetime(2026, 11, 16, 8, minute, tzinfo=PARIS))
        assert texts.text(event, STAMP_LINE) == _event(event, STAMP).to_ical()
    assert len(texts._rests) == 3 and len(texts._times) == 3


@pytest.mark.parametrize("zone", ["UTC", "America/Argentina/ComodRivadavia", "Asia/Kolkata"])
def test_times_in_any_zone_are_what_icalendar_writes(zone):
    texts = _EventTexts()
    for hour in (0, 8, 23):
        where = ZoneInfo(zone)
        event = content(start=datetime(2026, 11, 16, hour, 5, tzinfo=where), end=datetime(2026, 11, 17, 1, 0, tzinfo=where))
        assert texts.text(event, STAMP_LINE) == _event(event, STAMP).to_ical()
