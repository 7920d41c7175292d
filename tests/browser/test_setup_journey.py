"""A scheduler sets a school up from nothing in the browser: a timetable, its teachers, rooms, class and course,
then finds them offered when drawing a new lesson in the editor."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .pages import EditorPage, by_testid

pytestmark = pytest.mark.browser


def _add(page: EditorPage, kind: str, name: str, **fields: str) -> None:
    """Fill the section's "Add" form and wait until htmx has swapped in the section with one more resource."""
    driver = page.driver
    count = len(driver.find_elements(By.CSS_SELECTOR, f'[data-testid="section-{kind}"] li.resource'))
    form = driver.find_element(*by_testid(f"new-{kind}"))
    form.find_element(*by_testid(f"new-{kind}-name")).send_keys(name)
    for field, value in fields.items():
        element = form.find_element(*by_testid(f"new-{kind}-{field}"))
        if element.get_attribute("type") == "checkbox":
            element.click()
        else:
            element.send_keys(value)
    form.find_element(*by_testid(f"new-{kind}-add")).click()
    page.wait().until(lambda d: len(d.find_elements(By.CSS_SELECTOR, f'[data-testid="section-{kind}"] li.resource')) == count + 1)
    assert page.path() == "/north/resources", "htmx swapped the section in place: no page load"


def test_a_new_school_gets_its_resources_and_the_editor_offers_them(editor_page: EditorPage, editing_app):
    page = editor_page.log_in_and_open("/school/edit")
    driver = page.driver

    driver.get(page.base_url + "/admin/timetables/new")
    form = page.wait().until(EC.presence_of_element_located(by_testid("settings-form")))
    form.find_element(*by_testid("name")).send_keys("North School")
    form.find_element(*by_testid("slug")).send_keys("north")
    zone = form.find_element(*by_testid("time_zone"))
    zone.clear()
    zone.send_keys("Europe/London")
    form.find_element(*by_testid("weekday-6")).click()
    form.find_element(*by_testid("save-settings")).click()
    page.wait().until(lambda d: page.path() == "/north/resources" and d.find_elements(*by_testid("new-courses")))

    _add(page, "courses", "Mathematics")
    course_row = driver.find_element(By.CSS_SELECTOR, '[data-testid="section-courses"] li.resource')
    course_id = course_row.get_attribute("data-testid").split("-")[1]
    _add(page, "staff", "Ada Lovelace", short_name="LOV", **{f"course-{course_id}": "x"})
    _add(page, "staff", "Ben Okri", email="ben@example.org")
    _add(page, "rooms", "Room 1", capacity="30", features="projector")
    _add(page, "rooms", "Science lab", capacity="24")
    _add(page, "groups", "7A", size="28")

    # A duplicate is refused in place, naming the field; nothing is added.
    driver.find_element(*by_testid("new-rooms-name")).send_keys("room 1")
    driver.find_element(*by_testid("new-rooms-add")).click()
    error_css = '[data-testid="section-rooms"] [data-testid="error-name"]'
    error = page.wait().until(EC.visibility_of_element_located((By.CSS_SELECTOR, error_css)))
    assert "already has a room called" in error.text
    assert len(driver.find_elements(By.CSS_SELECTOR, '[data-testid="section-rooms"] li.resource')) == 2

    status, staff = page.fetch_json("/api/timetables/north/staff")
    assert status == 200, staff
    assert [(s["name"], s["courses"]) for s in staff] == [("Ada Lovelace", [int(course_id)]), ("Ben Okri", [])]

    driver.find_element(*by_testid("to-editor")).click()
    # The editor opens on its overview (a column band for Saturday too); the grid is one click away.
    page.wait().until(lambda d: page.path() == "/north/edit" and d.find_elements(*by_testid("overview")))
    assert driver.find_elements(By.CSS_SELECTOR, '#week .overview th[data-weekday="6"]')
    driver.find_element(*by_testid("grid-link")).click()
    page.wait().until(lambda d: d.find_elements(By.CSS_SELECTOR, '#week .day[data-weekday="6"]'))
    page._install_trackers()
    panel = page.draw(2, 9 * 60, 10 * 60)
    assert set(page.select_options("value-staff", panel)) == {"Ada Lovelace", "Ben Okri"}
    assert set(page.select_options("value-room", panel)) == {"Room 1", "Science lab"}
    assert set(page.select_options("value-group", panel)) == {"7A"}
    assert set(page.select_options("value-course", panel)) == {"Mathematics"}
