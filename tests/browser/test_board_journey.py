"""The changes board on a hallway screen: it pages through the classes that fit, and a change made
meanwhile shows up on it without anyone touching the screen."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.clock import wall_weeks_ahead

from .pages import by_testid
from .test_changes_journey import a_day_with_a_substitution
from .test_live_journeys import _STREAM_OPEN

pytestmark = pytest.mark.browser

SHOWN_GROUPS = "return Array.from(document.querySelectorAll('.board-group')).filter(g => g.getClientRects().length).length"


def test_the_board_pages_through_classes_and_follows_changes_live(browser, _editing_server, editing_app):
    from timetable.database import write_transaction
    from timetable.models import Timetable
    from timetable.services.editing import EditRequest, record_requests
    from timetable.services.resolution import resolve_week

    base_url, _dispatcher = _editing_server
    day = a_day_with_a_substitution(editing_app)
    browser.set_window_size(700, 420)  # a small screen: the day's classes take more than one page
    try:
        browser.get(f"{base_url}/school/changes/board?date={day}")
        board = browser.find_element(*by_testid("board"))
        total = len(board.find_elements(*by_testid("board-group")))
        assert total >= 3
        label = browser.find_element(By.CSS_SELECTOR, "[data-board-page]")
        WebDriverWait(browser, 5).until(lambda b: label.text.startswith("Page 1 of "))
        assert 1 <= browser.execute_script(SHOWN_GROUPS) < total
        assert browser.execute_script("return document.documentElement.scrollHeight <= window.innerHeight + 1")

        WebDriverWait(browser, 10).until(lambda b: b.execute_script(_STREAM_OPEN))
        with editing_app.app_context(), write_transaction():
            timetable = Timetable.query.filter_by(slug="school").one()
            lesson = next(o for o in resolve_week(timetable, wall_weeks_ahead(0)) if o.date == day and o.status == "open"
                          and not o.values.get("substitute"))
            week = wall_weeks_ahead(0)
            record_requests(timetable, [EditRequest("slot", (lesson.slot_id,), "status", week, week, "temporarily_closed"),
                                        EditRequest("slot", (lesson.slot_id,), "note", week, week, "Board test: fire drill")],
                            "A lesson cancelled while the board is on", None)
        WebDriverWait(browser, 10).until(
            lambda b: "Board test: fire drill" in b.find_element(*by_testid("board")).get_attribute("textContent"))
        assert len(browser.find_elements(*by_testid("board-group"))) >= total
        WebDriverWait(browser, 5).until(lambda b: b.find_element(By.CSS_SELECTOR, "[data-board-page]").text.startswith("Page 1 of "))
    finally:
        browser.set_window_size(1400, 1000)
