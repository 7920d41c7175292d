"""The JSON editing API: plan and apply granular and bulk edits, history and undo, their errors and description."""

from __future__ import annotations

from datetime import datetime

import pytest

from tests.conftest import AuthActions


@pytest.fixture
def api_school(app):
    """An editor, and teacher X's Maths lessons Monday to Friday at 08:00; Wednesday's is in room 102 in W49 only.

    The shared `school` fixture, but built in an app context of its own that ends before the test: each
    request then has its own context and session, as in production, so a write that a service forgot
    to commit cannot show up in the next request.
    """
    from tests.factories import build_school
    from timetable.services.accounts import create_user

    with app.app_context():
        create_user("scheduler", "timetable-demo", "Test scheduler", is_admin=True)
        school = build_school()
        return {**{k: school[k] for k in ("x", "y", "z", "r1", "r2", "r3", "lessons", "other", "last_setup_change")},
                "maths": school["maths"].id}


class Api:
    """A logged-in API client: JSON in and out, the CSRF token in the X-CSRFToken header."""

    def __init__(self, client, last_setup_change: int = 0):
        self.client = client
        self.last_setup_change = last_setup_change
        AuthActions(client).login()
        self.csrf = client.get("/api/session").get_json()["csrf_token"]

    def post(self, path: str, body: dict | None = None):
        return self.client.post(f"/api/timetables/t{path}", json=body, headers={"X-CSRFToken": self.csrf})

    def plan_and_apply(self, path: str, body: dict):
        """Plan, then apply with the plan's token; return both answers' JSON."""
        plan = self.post(f"{path}/plan", body)
        assert plan.status_code == 200, plan.get_json()
        applied = self.post(f"{path}/apply", {**body, "token": plan.get_json()["token"]})
        assert applied.status_code == 201, applied.get_json()
        return plan.get_json(), applied.get_json()["change"]

    def history(self, query: str = ""):
        """The changes made since the fixture's own set-up (which the history lists too), newest first."""
        response = self.client.get(f"/api/timetables/t/history{query}")
        assert response.status_code == 200, response.get_json()
        return [change for change in response.get_json() if change["id"] > self.last_setup_change]

    def week(self, week: str) -> dict[int, dict]:
        """Each occurrence of the week by slot id: its parameters, and the names in "labels"."""
        body = self.client.get(f"/api/timetables/t/weeks/{week}").get_json()
        return {o["slot_id"]: {**o["parameters"], "labels": o["labels"]} for o in body["occurrences"]}


@pytest.fixture
def api(client, api_school):
    return Api(client, api_school["last_setup_change"])


def edit(param, value=None, start="2026-W48", end="2026-W50", **extra):
    return {"param": param, "value": value, "start": start, "end": end, **extra}


def fields_of(response) -> dict:
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert error["message"] == "The request is not valid: see fields."
    return error["fields"]


# Access.


def test_without_login_the_api_answers_401_in_json_not_a_redirect(client, api_school):
    lesson = api_school["lessons"][0]
    response = client.get("/api/timetables/t/history")
    assert response.status_code == 401 and "Location" not in response.headers
    assert response.get_json() == {"error": {"status": 401, "message": "Log in first: POST /login, then send the session cookie."}}

    session = client.get("/api/session").get_json()
    assert session["user"] is None and session["csrf_token"]
    response = client.post(f"/api/timetables/t/slots/{lesson}/plan", json={"edits": [edit("note", "x")]},
                           headers={"X-CSRFToken": session["csrf_token"]})
    assert response.status_code == 401 and response.get_json()["error"]["status"] == 401


def test_the_session_names_the_editor_once_logged_in(client, api_school):
    AuthActions(client).login()
    assert client.get("/api/session").get_json()["user"] == "scheduler"


def test_a_post_without_the_csrf_header_is_refused_and_writes_nothing(api, api_school):
    lesson = api_school["lessons"][0]
    body = {"edits": [edit("note", "Bring calculators")]}
    token = api.post(f"/slots/{lesson}/plan", body).get_json()["token"]
    response = api.client.post(f"/api/timetables/t/slots/{lesson}/apply", json={**body, "token": token})
    assert response.status_code == 400
    assert "CSRF" in response.get_json()["error"]["message"]
    assert api.history() == []
    assert api.week("2026-W48")[lesson]["note"] == ""


