"""iCalendar feeds, read back with `icalendar` as a calendar app would."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from tests.web.test_changes import MONDAY, THURSDAY, TUESDAY, WEDNESDAY, changed_school  # noqa: F401  (fixture)
from timetable.rules import parse_week
from timetable.services.feeds import WEEKS_AHEAD, WEEKS_BACK

W51 = parse_week("2026-W51")

PARIS = ZoneInfo("Europe/Paris")


def feed(client, query: str = "") -> Calendar:
    response = client.get(f"/t/calendar.ics{query}")
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "text/calendar"
    return Calendar.from_ical(response.data)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def timed(calendar: Calendar) -> list:
    """The feed's occurrences: its events with a time (holidays are all-day events, with a date)."""
    return [e for e in calendar.walk("VEVENT") if isinstance(e.decoded("DTSTART"), datetime)]


def on(calendar: Calendar, day: date) -> list:
    return sorted((e for e in timed(calendar) if e.decoded("DTSTART").date() == day), key=lambda e: e.decoded("DTSTART"))


def test_each_occurrence_is_an_event_in_the_timetables_zone(client, changed_school):  # noqa: F811
    calendar = feed(client)
    assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["Europe/Paris"]
    [maths, physics] = on(calendar, MONDAY + timedelta(days=14))  # an ordinary Monday
    assert maths.decoded("DTSTART") == datetime(2026, 12, 14, 8, 0, tzinfo=PARIS)
    assert maths.decoded("DTEND") == datetime(2026, 12, 14, 8, 50, tzinfo=PARIS)
    assert (str(maths["SUMMARY"]), str(maths["LOCATION"]), str(maths["STATUS"])) == ("Maths 7A", "101", "CONFIRMED")
    assert "Teacher: X" in str(maths["DESCRIPTION"]) and "Class: 7A" in str(maths["DESCRIPTION"])
    assert (str(physics["SUMMARY"]), str(physics["LOCATION"])) == ("Physics 7A", "Lab")
    # Summer time ends on 2026-10-25: a lesson at 08:00 before it is still at 08:00 on the wall clock.
    [before] = [e for e in on(calendar, date(2026, 10, 23))]
    assert before.decoded("DTSTART") == datetime(2026, 10, 23, 8, 0, tzinfo=PARIS)
    assert before.decoded("DTSTART").utcoffset() == timedelta(hours=2)


def test_the_uid_is_stable_per_slot_and_week(client, changed_school):  # noqa: F811
    first, second = events(feed(client)), events(feed(client))
    assert first.keys() == second.keys() and len(first) == len(set(first))
    lesson = changed_school["lessons"][3]
    moved = first[f"slot-{lesson}-2026-W49@t.timetable"]
    assert moved.decoded("DTSTART") == datetime(2026, 12, 4, 10, 0, tzinfo=PARIS)  # moved to Friday 10:00, same UID


def test_substitutions_cancellations_and_room_changes_show(client, changed_school):  # noqa: F811
    calendar = feed(client)
    [monday, _] = on(calendar, MONDAY)
    assert "Teacher: X → Y" in str(monday["DESCRIPTION"])
    assert "sick" not in str(monday["DESCRIPTION"]).lower()
    [tuesday] = on(calendar, TUESDAY)
    assert str(tuesday["STATUS"]) == "CANCELLED" and "Cancelled: class trip" in str(tuesday["DESCRIPTION"])
    [wednesday] = on(calendar, WEDNESDAY)
    assert str(wednesday["LOCATION"]) == "102"
    assert on(calendar, THURSDAY) == []


def test_holidays_are_skipped_and_the_window_is_documented(client, changed_school):  # noqa: F811
    calendar = feed(client)
    assert on(calendar, date(2026, 12, 7)) == []  # Teachers' day
    starts = sorted(e.decoded("DTSTART").date() for e in timed(calendar))
    this_monday = date(2026, 11, 16)  # the pinned clock's week, 2026-W47
    assert starts[0] == this_monday - timedelta(weeks=WEEKS_BACK)
    assert starts[-1] == this_monday + timedelta(weeks=WEEKS_AHEAD, days=4)


@pytest.mark.parametrize("kind", ["group", "staff", "room"])
def test_a_feed_per_class_teacher_or_room(client, changed_school, kind):  # noqa: F811
    from timetable.extensions import db
    from timetable.models import Group

    target = {"group": db.session.query(Group).one().id, "staff": changed_school["z"], "room": changed_school["r2"]}[kind]
    titles = {str(e["SUMMARY"]) for e in timed(feed(client, f"?{kind}={target}"))}
    assert titles == {"group": {"Maths 7A"}, "staff": {"Physics 7A"}, "room": {"Maths 7A"}}[kind]
    if kind == "room":
        assert len(timed(feed(client, f"?room={target}"))) == 1  # Wednesday of 2026-W49 only


