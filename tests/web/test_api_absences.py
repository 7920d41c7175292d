"""The absences API: register, list, change and withdraw absences; bad input names its field and writes nothing."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.web.test_api_editing import Api, api_school  # noqa: F401  (fixture)
from timetable.extensions import db
from timetable.models import Absence, AbsenceChange


@pytest.fixture
def api(client, api_school):  # noqa: F811
    return Api(client, api_school["last_setup_change"])


@pytest.fixture
def christmas(app, api_school):  # noqa: F811
    from timetable.rules.calendar import Holiday
    from timetable.services.calendar import CalendarSpec, replace_calendar
    from timetable.services.catalog import get_timetable

    with app.app_context():
        replace_calendar(get_timetable("t"), CalendarSpec(holidays=[Holiday("Christmas", date(2026, 12, 19), date(2027, 1, 3))]))


def _rows(app):
    with app.app_context():
        absences = [(a.id, a.resource_id, a.start_date, a.end_date, a.reason, a.withdrawn) for a in db.session.scalars(select(Absence))]
        return absences, db.session.query(AbsenceChange).count()


def test_an_absence_is_registered_listed_changed_and_audited(app, api, api_school):  # noqa: F811
    created = api.post("/absences", {"staff": api_school["x"], "start": "2026-12-07", "end": "2026-12-11", "reason": "Flu"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["kind"], body["resource_id"], body["name"], body["start"], body["end"], body["reason"]) == (
        "staff", api_school["x"], "X", "2026-12-07", "2026-12-11", "Flu")
    assert body["from"] is None and body["until"] is None and body["status"] == "sick"

    changed = api.client.patch(f"/api/timetables/t/absences/{body['id']}", json={"end": "2026-12-18", "from": "08:00", "until": "12:00"},
                               headers={"X-CSRFToken": api.csrf})
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["end"], changed.get_json()["from"], changed.get_json()["until"]) == ("2026-12-18", "08:00", "12:00")

    listed = api.client.get("/api/timetables/t/absences").get_json()["absences"]
    assert [a["id"] for a in listed] == [body["id"]]
    audit = listed[0]["audit"]
    assert [line["before"] is None for line in audit] == [True, False]
    assert audit[1]["before"]["end_date"] == "2026-12-11" and audit[1]["after"]["end_date"] == "2026-12-18"

    withdrawn = api.client.patch(f"/api/timetables/t/absences/{body['id']}", json={"withdrawn": True}, headers={"X-CSRFToken": api.csrf})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["withdrawn"] is True
    assert api.client.get("/api/timetables/t/absences").get_json()["absences"] == []
    assert len(api.client.get("/api/timetables/t/absences?withdrawn=1").get_json()["absences"]) == 1
    unclear = api.client.get("/api/timetables/t/absences?withdrawn=yes")
    assert unclear.status_code == 400 and "withdrawn" in unclear.get_data(as_text=True)


@pytest.mark.parametrize(("body", "field"), [
    ({"start": "2026-12-11", "end": "2026-12-07"}, "end"),
    ({"staff": 999999, "start": "2026-12-07", "end": "2026-12-11"}, "staff"),
    ({"start": "2026-12-21", "end": "2026-12-24"}, "start"),
    ({"start": "2026-12-26", "end": "2026-12-27"}, "start"),
    ({"start": "2026-12-07", "end": "2026-12-11", "from": "12:00", "until": "08:00"}, "until"),
    ({"start": "2026-12-07", "end": "2026-12-11", "from": "12:00"}, "until"),
    ({"start": "2026-12-07", "end": "2026-12-11", "status": "present"}, "status"),
    ({"start": "not a date", "end": "2026-12-11"}, "start"),
    ({"staff": None, "start": "2026-12-07", "end": "2026-12-11"}, "staff"),
])
def test_bad_input_is_refused_naming_its_field_and_writes_nothing(app, api, api_school, christmas, body, field):  # noqa: F811
    before = _rows(app)
    answer = api.post("/absences", {"staff": api_school["x"], **body})
    assert answer.status_code == 400, answer.get_json()
    assert field in answer.get_json()["error"]["fields"], answer.get_json()
    assert _rows(app) == before


def test_a_staff_member_of_another_timetable_is_refused(app, api, api_school):  # noqa: F811
    from timetable.database import write_transaction
    from timetable.models import Staff
    from timetable.services.creation import create_timetable

    with app.app_context():
        with write_transaction():
            other = create_timetable("other", "Other school", "Europe/Paris")
            stranger = Staff(timetable_id=other.id, name="Stranger")
            db.session.add(stranger)
        stranger_id = stranger.id
    answer = api.post("/absences", {"staff": stranger_id, "start": "2026-12-07", "end": "2026-12-11"})
    assert answer.status_code == 400 and "staff" in answer.get_json()["error"]["fields"]
    assert _rows(app) == ([], 0)


def test_a_bad_change_is_refused_and_keeps_the_absence(app, api, api_school):  # noqa: F811
    body = api.post("/absences", {"staff": api_school["x"], "start": "2026-12-07", "end": "2026-12-11"}).get_json()
    before = _rows(app)
    answer = api.client.patch(f"/api/timetables/t/absences/{body['id']}", json={"end": "2026-12-01"}, headers={"X-CSRFToken": api.csrf})
    assert answer.status_code == 400 and "end" in answer.get_json()["error"]["fields"]
    assert _rows(app) == before
    assert api.client.patch("/api/timetables/t/absences/424242", json={"end": "2026-12-20"},
                            headers={"X-CSRFToken": api.csrf}).status_code == 404


def test_the_cover_lists_each_lesson_of_the_absent_teacher_with_ranked_candidates(app, api, api_school):  # noqa: F811
    body = api.post("/absences", {"staff": api_school["x"], "start": "2026-12-07", "end": "2026-12-11"}).get_json()
    affected = api.client.get(f"/api/timetables/t/absences/{body['id']}/cover").get_json()["affected"]
    assert [(a["slot_id"], a["date"]) for a in affected] == [
        (slot_id, f"2026-12-{7 + n:02d}") for n, slot_id in enumerate(api_school["lessons"])]
    # Y is free all week; Z teaches Physics on Monday at 09:00, which does not overlap 08:00–08:50.
    first = affected[0]["candidates"]
    assert [c["name"] for c in first if c["eligible"]] == ["Y", "Z"]
    assert next(c for c in first if c["name"] == "X")["reasons"] == ["teaches it already", "absent then"]
    assert "free then" in first[0]["reasons"]


def test_an_absence_for_some_periods_takes_their_times_from_the_bell_grid(app, api, api_school):  # noqa: F811
    from timetable.database import write_transaction
    from timetable.rules import parse_week
    from timetable.rules.periods import BellGrid, Period
    from timetable.services.bells import replace_grids
    from timetable.services.catalog import get_timetable

    periods = tuple(Period(day, start, start + 50, name) for day in range(1, 6) for name, start in (("1", 480), ("2", 535)))
    with app.app_context(), write_transaction():
        replace_grids(get_timetable("t"), [BellGrid(parse_week("2026-W40"), periods)])
    body = api.post("/absences", {"staff": api_school["z"], "start": "2026-12-07", "end": "2026-12-11",
                                  "first_period": "2", "last_period": "2"}).get_json()
    assert (body["from"], body["until"]) == ("08:55", "09:45")
    # Z's Physics (Monday 09:00) overlaps period 2; nothing else of Z's is then.
    affected = api.client.get(f"/api/timetables/t/absences/{body['id']}/cover").get_json()["affected"]
    assert [a["slot_id"] for a in affected] == [api_school["other"]]
    before = _rows(app)
    refused = api.post("/absences", {"staff": api_school["z"], "start": "2026-12-07", "end": "2026-12-11", "first_period": "9"})
    assert refused.status_code == 400 and "first_period" in refused.get_json()["error"]["fields"]
    assert _rows(app) == before
