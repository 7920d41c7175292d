"""The calendar page (forms, htmx, errors), and the holiday banner and week label on the week grids."""

from __future__ import annotations

import re

import pytest

from tests.conftest import HTMX, AuthActions, csrf_token_from
from tests.web.test_api_editing import api_school  # noqa: F401  (fixture)


@pytest.fixture
def editor_client(client, api_school):  # noqa: F811
    AuthActions(client).login()
    return client


def token(client) -> str:
    return csrf_token_from(client.get("/t/calendar").get_data(as_text=True))


def post(client, path, **form):
    return client.post(f"/t/calendar/{path}", data={"csrf_token": token(client), **form}, headers=HTMX)


def calendar(client):
    return client.get("/api/timetables/t/calendar").get_json()


def test_the_calendar_page_needs_a_login(client, api_school):  # noqa: F811
    response = client.get("/t/calendar")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_add_edit_and_remove_a_holiday(editor_client):
    response = post(editor_client, "holidays", action="add", name="Winter break", start="2026-11-30", end="2026-12-04")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="calendar"' in html and "<html" not in html and 'value="Winter break"' in html
    assert calendar(editor_client)["holidays"] == [{"name": "Winter break", "start": "2026-11-30", "end": "2026-12-04"}]
    post(editor_client, "holidays", action="save", index="0", name="Winter break", start="2026-11-30", end="2026-12-01")
    assert calendar(editor_client)["holidays"][0]["end"] == "2026-12-01"
    post(editor_client, "holidays", action="remove", index="0")
    assert calendar(editor_client)["holidays"] == []


def test_without_javascript_a_form_posts_and_comes_back_to_the_page(editor_client):
    response = editor_client.post("/t/calendar/terms", data={
        "csrf_token": token(editor_client), "action": "add", "name": "Autumn", "start": "2026w36", "end": "2026-W51"})
    assert response.status_code == 303 and response.headers["Location"].endswith("/t/calendar")
    assert calendar(editor_client)["terms"] == [{"name": "Autumn", "start": "2026-W36", "end": "2026-W51"}]


@pytest.mark.parametrize(
    ("path", "form", "message"),
    [
        ("holidays", {"name": "Easter", "start": "2027-04-09", "end": "2027-03-29"}, "Holiday 1 · end: The holiday ends before it starts."),
        ("holidays", {"name": "Easter", "start": "", "end": "2027-03-29"}, "Holiday 1 · start: Not a valid date."),
        ("terms", {"name": "Autumn", "start": "2026-W54", "end": "2026-W60"}, "Term 1 · start: 2026-W54: 2026 has 53 ISO weeks"),
        ("cycle", {"length": "2", "start": ""}, "Cycle · start: A cycle of several weeks needs the week it starts with"),
        ("cycle", {"length": "two"}, "Cycle · length: give a whole number of weeks"),
    ],
)
def test_bad_input_is_a_400_naming_the_field_keeps_the_draft_and_writes_nothing(editor_client, path, form, message):
    response = post(editor_client, path, action="add", **form)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html.replace("&#39;", "'")
    if path == "holidays":
        assert 'value="Easter"' in html  # what was typed is still there to correct
    assert calendar(editor_client) == {"terms": [], "holidays": [], "cycle": {"length": 1, "start": None, "overrides": []}}


def test_cycle_and_week_label_override(editor_client):
    assert post(editor_client, "cycle", length="2", start="2026-W48").status_code == 200
    response = post(editor_client, "weeks", week="2026w50", label="a")
    assert response.status_code == 200
    assert calendar(editor_client)["cycle"] == {"length": 2, "start": "2026-W48", "overrides": [{"week": "2026-W50", "label": "A"}]}
    assert post(editor_client, "weeks", week="2026-W50", label="C").status_code == 400
    post(editor_client, "weeks", week="2026-W50", label="")
    assert calendar(editor_client)["cycle"]["overrides"] == []


def test_the_grids_show_the_week_label_and_the_holiday_banner(editor_client):
    assert 'data-testid="cycle-label"' not in editor_client.get("/t?week=2026-W49").get_data(as_text=True)
    post(editor_client, "holidays", action="add", name="Founders' day", start="2026-12-02", end="2026-12-02")
    post(editor_client, "cycle", length="2", start="2026-W48")
    for path in ("/t/edit?week=2026-W49&view=grid", "/t?week=2026-W49"):
        html = editor_client.get(path).get_data(as_text=True)
        header = r'data-testid="week-label">2026-W49</span><span class="cycle-label"> · <span data-testid="cycle-label">Week B<'
        assert re.search(header, html)
        assert 'data-testid="holiday-banner">Holiday: Founders&#39; day</p>' in html
        # Wednesday's Maths lesson is not shown on the holiday; the other four are.
        assert html.count('data-testid="block"') == 5
    shown_off = editor_client.get("/t/edit?week=2026-W49&closed=1").get_data(as_text=True)
    assert shown_off.count('data-testid="block"') == 6
    assert "Not taking place: Holiday: Founders&#39; day" in shown_off


def test_a_whole_holiday_week_says_so(editor_client):
    post(editor_client, "holidays", action="add", name="Winter break", start="2026-11-28", end="2026-12-06")
    html = editor_client.get("/t?week=2026-W49").get_data(as_text=True)
    assert "2026-W49 is a holiday week: nothing takes place." in html
    assert html.count('data-testid="holiday-banner"') == 5 and 'data-testid="block"' not in html
    assert "Nothing is scheduled in 2026-W50" not in editor_client.get("/t?week=2026-W50").get_data(as_text=True)
