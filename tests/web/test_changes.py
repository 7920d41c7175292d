"""The day's changes page, its htmx fragment and its JSON twin, as a student or a parent reads them."""

from __future__ import annotations

from datetime import date

import pytest

from tests.conftest import HTMX
from timetable.rules import parse_week

W49 = parse_week("2026-W49")
MONDAY, TUESDAY, WEDNESDAY, THURSDAY, FRIDAY = (date(2026, 11, 30 + d) if d == 0 else date(2026, 12, d) for d in range(5))


@pytest.fixture
def changed_school(school):
    """The test school's class 7A, in 2026-W49: Y covers X on Monday, Tuesday is a class trip,
    Wednesday is in room 102 (from the school itself), Thursday's lesson moves to Friday 10:00.
    The next Monday, 2026-12-07, is a holiday."""
    from tests.factories import paint
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Group
    from timetable.rules.calendar import Holiday
    from timetable.services.calendar import CalendarSpec, replace_calendar

    timetable, lessons = school["timetable"], school["lessons"]
    with write_transaction():
        group = Group(timetable_id=timetable.id, name="7A")
        db.session.add(group)
        db.session.flush()
        paint(timetable, "course", school["maths"].id, "group", None, None, group.id)
        paint(timetable, "slot", lessons[0], "substitute", W49, W49, school["y"])
        paint(timetable, "slot", lessons[0], "staff_status", W49, W49, "sick")
        paint(timetable, "slot", lessons[1], "status", W49, W49, "temporarily_closed")
        paint(timetable, "slot", lessons[1], "note", W49, W49, "class trip")
        paint(timetable, "slot", lessons[3], "weekday", W49, W49, 5)
        paint(timetable, "slot", lessons[3], "start", W49, W49, 600)
    replace_calendar(timetable, CalendarSpec(holidays=[Holiday("Teachers' day", date(2026, 12, 7), date(2026, 12, 7))]))
    return school


def changes(client, day: date) -> dict:
    response = client.get(f"/api/timetables/t/changes?date={day.isoformat()}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def lines(payload: dict) -> list[tuple[str, str, str, str, str]]:
    return [(g["group"], c["start"], line["kind"], line["before"], line["after"])
            for g in payload["groups"] for c in g["changes"] for line in c["lines"]]


def test_a_substitution_shows_the_usual_teacher_and_the_substitute(client, changed_school):
    payload = changes(client, MONDAY)
    assert lines(payload) == [("7A", "08:00", "substitution", "X", "Y")]
    assert payload["groups"][0]["changes"][0]["lines"][0]["text"] == "X → Y"
    html = client.get(f"/t/changes?date={MONDAY}").get_data(as_text=True)
    assert "X → Y" in html and "7A" in html and "Maths 7A" in html
    assert "sick" not in html.lower()  # the teacher's status is private


def test_a_cancellation_shows_its_note(client, changed_school):
    assert lines(changes(client, TUESDAY)) == [("7A", "08:00", "cancelled", "", "class trip")]
    assert "class trip" in client.get(f"/t/changes?date={TUESDAY}").get_data(as_text=True)


def test_a_one_week_room_change(client, changed_school):
    assert lines(changes(client, WEDNESDAY)) == [("7A", "08:00", "room", "101", "102")]


def test_a_moved_lesson_shows_on_the_day_it_leaves_and_on_the_day_it_goes_to(client, changed_school):
    moved = ("moved", "Thursday 08:00", "Friday 10:00")
    assert [line[2:] for line in lines(changes(client, THURSDAY))] == [moved]
    assert [line[2:] for line in lines(changes(client, FRIDAY))] == [moved]
    assert changes(client, THURSDAY)["groups"][0]["changes"][0]["start"] == "08:00"


def test_the_usual_week_has_no_changes_and_a_holiday_is_named(client, changed_school):
    assert changes(client, date(2026, 12, 8)) == {"date": "2026-12-08", "holidays": [], "groups": []}
    assert "No changes" in client.get("/t/changes?date=2026-12-08").get_data(as_text=True)
    assert changes(client, date(2026, 12, 7))["holidays"] == ["Teachers' day"]
    assert "Holiday: Teachers&#39; day" in client.get("/t/changes?date=2026-12-07").get_data(as_text=True)


def test_a_lasting_change_becomes_the_usual_week(client, changed_school):
    """From 2026-W49 on Y teaches Monday's lesson for good: a few weeks later, it is no longer a change."""
    from tests.factories import paint
    from timetable.database import write_transaction

    with write_transaction():
        paint(changed_school["timetable"], "slot", changed_school["lessons"][0], "staff", W49, None, changed_school["y"])
    assert lines(changes(client, MONDAY)) == [("7A", "08:00", "substitution", "X", "Y")]  # the week it starts: X before
    assert lines(changes(client, date(2026, 12, 28))) == []


def test_today_is_the_default_and_the_page_links_the_days_around(client, changed_school):
    assert changes(client, date(2026, 11, 20))["date"] == "2026-11-20"
    assert client.get("/api/timetables/t/changes").get_json()["date"] == "2026-11-20"  # the pinned clock's Friday
    html = client.get("/t/changes").get_data(as_text=True)
    assert 'href="/t/changes?date=2026-11-19"' in html and 'href="/t/changes?date=2026-11-21"' in html
    assert 'type="date" name="date" value="2026-11-20"' in html
    assert "webcal://" in html and "/t/calendar.ics" in html


def test_navigation_answers_htmx_with_the_fragment(client, changed_school):
    response = client.get(f"/t/changes?date={MONDAY}", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="changes"' in html and "X → Y" in html
    assert response.headers["HX-Push-Url"] == f"/t/changes?date={MONDAY}"


@pytest.mark.parametrize("raw", ["tomorrow", "2026-13-01", "0001-01-01"])
def test_a_bad_date_is_a_400_naming_the_field(client, changed_school, raw):
    for url in (f"/t/changes?date={raw}", f"/api/timetables/t/changes?date={raw}"):
        response = client.get(url)
        assert response.status_code == 400, (url, response.status_code)
        assert "date" in response.get_data(as_text=True)


def test_unpublished_timetables_are_hidden_from_visitors_but_shown_to_their_viewers(client, auth, editor, changed_school):
    from timetable.services.timetables import configure_timetable

    configure_timetable(changed_school["timetable"], {"published": False})
    assert client.get(f"/t/changes?date={MONDAY}").status_code == 404
    assert client.get(f"/api/timetables/t/changes?date={MONDAY}").status_code == 404
    auth.login()
    assert lines(changes(client, MONDAY)) == [("7A", "08:00", "substitution", "X", "Y")]


def test_the_api_is_described_in_openapi(client, changed_school):
    spec = client.get("/api/openapi.json").get_json()
    operation = spec["paths"]["/api/timetables/{slug}/changes"]["get"]
    assert [p["name"] for p in operation["parameters"]] == ["slug", "date"]


def test_classes_come_in_the_order_people_count_them(app_ctx):
    from timetable.services.changes import NO_GROUP, group_order

    assert sorted(["12A", NO_GROUP, "9B", "7a", "10B", "7B"], key=group_order) == ["7a", "7B", "9B", "10B", "12A", NO_GROUP]
