"""Issue 11, "set up your own school", end to end through the API with a Bearer token only.

From an empty database: an administrator and their API token, then nothing but
`Authorization: Bearer` requests (no cookie, no CSRF token) build a school: the timetable, its
calendar (a holiday, an A/B cycle), bell times with a short Friday, teachers, rooms, classes,
courses and six slots. A visitor then reads the published weeks: a normal week, week A against
week B, and the holiday week.
"""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

W48, W49, W50 = "2026-W48", "2026-W49", "2026-W50"  # week A, week B, week A with the holiday
HOLIDAY = "2026-12-09"  # the Wednesday of 2026-W50

LONG_DAY = (("1", "08:30", "09:20"), ("2", "09:30", "10:20"), ("3", "10:40", "11:30"))
SHORT_FRIDAY = (("1", "08:30", "09:10"), ("2", "09:20", "10:00"), ("3", "10:10", "10:50"))
BELLS = {"schedules": [{"from_week": "2026-W36", "periods": [
    {"weekday": day, "name": name, "start": start, "end": end}
    for day in range(1, 6) for name, start, end in (SHORT_FRIDAY if day == 5 else LONG_DAY)
]}]}
CALENDAR = {
    "terms": [{"name": "Autumn", "start": "2026-W36", "end": "2026-W51"}],
    "holidays": [{"name": "Founders' Day", "start": HOLIDAY, "end": HOLIDAY}],
    "cycle": {"length": 2, "start": W48, "overrides": []},
}


class BearerApi:
    """A client that never holds a cookie: every request carries only the Bearer token."""

    def __init__(self, app, token: str):
        self.app = app
        self.headers = {"Authorization": f"Bearer {token}"}

    def _client(self):
        return self.app.test_client(use_cookies=False)

    def get(self, path: str):
        return self._client().get(f"/api{path}", headers=self.headers)

    def post(self, path: str, body: dict):
        return self._client().post(f"/api{path}", json=body, headers=self.headers)

    def put(self, path: str, body: dict):
        return self._client().put(f"/api{path}", json=body, headers=self.headers)

    def patch(self, path: str, body: dict):
        return self._client().patch(f"/api{path}", json=body, headers=self.headers)

    def created(self, path: str, body: dict) -> int:
        response = self.post(path, body)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]


def _counts(app) -> dict[str, int]:
    from timetable.extensions import db
    from timetable.models import ChangeSet, Course, Group, Room, Slot, SlotRule, Staff, Timetable

    with app.app_context():
        return {model.__tablename__: db.session.scalar(select(func.count()).select_from(model))
                for model in (Timetable, Staff, Room, Group, Course, Slot, SlotRule, ChangeSet)}


@pytest.fixture
def api(app):
    """The administrator's token, made on an empty database; the API client holding only that token."""
    from timetable.services.accounts import create_user
    from timetable.services.api_tokens import create_token

    assert set(_counts(app).values()) == {0}
    with app.app_context():
        admin = create_user("head", "head-teacher-1234", "Head teacher", is_admin=True)
        _row, token = create_token(admin.id, "set-up script")
    return BearerApi(app, token)


