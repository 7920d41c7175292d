"""Journeys people make through the demo timetables, in a real browser with htmx running."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

from tests.clock import wall_weeks_ahead_text

from .pages import WAIT_SECONDS, WeekPage, by_testid

pytestmark = pytest.mark.browser

TRIP_NOTE = "Class trip to the science museum"

# The browser keeps the real time, so the demo is built on the wall clock and its history sits
# around the real week: A. Moreau was off sick last week and is this week, 10B's class trip is
# this week, and from next week on everything is as usual.
LAST_WEEK, THIS_WEEK, NEXT_WEEK = (wall_weeks_ahead_text(n) for n in (-1, 0, 1))


def api_occurrences(demo_app, slug: str, week: str) -> list[dict]:
    """What the JSON API says is on in `week`: the reference the pages are checked against."""
    response = demo_app.test_client().get(f"/api/timetables/{slug}/weeks/{week}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["occurrences"]


def taught_by(occurrences: list[dict], staff_id: int) -> list[dict]:
    return [o for o in occurrences if staff_id in (*(o["parameters"]["staff"] or ()), o["parameters"]["substitute"])]


def wait(browser) -> WebDriverWait:
    return WebDriverWait(browser, WAIT_SECONDS)


def paris_week() -> str:
    year, week, _ = datetime.now(ZoneInfo("Europe/Paris")).isocalendar()
    return f"{year}-W{week:02d}"


def log_in(browser, username: str = "scheduler", password: str = "timetable-demo") -> None:
    browser.find_element(By.NAME, "username").send_keys(username)
    browser.find_element(By.NAME, "password").send_keys(password)
    browser.find_element(By.CSS_SELECTOR, "form.login-form button[type=submit]").click()
    # Waiting for the old form to go stale across a navigation sometimes trips a chromedriver
    # bug ("Node with given id does not belong to the document"); the address is reliable.
    wait(browser).until(lambda driver: urlsplit(driver.current_url).path != "/login")


def test_editor_logs_in_and_walks_through_the_weeks(browser, live_server, week_page: WeekPage, demo_app):
    # Asking for the editor while logged out leads to the login form, which remembers where to go.
    browser.get(f"{live_server}/school/edit?week={LAST_WEEK}&view=grid")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.login-form")))
    assert week_page.path() == "/login"
    assert week_page.query().get("next") == f"/school/edit?week={LAST_WEEK}&view=grid"

    log_in(browser)
    wait(browser).until(EC.visibility_of_element_located(by_testid("week-label")))
    assert week_page.path() == "/school/edit"
    assert week_page.query() == {"week": LAST_WEEK, "view": "grid"}
    assert "Log out" in browser.find_element(By.CSS_SELECTOR, "header .account").text

    # The whole school's week: every lesson the API knows of is a block on the grid.
    assert week_page.week_label() == LAST_WEEK
    assert week_page.grid().is_displayed()
    expected = len(api_occurrences(demo_app, "school", LAST_WEEK))
    assert expected == 350  # the demo school's weekly lessons, none closed last week
    assert len(week_page.blocks()) == expected

    # → swaps in the next week without reloading the page, and puts it in the address bar.
    browser.execute_script("window.__marker = 'still the same page'")
    week_page.go_next(expected_label=THIS_WEEK)
    week_page.wait_for_url_arg("week", THIS_WEEK)
    assert week_page.path() == "/school/edit"
    assert browser.execute_script("return window.__marker") == "still the same page"
    assert len(week_page.blocks()) == len(api_occurrences(demo_app, "school", THIS_WEEK))
    # The tab title and the link to the public view follow the week shown.
    assert THIS_WEEK in browser.title
    assert f"week={THIS_WEEK}" in browser.find_element(*by_testid("public-link")).get_attribute("href")

    # ← comes back.
    week_page.go_previous(expected_label=LAST_WEEK)
    week_page.wait_for_url_arg("week", LAST_WEEK)
    assert len(week_page.blocks()) == expected

    # Today is this week in the school's zone (Europe/Paris), whatever week that is.
    before = paris_week()
    week_page.go_today()
    shown = week_page.week_label()
    assert shown in {before, paris_week()}
    week_page.wait_for_url_arg("week", shown)

    # The browser's Back button returns to the week before, still without a reload.
    week_page.back(expected_label=LAST_WEEK)
    week_page.wait_for_url_arg("week", LAST_WEEK)
    week_page.back(expected_label=THIS_WEEK)
    week_page.wait_for_url_arg("week", THIS_WEEK)
    assert browser.execute_script("return window.__marker") == "still the same page"


def test_filtering_by_a_teacher_shows_only_their_lessons(week_page: WeekPage, demo_app):
    week_page.open(f"/school?week={LAST_WEEK}")
    everything = len(week_page.blocks())
    occurrences = api_occurrences(demo_app, "school", LAST_WEEK)
    assert everything == len(occurrences)

    browser = week_page.driver
    browser.execute_script("window.__marker = 1")
    staff_id = week_page.filter_by_staff("B. Laurent")
    week_page.wait_for_url_arg("staff", staff_id)
    assert week_page.query()["week"] == LAST_WEEK
    assert browser.execute_script("return window.__marker") == 1

    blocks = week_page.block_data()
    assert blocks, f"B. Laurent teaches in {LAST_WEEK} but no block is shown"
    assert all(staff_id in (*b["staff"].split(), b["substitute"]) for b in blocks), week_page.block_staff_ids()
    assert all(b["shown"] for b in blocks)
    assert len(blocks) == len(taught_by(occurrences, int(staff_id)))
    assert len(blocks) < everything

    # The filter stays on while moving through the weeks.
    week_page.go_next(expected_label=THIS_WEEK)
    assert week_page.query().get("staff") == staff_id
    assert all(staff_id in (*staff.split(), substitute) for staff, substitute in week_page.block_staff_ids())
    assert len(week_page.blocks()) == len(taught_by(api_occurrences(demo_app, "school", THIS_WEEK), int(staff_id)))

    week_page.clear_filters()
    week_page.wait_for_week(THIS_WEEK)
    wait(browser).until(lambda d: "staff" not in week_page.query())
    assert len(week_page.blocks()) == len(api_occurrences(demo_app, "school", THIS_WEEK))
    assert week_page.driver.find_elements(*by_testid("clear-filters")) == []
    assert browser.execute_script("return window.__marker") == 1


def test_the_substitute_teacher_sees_the_lessons_they_cover(week_page: WeekPage, demo_app):
    week_page.open(f"/school?week={LAST_WEEK}")
    staff = week_page.staff_options()
    ito, moreau = staff["C. Ito"], staff["A. Moreau"]
    assert week_page.filter_by_staff("C. Ito") == ito
    week_page.wait_for_url_arg("staff", ito)

    covered = [b for b in week_page.block_data() if b["substitute"] == ito]
    expected = [o for o in api_occurrences(demo_app, "school", LAST_WEEK) if o["parameters"]["substitute"] == int(ito)]
    assert covered and len(covered) == len(expected)
    for block in covered:
        assert block["title"].startswith("Maths "), block
        assert block["staff"] == moreau
        assert block["struck_staff"] == "A. Moreau", block  # <s>A. Moreau</s>
        assert block["staff_text"] == "A. Moreau → C. Ito", block

    # Still covering this week; from next week A. Moreau is back and the maths lessons leave C. Ito's view.
    week_page.go_next(expected_label=THIS_WEEK)
    assert any(b["substitute"] == ito and b["title"].startswith("Maths ") for b in week_page.block_data())
    week_page.go_next(expected_label=NEXT_WEEK)
    assert week_page.query().get("staff") == ito
    blocks = week_page.block_data()
    assert not any(b["title"].startswith("Maths ") for b in blocks), blocks
    assert not any(b["substitute"] for b in blocks), blocks
    assert len(blocks) == len(taught_by(api_occurrences(demo_app, "school", NEXT_WEEK), int(ito)))


def test_a_visitor_sees_the_published_timetables_but_not_the_editor(browser, live_server, week_page: WeekPage):
    week_page.open(f"/school?week={THIS_WEEK}")
    assert week_page.grid().is_displayed()
    assert week_page.blocks()
    account = browser.find_element(By.CSS_SELECTOR, "header .account")
    assert "Log out" not in account.text
    login_link = account.find_element(By.LINK_TEXT, "Editor login")
    # Logging in brings the visitor back to the week they were looking at.
    assert parse_qs(urlsplit(login_link.get_attribute("href")).query)["next"] == [f"/school?week={THIS_WEEK}"]

    # The lesson closed for a class trip is still shown, with its note.
    trips = [b for b in week_page.block_data() if TRIP_NOTE in b["status_text"]]
    assert len(trips) == 1, [b for b in week_page.block_data() if b["status_text"]]
    assert "status-temporarily_closed" in trips[0]["classes"]
    assert trips[0]["shown"]

    week_page.open(f"/clinic?week={THIS_WEEK}")
    assert week_page.grid().is_displayed()
    assert week_page.blocks()
    assert "Log out" not in browser.find_element(By.CSS_SELECTOR, "header .account").text
    assert browser.find_elements(By.LINK_TEXT, "Editor login")

    # The editor is for editors: a visitor is sent to the login form.
    browser.get(f"{live_server}/school/edit")
    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.login-form")))
    assert week_page.path() == "/login"
    assert week_page.query().get("next") == "/school/edit"
    assert browser.find_elements(*by_testid("grid")) == []


def test_a_week_that_does_not_exist_is_a_400_page(browser, live_server):
    browser.get(f"{live_server}/school?week=2026-W54")
    message = wait(browser).until(EC.visibility_of_element_located(by_testid("error-message")))
    assert browser.find_element(By.TAG_NAME, "h1").text == "400"
    assert "2026-W54" in message.text
    assert browser.find_elements(*by_testid("grid")) == []


def test_an_editor_whose_session_expired_is_sent_to_the_login_page(browser, live_server, week_page: WeekPage):
    browser.get(f"{live_server}/school/edit?week={LAST_WEEK}")
    log_in(browser)
    wait(browser).until(EC.visibility_of_element_located(by_testid("week-label")))

    browser.execute_cdp_cmd("Network.clearBrowserCookies", {})  # the session ends (expired, or logged out elsewhere)
    browser.find_element(By.CSS_SELECTOR, "#week nav.week-nav a[rel=next]").click()

    wait(browser).until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.login-form")))
    assert len(browser.find_elements(By.CSS_SELECTOR, "header.site-header")) == 1, "the login page was swapped into the editor"
    assert week_page.path() == "/login"
    assert week_page.query().get("next") == f"/school/edit?week={THIS_WEEK}"
    log_in(browser)
    wait(browser).until(EC.visibility_of_element_located(by_testid("week-label")))
    assert week_page.week_label() == THIS_WEEK
