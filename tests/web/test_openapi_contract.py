"""The OpenAPI description states what the server enforces (issue 14): each rule, and the server agreeing with it."""

from __future__ import annotations

import re

import pytest

from tests.web.test_api_editing import api_school  # noqa: F401  (fixture)


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
    value, erase = schemas["EditSchema"]["oneOf"]
    assert value["required"] == ["value"] and value["properties"]["erase"] == {"enum": [False]}
    assert erase["required"] == ["erase"] and erase["properties"]["erase"] == {"enum": [True]}


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
