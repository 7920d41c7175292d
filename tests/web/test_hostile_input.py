"""Hostile input gets a 4xx that says what is wrong, and writes nothing: oversized ids, bodies and nesting, 405s."""

from __future__ import annotations

import re

import pytest

from tests.clock import weeks_ahead
from tests.conftest import AuthActions
from timetable.rules import format_week

BIG_IDS = (2**31, 2**63, 10**30)
W = format_week(weeks_ahead(1))  # next week on the pinned clock: booking is open there
EDIT = {"param": "note", "value": "hello", "start": W, "end": W}


@pytest.fixture
def site(app):
    """An editor; a published timetable `t` with a course and a bookable slot; built in a context that ends first."""
    from timetable.database import write_transaction
    from timetable.services.accounts import create_user
    from timetable.services.creation import create_course, create_slot, create_timetable

    with app.app_context():
        create_user("scheduler", "timetable-demo", "Test scheduler", is_admin=True)
        with write_transaction():
            timetable = create_timetable("t", "Test", "Europe/Paris", published=True)
            course = create_course(timetable, "Yoga", {"duration": 60})
            slot = create_slot(timetable, {"course": course.id, "weekday": 1, "start": 600, "capacity": 5}, 202640)
        return {"slot": slot.id, "course": course.id}


def written(app) -> tuple[int, ...]:
    """How many rows hold what requests may write: bookings, change sets, slot and course rules."""
    from timetable.extensions import db
    from timetable.models import Booking, ChangeSet, CourseRule, SlotRule

    with app.app_context():
        return tuple(db.session.query(model).count() for model in (Booking, ChangeSet, SlotRule, CourseRule))


def page_token(client, url: str = "/t") -> str:
    html = client.get(url).get_data(as_text=True)
    return re.search(r'"X-CSRFToken": "([^"]+)"', html).group(1)


class Editor:
    def __init__(self, client):
        self.client = client
        AuthActions(client).login()
        self.csrf = client.get("/api/session").get_json()["csrf_token"]

    def get(self, url):
        return self.client.get(url)

    def post(self, url, json=None, data=None):
        if data is not None:
            return self.client.post(url, data={**data, "csrf_token": self.csrf})
        return self.client.post(url, json=json, headers={"X-CSRFToken": self.csrf})


def assert_refused(response, statuses=(400, 404)) -> str:
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:500])
    if response.is_json:
        message = response.get_json()["error"]["message"]
    else:
        # The error page, a form shown again with its message, or an edit form's errors.
        html = response.get_data(as_text=True)
        found = re.search(r'(?:role="alert"|data-testid="error-message")[^>]*>(.+?)</(?:p|ul)>', html, re.DOTALL)
        assert found, html[:2000]
        message = re.sub(r"<[^>]+>", " ", found.group(1))
    assert message.strip()
    return message


# Oversized ids.


def anonymous_requests(site, big):
    slot = site["slot"]
    return [
        ("post", "/api/timetables/t/holds", {"json": {"slot_id": big, "week": W, "lock_code": "a"}}),
        ("post", "/api/timetables/t/holds", {"json": {"slot_id": slot, "week": W, "lock_code": "a", "appointment": big}}),
        ("post", "/api/timetables/t/waiting-list",
         {"json": {"slot_id": big, "week": W, "name": "Ada", "email": "ada@example.org"}}),
        ("get", f"/t/book/{big}?week={W}", {}),
        ("post", f"/t/book/{big}/hold", {"form": {"week": W}}),
        ("post", f"/t/book/{slot}/hold", {"form": {"week": W, "appointment": str(big)}}),
        ("post", f"/t/book/{big}/wait", {"form": {"week": W, "name": "Ada", "email": "ada@example.org"}}),
        ("get", f"/t?week={W}&staff={big}", {}),
    ]


@pytest.mark.parametrize("big", BIG_IDS)
def test_visitors_sending_ids_no_row_could_have_are_refused_and_nothing_is_written(app, client, site, big):
    before = written(app)
    for method, url, kwargs in anonymous_requests(site, big):
        if "form" in kwargs:
            response = client.post(url, data={**kwargs["form"], "csrf_token": page_token(client)})
        else:
            response = getattr(client, method)(url, **kwargs)
        message = assert_refused(response)
        assert "id" in message or "number" in message, (url, message)
    assert written(app) == before