# Plan and apply.


def test_plan_then_apply_edits_of_one_slot(api, api_school):
    monday = api_school["lessons"][0]
    body = {"edits": [edit("room", api_school["r3"]), edit("start", "08:30", end=None)]}
    response = api.post(f"/slots/{monday}/plan", body)
    assert response.status_code == 200
    plan = response.get_json()
    assert plan["empty"] is False and plan["token"]
    assert plan["summary"] == f"Room = Lab · slot {monday} · 2026-W48 to 2026-W50; Start = 08:30 · slot {monday} · from 2026-W48"
    assert [line["text"] for line in plan["lines"]] == [
        "Maths 7A · Mon 08:00 · room 101 → Lab · 2026-W48 to 2026-W50",
        "Maths 7A · Mon 08:00 · start 08:00 → 08:30 · from 2026-W48",
    ]
    assert plan["lines"][0] | {"text": None} == {"slot_id": monday, "label": "Maths 7A · Mon 08:00", "param": "room",
                                                 "start": "2026-W48", "end": "2026-W50", "old": "101", "new": "Lab", "text": None}
    room, start = plan["changes"]
    assert room == {"owner": "slot", "owner_id": monday, "param": "room", "actions": [
        {"kind": "insert", "id": None, "start": "2026-W48", "end": "2026-W50", "value": api_school["r3"]}]}
    assert [(a["kind"], a["start"], a["end"], a["value"]) for a in start["actions"]] == [
        ("update", "2026-W40", "2026-W47", 480), ("insert", "2026-W48", None, 510)]
    assert isinstance(start["actions"][0]["id"], int)
    assert api.week("2026-W48")[monday]["room"] == api_school["r1"], "a plan writes nothing"

    response = api.post(f"/slots/{monday}/apply", {**body, "token": plan["token"]})
    assert response.status_code == 201
    change = response.get_json()["change"]
    assert (change["kind"], change["summary"], change["user"], change["undoes"]) == ("edit", plan["summary"], "scheduler", None)
    rooms = [api.week(f"2026-W{n}")[monday]["room"] for n in (47, 48, 50, 51)]
    assert rooms == [api_school["r1"], api_school["r3"], api_school["r3"], api_school["r1"]]
    assert [api.week(f"2026-W{n}")[monday]["start"] for n in (47, 48, 52)] == [480, 510, 510]


def test_values_can_be_sent_as_json_or_as_people_type_them(api, api_school):
    monday = api_school["lessons"][0]
    typed = api.post(f"/slots/{monday}/plan", {"edits": [edit("start", "8h30"), edit("weekday", "Tuesday"),
                                                         edit("staff_status", "On leave"), edit("room", str(api_school["r2"]))]})
    native = api.post(f"/slots/{monday}/plan", {"edits": [edit("start", 510), edit("weekday", 2),
                                                          edit("staff_status", "leave"), edit("room", api_school["r2"])]})
    assert typed.status_code == native.status_code == 200
    assert typed.get_json()["changes"] == native.get_json()["changes"]
    painted = {(c["param"], a["value"]) for c in native.get_json()["changes"] for a in c["actions"] if a["start"] == "2026-W48"}
    assert painted == {
        ("start", 510), ("weekday", 2), ("staff_status", "leave"), ("room", api_school["r2"])}


def test_the_preview_names_slots_as_they_are_in_the_reference_week(api, api_school):
    monday = api_school["lessons"][0]
    api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("start", "10:00", start="2026-W50", end=None)]})

    def label(body):
        return api.post(f"/slots/{monday}/plan", body).get_json()["lines"][0]["label"]

    assert label({"edits": [edit("note", "x", start="2026-W48")]}) == "Maths 7A · Mon 08:00"
    assert label({"edits": [edit("note", "x", start="2026-W48")], "week": "2026-W50"}) == "Maths 7A · Mon 10:00"
    assert label({"edits": [edit("note", "x", start="2026-W51", end=None)]}) == "Maths 7A · Mon 10:00"


