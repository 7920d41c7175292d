"""Issue 11, "set up your own school", end to end in a real browser, from an empty database.

An administrator (the only account; no demo data) makes a timetable, its calendar (a holiday, an
A/B cycle), bell times with a short Friday, 3 teachers, 3 rooms, 2 classes and 2 courses, then
draws 6 lessons on the editor grid and makes one of them week-A-only in its slot panel. Published
in the settings, the public page shows week A, week B without the A-only lesson, and the holiday
week with its banner and no lesson that day. Weeks count from the wall clock, as Chromium and the
live server keep the real time.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from tests.clock import wall_weeks_ahead, wall_weeks_ahead_text
from timetable.rules import monday_of

from .pages import WEEK_LABEL, EditorPage, by_testid

pytestmark = pytest.mark.browser

SLUG = "hill"
PASSWORD = "head-teacher-1234"
WEEK_A, WEEK_B, HOLIDAY_WEEK = (wall_weeks_ahead_text(n) for n in (2, 3, 4))  # A, B, then A again
HOLIDAY_DATE = (monday_of(wall_weeks_ahead(4)) + timedelta(days=2)).isoformat()  # that week's Wednesday
WEDNESDAY = 3

LONG_DAY = "1 08:30-09:20\n2 09:30-10:20\n3 10:40-11:30"
SHORT_FRIDAY = "1 08:30-09:10\n2 09:20-10:00\n3 10:10-10:50"

# Six lessons drawn loosely inside a period: (weekday, drawn from, drawn to, course, class, teacher, room, snapped start, duration).
LESSONS = [
    (1, 8 * 60 + 35, 9 * 60 + 10, "Maths", "7A", "Ada Lovelace", "Room 1", "08:30", "50"),
    (2, 9 * 60 + 35, 10 * 60 + 10, "English", "7B", "Ben Okri", "Room 2", "09:30", "50"),
    (3, 8 * 60 + 35, 9 * 60 + 10, "Maths", "7B", "Ada Lovelace", "Room 1", "08:30", "50"),
    (3, 10 * 60 + 45, 11 * 60 + 20, "English", "7A", "Ben Okri", "Room 2", "10:40", "50"),  # becomes week A only
    (4, 9 * 60 + 35, 10 * 60 + 10, "Maths", "7A", "Cleo Laine", "Room 3", "09:30", "50"),
    (5, 8 * 60 + 35, 9 * 60 + 5, "English", "7B", "Cleo Laine", "Room 3", "08:30", "40"),  # the short Friday's period 1
]
A_ONLY = 3  # the index in LESSONS of the Wednesday English


@pytest.fixture
def empty_app(make_database_url, _editing_server):
    """A database with nothing in it but one administrator, served live on the editing journeys' origin."""
    from tests.conftest import build_app, release_app
    from timetable.services.accounts import create_user

    app = build_app(make_database_url("from_nothing"), served=True)
    with app.app_context():
        create_user("head", PASSWORD, "Head teacher", is_admin=True)
    _base_url, dispatcher = _editing_server
    dispatcher.app = app
    try:
        yield app
    finally:
        dispatcher.app = None
        release_app(app)


@pytest.fixture
def page(_chromium, _editing_server, empty_app):
    base_url = _editing_server[0]
    _chromium.get("about:blank")
    _chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    _chromium.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": base_url, "storageTypes": "all"})
    return EditorPage(_chromium, base_url)


def log_in(page: EditorPage) -> None:
    page.driver.get(page.base_url + "/admin/timetables/new")
    form = page.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.login-form")))
    form.find_element(By.NAME, "username").send_keys("head")
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait().until(lambda d: page.path() == "/admin/timetables/new" and d.find_elements(*by_testid("settings-form")))


def new_timetable(page: EditorPage) -> None:
    form = page.driver.find_element(*by_testid("settings-form"))
    form.find_element(*by_testid("name")).send_keys("Hill School")
    form.find_element(*by_testid("slug")).send_keys(SLUG)
    zone = form.find_element(*by_testid("time_zone"))
    zone.clear()
    zone.send_keys("Europe/London")
    form.find_element(*by_testid("save-settings")).click()
    page.wait().until(lambda d: page.path() == f"/{SLUG}/resources" and d.find_elements(*by_testid("new-courses")))