def editor_requests(site, big):
    slot = site["slot"]
    edits = {"edits": [EDIT]}
    return [
        ("post", f"/api/timetables/t/slots/{big}/plan", {"json": edits}),
        ("post", f"/api/timetables/t/slots/{big}/apply", {"json": {**edits, "token": "x"}}),
        ("post", "/api/timetables/t/plan", {"json": {**edits, "slots": [slot, big]}}),
        ("post", "/api/timetables/t/plan", {"json": {**edits, "course": big}}),
        ("post", "/api/timetables/t/apply", {"json": {**edits, "slots": [big], "token": "x"}}),
        ("post", f"/api/timetables/t/changes/{big}/undo/plan", {"json": {}}),
        ("post", f"/api/timetables/t/changes/{big}/undo", {"json": {"token": "x"}}),
        ("get", f"/api/timetables/t/history?slot={big}", {}),
        ("post", "/api/timetables/t/plan", {"json": {"edits": [{**EDIT, "param": "room", "value": big}], "slots": [slot]}}),
        ("get", f"/t/edit/history?slot={big}", {}),
        ("get", f"/t/edit/slots/{big}?week={W}", {}),
        ("get", f"/t/edit/courses/{big}?week={W}", {}),
        ("get", f"/t/edit/slots/{big}/move?week={W}&weekday=2", {}),
        ("get", f"/t/edit/slots/{big}/bookings?week={W}", {}),
        ("get", f"/t/edit?week={W}&room={big}", {}),
        ("post", f"/t/edit/bookings/{big}/cancel", {"form": {"week": W}}),
        ("post", f"/t/edit/bookings/{big}/approve", {"form": {"week": W, "slot_id": str(big)}}),
        ("post", f"/t/edit/changes/{big}/undo/plan", {"form": {"week": W}}),
        ("post", f"/t/edit/changes/{big}/undo", {"form": {"week": W, "token": "x"}}),
        ("post", "/t/edit/plan", {"form": {"week": W, "ids": f"{slot} {big}", "param": "note", "value-note": "x"}}),
    ]


@pytest.mark.parametrize("big", BIG_IDS)
def test_editors_sending_ids_no_row_could_have_are_refused_and_nothing_is_written(app, client, site, big):
    editor = Editor(client)
    before = written(app)
    for method, url, kwargs in editor_requests(site, big):
        if method == "get":
            response = editor.get(url)
        else:
            response = editor.post(url, json=kwargs.get("json"), data=kwargs.get("form"))
        message = assert_refused(response)
        assert "id" in message or "number" in message or "see fields" in message, (url, message)
        if response.is_json and "fields" in response.get_json()["error"]:
            assert "2147483647" in str(response.get_json()["error"]["fields"]), url
    assert written(app) == before


def test_unicode_digits_are_not_ids(app, client, site):
    editor = Editor(client)
    assert editor.get("/t/edit/selection?ids=²,٣").status_code == 200
    assert_refused(editor.get(f"/t/edit?week={W}&staff=²"), (400,))
    assert_refused(editor.post("/t/edit/plan", data={"week": W, "ids": "²", "param": "note", "value-note": "x"}), (400,))


# Bodies: nesting, size.


def test_deeply_nested_json_is_a_400(app, client, site):
    for url in ("/api/timetables/t/holds", "/api/bookings/ABC/cancel"):
        response = client.post(url, data="[" * 100_000, content_type="application/json")
        assert assert_refused(response, (400,)).startswith("The body is not valid JSON")
    editor = Editor(client)
    response = client.post("/api/timetables/t/plan", data="[" * 100_000, content_type="application/json",
                           headers={"X-CSRFToken": editor.csrf})
    assert "nested too deeply" in assert_refused(response, (400,))


def test_a_body_over_the_limit_is_a_413_with_a_message_in_json_and_html(app, client, site):
    before = written(app)
    big = {"slot_id": site["slot"], "week": W, "lock_code": "x" * (1024 * 1024)}
    response = client.post("/api/timetables/t/holds", json=big)
    assert response.status_code == 413
    assert response.get_json()["error"]["message"] == (
        "The request body is too large: this server accepts at most 1 MiB.")
    response = client.post(f"/t/book/{site['slot']}/wait", data={"name": "A" * (1024 * 1024 + 1), "week": W})
    assert response.status_code == 413
    assert "at most 1 MiB" in assert_refused(response, (413,))
    assert written(app) == before