def _build_school(api: BearerApi) -> dict[str, int]:
    """Everything a school needs, through the API; returns the ids by short name."""
    timetable = api.post("/timetables", {"slug": "hill", "name": "Hill School", "time_zone": "Europe/London"})
    assert timetable.status_code == 201, timetable.get_json()
    assert timetable.get_json()["published"] is False

    calendar = api.put("/timetables/hill/calendar", CALENDAR)
    assert calendar.status_code == 200, calendar.get_json()
    bells = api.put("/timetables/hill/periods", BELLS)
    assert bells.status_code == 200, bells.get_json()
    fridays = [p for p in api.get("/timetables/hill/periods").get_json()["schedules"][0]["periods"] if p["weekday"] == 5]
    assert [(p["start"], p["end"]) for p in fridays] == [(start, end) for _name, start, end in SHORT_FRIDAY]

    ids: dict[str, int] = {}
    ids["maths"] = api.created("/timetables/hill/courses", {"name": "Maths"})
    ids["english"] = api.created("/timetables/hill/courses", {"name": "English"})
    ids["ada"] = api.created("/timetables/hill/staff", {"name": "Ada Lovelace", "short_name": "LOV", "courses": [ids["maths"]]})
    ids["ben"] = api.created("/timetables/hill/staff", {"name": "Ben Okri", "short_name": "OKR", "courses": [ids["english"]]})
    ids["cleo"] = api.created("/timetables/hill/staff", {"name": "Cleo Laine", "courses": [ids["maths"], ids["english"]]})
    for room in ("1", "2", "3"):
        ids[f"r{room}"] = api.created("/timetables/hill/rooms", {"name": f"Room {room}", "capacity": 30})
    ids["7a"] = api.created("/timetables/hill/groups", {"name": "7A", "size": 28})
    ids["7b"] = api.created("/timetables/hill/groups", {"name": "7B", "size": 27})
    return ids


def _lessons(ids: dict[str, int]) -> list[dict]:
    """Six lessons on the bell times; the Wednesday English and the Thursday Maths are week A only."""
    def lesson(weekday, start, duration, course, staff, room, group, **extra):
        return {"weekday": weekday, "start": start, "duration": duration, "course": ids[course], "staff": ids[staff],
                "room": ids[room], "group": ids[group], **extra}

    return [
        lesson("Monday", "08:30", 50, "maths", "ada", "r1", "7a"),
        lesson("Tuesday", "09:30", 50, "english", "ben", "r2", "7b"),
        lesson("Wednesday", "08:30", 50, "maths", "ada", "r1", "7b"),
        lesson("Wednesday", "10:40", 50, "english", "ben", "r2", "7a", cycle_weeks="A"),
        lesson("Thursday", "09:30", 50, "maths", "cleo", "r3", "7a", cycle_weeks="A"),
        lesson("Friday", "08:30", 40, "english", "cleo", "r3", "7b"),  # the short Friday's first period
    ]


def _seen(week: dict) -> list[tuple]:
    return [(o["weekday"], o["start"], o["end"], o["title"], o["labels"].get("room"), o["labels"].get("group"))
            for o in week["occurrences"]]


EVERY_WEEK = [
    (1, "08:30", "09:20", "Maths", "Room 1", "7A"),
    (2, "09:30", "10:20", "English", "Room 2", "7B"),
    (3, "08:30", "09:20", "Maths", "Room 1", "7B"),
    (5, "08:30", "09:10", "English", "Room 3", "7B"),
]
A_ONLY = [
    (3, "10:40", "11:30", "English", "Room 2", "7A"),
    (4, "09:30", "10:20", "Maths", "Room 3", "7A"),
]


def test_a_bearer_token_sets_up_a_school_from_nothing_and_visitors_see_its_weeks(app, api):
    visitor = app.test_client()
    ids = _build_school(api)

    body = {"start": W48, "slots": _lessons(ids)}
    plan = api.post("/timetables/hill/slots/plan", body)
    assert plan.status_code == 200, plan.get_json()
    assert plan.get_json()["summary"] == f"6 new slots · from {W48}"
    applied = api.post("/timetables/hill/slots/apply", {**body, "token": plan.get_json()["token"]})
    assert applied.status_code == 201, applied.get_json()
    assert len(applied.get_json()["slots"]) == 6

    # Unpublished, visitors do not find it; the token's PATCH publishes it.
    assert visitor.get(f"/api/timetables/hill/weeks/{W48}").status_code == 404
    published = api.patch("/timetables/hill", {"published": True})
    assert published.status_code == 200, published.get_json()

    def week(name: str) -> dict:
        response = visitor.get(f"/api/timetables/hill/weeks/{name}")
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    # Week A: all six lessons, in time order, on the bell times (the Friday one ends with the short period).
    week_a = week(W48)
    assert week_a["cycle_label"] == "A" and week_a["holidays"] == []
    assert _seen(week_a) == sorted(EVERY_WEEK + A_ONLY)
    # Week B: the same less exactly the two week-A-only lessons.
    week_b = week(W49)
    assert week_b["cycle_label"] == "B" and week_b["holidays"] == []
    assert _seen(week_b) == EVERY_WEEK
    assert sorted(set(_seen(week_a)) - set(_seen(week_b))) == A_ONLY
    # Before the lessons start, nothing.
    assert week("2026-W47")["occurrences"] == []

    # The holiday week (a week A): Founders' Day by name, and no lesson on that Wednesday, the others as usual.
    holiday_week = week(W50)
    assert holiday_week["cycle_label"] == "A"
    assert [(h["date"], h["name"]) for h in holiday_week["holidays"]] == [(HOLIDAY, "Founders' Day")]
    assert [o for o in holiday_week["occurrences"] if o["date"] == HOLIDAY] == []
    assert _seen(holiday_week) == sorted(o for o in EVERY_WEEK + A_ONLY if o[0] != 3)

    # A visitor only reads: the same write without the token is refused.
    assert visitor.post("/api/timetables/hill/rooms", json={"name": "Room 9"}).status_code in (400, 401)


