"""The bell-times page: grids listed with their weeks, a grid edited per weekday, preview, apply; the editor's period lines."""

from __future__ import annotations

import re

import pytest

from tests.conftest import csrf_token_from
from tests.integration.helpers import values, week
from timetable.extensions import db
from timetable.models import BellSchedule, ChangeSet, Period
from timetable.rules.periods import BellGrid
from timetable.rules.periods import Period as P
from timetable.services.bells import load_grids
from timetable.services.editing.bell_changes import apply_bells

WEEKDAY_TEXT = "1 08:00-08:50\n2 09:00-09:50"


@pytest.fixture
def scheduler(client, auth, editor, school):
    auth.login()
    return client


def form(client, **fields):
    page = client.get("/t/periods/edit?from=2026-W40").get_data(as_text=True)
    data = {"csrf_token": csrf_token_from(page), "from_week": "2026-W40"}
    data.update({f"periods-{day}": "" for day in range(1, 6)})
    data.update(fields)
    return data


def counts():
    return db.session.query(BellSchedule).count(), db.session.query(Period).count(), db.session.query(ChangeSet).count()


def test_anonymous_visitors_are_sent_to_log_in(client, school):
    response = client.get("/t/periods")
    assert response.status_code in (302, 401) and "/login" in response.headers.get("Location", "/login")


def test_a_grid_with_a_short_friday_is_previewed_then_applied_and_listed(scheduler, school):
    page = scheduler.get("/t/periods").get_data(as_text=True)
    assert 'data-testid="no-grids"' in page
    data = form(scheduler, **{"periods-1": WEEKDAY_TEXT, "same-2": "1", "same-3": "1", "same-4": "1",
                              "periods-5": "1 08:00-08:40\n2 08:50-09:30"})
    preview = scheduler.post("/t/periods/preview", data=data)
    assert preview.status_code == 200
    text = preview.get_data(as_text=True)
    assert "Grid from 2026-W40 added (10 periods)" in text
    assert counts()[0] == 0  # the preview wrote nothing
    token = re.search(r'name="token" value="([^"]+)"', text)[1]
    applied = scheduler.post("/t/periods/apply", data={**data, "token": token})
    assert applied.status_code == 303
    [grid] = load_grids(school["timetable"].id)
    assert [(p.name, p.start, p.end) for p in grid.on(3)] == [("1", 480, 530), ("2", 540, 590)]  # same as Monday
    assert [(p.name, p.start, p.end) for p in grid.on(5)] == [("1", 480, 520), ("2", 530, 570)]
    listing = scheduler.get("/t/periods").get_data(as_text=True)
    assert 'data-from-week="2026-W40"' in listing and "08:50–09:30" in listing


def test_adding_a_grid_from_a_week_copies_the_current_one_and_its_moves_list_every_lesson(scheduler, school):
    timetable, lessons = school["timetable"], school["lessons"]
    apply_bells(timetable, [BellGrid(week(40), tuple(P(d, 480, 530, "1") for d in range(1, 6)))], None, None)
    page = scheduler.get("/t/periods/edit?from=2026-W48").get_data(as_text=True)
    assert "A copy of the grid from 2026-W40" in page
    assert re.search(r'data-testid="periods-5"[^>]*>1 08:00-08:50</textarea>', page)
    data = form(scheduler, from_week="2026-W48", **{"periods-1": "1 08:10-09:00", **{f"same-{d}": "1" for d in range(2, 6)}})
    text = scheduler.post("/t/periods/preview", data=data).get_data(as_text=True)
    assert "Grid from 2026-W48 added (5 periods)" in text
    assert sorted(int(i) for i in re.findall(r'<li data-slot-id="(\d+)"', text)) == sorted(lessons)
    token = re.search(r'name="token" value="([^"]+)"', text)[1]
    assert scheduler.post("/t/periods/apply", data={**data, "token": token}).status_code == 303
    assert values(timetable, 47, lessons[0])["start"] == 480
    assert values(timetable, 48, lessons[0])["start"] == 490
    assert values(timetable, 48, school["other"])["start"] == 540


@pytest.mark.parametrize("fields, field, words", [
    ({"periods-5": "1 08:00-08:50\n2 08:30-09:20"}, "periods-5", "overlaps"),
    ({"periods-5": "1 09:00-08:00"}, "periods-5", "not after its start"),
    ({"periods-2": "first period at eight"}, "periods-2", "is not a period like"),
    ({"from_week": "2026-W54"}, "from_week", "2026 has 53 ISO weeks"),
])
def test_bad_input_is_shown_again_naming_the_field_and_writes_nothing(scheduler, fields, field, words):
    before = counts()
    for path in ("/t/periods/preview", "/t/periods/apply"):
        response = scheduler.post(path, data=form(scheduler, **{"periods-1": WEEKDAY_TEXT, **fields}))
        assert response.status_code == 400
        text = response.get_data(as_text=True)
        message = re.search(rf'<li data-field="{field}">([^<]*)</li>', text)
        assert message and words in message[1], text[:3000]
    assert counts() == before