def test_the_body_limit_is_configurable(make_database_url, monkeypatch):
    from timetable.config import load_config

    monkeypatch.setenv("TIMETABLE_MAX_BODY_BYTES", "2048")
    monkeypatch.setenv("TIMETABLE_MAX_IMPORT_BYTES", "4096")
    config = load_config("/tmp")
    assert (config["MAX_CONTENT_LENGTH"], config["MAX_IMPORT_BYTES"]) == (2048, 4096)


# HTTP details.


def test_a_405_says_which_methods_are_allowed(client, site):
    for url in ("/api/timetables/t/holds", "/login", "/t/book/details"):
        response = client.delete(url)
        assert response.status_code == 405
        assert response.headers["Allow"], url
        assert set(response.headers["Allow"].replace(" ", "").split(",")) >= {"OPTIONS"}
    assert "POST" in client.delete("/api/timetables/t/holds").headers["Allow"]
    assert client.delete("/api/timetables/t/holds").get_json()["error"]["status"] == 405


# Text no column can store.


def test_a_lone_surrogate_in_a_note_is_refused_at_the_plan_naming_the_field(app, client, site):
    editor = Editor(client)
    before = written(app)
    for path, target in ((f"/api/timetables/t/slots/{site['slot']}/plan", {}), ("/api/timetables/t/plan", {"slots": [site["slot"]]})):
        response = editor.post(path, json={**target, "edits": [{**EDIT, "value": "\ud800"}]})
        assert_refused(response, (400,))
        [message] = response.get_json()["error"]["fields"]["edits"]["0"]["value"]
        assert message.startswith("note: '\\ud800' contains a lone surrogate"), message
    response = editor.post(f"/api/timetables/t/slots/{site['slot']}/apply",
                           json={"edits": [{**EDIT, "value": "a\ud800"}], "token": "x"})
    assert "lone surrogate" in str(response.get_json()["error"]["fields"])
    assert written(app) == before


def test_booking_text_a_database_cannot_store_is_refused_naming_the_field(app, client, site):
    before = written(app)
    slot = site["slot"]
    cases = [
        ("/api/timetables/t/holds", {"slot_id": slot, "week": W, "lock_code": "\ud800"}, "lock_code"),
        ("/api/timetables/t/confirm", {"lock_code": "a", "name": "Ada\ud800", "email": "ada@example.org"}, "name"),
        ("/api/timetables/t/confirm", {"lock_code": "a", "name": "Ada\x00", "email": "ada@example.org"}, "name"),
        ("/api/timetables/t/waiting-list",
         {"slot_id": slot, "week": W, "name": "Ada", "email": "\udfff@example.org"}, "email"),
        ("/api/bookings/ABCD/cancel", {"key": "k\ud800"}, "key"),
    ]
    for url, body, field in cases:
        response = client.post(url, json=body)
        assert_refused(response, (400,))
        [message] = response.get_json()["error"]["fields"][field]
        assert "NUL" in message or "lone surrogate" in message, (url, message)
    assert written(app) == before


def test_nul_characters_in_addresses_queries_and_forms_are_refused(app, client, site):
    before = written(app)
    assert "NUL character" in assert_refused(client.get("/t%00"), (400,))
    assert "NUL character" in assert_refused(client.get("/api/bookings/AB%00CD?key=x"), (400,))
    assert "NUL character" in assert_refused(client.get(f"/t?week={W}&group=1%00"), (400,))
    slot = site["slot"]
    client.post(f"/t/book/{slot}/hold", data={"week": W, "csrf_token": page_token(client)})
    response = client.post("/t/book/confirm", data={"name": "Ada\x00", "email": "ada@example.org",
                                                    "csrf_token": page_token(client)})
    assert "NUL character" in assert_refused(response, (400,))
    token = page_token(client, "/login")
    response = client.post("/login", data={"username": "sched\x00uler", "password": "x", "csrf_token": token})
    assert "NUL character" in assert_refused(response, (400,))
    from timetable.extensions import db
    from timetable.models import Booking

    with app.app_context():
        assert [b.status for b in db.session.query(Booking)] == ["held"]
    assert written(app)[1:] == before[1:]


def test_a_form_part_without_a_name_is_refused_not_a_server_error(app, client, site):
    # Schemathesis found it: werkzeug keys a multipart part whose Content-Disposition carries no name under None.
    before = written(app)
    body = b'--B\r\nContent-Disposition: form-data; name=\r\n\r\n[]\r\n--B--\r\n'
    response = client.post("/api/timetables/t/imports", data=body, content_type="multipart/form-data; boundary=B")
    assert "has no name" in assert_refused(response, (400,))
    assert written(app) == before