@pytest.mark.parametrize(("lesson", "field", "words"), [
    ({"room": 99999}, "room", "no room #99999"),
    ({"staff": 99999}, "staff", "no staff member #99999"),
    ({"cycle_weeks": "C"}, "cycle_weeks", "week C never comes"),
])
def test_bad_slots_sent_with_the_token_are_refused_naming_the_field_and_write_nothing(app, api, lesson, field, words):
    ids = _build_school(api)
    before = _counts(app)
    slots = _lessons(ids)
    slots[1] = {**slots[1], **lesson}
    body = {"start": W48, "slots": slots}
    response = api.post("/timetables/hill/slots/plan", body)
    assert response.status_code == 400, response.get_json()
    error = response.get_json()["error"]
    assert words in error["message"] and (field in error["fields"] or field in str(error["fields"])), error
    applied = api.post("/timetables/hill/slots/apply", {**body, "token": "x"})
    assert applied.status_code == 400
    assert _counts(app) == before


def test_bad_set_up_requests_with_the_token_are_refused_naming_the_field_and_write_nothing(app, api):
    _build_school(api)
    before = _counts(app)
    calendar_before = api.get("/timetables/hill/calendar").get_json()
    bells_before = api.get("/timetables/hill/periods").get_json()

    backwards = {**CALENDAR, "holidays": [{"name": "Half term", "start": "2026-10-30", "end": "2026-10-26"}]}
    response = api.put("/timetables/hill/calendar", backwards)
    assert response.status_code == 400
    assert "end" in str(response.get_json()["error"]["fields"]["holidays"])

    overlapping = {"schedules": [{"from_week": "2026-W36", "periods": [
        {"weekday": 5, "name": "1", "start": "08:30", "end": "09:10"}, {"weekday": 5, "name": "2", "start": "09:00", "end": "09:40"}]}]}
    response = api.put("/timetables/hill/periods", overlapping)
    assert response.status_code == 400
    assert "overlaps" in str(response.get_json()["error"]["fields"]["schedules"]["0"]["periods"]["1"]["start"])

    response = api.post("/timetables/hill/rooms", {"name": "room 1"})
    assert response.status_code == 409 and "name" in response.get_json()["error"]["fields"]  # taken: a conflict, still by field
    response = api.post("/timetables", {"slug": "api", "name": "Other school", "time_zone": "Mars/Olympus"})
    assert response.status_code == 400
    assert set(response.get_json()["error"]["fields"]) >= {"slug", "time_zone"}

    assert _counts(app) == before
    assert api.get("/timetables/hill/calendar").get_json() == calendar_before
    assert api.get("/timetables/hill/periods").get_json() == bells_before


def test_a_wrong_token_writes_nothing(app):
    before = _counts(app)
    response = BearerApi(app, "tt_not-a-token").post("/timetables", {"slug": "hill", "name": "Hill School", "time_zone": "UTC"})
    assert response.status_code == 401 and response.is_json
    assert _counts(app) == before