def test_a_sick_teacher_is_replaced_on_all_lessons_in_two_calls(api, api_school):
    lessons = api_school["lessons"]
    plan, sick = api.plan_and_apply("", {"slots": lessons, "edits": [edit("staff_status", "sick")]})
    assert len(plan["lines"]) == 5 and len(plan["changes"]) == 5
    assert plan["lines"][0]["text"] == "Maths 7A · Mon 08:00 · staff status Present → Sick · 2026-W48 to 2026-W50"
    plan, substitute = api.plan_and_apply("", {"slots": lessons, "edits": [edit("substitute", api_school["y"])]})
    assert plan["clashes_created"] == []
    assert [sick["summary"], substitute["summary"]] == [
        "Staff status = Sick · 5 slots · 2026-W48 to 2026-W50", "Substitute = Y · 5 slots · 2026-W48 to 2026-W50"]

    for n in (48, 49, 50):
        week = api.week(f"2026-W{n}")
        assert {(tuple(week[s]["staff"]), week[s]["staff_status"], week[s]["labels"]["substitute"]) for s in lessons} == {
            ((api_school["x"],), "sick", "Y")}
    for n in (47, 51):
        week = api.week(f"2026-W{n}")
        assert {(week[s]["staff_status"], week[s]["substitute"]) for s in lessons} == {("present", None)}
    assert [c["id"] for c in api.history()] == [substitute["id"], sick["id"]]


def test_a_course_edit_reaches_its_slots_and_lists_the_customisation_it_keeps(api, api_school):
    lessons, wednesday = api_school["lessons"], api_school["lessons"][2]
    plan, change = api.plan_and_apply("", {"course": api_school["maths"], "edits": [edit("room", api_school["r3"], end=None)]})
    assert {line["slot_id"] for line in plan["lines"]} == set(lessons)
    assert [(k["slot_id"], k["start"], k["end"], k["own"], k["course_new"]) for k in plan["kept"]] == [
        (wednesday, "2026-W49", "2026-W49", "102", "Lab")]
    assert plan["kept"][0]["text"] == "Maths 7A · Wed 08:00 · keeps its own room 102 (course: Lab) · 2026-W49"
    assert [(c["owner"], c["owner_id"]) for c in plan["changes"]] == [("course", api_school["maths"])]
    assert change["stripes"] == [{"owner": "course", "owner_id": api_school["maths"], "param": "room"}]

    assert api.week("2026-W49")[wednesday]["room"] == api_school["r2"]
    assert api.week("2026-W50")[wednesday]["room"] == api_school["r3"]
    assert api.week("2026-W47")[lessons[0]]["room"] == api_school["r1"]
    assert api.week("2026-W50")[api_school["other"]]["room"] == api_school["r3"]  # physics was in the lab already


def test_a_stale_token_is_a_409_and_nothing_is_written(api, api_school):
    lessons = api_school["lessons"]
    body = {"slots": lessons, "edits": [edit("note", "Bring calculators", end="2026-W48")]}
    stale = api.post("/plan", body).get_json()["token"]
    api.plan_and_apply(f"/slots/{lessons[0]}", {"edits": [edit("note", "Exam", end="2026-W52")]})
    history = api.history()

    response = api.post("/apply", {**body, "token": stale})
    assert response.status_code == 409
    assert response.get_json()["error"]["message"].startswith("Someone changed these slots since this preview was made")
    assert api.history() == history
    assert {api.week("2026-W48")[s]["note"] for s in lessons} == {"Exam", ""}


def test_applying_edits_that_change_nothing_is_a_400(api, api_school):
    monday = api_school["lessons"][0]
    body = {"edits": [edit("note", erase=True, start=None, end=None, value=None)]}
    plan = api.post(f"/slots/{monday}/plan", body).get_json()
    assert plan["empty"] is True and plan["lines"] == [] and plan["changes"] == []
    response = api.post(f"/slots/{monday}/apply", {**body, "token": plan["token"]})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"].startswith("Nothing to apply")
    assert api.history() == []


