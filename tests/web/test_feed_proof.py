"""Proof that a feed says what the week API says, read as calendar apps read feeds.

An independent consumer, `recurring-ical-events` over `icalendar`, expands the feed week by
week; for 40 consecutive weeks (2026-W43 to 2027-W29) its events must equal the week API's
occurrences: title, start, end, location, cancelled or not; and its all-day events the API's
holidays. The weeks hold a substitution, a one-week room change, a closed (cancelled) lesson
and a moved lesson (2026-W49), a holiday (2026-12-07), both DST changes of Europe/Paris
(Sunday 2026-10-25 and Sunday 2027-03-28, with a Sunday lesson on each), and the
2026-W53 → 2027-W01 boundary, with a substitution in each of those two weeks.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import recurring_ical_events
from icalendar import Calendar

from tests.web.test_changes import changed_school  # noqa: F401  (fixture)
from timetable.rules import add_weeks, format_week, monday_of, parse_week, week_of

PARIS = ZoneInfo("Europe/Paris")
FIRST, WEEKS = parse_week("2026-W43"), 40


def api_week(client, week: int) -> tuple[set, set]:
    response = client.get(f"/api/timetables/t/weeks/{format_week(week)}")
    assert response.status_code == 200
    payload = response.get_json()
    occurrences = set()
    for occ in payload["occurrences"]:
        day = date.fromisoformat(occ["date"])
        start = datetime.combine(day, time.fromisoformat(occ["start"]), PARIS)
        end = datetime.combine(day, time.fromisoformat(occ["end"]), PARIS)
        cancelled = occ["parameters"]["status"] == "temporarily_closed"
        occurrences.add((occ["title"], start, end, occ["labels"].get("room") or "", cancelled))
    holidays = {(h["name"], date.fromisoformat(h["date"])) for h in payload["holidays"]}
    return occurrences, holidays


def feed_week(calendar: Calendar, week: int) -> tuple[set, set]:
    monday = datetime.combine(monday_of(week), time(), PARIS)
    occurrences, holidays = set(), set()
    for event in recurring_ical_events.of(calendar).between(monday, monday + timedelta(days=7)):
        start, end = event.decoded("DTSTART"), event.decoded("DTEND")
        if not isinstance(start, datetime):  # an all-day event: a holiday, one entry per day it covers in this week
            day = max(start, monday.date())
            while day < end and day < monday.date() + timedelta(days=7):
                holidays.add((str(event["SUMMARY"]), day))
                day += timedelta(days=1)
            continue
        occurrences.add((str(event["SUMMARY"]), start.astimezone(PARIS), end.astimezone(PARIS),
                         str(event.get("LOCATION", "")), str(event.get("STATUS")) == "CANCELLED"))
    return occurrences, holidays


def test_forty_weeks_of_the_feed_equal_the_week_api(client, changed_school):  # noqa: F811
    from tests.factories import make_slot, paint
    from timetable.database import write_transaction

    timetable, lessons = changed_school["timetable"], changed_school["lessons"]
    w53, w01 = parse_week("2026-W53"), parse_week("2027-W01")
    make_slot(timetable, parse_week("2026-W40"), weekday=7, start=10 * 60, duration=90, title="Sunday club")
    with write_transaction():
        paint(timetable, "slot", lessons[0], "substitute", w53, w53, changed_school["y"])
        paint(timetable, "slot", lessons[4], "substitute", w01, w01, changed_school["z"])

    response = client.get("/t/calendar.ics")
    assert response.status_code == 200
    calendar = Calendar.from_ical(response.data)

    compared, weeks = 0, [add_weeks(FIRST, n) for n in range(WEEKS)]
    assert format_week(weeks[-1]) == "2027-W29" and w53 in weeks and w01 in weeks
    for week in weeks:
        expected, expected_holidays = api_week(client, week)
        found, found_holidays = feed_week(calendar, week)
        assert found == expected, f"{format_week(week)}: feed {sorted(found - expected)} vs API {sorted(expected - found)}"
        assert found_holidays == expected_holidays, format_week(week)
        assert expected, f"{format_week(week)} has occurrences to compare"
        compared += len(expected)
    assert compared > 40 * 6

    # The cases the proof is meant to cover are really in it.
    w49 = api_week(client, parse_week("2026-W49"))[0]
    assert ("Maths 7A", datetime(2026, 12, 1, 8, 0, tzinfo=PARIS), datetime(2026, 12, 1, 8, 50, tzinfo=PARIS), "101", True) in w49
    assert ("Maths 7A", datetime(2026, 12, 2, 8, 0, tzinfo=PARIS), datetime(2026, 12, 2, 8, 50, tzinfo=PARIS), "102", False) in w49
    assert ("Maths 7A", datetime(2026, 12, 4, 10, 0, tzinfo=PARIS), datetime(2026, 12, 4, 10, 50, tzinfo=PARIS), "101", False) in w49
    assert api_week(client, parse_week("2026-W50"))[1] == {("Teachers' day", date(2026, 12, 7))}
    # Sunday 10:00 on both DST days is 10:00 on the wall clock, an hour apart in UTC from the Sunday before.
    for before, change in ((date(2026, 10, 18), date(2026, 10, 25)), (date(2027, 3, 21), date(2027, 3, 28))):
        starts = {e[1] for e in feed_week(calendar, week_of(change))[0] if e[0] == "Sunday club"}
        [on_change] = starts
        assert on_change.timetz().replace(tzinfo=None) == time(10, 0)
        earlier = datetime.combine(before, time(10, 0), PARIS)
        assert on_change.utcoffset() != earlier.utcoffset()
    # The substitute shows in the feed's description at the year boundary.
    descriptions = {str(e.get("DESCRIPTION")) for e in recurring_ical_events.of(calendar).at(date(2026, 12, 28))}
    assert any("X → Y" in d for d in descriptions)

