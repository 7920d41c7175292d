"""A teacher is ill for three weeks: from the desk to an applied, clash-free cover in at most 3 actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from tests.clock import wall_weeks_ahead
from timetable.rules import Placement, add_weeks, find_clashes, iter_weeks, monday_of

from .pages import EditorPage, by_testid

pytestmark = pytest.mark.browser


def test_teacher_ill_for_three_weeks_is_covered_in_three_actions(editor_page: EditorPage, editing_app):
    first, last = wall_weeks_ahead(1), wall_weeks_ahead(3)
    start, end = monday_of(first), monday_of(last) + timedelta(days=4)
    page = editor_page.log_in_and_open("/school/edit")
    driver = page.driver
    driver.find_element(*by_testid("substitutions-link")).click()
    form = page.wait().until(EC.presence_of_element_located(by_testid("absence-form")))
    page._install_trackers()  # a new page: watch its htmx swaps
    actions = 0

    # 1. Register the absence (filling the form is not an action; sending it is).
    Select(form.find_element(*by_testid("absence-who"))).select_by_visible_text("B. Laurent")
    for testid, day in (("absence-start", start), ("absence-end", end)):
        driver.execute_script("arguments[0].value = arguments[1]", form.find_element(*by_testid(testid)), day.isoformat())
    page.swapped_in("#desk", lambda: driver.find_element(*by_testid("register-absence")).click(), "the desk with the absence")
    actions += 1
    assert len(driver.find_elements(*by_testid("affected-lesson"))) == 45

    # 2. Assign all: the preview says no clash is created.
    page.swapped_in("[data-testid=cover-preview]", lambda: driver.find_element(*by_testid("assign-all")).click(), "the cover preview")
    actions += 1
    assert driver.find_element(*by_testid("clash-count")).text == "0 clashes created"

    # 3. Apply.
    page.swapped_in("#desk", lambda: driver.find_element(*by_testid("apply-cover")).click(), "the desk after applying")
    actions += 1
    assert "Applied (change" in driver.find_element(*by_testid("applied")).text
    assert actions <= 3

    with editing_app.app_context():
        from timetable.services.catalog import get_timetable
        from timetable.services.resolution import resolve_week

        timetable = get_timetable("school")
        covered = 0
        for week in iter_weeks(first, last):
            occurrences = resolve_week(timetable, week)
            covered += sum(1 for o in occurrences if o.values["substitute"] is not None and o.values["staff_status"] == "sick")
            placements = [Placement(o.slot_id, o.weekday, o.start, o.end, staff=o.present_staff) for o in occurrences]
            assert [c for c in find_clashes(placements) if c.kind == "staff"] == []
        assert covered == 45


def test_a_lesson_of_an_absent_teacher_changes_room_in_one_click_then_apply(editor_page: EditorPage, editing_app):
    day = monday_of(wall_weeks_ahead(1)) + timedelta(days=1)
    page = editor_page.log_in_and_open("/school/edit")
    driver = page.driver
    driver.find_element(*by_testid("substitutions-link")).click()
    form = page.wait().until(EC.presence_of_element_located(by_testid("absence-form")))
    page._install_trackers()
    Select(form.find_element(*by_testid("absence-who"))).select_by_visible_text("B. Laurent")
    for testid in ("absence-start", "absence-end"):
        driver.execute_script("arguments[0].value = arguments[1]", form.find_element(*by_testid(testid)), day.isoformat())
    page.swapped_in("#desk", lambda: driver.find_element(*by_testid("register-absence")).click(), "the desk with the absence")

    # The first affected lesson's first free room, in one click: a preview with no clash, then apply.
    lesson = driver.find_elements(*by_testid("affected-lesson"))[0]
    button = lesson.find_element(*by_testid("room-lesson"))
    _kind, slot_id, week, room_id = button.find_element("xpath", "..").find_element("css selector", "input[name=solution]") \
        .get_attribute("value").split(":")
    next_week_room = _room(editing_app, int(slot_id), add_weeks(int(week), 1))
    page.swapped_in("[data-testid=cover-preview]", button.click, "the room change's preview")
    assert driver.find_element(*by_testid("clash-count")).text == "0 clashes created"
    assert "1 room changed" in driver.find_element(*by_testid("cover-preview")).text
    page.swapped_in("#desk", lambda: driver.find_element(*by_testid("apply-cover")).click(), "the desk after applying")
    assert "1 room changed" in driver.find_element(*by_testid("applied")).text

    # That week only: the next keeps the room it had.
    assert _room(editing_app, int(slot_id), int(week)) == int(room_id)
    assert _room(editing_app, int(slot_id), add_weeks(int(week), 1)) == next_week_room


def _room(app, slot_id: int, week: int) -> int | None:
    with app.app_context():
        from timetable.services.catalog import get_timetable
        from timetable.services.resolution import resolve_slot

        occurrence = resolve_slot(get_timetable("school"), slot_id, week)
        return occurrence.values["room"] if occurrence else None