def test_an_unknown_slot_is_a_404(api, api_school):
    response = api.post("/plan", {"slots": [api_school["lessons"][0], 999], "edits": [edit("note", "x")]})
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "This timetable has no slot 999."


# Validation.


@pytest.mark.parametrize(
    ("edits", "expected"),
    [
        ([edit("room", 1, start="2026-W54")], {"0": {"start": ["2026-W54: 2026 has 53 ISO weeks"]}}),
        ([edit("note", "a"), edit("room", 1, start="2026-W48", end="2026-W47")],
         {"1": {"end": ["2026-W47 comes before the start 2026-W48"]}}),
        ([edit("start", "eight")], {"0": {"value": ["start: 'eight' is not a time of day from 00:00 to 23:59"]}}),
        ([edit("room", "12b")], {"0": {"value": ["room: '12b' is not a room id (a whole number from 1 to 2147483647)"]}}),
        ([edit("capacity", True)], {"0": {"value": ["capacity: True is not a whole number from 0 to 2147483647"]}}),
        ([{"param": "note", "start": None, "end": None}],
         {"0": {"value": ["Give a value, or erase: true to go back to the inherited value."]}}),
        ([edit("note", "a", erase=True)], {"0": {"erase": ["Give a value or erase: true, not both."]}}),
        ([{"param": "note", "value": "a"}], {"0": {"start": ["Give the first week, or null for since always."],
                                                  "end": ["Give the last week, or null for ever after."]}}),
        ([edit("note", "a", colour="#fff")], {"0": {"colour": ["Unknown field."]}}),
    ],
)
def test_invalid_edits_get_a_message_on_the_field_at_fault(api, api_school, edits, expected):
    response = api.post(f"/slots/{api_school['lessons'][0]}/plan", {"edits": edits})
    assert fields_of(response) == {"edits": expected}


def test_an_unknown_parameter_lists_the_known_ones(api, api_school):
    response = api.post(f"/slots/{api_school['lessons'][0]}/plan", {"edits": [edit("colour", "#fff")]})
    [message] = fields_of(response)["edits"]["0"]["param"]
    assert message.startswith("'colour': unknown parameter (known: weekday, start, duration,")
    assert "color" in message


def test_every_invalid_edit_and_key_is_reported_at_once_and_nothing_is_written(api, api_school):
    lesson = api_school["lessons"][0]
    body = {"edits": [edit("colour", 1, start="2026-W54"), edit("start", "eight")], "weeks": "2026-W48", "token": "t"}
    fields = fields_of(api.post(f"/slots/{lesson}/apply", body))
    assert set(fields) == {"edits", "weeks"} and set(fields["edits"]) == {"0", "1"}
    assert set(fields["edits"]["0"]) == {"param", "start"}
    assert fields["weeks"] == ["Unknown field."]
    assert api.history() == []


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ({"slots": [1], "course": 1}, "Give either slots or course, not both."),
        ({}, "Give slots (a list of slot ids) or course (a course id)."),
    ],
)
def test_a_bulk_edit_needs_either_slots_or_a_course(api, api_school, target, message):
    response = api.post("/plan", {**target, "edits": [edit("note", "x")]})
    assert fields_of(response) == {"slots": [message], "course": [message]}


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ({"slots": [], "edits": [edit("note", "x")]}, {"slots": ["Length must be between 1 and 10000."]}),
        ({"slots": ["2"], "edits": [edit("note", "x")]}, {"slots": {"0": ["Not a valid integer."]}}),
        ({"slots": [1], "edits": []}, {"edits": ["Length must be between 1 and 100."]}),
        ({"slots": [1], "edits": [edit("note", "x")], "week": "soon"},
         {"week": ["'soon': not a week (expected YYYY-Www, e.g. 2026-W47)"]}),
    ],
)
def test_bulk_targets_and_the_reference_week_are_checked(api, api_school, body, expected):
    assert fields_of(api.post("/plan", body)) == expected


