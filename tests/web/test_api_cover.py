"""The cover API: assign all and apply (201, then 409 when stale), explicit items, bad items, cover limits, and
editing an absence re-plans its open cover.

The API school: X's Maths Monday to Friday at 08:00 (room 101), Z's Physics Monday 09:00 (Lab), Y free.
Pinned clock 2026-11-20; W50 is 7-11 December, W51 14-18 December.
"""

from __future__ import annotations

from sqlalchemy import select

from tests.web.test_api_absences import api  # noqa: F401  (fixture)
from tests.web.test_api_editing import api_school  # noqa: F401  (fixture)
from timetable.extensions import db
from timetable.models import ChangeSet, CoverLimits, SlotRule


def _writes(app):
    with app.app_context():
        limits = [(c.per_day, c.per_week) for c in db.session.scalars(select(CoverLimits))]
        return db.session.query(ChangeSet).count(), db.session.query(SlotRule).count(), limits


def _absence(api, **body):  # noqa: F811
    created = api.post("/absences", {"staff": body.pop("staff"), "start": "2026-12-07", "end": "2026-12-11", **body})
    assert created.status_code == 201, created.get_json()
    return created.get_json()["id"]


def _patch(api, absence_id, body):  # noqa: F811
    answer = api.client.patch(f"/api/timetables/t/absences/{absence_id}", json=body, headers={"X-CSRFToken": api.csrf})
    assert answer.status_code == 200, answer.get_json()


def _open_days(api, absence_id):  # noqa: F811
    affected = api.client.get(f"/api/timetables/t/absences/{absence_id}/cover").get_json()["affected"]
    return sorted(a["date"] for a in affected if a["covered_by"] is None), sorted(a["date"] for a in affected if a["covered_by"])


def test_assign_all_plans_with_no_clash_applies_once_and_a_stale_token_is_refused(app, api, api_school):  # noqa: F811
    _absence(api, staff=api_school["x"])
    plan = api.post("/cover/plan", {})
    assert plan.status_code == 200, plan.get_json()
    body = plan.get_json()
    assert body["clashes_created"] == 0 and body["uncovered"] == [] and len(body["items"]) == 5
    assert {i["kind"] for i in body["items"]} == {"cover"} and {i["status"] for i in body["items"]} == {"sick"}
    assert {i["staff_id"] for i in body["items"]} <= {api_school["y"], api_school["z"]} and body["plan"]["token"] == body["token"]

    applied = api.post("/cover/apply", {"items": body["items"], "token": body["token"]})
    assert applied.status_code == 201, applied.get_json()
    assert applied.get_json()["change"]["summary"].startswith("Cover: 5 lessons covered")
    before = _writes(app)
    again = api.post("/cover/apply", {"items": body["items"], "token": body["token"]})
    assert again.status_code == 409 and _writes(app) == before


def test_explicit_items_room_move_and_cancel_plan_and_apply(app, api, api_school):  # noqa: F811
    _absence(api, staff=api_school["x"])
    monday, tuesday, wednesday = api_school["lessons"][:3]
    items = [{"kind": "room", "slot_id": monday, "week": "2026-W50", "room_id": api_school["r2"]},
             {"kind": "move", "slot_id": tuesday, "week": "2026-W50", "weekday": 6, "start": "10:00"},
             {"kind": "cancel", "slot_id": wednesday, "week": "2026-W50"},
             {"kind": "cover", "slot_id": api_school["lessons"][3], "week": "2026-W50", "staff_id": api_school["y"]}]
    plan = api.post("/cover/plan", {"items": items})
    assert plan.status_code == 200, plan.get_json()
    body = plan.get_json()
    assert body["clashes_created"] == 0 and "1 room changed" in body["summary"] and "1 moved" in body["summary"]
    assert [i["kind"] for i in body["items"]] == ["cover", "cancel", "room", "move"] and body["items"][3]["start"] == "10:00"
    applied = api.post("/cover/apply", {"items": body["items"], "token": body["token"]})
    assert applied.status_code == 201, applied.get_json()
    week = api.week("2026-W50")
    assert week[monday]["room"] == api_school["r2"] and (week[tuesday]["weekday"], week[tuesday]["start"]) == (6, 600)
    assert week[wednesday]["status"] == "temporarily_closed"
    assert api.week("2026-W51")[tuesday]["weekday"] == 2