def test_a_stale_preview_is_shown_again_with_a_warning(scheduler, school):
    data = form(scheduler, **{"periods-1": WEEKDAY_TEXT})
    text = scheduler.post("/t/periods/preview", data=data).get_data(as_text=True)
    token = re.search(r'name="token" value="([^"]+)"', text)[1]
    apply_bells(school["timetable"], [BellGrid(week(40), (P(2, 480, 530, "1"),))], None, None)
    response = scheduler.post("/t/periods/apply", data={**data, "token": token})
    assert response.status_code == 409 and 'data-testid="stale"' in response.get_data(as_text=True)
    assert [p.weekday for p in load_grids(school["timetable"].id)[0].periods] == [2]


def test_the_editor_grid_draws_the_weeks_periods_and_hands_them_to_the_gestures(scheduler, school):
    timetable = school["timetable"]
    apply_bells(timetable, [BellGrid(week(40), (P(1, 480, 530, "1"), P(5, 480, 520, "1"), P(5, 530, 570, "2"))),
                            BellGrid(week(50), (P(5, 600, 645, "Late"),))], None, None)
    page = scheduler.get("/t/edit?week=2026-W48&view=grid").get_data(as_text=True)
    assert 'data-weekday="5" data-date="2026-11-27" data-periods="480-520,530-570"' in page
    assert 'data-weekday="2" data-date="2026-11-24" data-periods=""' in page
    assert page.count('data-testid="period-line"') == 3
    assert re.search(r'data-testid="axis-period"[^>]*>1</span>', page)
    later = scheduler.get("/t/edit?week=2026-W50&view=grid").get_data(as_text=True)
    assert 'data-periods="600-645"' in later and later.count('data-testid="period-line"') == 1
    none_yet = scheduler.get("/t/edit?week=2026-W39&view=grid").get_data(as_text=True)
    assert "data-periods" not in none_yet and 'data-testid="period-line"' not in none_yet
    assert 'href="/t/periods"' in page


def test_every_bell_times_route_asks_for_the_schedule_right_on_its_timetable(scheduler, school, monkeypatch):
    asked = []

    def refuse(user, right, timetable_id=None):
        asked.append((right, timetable_id))
        return False

    monkeypatch.setattr("timetable.views.access.allowed", refuse)
    data = {"from_week": "2026-W40", "periods-1": WEEKDAY_TEXT}
    headers = {"X-CSRFToken": csrf_token_from(scheduler.get("/t/edit").get_data(as_text=True))}
    responses = [
        scheduler.get("/t/periods"), scheduler.get("/t/periods/edit?from=2026-W40"),
        scheduler.post("/t/periods/preview", data=data, headers=headers), scheduler.post("/t/periods/apply", data=data, headers=headers),
        scheduler.get("/api/timetables/t/periods"),
        scheduler.post("/api/timetables/t/periods/plan", json={"schedules": []}, headers=headers),
        scheduler.put("/api/timetables/t/periods", json={"schedules": []}, headers=headers),
    ]
    assert [r.status_code for r in responses] == [403] * 7
    assert set(asked) == {("schedule", school["timetable"].id)}
    assert counts()[0] == 0


def test_a_bad_week_in_the_address_is_a_400_naming_it(scheduler):
    response = scheduler.get("/t/periods/edit?from=2026-W54")
    assert response.status_code == 400 and "2026 has 53 ISO weeks" in response.get_data(as_text=True)


def test_removing_a_winter_grid_moves_its_lessons_back_after_a_preview(scheduler, school):
    timetable, lessons = school["timetable"], school["lessons"]
    summer = BellGrid(week(40), tuple(P(d, 480, 530, "1") for d in range(1, 6)))
    winter = BellGrid(week(48), tuple(P(d, 490, 540, "1") for d in range(1, 6)))
    apply_bells(timetable, [summer], None, None)
    apply_bells(timetable, [summer, winter], None, None)
    assert values(timetable, 48, lessons[0])["start"] == 490
    edit_page = scheduler.get("/t/periods/edit?from=2026-W48").get_data(as_text=True)
    assert 'data-testid="bell-remove"' in edit_page
    data = {"csrf_token": csrf_token_from(edit_page), "from_week": "2026-W48", "remove": "1"}
    text = scheduler.post("/t/periods/preview", data=data).get_data(as_text=True)
    assert "Grid from 2026-W48 removed" in text
    assert sorted(int(i) for i in re.findall(r'<li data-slot-id="(\d+)"', text)) == sorted(lessons)
    token = re.search(r'name="token" value="([^"]+)"', text)[1]
    assert scheduler.post("/t/periods/apply", data={**data, "token": token}).status_code == 303
    assert [g.from_week for g in load_grids(timetable.id)] == [week(40)]
    assert values(timetable, 48, lessons[0])["start"] == 480
    # A grid that is not there cannot be removed.
    response = scheduler.post("/t/periods/preview", data={**data, "from_week": "2026-W50"})
    assert response.status_code == 400 and "no bell grid from 2026-W50" in response.get_data(as_text=True)
