"""On a phone (390 × 844): a student finds a teacher in the chooser, reads the week a day at a time,
sees the stand-in marked as a change, opens the lesson; a patient books at the clinic at 400 px."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import WebDriverWait

from tests.clock import wall_weeks_ahead
from timetable import clock
from timetable.rules import format_week
from timetable.services.demo import DEMO_TIME_ZONE

from .pages import by_testid
from .test_changes_journey import a_day_with_a_substitution

pytestmark = pytest.mark.browser

SHOWN_DAYS = ("return Array.from(document.querySelectorAll('#week .day[data-weekday]'))"
              ".filter(d => d.getClientRects().length).map(d => d.dataset.weekday)")
NO_SIDEWAYS_SCROLL = "return document.documentElement.scrollWidth <= window.innerWidth"
# Whether every line of the card is shown whole: nothing cut at its right or bottom edge.
CARD_SHOWN_WHOLE = """
const block = arguments[0];
const lines = Array.from(block.querySelectorAll('.block-link > *')).filter(el => !el.classList.contains('visually-hidden'));
return block.scrollHeight <= block.clientHeight + 1 && lines.every(el => el.scrollWidth <= el.clientWidth + 1);
"""


def test_a_student_finds_a_teacher_and_reads_the_week_day_by_day_on_a_phone(browser, live_server, demo_app):
    day = a_day_with_a_substitution(demo_app)
    browser.set_window_size(390, 844)
    try:
        browser.get(f"{live_server}/school")
        assert browser.find_element(*by_testid("chooser")).is_displayed()
        assert browser.execute_script(NO_SIDEWAYS_SCROLL)
        search = browser.find_element(*by_testid("chooser-search"))
        search.send_keys("ito")
        WebDriverWait(browser, 5).until(
            lambda b: [a.text for a in b.find_elements(*by_testid("choose-teacher")) if a.is_displayed()] == ["C. Ito"])
        assert not [a for a in browser.find_elements(*by_testid("choose-class")) if a.is_displayed()]
        browser.find_element(By.LINK_TEXT, "C. Ito").click()

        WebDriverWait(browser, 10).until(lambda b: b.find_element(*by_testid("resource-heading")).text == "Teacher C. Ito")
        assert "/school/teacher/" in browser.current_url
        assert browser.execute_script(NO_SIDEWAYS_SCROLL)
        # One day at a time, the week's days as tabs; today first.
        assert browser.find_element(By.CSS_SELECTOR, "[data-day-tabs]").is_displayed()
        today = clock.today(DEMO_TIME_ZONE).isoweekday()
        assert browser.execute_script(SHOWN_DAYS) == [str(today if today <= 5 else 1)]
        tab = browser.find_element(*by_testid(f"day-tab-{day.isoweekday()}"))
        tab.click()
        assert browser.execute_script(SHOWN_DAYS) == [str(day.isoweekday())]
        assert tab.get_attribute("aria-selected") == "true"

        # The stand-in's lesson is marked as a change, for the eye and for screen readers.
        cards = [c for c in browser.find_elements(By.CSS_SELECTOR, "#week .block.changed") if c.is_displayed()]
        card = next(c for c in cards if "A. Moreau → C. Ito" in c.text)
        assert card.find_element(*by_testid("changed-flag")).is_displayed()
        assert "Teacher: A. Moreau → C. Ito" in card.find_element(*by_testid("changed-mark")).get_attribute("textContent")
        rect = browser.execute_script("return arguments[0].getBoundingClientRect().toJSON()", card)
        assert rect["left"] >= 0 and rect["right"] <= 390
        # Focused from the keyboard, the card shows every line whole.
        link = card.find_element(*by_testid("block-details"))
        browser.execute_script("arguments[0].focus()", link)
        assert browser.execute_script(CARD_SHOWN_WHOLE, card)

        link.click()
        WebDriverWait(browser, 10).until(lambda b: b.find_elements(*by_testid("lesson-details")))
        assert "/school/lesson/" in browser.current_url
        changes = browser.find_element(*by_testid("lesson-changes")).text
        assert "Teacher: A. Moreau → C. Ito" in changes
        assert browser.execute_script(NO_SIDEWAYS_SCROLL)
        browser.back()

        # The next week swaps in by htmx and still reads a day at a time.
        WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#week a[rel=next]"))
        browser.execute_script("window.stayedOnThePage = true")
        browser.find_element(By.CSS_SELECTOR, "#week a[rel=next]").click()
        next_week = format_week(wall_weeks_ahead(1))
        WebDriverWait(browser, 10).until(lambda b: b.find_element(By.ID, "week").get_attribute("data-week") == next_week)
        assert browser.execute_script("return window.stayedOnThePage === true")
        assert browser.find_element(By.CSS_SELECTOR, "[data-day-tabs]").is_displayed()
        assert len(browser.execute_script(SHOWN_DAYS)) == 1
    finally:
        browser.set_window_size(1400, 1000)


@pytest.mark.parametrize("width", [390, 400])
def test_the_clinics_book_link_is_within_reach_on_a_phone(browser, live_server, width):
    browser.set_window_size(width, 844)
    try:
        # Next week: every consultation is still bookable, whatever the time of the test.
        browser.get(f"{live_server}/clinic?week={format_week(wall_weeks_ahead(1))}")
        browser.find_element(*by_testid("day-tab-1")).click()
        link = next(a for a in browser.find_elements(*by_testid("book-link")) if a.is_displayed())
        browser.execute_script("arguments[0].scrollIntoView({block: 'center'})", link)
        reachable = browser.execute_script("""
            const r = arguments[0].getBoundingClientRect();
            const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
            return r.left >= 0 && r.right <= window.innerWidth && r.width > 0 && (hit === arguments[0] || arguments[0].contains(hit));
        """, link)
        assert reachable
        assert browser.execute_script(NO_SIDEWAYS_SCROLL)
        link.click()
        WebDriverWait(browser, 10).until(lambda b: "/clinic/book/" in b.current_url)
    finally:
        browser.set_window_size(1400, 1000)
