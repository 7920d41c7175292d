"""The bell-times API: GET and PUT the grids, plan a change, bad input refused naming the field."""

from __future__ import annotations

import pytest

from tests.web.test_api_editing import Api, api_school  # noqa: F401 (a fixture)

MONDAY_TO_FRIDAY = [
    {"weekday": day, "name": name, "start": start, "end": end}
    for day in range(1, 6) for name, start, end in (("1", "08:00", "08:50"), ("2", "09:00", "09:50"))
]


def grids(*schedules):
    return {"schedules": [{"from_week": week, "periods": periods} for week, periods in schedules]}


@pytest.fixture
def api(client, api_school):  # noqa: F811
    return Api(client, api_school["last_setup_change"])


def put(api, body):
    return api.client.put("/api/timetables/t/periods", json=body, headers={"X-CSRFToken": api.csrf})


def test_put_then_get_round_trips_the_grids(api):
    friday_short = [p if p["weekday"] != 5 or p["name"] != "2" else {**p, "end": "09:40"} for p in MONDAY_TO_FRIDAY]
    body = grids(("2026-W40", MONDAY_TO_FRIDAY), ("2027-W45", friday_short))
    response = put(api, body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["change"]["kind"] == "bells"
    got = api.client.get("/api/timetables/t/periods").get_json()
    assert [g["from_week"] for g in got["schedules"]] == ["2026-W40", "2027-W45"]
    fridays = [p for p in got["schedules"][1]["periods"] if p["weekday"] == 5]
    assert fridays == [{"weekday": 5, "name": "1", "start": "08:00", "end": "08:50"},
                       {"weekday": 5, "name": "2", "start": "09:00", "end": "09:40"}]
    # The same grids again change nothing.
    again = put(api, body)
    assert again.status_code == 200 and again.get_json() == {"change": None}


def test_a_planned_period_move_lists_every_slot_and_applies_with_its_token(api, api_school):  # noqa: F811
    assert put(api, grids(("2026-W40", MONDAY_TO_FRIDAY))).status_code == 200
    moved = [{**p, "start": "08:05", "end": "08:55"} if p["name"] == "1" else p for p in MONDAY_TO_FRIDAY]
    body = grids(("2026-W40", MONDAY_TO_FRIDAY), ("2026-W48", moved))
    plan = api.post("/periods/plan", body)
    assert plan.status_code == 200, plan.get_json()
    plan = plan.get_json()
    assert {line["slot_id"] for line in plan["lines"]} == set(api_school["lessons"])
    assert plan["grid_changes"] == ["Grid from 2026-W48 added (10 periods)"]
    response = put(api, {**body, "token": plan["token"]})
    assert response.status_code == 200, response.get_json()
    assert api.week("2026-W48")[api_school["lessons"][0]]["start"] == 485
    assert api.week("2026-W47")[api_school["lessons"][0]]["start"] == 480
    # The token is spent: the stored grids changed since that plan.
    assert put(api, {**body, "token": plan["token"]}).status_code == 409


@pytest.mark.parametrize("periods, where, words", [
    ([{"weekday": 5, "name": "1", "start": "08:00", "end": "08:50"}, {"weekday": 5, "name": "2", "start": "08:30", "end": "09:20"}],
     ["schedules", "0", "periods", "1", "start"], "overlaps"),
    ([{"weekday": 5, "name": "1", "start": "09:00", "end": "08:00"}], ["schedules", "0", "periods", "0", "end"], "not after its start"),
    ([{"weekday": 5, "name": "1", "start": "08:00", "end": "25:00"}], ["schedules", "0", "periods", "0", "end"], "00:00 to 24:00"),
    ([{"weekday": 9, "name": "1", "start": "08:00", "end": "09:00"}], ["schedules", "0", "periods", "0", "weekday"],
     "less than or equal to 7"),
    ([{"weekday": 5, "name": "1", "start": "8 o'clock", "end": "09:00"}], ["schedules", "0", "periods", "0", "start"], "time of day"),
])
def test_bad_periods_are_refused_naming_the_field_and_write_nothing(api, periods, where, words):
    response = put(api, grids(("2026-W40", periods)))
    assert response.status_code == 400
    node = response.get_json()["error"]["fields"]
    for key in where:
        node = node[key]
    assert words in " ".join(node)
    assert api.client.get("/api/timetables/t/periods").get_json() == {"schedules": []}


def test_a_bad_week_and_an_unknown_timetable_are_refused(api):
    response = put(api, grids(("2026-W54", MONDAY_TO_FRIDAY)))
    assert response.status_code == 400
    assert "2026 has 53 ISO weeks" in response.get_json()["error"]["fields"]["schedules"]["0"]["from_week"][0]
    response = put(api, grids(("2026-W40", []), ("2026-W40", [])))
    assert response.status_code == 400
    assert "two bell grids" in response.get_json()["error"]["fields"]["schedules"]["1"]["from_week"][0]
    assert api.client.get("/api/timetables/nowhere/periods").status_code == 404
    assert api.client.get("/api/timetables/t/periods").get_json() == {"schedules": []}


def test_anonymous_callers_get_401_and_the_routes_are_described(client, api_school):  # noqa: F811
    assert client.get("/api/timetables/t/periods").status_code == 401
    assert client.put("/api/timetables/t/periods", json=grids()).status_code in (400, 401)
    spec = client.get("/api/openapi.json").get_json()
    assert {"get", "put"} <= set(spec["paths"]["/api/timetables/{slug}/periods"])
    assert "post" in spec["paths"]["/api/timetables/{slug}/periods/plan"]
    assert "BellGridsSchema" in spec["components"]["schemas"]