def test_bad_items_are_refused_with_a_4xx_and_write_nothing(app, api, api_school):  # noqa: F811
    _absence(api, staff=api_school["x"])
    monday = api_school["lessons"][0]
    before = _writes(app)
    bad = [
        ({"items": [{"kind": "room", "slot_id": monday, "week": "2026-W50"}]}, 400),                       # no room_id
        ({"items": [{"kind": "teleport", "slot_id": monday, "week": "2026-W50"}]}, 400),
        ({"items": [{"kind": "move", "slot_id": monday, "week": "2026-W50", "weekday": 8, "start": "10:00"}]}, 400),
        ({"items": [{"kind": "room", "slot_id": monday, "week": "2026-W30", "room_id": api_school["r2"]}]}, 409),  # not held: state
        ({"items": [{"kind": "room", "slot_id": 99999, "week": "2026-W50", "room_id": api_school["r2"]}]}, 404),
        ({"items": [{"kind": "merge", "slot_id": monday, "week": "2026-W50", "with_slot_id": api_school["lessons"][1]}]}, 400),
        ({"absences": [99999]}, 404),
        ({"from": "2026-12-11", "until": "2026-12-07"}, 400),
    ]
    for body, status in bad:
        answer = api.post("/cover/plan", body)
        assert answer.status_code == status, (body, answer.get_json())
        assert answer.get_json()["error"]["message"]
    for body, status in bad[:6]:
        answer = api.post("/cover/apply", {**body, "token": "x"})
        assert answer.status_code == status, (body, answer.get_json())
    assert api.post("/cover/apply", {"token": "x"}).status_code == 400
    assert _writes(app) == before


def test_session_posts_need_the_csrf_token(app, api, api_school):  # noqa: F811
    before = _writes(app)
    assert api.client.post("/api/timetables/t/cover/plan", json={}).status_code in (400, 403)
    assert api.client.put("/api/timetables/t/cover-limits", json={"per_day": 1, "per_week": 2}).status_code in (400, 403)
    assert _writes(app) == before


def test_cover_limits_are_read_and_set(app, api):  # noqa: F811
    assert set(api.client.get("/api/timetables/t/cover-limits").get_json()) == {"per_day", "per_week"}
    put = api.client.put("/api/timetables/t/cover-limits", json={"per_day": 1, "per_week": 3}, headers={"X-CSRFToken": api.csrf})
    assert put.status_code == 200 and put.get_json() == {"per_day": 1, "per_week": 3}
    assert api.client.get("/api/timetables/t/cover-limits").get_json() == {"per_day": 1, "per_week": 3}
    before = _writes(app)
    for body in ({"per_day": -1, "per_week": 3}, {"per_day": 1}, {"per_day": "2", "per_week": 3}, {"per_day": 51, "per_week": 3}):
        answer = api.client.put("/api/timetables/t/cover-limits", json=body, headers={"X-CSRFToken": api.csrf})
        assert answer.status_code == 400, body
    assert _writes(app) == before


def test_the_solver_keeps_to_the_limits_set_through_the_api(app, api, api_school):  # noqa: F811
    api.client.put("/api/timetables/t/cover-limits", json={"per_day": 1, "per_week": 1}, headers={"X-CSRFToken": api.csrf})
    _absence(api, staff=api_school["x"])
    body = api.post("/cover/plan", {}).get_json()
    assert len(body["items"]) == 2 and len(body["uncovered"]) == 3
    assert all("cover limit" in u["why"] for u in body["uncovered"])
    cancel = [s["item"] for s in body["uncovered"][0]["suggestions"] if s["kind"] == "cancel"]
    assert cancel == [{"kind": "cancel", "slot_id": body["uncovered"][0]["slot_id"], "week": body["uncovered"][0]["week"]}]


def test_editing_an_absence_replans_its_open_cover(app, api, api_school):  # noqa: F811
    absence = _absence(api, staff=api_school["x"], end="2026-12-08")
    plan = api.post("/cover/plan", {"absences": [absence]}).get_json()
    assert len(plan["items"]) == 2
    assert api.post("/cover/apply", {"items": plan["items"], "token": plan["token"]}).status_code == 201

    # Longer: the new days are open, the covered ones stay covered and are not planned again.
    _patch(api, absence, {"end": "2026-12-15"})
    open_days, covered = _open_days(api, absence)
    assert covered == ["2026-12-07", "2026-12-08"]
    assert open_days == ["2026-12-09", "2026-12-10", "2026-12-11", "2026-12-14", "2026-12-15"]
    replanned = api.post("/cover/plan", {"absences": [absence]}).get_json()
    assert sorted((i["slot_id"], i["week"]) for i in replanned["items"]) == sorted(
        [(s, "2026-W50") for s in api_school["lessons"][2:]] + [(s, "2026-W51") for s in api_school["lessons"][:2]])

    # Other periods: only the afternoon, when X teaches nothing.
    _patch(api, absence, {"from": "13:00", "until": "17:00"})
    assert _open_days(api, absence) == ([], [])
    assert api.post("/cover/plan", {"absences": [absence]}).status_code == 409  # nothing to assign: the state, not the request

    # Back to whole days, and shorter: the dropped days are no longer listed, nor planned.
    _patch(api, absence, {"from": None, "until": None, "end": "2026-12-09"})
    assert _open_days(api, absence) == (["2026-12-09"], ["2026-12-07", "2026-12-08"])
    shorter = api.post("/cover/plan", {"absences": [absence]}).get_json()
    assert [(i["slot_id"], i["week"]) for i in shorter["items"]] == [(api_school["lessons"][2], "2026-W50")]
    # And a date range cuts the plan to its days.
    ranged = api.post("/cover/plan", {"from": "2026-12-09", "until": "2026-12-09"}).get_json()
    assert [i["slot_id"] for i in ranged["items"]] == [api_school["lessons"][2]]
