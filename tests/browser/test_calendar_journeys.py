"""A scheduler sets up the school calendar in a real browser: a holiday and an A/B cycle, then reads the grids.

The journey gets a demo database of its own (`editing_app`). Weeks count from the wall clock, as
Chromium and the live server keep the real time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from tests.clock import wall_weeks_ahead, wall_weeks_ahead_text
from tests.factories import paint
from timetable.database import write_transaction
from timetable.rules import monday_of

from .pages import EditorPage, by_testid

pytestmark = pytest.mark.browser

WEEK_A, WEEK_B, HOLIDAY_WEEK = (wall_weeks_ahead_text(n) for n in (3, 4, 5))
HOLIDAY_DATE = (monday_of(wall_weeks_ahead(5)) + timedelta(days=2)).isoformat()  # that week's Wednesday


def monday_lesson(app, week: str) -> int:
    """The first Monday lesson of the demo school in `week`: it becomes a week-A-only lesson."""
    occurrences = app.test_client().get(f"/api/timetables/school/weeks/{week}").get_json()["occurrences"]
    return min((o["start"], o["slot_id"]) for o in occurrences if o["weekday"] == 1)[1]


def make_a_only(app, slot_id: int) -> None:
    """Paint cycle_weeks = A on the lesson from WEEK_A on, through the one write path."""
    from timetable.services.catalog import get_timetable

    with app.app_context(), write_transaction():
        paint(get_timetable("school"), "slot", slot_id, "cycle_weeks", wall_weeks_ahead(3), None, "A")


def submit_and_wait(page: EditorPage, form, what: str):
    """Press the form's submit button; return the #calendar section htmx swaps in."""
    button = form.find_element(By.CSS_SELECTOR, "button[type=submit]")
    return page.swapped_in("#calendar", button.click, what)


def test_a_holiday_and_an_a_b_cycle_set_on_the_calendar_page_show_on_the_grids(editor_page: EditorPage, editing_app):
    page = editor_page.log_in_and_open(f"/school/edit?week={WEEK_A}&view=grid")
    page.driver.find_element(*by_testid("calendar-link")).click()
    page.wait().until(lambda d: d.find_elements(*by_testid("calendar")))
    page._install_trackers()

    # A one-day holiday in HOLIDAY_WEEK (the date picker's value set as the browser would).
    add = page.driver.find_element(*by_testid("holidays-add"))
    add.find_element(*by_testid("holidays-name")).send_keys("Founders' day")
    for testid in ("holidays-start", "holidays-end"):
        field = add.find_element(*by_testid(testid))
        page.driver.execute_script("arguments[0].value = arguments[1]", field, HOLIDAY_DATE)
    section = submit_and_wait(page, add, "Add holiday")
    rows = section.find_elements(*by_testid("holidays-row"))
    assert [r.find_element(By.NAME, "name").get_attribute("value") for r in rows] == ["Founders' day"]

    # A two-week cycle whose week A is WEEK_A.
    cycle = page.driver.find_element(*by_testid("cycle-form"))
    length = cycle.find_element(*by_testid("cycle-length"))
    length.clear()
    length.send_keys("2")
    cycle.find_element(*by_testid("cycle-start")).send_keys(WEEK_A)
    section = submit_and_wait(page, cycle, "Save cycle")
    assert section.find_element(*by_testid("cycle-length")).get_attribute("value") == "2"
    assert section.find_elements(*by_testid("override-form"))

    # A lesson made week-A-only (the cycle must exist first: a label it lacks is refused).
    slot = monday_lesson(editing_app, WEEK_A)
    make_a_only(editing_app, slot)

    # Week A: the A-only lesson is there; week B: it is not.
    week_a = page.open(f"/school/edit?week={WEEK_A}&view=grid")
    assert week_a.driver.find_element(*by_testid("cycle-label")).text == "Week A"
    assert str(slot) in page.editor_blocks()
    page.open(f"/school/edit?week={WEEK_B}&view=grid")
    assert page.driver.find_element(*by_testid("cycle-label")).text == "Week B"
    assert str(slot) not in page.editor_blocks()

    # The holiday week: the Wednesday column carries the banner and no lesson, on the editor and the public page.
    for path in (f"/school/edit?week={HOLIDAY_WEEK}&view=grid", f"/school?week={HOLIDAY_WEEK}"):
        page.open(path)
        wednesday = page.driver.find_element(By.CSS_SELECTOR, f'#week .day[data-date="{HOLIDAY_DATE}"]')
        banner = wednesday.find_element(*by_testid("holiday-banner"))
        assert banner.is_displayed() and banner.text == "Holiday: Founders' day"
        assert wednesday.find_elements(*by_testid("block")) == []
        thursday = page.driver.find_element(By.CSS_SELECTOR, '#week .day[data-weekday="4"]')
        assert thursday.find_elements(*by_testid("block"))