def set_calendar(page: EditorPage) -> None:
    """A one-day holiday and a two-week cycle whose week A is WEEK_A, on the calendar page."""
    page.driver.get(f"{page.base_url}/{SLUG}/calendar")
    page.wait().until(lambda d: d.find_elements(*by_testid("calendar")))
    page._install_trackers()

    def submit(form, what):
        return page.swapped_in("#calendar", form.find_element(By.CSS_SELECTOR, "button[type=submit]").click, what)

    add = page.driver.find_element(*by_testid("holidays-add"))
    add.find_element(*by_testid("holidays-name")).send_keys("Founders' day")
    for testid in ("holidays-start", "holidays-end"):
        page.driver.execute_script("arguments[0].value = arguments[1]", add.find_element(*by_testid(testid)), HOLIDAY_DATE)
    section = submit(add, "Add holiday")
    assert [r.find_element(By.NAME, "name").get_attribute("value") for r in section.find_elements(*by_testid("holidays-row"))] == [
        "Founders' day"]

    cycle = page.driver.find_element(*by_testid("cycle-form"))
    length = cycle.find_element(*by_testid("cycle-length"))
    length.clear()
    length.send_keys("2")
    cycle.find_element(*by_testid("cycle-start")).send_keys(WEEK_A)
    section = submit(cycle, "Save cycle")
    assert section.find_element(*by_testid("cycle-length")).get_attribute("value") == "2"


def set_bell_times(page: EditorPage) -> None:
    """Three periods Monday to Thursday, a shorter Friday, from WEEK_A on."""
    driver = page.driver
    driver.get(f"{page.base_url}/{SLUG}/periods")
    page.wait().until(EC.presence_of_element_located(by_testid("add-grid")))
    week_input = driver.find_element(*by_testid("add-grid-week"))
    week_input.clear()
    week_input.send_keys(WEEK_A)
    driver.find_element(By.CSS_SELECTOR, "[data-testid=add-grid] button[type=submit]").click()
    form = page.wait().until(EC.presence_of_element_located(by_testid("bell-form")))
    form.find_element(*by_testid("periods-1")).send_keys(LONG_DAY)
    for day in (2, 3, 4):
        form.find_element(*by_testid(f"same-{day}")).click()
    form.find_element(*by_testid("periods-5")).send_keys(SHORT_FRIDAY)
    form.find_element(*by_testid("bell-preview")).click()
    preview = page.wait().until(EC.presence_of_element_located(by_testid("grid-changes")))
    assert f"Grid from {WEEK_A} added (15 periods)" in preview.text
    driver.find_element(*by_testid("apply")).click()
    grid = page.wait().until(EC.presence_of_element_located(by_testid("bell-grid")))
    friday = grid.find_element(By.CSS_SELECTOR, '.bell-day[data-weekday="5"]').text
    assert "10:10–10:50" in friday and "11:30" not in friday


def add_resource(page: EditorPage, kind: str, name: str, **fields: str) -> None:
    """Fill the section's "Add" form; wait until htmx has swapped in the section with one more resource."""
    driver = page.driver
    rows = f'[data-testid="section-{kind}"] li.resource'
    count = len(driver.find_elements(By.CSS_SELECTOR, rows))
    form = driver.find_element(*by_testid(f"new-{kind}"))
    form.find_element(*by_testid(f"new-{kind}-name")).send_keys(name)
    for field, value in fields.items():
        element = form.find_element(*by_testid(f"new-{kind}-{field}"))
        if element.get_attribute("type") == "checkbox":
            element.click()
        else:
            element.send_keys(value)
    form.find_element(*by_testid(f"new-{kind}-add")).click()
    page.wait().until(lambda d: len(d.find_elements(By.CSS_SELECTOR, rows)) == count + 1)


def add_resources(page: EditorPage) -> None:
    page.driver.get(f"{page.base_url}/{SLUG}/resources")
    page.wait().until(lambda d: d.find_elements(*by_testid("new-courses")))
    for course in ("Maths", "English"):
        add_resource(page, "courses", course)
    status, courses = page.fetch_json(f"/api/timetables/{SLUG}/courses")
    assert status == 200, courses
    course_ids = {c["name"]: c["id"] for c in courses}
    maths, english = course_ids["Maths"], course_ids["English"]
    add_resource(page, "staff", "Ada Lovelace", short_name="LOV", **{f"course-{maths}": "x"})
    add_resource(page, "staff", "Ben Okri", short_name="OKR", **{f"course-{english}": "x"})
    add_resource(page, "staff", "Cleo Laine", **{f"course-{maths}": "x", f"course-{english}": "x"})
    for room in ("Room 1", "Room 2", "Room 3"):
        add_resource(page, "rooms", room, capacity="30")
    add_resource(page, "groups", "7A", size="28")
    add_resource(page, "groups", "7B", size="27")


def draw_lesson(page: EditorPage, lesson) -> str:
    """Draw one lesson inside a period, fill its panel, preview and apply; return the new block's slot id."""
    weekday, drawn_from, drawn_to, course, group, staff, room, start, duration = lesson
    before = set(page.editor_blocks())
    panel = page.draw(weekday, drawn_from, drawn_to)
    assert panel.find_element(*by_testid("value-start")).get_attribute("value") == start, "the drawing snaps to the period"
    assert panel.find_element(*by_testid("value-duration")).get_attribute("value") == duration
    for param, name in (("course", course), ("group", group), ("staff", staff), ("room", room)):
        Select(panel.find_element(*by_testid(f"value-{param}"))).select_by_visible_text(name)
    assert panel.find_element(*by_testid("range-from_here")).is_selected()
    preview = page.preview(panel.find_element(*by_testid("create-preview")), f"Preview the new {course} lesson")
    page.apply(preview, f"Apply the new {course} lesson")
    [new] = set(page.editor_blocks()) - before
    return new