def test_a_body_that_is_not_json_is_a_400(api, api_school):
    response = api.client.post("/api/timetables/t/plan", data="slots=1", headers={"X-CSRFToken": api.csrf})
    assert response.status_code == 400
    assert "JSON object" in response.get_json()["error"]["message"]


# History and undo.


def test_history_lists_changes_newest_first_per_slot_and_with_who_undid_them(api, api_school):
    lessons = api_school["lessons"]
    _, first = api.plan_and_apply(f"/slots/{lessons[0]}", {"edits": [edit("note", "A")]})
    _, second = api.plan_and_apply(f"/slots/{lessons[1]}", {"edits": [edit("note", "B")]})
    _, third = api.plan_and_apply("", {"slots": lessons[:2], "edits": [edit("note", "C", start="2026-W51", end=None)]})

    history = api.history()
    assert [c["id"] for c in history] == [third["id"], second["id"], first["id"]]
    assert history[2] == {**first, "undone_by": None}
    assert history[0]["stripes"] == [{"owner": "slot", "owner_id": s, "param": "note"} for s in lessons[:2]]
    assert datetime.fromisoformat(history[0]["created_at"]).utcoffset() is not None
    assert [c["id"] for c in api.history(f"?slot={lessons[1]}")] == [third["id"], second["id"]]
    assert [c["id"] for c in api.history("?limit=1")] == [third["id"]]

    undo_plan = api.post(f"/changes/{second['id']}/undo/plan").get_json()
    undo = api.post(f"/changes/{second['id']}/undo", {"token": undo_plan["token"]}).get_json()["change"]
    history = api.history()
    assert [(c["id"], c["kind"], c["undoes"], c["undone_by"]) for c in history] == [
        (undo["id"], "undo", second["id"], None), (third["id"], "edit", None, None),
        (second["id"], "edit", None, undo["id"]), (first["id"], "edit", None, None)]


def test_history_arguments_are_checked(api, api_school):
    response = api.client.get("/api/timetables/t/history?limit=0&slots=1")
    assert fields_of(response) == {"limit": ["Must be greater than or equal to 1 and less than or equal to 1000."],
                                   "slots": ["Unknown field."]}


def test_undo_previews_then_puts_back_the_earlier_values_as_a_new_change(api, api_school):
    lessons = api_school["lessons"]
    api.plan_and_apply("", {"slots": lessons, "edits": [edit("staff_status", "sick")]})
    _, substitute = api.plan_and_apply("", {"slots": lessons, "edits": [edit("substitute", api_school["y"])]})

    response = api.post(f"/changes/{substitute['id']}/undo/plan", {"week": "2026-W48"})
    assert response.status_code == 200
    plan = response.get_json()
    assert plan["summary"] == f"Undo of change {substitute['id']}: Substitute = Y · 5 slots · 2026-W48 to 2026-W50"
    assert plan["overwrites"] == [] and plan["empty"] is False
    assert {(line["old"], line["new"], line["start"], line["end"]) for line in plan["lines"]} == {("Y", "—", "2026-W48", "2026-W50")}
    assert api.week("2026-W49")[lessons[0]]["substitute"] == api_school["y"], "an undo plan writes nothing"

    response = api.post(f"/changes/{substitute['id']}/undo", {"token": plan["token"]})
    assert response.status_code == 201
    undo = response.get_json()["change"]
    assert (undo["kind"], undo["undoes"], undo["summary"]) == ("undo", substitute["id"], plan["summary"])
    week = api.week("2026-W49")
    assert {(week[s]["staff_status"], week[s]["substitute"]) for s in lessons} == {("sick", None)}

    again = api.post(f"/changes/{substitute['id']}/undo/plan")
    assert again.status_code == 400
    assert again.get_json()["error"]["message"] == f"Change {substitute['id']} was already undone by change {undo['id']}."


