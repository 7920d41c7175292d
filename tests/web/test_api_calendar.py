"""The calendar API: GET and PUT /api/timetables/<slug>/calendar, and what the week API shows of it."""

from __future__ import annotations

from datetime import date

import pytest

from tests.web.test_api_booking import MONDAY, W48, Visitor, clinic_ids  # noqa: F401  (fixture)
from tests.web.test_api_editing import Api, api_school  # noqa: F401  (fixture)
from timetable.rules.calendar import Holiday
from timetable.services.calendar import CalendarSpec, replace_calendar
from timetable.services.catalog import get_timetable

CALENDAR = {
    "terms": [{"name": "Autumn", "start": "2026-W36", "end": "2026-W51"}, {"name": "Year", "start": "2026-W36", "end": "2027-W27"}],
    "holidays": [{"name": "Winter break", "start": "2026-11-30", "end": "2026-12-04"}],
    "cycle": {"length": 2, "start": "2026-W48", "overrides": [{"week": "2026-W51", "label": "B"}]},
}


@pytest.fixture
def api(client, api_school):  # noqa: F811
    return Api(client, api_school["last_setup_change"])


def put(api, body):
    return api.client.put("/api/timetables/t/calendar", json=body, headers={"X-CSRFToken": api.csrf})


def test_put_replaces_the_calendar_and_get_reads_it_back(api):
    assert api.client.get("/api/timetables/t/calendar").get_json() == {
        "terms": [], "holidays": [], "cycle": {"length": 1, "start": None, "overrides": []},
    }
    response = put(api, CALENDAR)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == CALENDAR
    assert api.client.get("/api/timetables/t/calendar").get_json() == CALENDAR
    smaller = {"terms": [], "holidays": [], "cycle": {"length": 1}}
    assert put(api, smaller).status_code == 200
    assert api.client.get("/api/timetables/t/calendar").get_json()["holidays"] == []


def test_the_week_api_shows_the_holiday_the_label_and_hides_the_holiday_occurrences(api, api_school):  # noqa: F811
    assert put(api, CALENDAR).status_code == 200
    holiday_week = api.client.get("/api/timetables/t/weeks/2026-W49").get_json()
    assert holiday_week["cycle_label"] is None and holiday_week["occurrences"] == []
    assert [(h["date"], h["name"]) for h in holiday_week["holidays"]][:2] == [
        ("2026-11-30", "Winter break"), ("2026-12-01", "Winter break")]
    labels = [api.client.get(f"/api/timetables/t/weeks/2026-W{n}").get_json()["cycle_label"] for n in (48, 50, 51, 52)]
    assert labels == ["A", "B", "B", "B"]  # W51 is overridden to B; W52 follows the count (A, -, B, A, B)
    assert len(api.week("2026-W48")) == 6


def test_an_a_only_slot_is_in_the_week_api_of_week_a_only(api, api_school):  # noqa: F811
    assert put(api, CALENDAR).status_code == 200
    monday = api_school["lessons"][0]
    api.plan_and_apply(f"/slots/{monday}", {"edits": [{"param": "cycle_weeks", "value": "a", "start": "2026-W48", "end": None}]})
    assert api.week("2026-W48")[monday]["cycle_weeks"] == "A"
    assert monday not in api.week("2026-W50")
    assert monday not in api.week("2026-W52")  # B, W51 too (overridden)
    assert monday in api.week("2026-W53") and monday in api.week("2026-W47")


BAD_INPUT = [
    ({"holidays": [{"name": "Easter", "start": "2027-04-09", "end": "2027-03-29"}]}, "holidays.0.end", "ends before it starts"),
    ({"holidays": [{"name": "Easter", "start": "2027-04-31", "end": "2027-05-02"}]}, "holidays.0.start", "Not a valid date"),
    ({"terms": [{"name": "Autumn", "start": "2026-W54", "end": "2026-W60"}]}, "terms.0.start", "2026 has 53 ISO weeks"),
    ({"terms": [{"name": "Autumn", "start": "autumn", "end": "2026-W51"}]}, "terms.0.start", "not a week"),
    ({"terms": [{"name": "Autumn", "start": "2026-W51", "end": "2026-W36"}]}, "terms.0.end", "ends before it starts"),
    ({"terms": [CALENDAR["terms"][0], {**CALENDAR["terms"][0], "name": "autumn"}]}, "terms.1.name", "Another term is called"),
    ({"terms": [{"name": "", "start": "2026-W36", "end": "2026-W51"}]}, "terms.0.name", "Give a name"),
    ({"cycle": {"length": 2}}, "cycle.start", "needs the week it starts with"),
    ({"cycle": {"length": 27, "start": "2026-W48"}}, "cycle.length", "less than or equal to 26"),
    ({"cycle": {"length": 2, "start": "2026-W48", "overrides": [{"week": "2026-W50", "label": "C"}]}},
     "cycle.overrides.0.label", "not a label of this cycle (A, B)"),
    ({"cycle": None}, "cycle", "may not be null"),
]


@pytest.mark.parametrize(("change", "field", "message"), BAD_INPUT)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(api, change, field, message):
    assert put(api, CALENDAR).status_code == 200
    response = put(api, {**CALENDAR, **change})
    assert response.status_code == 400
    found = response.get_json()["error"]["fields"]
    for key in field.split("."):
        found = found[key]
    assert message in " ".join(found), found
    assert api.client.get("/api/timetables/t/calendar").get_json() == CALENDAR


def test_put_needs_every_part_and_a_json_body(api):
    response = put(api, {"terms": []})
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) == {"holidays", "cycle"}
    text = api.client.put("/api/timetables/t/calendar", data="terms=", headers={"X-CSRFToken": api.csrf})
    assert text.status_code == 400 and "JSON" in text.get_json()["error"]["message"]


def test_put_needs_a_login_and_the_csrf_token(client, api_school):  # noqa: F811
    anonymous_csrf = client.get("/api/session").get_json()["csrf_token"]
    assert client.put("/api/timetables/t/calendar", json=CALENDAR, headers={"X-CSRFToken": anonymous_csrf}).status_code == 401
    api = Api(client)
    assert api.client.put("/api/timetables/t/calendar", json=CALENDAR).status_code == 400
    assert api.client.get("/api/timetables/t/calendar").get_json()["terms"] == []


def test_the_openapi_description_documents_the_calendar(client, api_school):  # noqa: F811
    spec = client.get("/api/openapi.json").get_json()
    assert {"get", "put"} <= set(spec["paths"]["/api/timetables/{slug}/calendar"])
    assert "CalendarSchema" in spec["components"]["schemas"]


def test_booking_on_a_holiday_is_refused_by_the_api_and_the_booking_page(client, app, clinic_ids):  # noqa: F811
    ids = clinic_ids
    monday = date.fromisoformat(MONDAY)
    with app.app_context():
        replace_calendar(get_timetable("c"), CalendarSpec(holidays=[Holiday("Bank holiday", monday, monday)]))
    visitor = Visitor(client, ids, "lock-1")
    assert (ids["class"], 0) not in visitor.units(W48)
    response = visitor.hold("class")
    assert response.status_code == 400
    assert f"does not take place on {MONDAY} (Holiday: Bank holiday): booking is closed" in response.get_json()["error"]["message"]
    page = client.get(f"/c/book/{ids['class']}?week={W48}").get_data(as_text=True)
    assert "Holiday: Bank holiday" in page and "booking is closed" in page
    assert client.get(f"/api/timetables/c/weeks/{W48}/availability", query_string={"lock_code": "x"}).status_code == 200
