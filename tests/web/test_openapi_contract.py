"""The OpenAPI description states what the server enforces (issue 14): each rule, and the server agreeing with it."""

from __future__ import annotations

import re

import pytest

from tests.web.test_api_editing import api_school  # noqa: F401  (fixture)
from timetable.rules import PARAMETERS


@pytest.fixture
def document(client):
    return client.get("/api/openapi.json").get_json()


def _week_pattern(document) -> str:
    return document["components"]["schemas"]["EditSchema"]["properties"]["start"]["pattern"]


@pytest.mark.parametrize("week", ["2026-W47", "2026W47", "202647", "2026-w05", "2026W5", "0001-W01"])
def test_the_week_pattern_allows_the_formats_the_server_reads(document, week):
    assert re.fullmatch(_week_pattern(document), week)


@pytest.mark.parametrize("week", ["2026-W00", "2026-W60", "0000-W01", "2026-47", "20264", "W47", "2026-W47 x"])
def test_the_week_pattern_refuses_what_is_no_week(document, week):
    assert not re.fullmatch(_week_pattern(document), week)


def test_week_parameters_in_paths_and_queries_carry_the_pattern(document):
    weeks = [parameter for item in document["paths"].values() for operation in item.values() if isinstance(operation, dict)
             for parameter in operation.get("parameters", []) if parameter["name"] == "week"]
    assert len(weeks) >= 3 and all(parameter["schema"]["pattern"] == _week_pattern(document) for parameter in weeks)


def test_lock_codes_must_not_be_blank_and_e_mails_need_a_domain(document):
    schemas = document["components"]["schemas"]
    lock_code = schemas["HoldRequestSchema"]["properties"]["lock_code"]["pattern"]
    assert re.search(lock_code, "f3a9-session") and not re.search(lock_code, "   ") and not re.search(lock_code, "")
    email = schemas["ConfirmRequestSchema"]["properties"]["email"]["pattern"]
    assert re.search(email, "ada@example.org") and not re.search(email, "ada") and not re.search(email, "ada@example")
    assert schemas["StaffInputSchema"]["properties"]["email"]["format"] == "email"
    key = schemas["KeyRequestSchema"]["properties"]["key"]
    assert key["minLength"] == 1 and key["maxLength"] == 200


def test_slots_and_course_exclude_each_other_and_value_is_required_unless_erase(document):
    schemas = document["components"]["schemas"]
    for name in ("BulkEditRequestSchema", "BulkApplyRequestSchema"):
        branches = schemas[name]["oneOf"]
        assert [branch["required"] for branch in branches] == [["slots"], ["course"]]
    *values, erase = schemas["EditSchema"]["oneOf"]
    assert [value["properties"]["param"]["enum"] for value in values] == [[name] for name in PARAMETERS]
    assert all(value["required"] == ["value"] and value["properties"]["erase"] == {"enum": [False]} for value in values)
    assert erase["required"] == ["erase"] and erase["properties"]["erase"] == {"enum": [True]}


def test_each_parameters_value_has_its_type(document):
    schemas = document["components"]["schemas"]
    value_of = {branch["properties"]["param"]["enum"][0]: branch["properties"]["value"] for branch in schemas["EditSchema"]["oneOf"][:-1]}
    assert value_of["duration"] == {"type": "integer", "minimum": 5, "maximum": 1440, "multipleOf": 5}
    assert value_of["status"]["enum"] == ["open", "temporarily_closed", "closed"]
    assert value_of["substitute"]["nullable"] is True and "nullable" not in value_of["room"]
    assert value_of["title"]["maxLength"] == 200
    assert re.search(value_of["start"]["oneOf"][1]["pattern"], "08:30") and not re.search(value_of["start"]["oneOf"][1]["pattern"], "24:00")
    new_slot = schemas["NewSlotsRequestSchema"]["properties"]["slots"]["items"]
    assert new_slot["required"] == ["weekday", "start"] and new_slot["additionalProperties"] is False
    assert new_slot["properties"]["capacity"] == value_of["capacity"]


def test_what_else_the_server_enforces_is_stated(document):
    schemas = document["components"]["schemas"]
    slug = schemas["NewTimetableSchema"]["properties"]["slug"]
    assert "invitations" in slug["not"]["enum"] and schemas["TimetableSettingsSchema"]["properties"]["slug"]["not"] == slug["not"]
    name = schemas["RoomInputSchema"]["properties"]["name"]["pattern"]
    assert re.search(name, " Lab ") and not re.search(name, "   ")
    weekday = schemas["TimetableSettingsSchema"]["properties"]["weekdays"]["items"]
    assert weekday["oneOf"][0] == {"type": "integer", "minimum": 1, "maximum": 7}
    assert schemas["CycleSchema"]["anyOf"][1] == {"required": ["start"], "properties": {"start": {"type": "string"}}}
    new_absence = document["paths"]["/api/timetables/{slug}/absences"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    assert new_absence["allOf"][1] == {"anyOf": [{"required": ["staff"]}, {"required": ["room"]}, {"required": ["group"]}]}
    period = schemas["PeriodSchema"]["properties"]
    assert re.search(period["start"]["pattern"], "08:45") and not re.search(period["start"]["pattern"], "08:47")
    # A slug or name taken already is a conflict with the current state, documented as such.
    for method, path in (("post", "/api/timetables"), ("patch", "/api/timetables/{slug}"), ("post", "/api/timetables/{slug}/rooms")):
        assert "409" in document["paths"][path][method]["responses"]


def test_a_new_timetable_needs_slug_name_and_a_known_time_zone(document):
    body = document["paths"]["/api/timetables"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    schema = document["components"]["schemas"][body["$ref"].rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"slug", "name", "time_zone"}
    assert "Europe/Paris" in schema["properties"]["time_zone"]["enum"]


@pytest.mark.parametrize("method, path", [
    ("post", "/api/timetables/t/plan"),
    ("post", "/api/timetables/t/slots/plan"),
    ("put", "/api/timetables/t/calendar"),
    ("put", "/api/timetables/unpublished-or-not/calendar"),
    ("post", "/api/timetables/t/rooms"),
])
def test_anonymous_editor_calls_are_asked_to_log_in_not_for_a_csrf_token(client, api_school, method, path):  # noqa: F811
    response = getattr(client, method)(path, json={})
    assert response.status_code == 401 and response.is_json
    described = path.replace("/t/", "/{slug}/").replace("/unpublished-or-not/", "/{slug}/")
    assert "401" in client.get("/api/openapi.json").get_json()["paths"][described][method]["responses"]
