"""The set-up pages: a new timetable, its settings, and its resources page with retirement."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tests.conftest import csrf_token_from


@pytest.fixture
def logged_in(app, client, auth):
    from timetable.services.accounts import create_user

    with app.app_context():
        create_user("scheduler", "timetable-demo", "Test scheduler", is_admin=True)
    auth.login()
    return client


def _form(client, path: str) -> dict:
    return {"csrf_token": csrf_token_from(client.get(path).get_data(as_text=True))}


def _settings(**fields) -> dict:
    values = {"slug": "north", "name": "North School", "time_zone": "Europe/London", "weekdays": ["1", "2", "3", "4", "5"],
              "day_start": "08:00", "day_end": "17:00"}
    values.update(fields)
    return values


def _count(app, model) -> int:
    from timetable.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(model))


def test_an_administrator_creates_a_timetable_and_lands_on_its_resources(app, logged_in):
    client = logged_in
    response = client.post("/admin/timetables/new", data={**_form(client, "/admin/timetables/new"), **_settings(published="1")})
    assert response.status_code == 303
    assert response.headers["Location"].endswith("/north/resources")
    page = client.get("/north/resources").get_data(as_text=True)
    assert "North School is created" in page
    settings = client.get("/north/settings").get_data(as_text=True)
    assert 'value="Europe/London"' in settings and 'value="17:00"' in settings
    assert client.get("/north").status_code == 200  # published


@pytest.mark.parametrize(("fields", "field", "words"), [
    ({"time_zone": "Mars/Olympus"}, "time_zone", "not a known time zone"),
    ({"slug": "login"}, "slug", "reserved address"),
    ({"slug": "Bad Slug"}, "slug", "not a valid slug"),
    ({"name": "Existing"}, "name", "already called"),
    ({"day_start": "17:00", "day_end": "09:00"}, "day_end", "first hour must come before"),
    ({"weekdays": []}, "weekdays", "Show from 1 to 7 weekdays"),
    ({"weekdays": ["9"]}, "weekdays", "not a weekday"),
])
def test_the_new_timetable_form_refuses_bad_input_by_field(app, logged_in, fields, field, words):
    from timetable.database import write_transaction
    from timetable.models import Timetable
    from timetable.services.creation import create_timetable

    with app.app_context(), write_transaction():
        create_timetable("existing", "Existing", "UTC")
    client = logged_in
    response = client.post("/admin/timetables/new", data={**_form(client, "/admin/timetables/new"), **_settings(**fields)})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'data-testid="error-{field}"' in page and words in page
    assert "Nothing was saved" in page
    assert _count(app, Timetable) == 1
    # The form comes back with what was typed.
    assert 'value="North School"' in page or fields.get("name") == "Existing"


def test_settings_rename_and_refuse_without_changing(app, logged_in):
    client = logged_in
    client.post("/admin/timetables/new", data={**_form(client, "/admin/timetables/new"), **_settings()})
    bad = client.post("/north/settings", data={**_form(client, "/north/settings"), **_settings(name="Renamed", time_zone="Nowhere/Else")})
    assert bad.status_code == 400
    assert "Renamed" not in client.get("/north/settings").get_data(as_text=True).split("<h1>")[1].split("</h1>")[0]
    ok = client.post("/north/settings", data={**_form(client, "/north/settings"), **_settings(name="Renamed", weekdays=["1", "6", "7"])})
    assert ok.status_code == 303
    page = client.get("/north/settings").get_data(as_text=True)
    assert "Settings of Renamed" in page
    assert re.search(r'data-testid="weekday-6"\s+checked', page) and not re.search(r'data-testid="weekday-2"\s+checked', page)


def test_set_up_pages_need_a_login(app, client):
    assert client.get("/admin/timetables/new").status_code == 302
    assert client.get("/north/settings").status_code == 302
    assert client.get("/north/resources").status_code == 302


def test_resources_are_added_changed_and_refused_on_the_page(app, logged_in):
    from timetable.models import Room, Staff

    client = logged_in
    client.post("/admin/timetables/new", data={**_form(client, "/admin/timetables/new"), **_settings()})
    token = _form(client, "/north/resources")
    assert client.post("/north/resources/courses", data={**token, "name": "Maths"}).status_code == 303
    page = client.get("/north/resources").get_data(as_text=True)
    course_id = int(page.split('data-testid="new-staff-course-')[1].split('"')[0])
    added = client.post("/north/resources/staff", data={**token, "name": "Ada Lovelace", "short_name": "LOV", "email": "ada@example.org",
                                                        "courses-sent": "1", "courses": [str(course_id)]})
    assert added.status_code == 303
    lab = {**token, "name": "Lab", "capacity": "24", "features": "sink, projector"}
    assert client.post("/north/resources/rooms", data=lab).status_code == 303
    page = client.get("/north/resources").get_data(as_text=True)
    assert 'value="Ada Lovelace"' in page and 'value="sink, projector"' in page and 'value="24"' in page

    duplicate = client.post("/north/resources/rooms", data={**token, "name": "lab"})
    assert duplicate.status_code == 400 and "already has a room called" in duplicate.get_data(as_text=True)
    negative = client.post("/north/resources/rooms", data={**token, "name": "Hall", "capacity": "-3"})
    assert negative.status_code == 400 and 'data-testid="error-capacity"' in negative.get_data(as_text=True)
    bad_email = client.post("/north/resources/staff", data={**token, "name": "Ben", "email": "ben at home"})
    assert bad_email.status_code == 400 and "is not an e-mail address" in bad_email.get_data(as_text=True)
    assert _count(app, Room) == 1 and _count(app, Staff) == 1

    with app.app_context():
        from timetable.extensions import db

        room_id = db.session.scalar(select(Room.id))
    renamed = client.post(f"/north/resources/rooms/{room_id}", data={**token, "name": "Science lab", "capacity": "", "features": ""})
    assert renamed.status_code == 303
    with app.app_context():
        from timetable.extensions import db

        room = db.session.get(Room, room_id)
        assert (room.name, room.capacity, room.features) == ("Science lab", None, [])


def test_retire_preview_lists_what_still_uses_it_then_retires(app, logged_in):
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Room, Timetable
    from timetable.rules import parse_week
    from timetable.services.creation import create_slot

    client = logged_in
    client.post("/admin/timetables/new", data={**_form(client, "/admin/timetables/new"), **_settings()})
    token = _form(client, "/north/resources")
    client.post("/north/resources/rooms", data={**token, "name": "Lab"})
    with app.app_context(), write_transaction():
        timetable = db.session.scalar(select(Timetable))
        room_id = db.session.scalar(select(Room.id))
        slot = create_slot(timetable, {"weekday": 2, "start": 600, "title": "Chemistry", "room": room_id}, parse_week("2026-W48"))
        slot_id = slot.id

    bad = client.get(f"/north/resources/rooms/{room_id}/retire?week=2026-W99")
    assert bad.status_code == 400 and "Use an ISO week" in bad.get_data(as_text=True)
    preview = client.get(f"/north/resources/rooms/{room_id}/retire?week=2027-W02")
    page = preview.get_data(as_text=True)
    assert preview.status_code == 200
    assert f"Chemistry (slot {slot_id}) · room · 2027-W02 to for ever" in page
    assert f"ids={slot_id}" in page  # the link to reassign it in bulk
    with app.app_context():
        assert db.session.get(Room, room_id).retired_from_week is None  # a preview writes nothing
    retired = client.post(f"/north/resources/rooms/{room_id}", data={**token, "retired_from_week": "2027-W02"})
    assert retired.status_code == 303
    assert "Retired from 2027-W02" in client.get("/north/resources").get_data(as_text=True)
    # The editor still offers it (it is assignable before that week), marked as retired.
    assert "Lab (retired from 2027-W02)</option>" in client.get("/north/edit/create?week=2026-W48").get_data(as_text=True)
    # Its name still reads in the weeks it was used.
    assert "Lab" in client.get("/api/timetables/north/weeks/2026-W48").get_data(as_text=True)
