"""cycle_weeks is edited in the editor like any other parameter, and the grid follows the A/B cycle."""

from __future__ import annotations

from tests.integration.helpers import values
from tests.web.test_editing_views import edit, editor_client, get, hidden_fields, post  # noqa: F401  (fixture)
from timetable.rules.calendar import Cycle
from timetable.services.calendar import CalendarSpec, replace_calendar


def test_the_slot_panel_edits_cycle_weeks_and_the_grid_follows_the_cycle(editor_client, school):  # noqa: F811
    monday = school["lessons"][0]
    replace_calendar(school["timetable"], CalendarSpec(cycle=Cycle(2, 202648)))
    panel = get(editor_client, f"/t/edit/slots/{monday}?week=2026-W48").get_data(as_text=True)
    assert "Cycle weeks" in panel and "Every week" in panel
    preview = post(editor_client, "/t/edit/plan", edit(school, [monday], "cycle_weeks", "a", end=""))
    assert preview.status_code == 200, preview.get_data(as_text=True)
    assert "Every week → Week A" in preview.get_data(as_text=True)
    assert post(editor_client, "/t/edit/apply", hidden_fields(preview.get_data(as_text=True))).status_code == 200
    assert values(school["timetable"], 48, monday)["cycle_weeks"] == "A"

    week_a = get(editor_client, "/t/edit?week=2026-W48&view=grid").get_data(as_text=True)
    week_b = get(editor_client, "/t/edit?week=2026-W49&view=grid").get_data(as_text=True)
    assert f'data-slot-id="{monday}"' in week_a and f'data-slot-id="{monday}"' not in week_b
    assert "Week A" in week_a and "Week B" in week_b
    marked = get(editor_client, "/t/edit?week=2026-W49&closed=1").get_data(as_text=True)
    assert "Not taking place: Week A only (this is week B)" in marked
    # Its panel still opens in week B, so the scheduler can change it back.
    assert get(editor_client, f"/t/edit/slots/{monday}?week=2026-W49").status_code == 200


def test_a_bad_cycle_weeks_value_is_refused_naming_the_parameter(editor_client, school):  # noqa: F811
    response = post(editor_client, "/t/edit/plan", edit(school, [school["lessons"][0]], "cycle_weeks", "A1"))
    assert response.status_code == 400
    assert "cycle_weeks: &#39;1&#39; is not a week label" in response.get_data(as_text=True)


def test_a_label_the_cycle_does_not_have_is_refused_and_writes_nothing(editor_client, school):  # noqa: F811
    from tests.integration.helpers import all_rules

    before = all_rules()
    response = post(editor_client, "/t/edit/plan", edit(school, [school["lessons"][0]], "cycle_weeks", "A"))
    assert response.status_code == 400
    assert "this timetable has no week cycle (set one on its calendar page), so week A never comes" in response.get_data(as_text=True)
    replace_calendar(school["timetable"], CalendarSpec(cycle=Cycle(2, 202648)))
    response = post(editor_client, "/t/edit/plan", edit(school, [school["lessons"][0]], "cycle_weeks", "b,c"))
    assert response.status_code == 400
    assert "this timetable has weeks A, B, so week C never comes" in response.get_data(as_text=True)
    assert all_rules() == before