def test_undo_lists_the_later_edit_it_would_overwrite_and_refuses_a_stale_preview(api, api_school):
    monday = api_school["lessons"][0]
    _, change = api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("room", api_school["r2"])]})
    api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("room", api_school["r3"], start="2026-W49", end="2026-W49")]})

    plan = api.post(f"/changes/{change['id']}/undo/plan").get_json()
    [overwrite] = plan["overwrites"]
    assert overwrite == {"owner": "slot", "owner_id": monday, "param": "room", "start": "2026-W49", "end": "2026-W49",
                         "found": "Lab", "restored": "—",
                         "text": f"slot {monday} · room is now Lab (changed later); undo sets it to — · 2026-W49"}

    api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("room", api_school["r1"], start="2026-W50", end="2026-W50")]})
    history = api.history()
    response = api.post(f"/changes/{change['id']}/undo", {"token": plan["token"]})
    assert response.status_code == 409
    assert api.history() == history


def test_undo_needs_a_token_and_a_known_change(api, api_school):
    assert fields_of(api.post("/changes/1/undo", {})) == {"token": ["Missing data for required field."]}
    response = api.post("/changes/999/undo/plan")
    assert response.status_code == 404
    assert response.get_json()["error"]["message"] == "This timetable has no change 999."


# Description.


def test_the_openapi_description_documents_the_editing_api(client):
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    expected = {
        "/api/session": ("get", {"200"}),
        "/api/timetables/{slug}/slots/{slot_id}/plan": ("post", {"200", "400", "401", "403", "404"}),
        "/api/timetables/{slug}/slots/{slot_id}/apply": ("post", {"201", "400", "401", "403", "404", "409"}),
        "/api/timetables/{slug}/plan": ("post", {"200", "400", "401", "403", "404"}),
        "/api/timetables/{slug}/apply": ("post", {"201", "400", "401", "403", "404", "409"}),
        "/api/timetables/{slug}/history": ("get", {"200", "400", "401", "403", "404"}),
        "/api/timetables/{slug}/changes/{change_id}/undo/plan": ("post", {"200", "400", "401", "403", "404"}),
        "/api/timetables/{slug}/changes/{change_id}/undo": ("post", {"201", "400", "401", "403", "404", "409"}),
    }
    for path, (method, statuses) in expected.items():
        assert set(paths[path][method]["responses"]) == statuses, path
    bulk = paths["/api/timetables/{slug}/plan"]["post"]
    assert bulk["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/BulkEditRequestSchema"}
    assert bulk["responses"]["200"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/EditPlanSchema"}
    assert bulk["security"] == [{"session": [], "csrf": []}, {"bearer": []}]
    assert spec["components"]["securitySchemes"]["bearer"] == {"type": "http", "scheme": "bearer"}
    assert spec["components"]["securitySchemes"]["csrf"] == {"type": "apiKey", "in": "header", "name": "X-CSRFToken"}
    schemas = spec["components"]["schemas"]
    assert {"EditSchema", "EditPlanSchema", "UndoPlanSchema", "ChangeSchema", "DiffLineSchema", "KeptLineSchema"} <= set(schemas)
    assert schemas["EditSchema"]["required"] == ["end", "param", "start"]
    assert "overwrites" in schemas["UndoPlanSchema"]["properties"] and "overwrites" not in schemas["EditPlanSchema"]["properties"]


def test_staff_is_a_set_given_as_one_id_or_a_list_and_returned_as_a_sorted_list(api, api_school):
    lesson = api_school["lessons"][0]
    x, y = api_school["x"], api_school["y"]
    api.plan_and_apply(f"/slots/{lesson}", {"edits": [edit("staff", [y, x, y])]})
    week = api.week("2026-W49")[lesson]
    assert week["staff"] == sorted([x, y]) and week["labels"]["staff"] == "X, Y"
    api.plan_and_apply(f"/slots/{lesson}", {"edits": [edit("staff", y, start="2026-W50", end="2026-W50")]})
    assert api.week("2026-W50")[lesson]["staff"] == [y]
    refused = api.post(f"/slots/{lesson}/plan", {"edits": [edit("staff", [x, 0])]})
    assert refused.status_code == 400
    assert "staff: 0 is not one or more staff ids" in str(refused.get_json())
    refused = api.post(f"/slots/{lesson}/plan", {"edits": [edit("staff", [])]})
    assert refused.status_code == 400 and "staff" in str(refused.get_json())
