"""Setting a school up through the API: timetables, their resources, retirement, checked references, new slots."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from tests.conftest import AuthActions


class SetupApi:
    """A logged-in API client: JSON in and out, the CSRF token in the X-CSRFToken header."""

    def __init__(self, client):
        self.client = client
        AuthActions(client).login()
        self.csrf = client.get("/api/session").get_json()["csrf_token"]

    def post(self, path: str, body: dict | None = None):
        return self.client.post(f"/api{path}", json=body, headers={"X-CSRFToken": self.csrf})

    def patch(self, path: str, body: dict):
        return self.client.patch(f"/api{path}", json=body, headers={"X-CSRFToken": self.csrf})

    def get(self, path: str):
        return self.client.get(f"/api{path}")

    def created(self, path: str, body: dict) -> dict:
        response = self.post(path, body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()


@pytest.fixture
def api(app, client):
    from timetable.services.accounts import create_user

    with app.app_context():
        create_user("scheduler", "timetable-demo", "Test scheduler", is_admin=True)
    return SetupApi(client)


@pytest.fixture
def school_api(api):
    """A timetable "north" with teachers A and B, rooms 1 and 2, class 7A and course Maths (A can teach it)."""
    api.created("/timetables", {"slug": "north", "name": "North School", "time_zone": "Europe/London"})
    ids = {}
    ids["maths"] = api.created("/timetables/north/courses", {"name": "Maths"})["id"]
    ids["a"] = api.created("/timetables/north/staff", {"name": "Ada Lovelace", "short_name": "LOV", "courses": [ids["maths"]]})["id"]
    ids["b"] = api.created("/timetables/north/staff", {"name": "Ben Okri"})["id"]
    ids["r1"] = api.created("/timetables/north/rooms", {"name": "Room 1", "capacity": 30})["id"]
    ids["r2"] = api.created("/timetables/north/rooms", {"name": "Room 2"})["id"]
    ids["7a"] = api.created("/timetables/north/groups", {"name": "7A", "size": 28})["id"]
    api.ids = ids
    return api


def _counts(app) -> dict[str, int]:
    from timetable.extensions import db
    from timetable.models import ChangeSet, Course, Group, Room, Slot, SlotRule, Staff, Timetable

    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Timetable, Staff, Room, Group, Course, Slot, SlotRule, ChangeSet)}


# Timetables.


def test_create_configure_and_read_a_timetable(api):
    created = api.created("/timetables", {"slug": "north", "name": "North School", "time_zone": "Europe/London",
                                          "weekdays": ["Monday", 2, 3, 4, 5, 6], "day_start": "07:30", "day_end": "17:00"})
    assert created == {"id": created["id"], "slug": "north", "name": "North School", "time_zone": "Europe/London",
                       "published": False, "weekdays": [1, 2, 3, 4, 5, 6], "day_start": "07:30", "day_end": "17:00"}
    # Unpublished: visitors do not see it, the scheduler does.
    assert api.client.get("/api/timetables").get_json()[0]["slug"] == "north"

    changed = api.patch("/timetables/north", {"name": "North Academy", "slug": "north-academy", "published": True, "weekdays": [1, 2, 3]})
    assert changed.status_code == 200, changed.get_json()
    assert api.get("/timetables/north-academy").get_json()["name"] == "North Academy"
    assert api.get("/timetables/north").status_code == 404
    assert api.get("/timetables/north-academy").get_json()["weekdays"] == [1, 2, 3]
    assert api.client.get("/north-academy/edit").status_code == 200


@pytest.mark.parametrize(("body", "field", "words"), [
    ({"time_zone": "Mars/Olympus"}, "time_zone", "not a known time zone"),
    ({"slug": "api"}, "slug", "reserved"),
    ({"slug": "admin"}, "slug", "reserved"),
    ({"slug": "North School!"}, "slug", "not a valid slug"),
    ({"slug": "taken"}, "slug", "already has the slug"),
    ({"name": "taken SCHOOL"}, "name", "already called"),
    ({"day_start": "18:00", "day_end": "08:00"}, "day_end", "first hour must come before"),
    ({"day_start": "25:00"}, "day_start", "not a time of day"),
    ({"weekdays": ["Funday"]}, "weekdays", "not a weekday"),
    ({"weekdays": [8]}, "weekdays", "not a weekday"),
    ({"weekdays": []}, "weekdays", "Show from 1 to 7 weekdays"),
    ({"colour": "red"}, "colour", "Unknown field"),
])
def test_bad_timetable_settings_are_refused_by_field_and_write_nothing(app, api, body, field, words):
    api.created("/timetables", {"slug": "taken", "name": "Taken school", "time_zone": "UTC"})
    before = _counts(app)
    response = api.post("/timetables", {"slug": "new-one", "name": "New one", "time_zone": "Europe/Paris", **body})
    # A slug or name another timetable holds is a conflict with the current state (409), not bad data (400).
    assert response.status_code == (409 if words in ("already has the slug", "already called") else 400)
    messages = response.get_json()["error"]["fields"][field]
    assert words in str(messages)
    assert _counts(app) == before
    # The same through PATCH of an existing timetable: refused, nothing changed.
    if field not in ("colour",) and body.get("slug") != "taken" and body.get("name") != "taken SCHOOL":
        api.created("/timetables", {"slug": "other", "name": "Other", "time_zone": "UTC"})
        assert api.patch("/timetables/other", body).status_code == 400
        assert api.get("/timetables/other").get_json()["time_zone"] == "UTC"


def test_renaming_to_another_timetables_name_is_refused(api):
    api.created("/timetables", {"slug": "a", "name": "Alpha", "time_zone": "UTC"})
    api.created("/timetables", {"slug": "b", "name": "Beta", "time_zone": "UTC"})
    response = api.patch("/timetables/b", {"name": "alpha", "slug": "a"})
    assert response.status_code == 409
    assert set(response.get_json()["error"]["fields"]) == {"name", "slug"}
    assert api.get("/timetables/b").get_json()["name"] == "Beta"
    # Keeping its own name and slug is fine.
    assert api.patch("/timetables/b", {"name": "Beta", "slug": "b"}).status_code == 200


def test_timetable_routes_need_a_login(client):
    assert client.post("/api/timetables", json={"slug": "x", "name": "X", "time_zone": "UTC"}).status_code in (400, 401)
    assert client.patch("/api/timetables/x", json={"name": "Y"}).status_code in (400, 401)
    assert client.get("/api/timetables/nowhere").status_code == 404


def test_every_top_level_path_of_the_app_is_a_reserved_slug(app):
    from timetable.services.catalog import RESERVED_SLUGS

    first_segments = {rule.rule.split("/")[1] for rule in app.url_map.iter_rules()}
    fixed = {segment for segment in first_segments if segment and "<" not in segment}
    assert fixed <= RESERVED_SLUGS, f"not reserved: {fixed - RESERVED_SLUGS}"


# Resources.


def test_resources_are_created_listed_and_changed(school_api):
    api, ids = school_api, school_api.ids
    staff = api.get("/timetables/north/staff").get_json()
    assert [(s["name"], s["short_name"], s["courses"]) for s in staff] == [("Ada Lovelace", "LOV", [ids["maths"]]), ("Ben Okri", None, [])]
    room = api.patch(f"/timetables/north/rooms/{ids['r2']}", {"name": "Lab", "capacity": 24, "features": ["sink", " projector "]})
    assert room.status_code == 200, room.get_json()
    assert room.get_json() == {"id": ids["r2"], "name": "Lab", "capacity": 24, "features": ["sink", "projector"], "retired_from_week": None}
    group = api.patch(f"/timetables/north/groups/{ids['7a']}", {"size": 30}).get_json()
    assert group["size"] == 30 and group["name"] == "7A"
    teacher = api.patch(f"/timetables/north/staff/{ids['b']}", {"email": "ben@example.org", "courses": [ids["maths"]]}).get_json()
    assert teacher["email"] == "ben@example.org" and teacher["courses"] == [ids["maths"]]
    # A new course starts a history of its own, like one made in the editor.
    history = api.get("/timetables/north/history").get_json()
    assert any(change["summary"] == "New course Maths" for change in history)


@pytest.mark.parametrize(("path", "body", "field"), [
    ("/staff", {"name": "ada lovelace"}, "name"),
    ("/staff", {"name": ""}, "name"),
    ("/staff", {"name": "C", "email": "not-an-address"}, "email"),
    ("/staff", {"name": "C", "courses": [99999]}, "courses"),
    ("/rooms", {"name": "R", "capacity": -1}, "capacity"),
    ("/rooms", {"name": "R", "capacity": "many"}, "capacity"),
    ("/groups", {"name": "G", "size": 1.5}, "size"),
    ("/groups", {"name": "G", "retired_from_week": "2026-W54"}, "retired_from_week"),
    ("/courses", {"name": "C", "capacity": 3}, "capacity"),
])
def test_bad_resources_are_refused_by_field_and_write_nothing(app, school_api, path, body, field):
    before = _counts(app)
    response = school_api.post(f"/timetables/north{path}", body)
    # A name the timetable already has (in any case) is a conflict with its state (409); bad data is a 400.
    assert response.status_code == (409 if body == {"name": "ada lovelace"} else 400)
    assert field in response.get_json()["error"]["fields"], response.get_json()
    assert _counts(app) == before


def test_a_course_of_another_timetable_is_no_qualification(school_api):
    school_api.created("/timetables", {"slug": "clinic", "name": "Clinic", "time_zone": "UTC"})
    physio = school_api.created("/timetables/clinic/courses", {"name": "Physio"})["id"]
    response = school_api.patch(f"/timetables/north/staff/{school_api.ids['a']}", {"courses": [physio]})
    assert response.status_code == 400
    assert f"#{physio}" in response.get_json()["error"]["fields"]["courses"][0]
    assert school_api.get("/timetables/north/staff").get_json()[0]["courses"] == [school_api.ids["maths"]]


# New slots through the API, and the references they name.


def _new_slots_body(ids, **extra):
    return {"start": "2026-W48", "slots": [
        {"weekday": "Monday", "start": "08:00", "duration": 50, "course": ids["maths"], "staff": ids["a"], "room": ids["r1"],
         "group": ids["7a"]},
        {"weekday": 3, "start": "10:00", "title": "Chess club", "staff": ids["b"], "room": ids["r2"], "capacity": 12},
    ], **extra}


def test_slots_are_planned_applied_and_undone(app, school_api):
    api, ids = school_api, school_api.ids
    before = _counts(app)
    body = _new_slots_body(ids)
    plan = api.post("/timetables/north/slots/plan", body)
    assert plan.status_code == 200, plan.get_json()
    plan = plan.get_json()
    assert plan["summary"] == "2 new slots · from 2026-W48"
    assert {line["label"] for line in plan["lines"]} >= {"Maths · Mon 08:00", "Chess club · Wed 10:00"}
    assert _counts(app) == before  # a plan writes nothing

    applied = api.post("/timetables/north/slots/apply", {**body, "token": plan["token"]})
    assert applied.status_code == 201, applied.get_json()
    new_ids = applied.get_json()["slots"]
    assert len(new_ids) == 2
    week = api.get("/timetables/north/weeks/2026-W48").get_json()["occurrences"]
    assert [(o["title"], o["start"], o["labels"].get("room")) for o in week] == [
        ("Maths", "08:00", "Room 1"), ("Chess club", "10:00", "Room 2")]
    assert api.get("/timetables/north/weeks/2026-W47").get_json()["occurrences"] == []

    change_id = applied.get_json()["change"]["id"]
    undo_plan = api.post(f"/timetables/north/changes/{change_id}/undo/plan", {}).get_json()
    undone = api.post(f"/timetables/north/changes/{change_id}/undo", {"token": undo_plan["token"]})
    assert undone.status_code == 201, undone.get_json()
    assert api.get("/timetables/north/weeks/2026-W48").get_json()["occurrences"] == []


def test_applying_other_slots_than_previewed_is_refused(app, school_api):
    body = _new_slots_body(school_api.ids)
    token = school_api.post("/timetables/north/slots/plan", body).get_json()["token"]
    before = _counts(app)
    body["slots"][1]["start"] = "11:00"
    response = school_api.post("/timetables/north/slots/apply", {**body, "token": token})
    assert response.status_code == 409
    assert _counts(app) == before


@pytest.mark.parametrize(("slot", "field", "words"), [
    ({"room": 99999}, "room", "no room #99999"),
    ({"staff": 99999}, "staff", "no staff member #99999"),
    ({"group": 99999}, "group", "no group #99999"),
    ({"course": 99999}, "course", "no course #99999"),
    ({"substitute": 99999}, "substitute", "no staff member #99999"),
])
def test_new_slots_naming_unknown_resources_are_refused(app, school_api, slot, field, words):
    before = _counts(app)
    body = {"start": "2026-W48", "slots": [{"weekday": 1, "start": "08:00", **slot}]}
    for step in ("plan", "apply"):
        response = school_api.post(f"/timetables/north/slots/{step}", {**body, "token": "x"} if step == "apply" else body)
        assert response.status_code == 400, response.get_json()
        error = response.get_json()["error"]
        assert words in error["message"] and field in error["fields"]
    assert _counts(app) == before


def test_slots_since_always_are_previewed_in_the_current_week(school_api):
    body = {"start": None, "slots": [{"weekday": 2, "start": "09:00", "title": "Assembly"}]}
    plan = school_api.post("/timetables/north/slots/plan", body)
    assert plan.status_code == 200, plan.get_json()
    assert plan.get_json()["summary"] == "New slot · always"
    applied = school_api.post("/timetables/north/slots/apply", {**body, "token": plan.get_json()["token"]})
    assert applied.status_code == 201
    assert [o["title"] for o in school_api.get("/timetables/north/weeks/2020-W10").get_json()["occurrences"]] == ["Assembly"]


def test_bad_new_slots_are_refused_by_field(school_api):
    response = school_api.post("/timetables/north/slots/plan", {"start": "2026-W48", "slots": [{"weekday": "Funday", "colour": 1}]})
    assert response.status_code == 400
    fields = response.get_json()["error"]["fields"]["slots"]["0"]
    assert set(fields) >= {"weekday", "start"}


def test_a_school_course_cannot_be_set_on_a_clinic_slot(school_api):
    api = school_api
    api.created("/timetables", {"slug": "clinic", "name": "Clinic", "time_zone": "Europe/Paris"})
    plan = api.post("/timetables/clinic/slots/plan", {"start": "2026-W48", "slots": [{"weekday": 1, "start": "09:00"}]}).get_json()
    body = {"start": "2026-W48", "slots": [{"weekday": 1, "start": "09:00"}]}
    slot = api.post("/timetables/clinic/slots/apply", {**body, "token": plan["token"]}).get_json()["slots"][0]
    # The school's course, or its room, on the clinic's slot: refused by the edit API too.
    for param in ("course", "room"):
        value = api.ids["maths"] if param == "course" else api.ids["r1"]
        edit = {"param": param, "value": value, "start": "2026-W48", "end": None}
        response = api.post(f"/timetables/clinic/slots/{slot}/plan", {"edits": [edit]})
        assert response.status_code == 400
        assert f"#{value}" in response.get_json()["error"]["message"]
    # A course edit naming a missing room is refused as well.
    edit = {"param": "room", "value": 99999, "start": None, "end": None}
    response = api.post("/timetables/north/plan", {"course": api.ids["maths"], "edits": [edit]})
    assert response.status_code == 400 and "no room #99999" in response.get_json()["error"]["message"]


# Retirement.


def test_retired_resources_cannot_be_assigned_from_that_week_and_keep_their_past(school_api):
    api, ids = school_api, school_api.ids
    plan = api.post("/timetables/north/slots/plan", _new_slots_body(ids)).get_json()
    slots = api.post("/timetables/north/slots/apply", {**_new_slots_body(ids), "token": plan["token"]}).get_json()["slots"]

    uses = api.get(f"/timetables/north/rooms/{ids['r1']}/uses?week=2026-W50")
    assert uses.status_code == 200
    uses = uses.get_json()
    assert uses["slots"] == [slots[0]]
    assert [(u["owner"], u["param"], u["start"], u["end"], u["label"]) for u in uses["uses"]] == [
        ("slot", "room", "2026-W50", None, "Maths")]
    assert f"ids={slots[0]}" in uses["editor_url"]

    retired = api.patch(f"/timetables/north/rooms/{ids['r1']}", {"retired_from_week": "2026-W50"})
    assert retired.get_json()["retired_from_week"] == "2026-W50"
    # Assigning it up to the week before is fine; into the retirement, refused, naming it.
    edit = {"param": "room", "value": ids["r1"], "start": "2026-W48", "end": "2026-W49"}
    assert api.post(f"/timetables/north/slots/{slots[1]}/plan", {"edits": [edit]}).status_code == 200
    for end in ("2026-W50", None):
        response = api.post(f"/timetables/north/slots/{slots[1]}/plan", {"edits": [{**edit, "end": end}]})
        assert response.status_code == 400
        assert "Room 1 is retired from 2026-W50" in response.get_json()["error"]["message"]
    new_slot = {"weekday": 2, "start": "09:00", "room": ids["r1"]}
    response = api.post("/timetables/north/slots/plan", {"start": "2026-W52", "slots": [new_slot]})
    assert response.status_code == 400
    # Bulk reassignment of what still uses it works, and its past still reads by name.
    assert api.post("/timetables/north/plan", {"slots": uses["slots"], "edits": [
        {"param": "room", "value": ids["r2"], "start": "2026-W50", "end": None}]}).status_code == 200
    past = api.get("/timetables/north/weeks/2026-W48").get_json()["occurrences"][0]
    assert past["labels"]["room"] == "Room 1"
    # Brought back into use, it can be assigned again.
    api.patch(f"/timetables/north/rooms/{ids['r1']}", {"retired_from_week": None})
    assert api.post(f"/timetables/north/slots/{slots[1]}/plan", {"edits": [{**edit, "end": None}]}).status_code == 200


def test_openapi_describes_the_set_up_endpoints(client):
    paths = client.get("/api/openapi.json").get_json()["paths"]
    assert {"post", "get"} <= set(paths["/api/timetables"]) | {"post"}
    assert "post" in paths["/api/timetables"]
    assert {"get", "patch"} <= set(paths["/api/timetables/{slug}"])
    # One path per kind, so that each states its own body (see views/openapi_contract.py).
    for kind in ("staff", "rooms", "groups", "courses"):
        assert {"get", "post"} <= set(paths[f"/api/timetables/{{slug}}/{kind}"])
        assert "patch" in paths[f"/api/timetables/{{slug}}/{kind}/{{resource_id}}"]
    assert "post" in paths["/api/timetables/{slug}/slots/plan"] and "post" in paths["/api/timetables/{slug}/slots/apply"]


# Rights: each route asks views.access.require for the right it needs.


@pytest.fixture
def refused(monkeypatch):
    """Make the rights interface refuse the rights listed in the returned set (all others granted)."""
    refusals: set[str] = set()
    monkeypatch.setattr("timetable.views.access.allowed", lambda user, right, timetable_id=None: right not in refusals)
    return refusals


def test_creating_a_timetable_needs_administer(app, api, refused):
    from timetable.services.access import ADMINISTER

    refused.add(ADMINISTER)
    before = _counts(app)
    assert api.post("/timetables", {"slug": "north", "name": "North", "time_zone": "UTC"}).status_code == 403
    assert api.client.get("/admin/timetables/new").status_code == 403
    assert _counts(app) == before


def test_every_write_route_of_a_timetable_needs_schedule(app, school_api, refused):
    from timetable.services.access import SCHEDULE

    api, ids = school_api, school_api.ids
    refused.add(SCHEDULE)
    before = _counts(app)
    writes = [
        api.patch("/timetables/north", {"name": "Taken over"}),
        api.post("/timetables/north/rooms", {"name": "Room 9"}),
        api.patch(f"/timetables/north/rooms/{ids['r1']}", {"retired_from_week": "2026-W50"}),
        api.post("/timetables/north/slots/plan", _new_slots_body(ids)),
        api.post("/timetables/north/slots/apply", {**_new_slots_body(ids), "token": "x"}),
        api.client.get(f"/api/timetables/north/rooms/{ids['r1']}/uses?week=2026-W50"),
        api.client.get("/north/settings"),
        api.client.get("/north/resources"),
        api.client.post("/north/resources/rooms", data={"name": "Room 9", "csrf_token": api.csrf}),
        api.client.post("/north/settings", data={"name": "Taken over", "csrf_token": api.csrf}),
    ]
    assert [response.status_code for response in writes] == [403] * len(writes)
    assert _counts(app) == before
    assert api.get("/timetables/north").get_json()["name"] == "North School"