def make_week_a_only(page: EditorPage, slot_id: str) -> None:
    """The slot panel's Cycle weeks field: A, from this week on."""
    panel = page.click_block(slot_id)
    edit = panel.find_element(*by_testid("edit-cycle_weeks"))
    edit.find_element(By.TAG_NAME, "summary").click()
    field = edit.find_element(*by_testid("value-cycle_weeks"))
    if field.tag_name == "select":
        Select(field).select_by_value("A")
    else:
        field.clear()
        field.send_keys("A")
    edit.find_element(*by_testid("range-from_here")).click()
    preview = page.preview(edit.find_element(*by_testid("preview-cycle_weeks")), "Preview week A only")
    assert "Week A" in preview.text
    page.in_region("panel", "slot-panel", lambda: page.apply(preview, "Apply week A only"), "the slot panel refreshes itself")


def publish(page: EditorPage) -> None:
    page.driver.get(f"{page.base_url}/{SLUG}/settings")
    form = page.wait().until(EC.presence_of_element_located(by_testid("settings-form")))
    box = form.find_element(*by_testid("published"))
    assert not box.is_selected()
    box.click()
    form.find_element(*by_testid("save-settings")).click()
    page.wait().until(lambda d: d.find_elements(*by_testid("published")) and d.find_element(*by_testid("published")).is_selected()
                      and page.path() == f"/{SLUG}/settings" and not d.find_elements(By.CSS_SELECTOR, ".field-error"))


def public_week(page: EditorPage, week: str) -> dict[str, list[str]]:
    """The public page of `week`, as a visitor reads it: the lessons' slot ids per weekday."""
    page.driver.get(f"{page.base_url}/{SLUG}?week={week}")
    page.wait().until(EC.visibility_of_element_located(WEEK_LABEL))
    assert page.week_label() == week
    return {str(day): [b.get_attribute("data-slot-id") for b in page.driver.find_elements(
        By.CSS_SELECTOR, f'#week .day[data-weekday="{day}"] [data-testid="block"]')] for day in range(1, 6)}


def test_an_administrator_builds_a_school_from_nothing_and_visitors_see_weeks_a_and_b_and_the_holiday(page, empty_app):
    log_in(page)
    new_timetable(page)
    add_resources(page)
    set_calendar(page)
    set_bell_times(page)

    # Six lessons drawn on the editor grid of week A, each snapping to the period it was drawn in.
    page.open(f"/{SLUG}/edit?week={WEEK_A}&view=grid")
    page.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, "#week [data-testid=period-line]")))
    assert page.driver.find_element(*by_testid("cycle-label")).text == "Week A"
    slots = [draw_lesson(page, lesson) for lesson in LESSONS]
    blocks = page.editor_blocks()
    assert set(blocks) == set(slots)
    a_only = slots[A_ONLY]
    make_week_a_only(page, a_only)

    assert empty_app.test_client().get(f"/api/timetables/{SLUG}/weeks/{WEEK_A}").status_code == 404, "unpublished: no visitor sees it"
    publish(page)
    page.driver.execute_cdp_cmd("Network.clearBrowserCookies", {})  # from here on, a visitor

    by_day = {str(lesson[0]): [] for lesson in LESSONS}
    for slot, lesson in zip(slots, LESSONS):
        by_day[str(lesson[0])].append(slot)
    week_a = public_week(page, WEEK_A)
    assert {day: sorted(ids) for day, ids in week_a.items() if ids} == {day: sorted(ids) for day, ids in by_day.items()}
    week_b = public_week(page, WEEK_B)
    assert a_only not in week_b[str(WEDNESDAY)]
    assert sorted(sum(week_a.values(), [])) == sorted(sum(week_b.values(), []) + [a_only]), "week B lacks exactly the A-only lesson"
    assert page.driver.find_element(*by_testid("cycle-label")).text == "Week B"

    holiday = public_week(page, HOLIDAY_WEEK)
    wednesday = page.driver.find_element(By.CSS_SELECTOR, f'#week .day[data-date="{HOLIDAY_DATE}"]')
    banner = wednesday.find_element(*by_testid("holiday-banner"))
    assert banner.is_displayed() and banner.text == "Holiday: Founders' day"
    assert holiday[str(WEDNESDAY)] == []
    assert {day: sorted(ids) for day, ids in holiday.items() if day != str(WEDNESDAY)} == {
        day: sorted(ids) for day, ids in week_a.items() if day != str(WEDNESDAY)}
