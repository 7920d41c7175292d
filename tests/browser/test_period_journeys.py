"""A scheduler defines the school's bell times with a short Friday, sees the periods on the grid, draws into one."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from tests.clock import wall_weeks_ahead_text

from .pages import EditorPage, by_testid
from .test_editing_journeys import api_week

pytestmark = pytest.mark.browser

WEEK = wall_weeks_ahead_text(5)  # clear of the demo's painted history
WEDNESDAY, FRIDAY = 3, 5
# The demo school's lessons start at these periods' starts.
MONDAY_PERIODS = "1 08:00-08:50\n2 08:55-09:45\n3 10:00-10:50\n4 10:55-11:45\n5 13:30-14:20\n6 14:25-15:15\n7 15:20-16:10"
FRIDAY_PERIODS = "1 08:00-08:40\n2 08:55-09:35\n3 10:00-10:40\n4 10:55-11:35\n5 12:00-12:40"


def test_bell_times_with_a_short_friday_show_on_the_grid_and_a_drawn_slot_snaps_to_a_period(editor_page: EditorPage, editing_app):
    page = editor_page.log_in_and_open(f"/school/edit?week={WEEK}&view=grid")
    driver = page.driver
    driver.find_element(*by_testid("bell-times-link")).click()
    page.wait().until(EC.presence_of_element_located(by_testid("add-grid")))
    assert driver.find_elements(*by_testid("no-grids"))

    # A grid from the week shown: Monday's periods, Tuesday to Thursday the same, a shorter Friday.
    week_input = driver.find_element(*by_testid("add-grid-week"))
    week_input.clear()
    week_input.send_keys(WEEK)
    driver.find_element(By.CSS_SELECTOR, "[data-testid=add-grid] button[type=submit]").click()
    form = page.wait().until(EC.presence_of_element_located(by_testid("bell-form")))
    form.find_element(*by_testid("periods-1")).send_keys(MONDAY_PERIODS)
    for day in (2, 3, 4):
        form.find_element(*by_testid(f"same-{day}")).click()
    form.find_element(*by_testid("periods-5")).send_keys(FRIDAY_PERIODS)
    form.find_element(*by_testid("bell-preview")).click()
    preview = page.wait().until(EC.presence_of_element_located(by_testid("grid-changes")))
    assert f"Grid from {WEEK} added (33 periods)" in preview.text
    driver.find_element(*by_testid("apply")).click()
    grid = page.wait().until(EC.presence_of_element_located(by_testid("bell-grid")))
    assert grid.get_attribute("data-from-week") == WEEK
    friday = grid.find_element(By.CSS_SELECTOR, '.bell-day[data-weekday="5"]').text
    assert "12:00–12:40" in friday and "16:10" not in friday

    # The editor draws each day's periods; Friday's end earlier.
    page.open(f"/school/edit?week={WEEK}&view=grid")
    page.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, "#week [data-testid=period-line]")))
    lines = {day: driver.find_elements(By.CSS_SELECTOR, f'#week .day[data-weekday="{day}"] [data-testid=period-line]')
             for day in (1, WEDNESDAY, FRIDAY)}
    assert (len(lines[1]), len(lines[WEDNESDAY]), len(lines[FRIDAY])) == (7, 7, 5)
    assert lines[FRIDAY][-1].get_attribute("title") == "5 12:00–12:40"
    assert lines[FRIDAY][-1].rect["y"] < lines[1][-1].rect["y"]  # Friday's last period is drawn higher up
    assert "1" in [a.text for a in driver.find_elements(*by_testid("axis-period"))]

    # Drawn loosely inside period 6 of the empty Wednesday afternoon, the new slot is exactly that period.
    panel = page.draw(WEDNESDAY, 14 * 60 + 35, 15 * 60)
    assert panel.find_element(*by_testid("value-start")).get_attribute("value") == "14:25"
    assert panel.find_element(*by_testid("value-duration")).get_attribute("value") == "50"

    # A Monday lesson dropped at 13:40 on Wednesday starts with period 5, at 13:30.
    lesson = min((o for o in api_week(editing_app, WEEK) if o["weekday"] == 1 and o["start"] == "08:00"), key=lambda o: o["slot_id"])
    move_form = page.drag_block(str(lesson["slot_id"]), WEDNESDAY, 13 * 60 + 40)
    assert move_form.find_element(*by_testid("value-start")).get_attribute("value") == "13:30"
