"""A student reads the day's changes on a phone (390 × 844) and steps to the next day without a reload."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.clock import wall_weeks_ahead
from timetable.rules import monday_of

from .pages import by_testid

pytestmark = pytest.mark.browser


def a_day_with_a_substitution(demo_app) -> date:
    """A weekday of the demo's current week where C. Ito covers a lesson (the demo paints it around today)."""
    client = demo_app.test_client()
    monday = monday_of(wall_weeks_ahead(0))
    for offset in range(5):
        day = monday + timedelta(days=offset)
        payload = client.get(f"/api/timetables/school/changes?date={day}").get_json()
        if any(line["after"] == "C. Ito" for g in payload["groups"] for c in g["changes"] for line in c["lines"]):
            return day
    pytest.fail("the demo has no substitution this week")


def test_the_days_changes_on_a_phone(browser, live_server, demo_app):
    day = a_day_with_a_substitution(demo_app)
    browser.set_window_size(390, 844)
    try:
        browser.get(f"{live_server}/school/changes?date={day - timedelta(days=1)}")
        browser.execute_script("window.stayedOnThePage = true")
        browser.find_element(*by_testid("next-day")).click()
        WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "changes").get_attribute("data-date") == day.isoformat())
        assert browser.current_url.endswith(f"/school/changes?date={day}")
        assert browser.execute_script("return window.stayedOnThePage === true")  # swapped in by htmx, no reload
        text = browser.find_element(By.ID, "changes").text
        assert "A. Moreau → C. Ito" in text and "Substitution:" in text
        # Nothing is wider than the phone: no sideways scrolling to read a line.
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        link = browser.find_element(*by_testid("subscribe")).get_attribute("href")
        assert link.startswith("webcal://") and link.endswith("/school/calendar.ics")
    finally:
        browser.set_window_size(1400, 1000)