def test_unpublished_feeds_are_for_viewers_only_and_bad_filters_are_400(client, auth, editor, changed_school):  # noqa: F811
    from timetable.services.timetables import configure_timetable

    assert client.get("/t/calendar.ics?group=abc").status_code == 400
    configure_timetable(changed_school["timetable"], {"published": False})
    assert client.get("/t/calendar.ics").status_code == 404
    auth.login()
    assert len(feed(client).walk("VEVENT")) > 0


def test_the_public_week_page_links_a_subscription_when_filtered(client, changed_school):  # noqa: F811
    html = client.get(f"/t?week=2026-W49&staff={changed_school['x']}").get_data(as_text=True)
    assert f"webcal://localhost/t/calendar.ics?staff={changed_school['x']}" in html


def test_every_public_week_page_links_a_subscription(client, changed_school):  # noqa: F811
    html = client.get("/t?week=2026-W49").get_data(as_text=True)
    assert 'href="webcal://localhost/t/calendar.ics"' in html and "Subscribe to the whole timetable" in html


def test_holidays_are_all_day_events_in_every_feed(client, changed_school):  # noqa: F811
    for query in ("", f"?staff={changed_school['z']}"):
        [holiday] = [e for e in feed(client, query).walk("VEVENT") if not isinstance(e.decoded("DTSTART"), datetime)]
        assert str(holiday["SUMMARY"]) == "Teachers' day"
        assert (holiday.decoded("DTSTART"), holiday.decoded("DTEND")) == (date(2026, 12, 7), date(2026, 12, 8))
        assert str(holiday["TRANSP"]) == "TRANSPARENT"


def test_a_feed_answers_304_until_the_timetable_changes(client, changed_school):  # noqa: F811
    from tests.factories import paint
    from timetable.database import write_transaction

    first = client.get("/t/calendar.ics")
    etag, last_modified = first.headers["ETag"], first.headers["Last-Modified"]
    assert "no-cache" in first.headers["Cache-Control"]
    again = client.get("/t/calendar.ics", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get("/t/calendar.ics", headers={"If-Modified-Since": last_modified}).status_code == 304
    # Another filter is another feed, with its own tag.
    other = client.get(f"/t/calendar.ics?staff={changed_school['x']}", headers={"If-None-Match": etag})
    assert other.status_code == 200 and other.headers["ETag"] != etag

    with write_transaction():
        paint(changed_school["timetable"], "slot", changed_school["lessons"][2], "note", W51, W51, "Bring a calculator")
    changed = client.get("/t/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert b"Bring a calculator" in changed.data  # built anew, not the cached feed
    assert client.get("/t/calendar.ics", headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_a_calendar_change_is_a_change_of_the_feed(client, changed_school):  # noqa: F811
    from timetable.rules.calendar import Holiday
    from timetable.services.calendar import CalendarSpec, replace_calendar

    etag = client.get("/t/calendar.ics").headers["ETag"]
    replace_calendar(changed_school["timetable"], CalendarSpec(holidays=[Holiday("Snow day", date(2026, 12, 9), date(2026, 12, 9))]))
    changed = client.get("/t/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Snow day" in changed.data and b"Teachers' day" not in changed.data


def test_renaming_a_room_is_a_change_of_the_feed(client, changed_school):  # noqa: F811
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Room

    etag = client.get("/t/calendar.ics").headers["ETag"]
    with write_transaction():
        db.session.get(Room, changed_school["r2"]).name = "Room 102 (new wing)"
    changed = client.get("/t/calendar.ics", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and b"Room 102 (new wing)" in changed.data


def test_feeds_are_rate_limited_per_address_with_a_429_that_says_so(app, client, changed_school, monkeypatch):  # noqa: F811
    """Building a feed reads up to a year of weeks: one address may not ask for them without end."""
    monkeypatch.setitem(app.config, "FEED_RATE_LIMIT", "2 per minute")
    assert [client.get("/t/calendar.ics").status_code for _ in range(2)] == [200, 200]
    refused = client.get("/t/calendar.ics")
    assert refused.status_code == 429
    assert "Too many calendar feed requests" in refused.get_data(as_text=True)
    other = client.get("/t/calendar.ics", environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200
