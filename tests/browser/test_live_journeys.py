"""Live updates in real browsers: what one person changes shows up on another person's open page, no reload.

Two Chromiums on one journey's own demo database (`editing_app`, served by a threaded live server,
since every open week view holds an SSE connection): A is the scheduler (and later a visitor who
holds a place), B a visitor on the public week. B's page carries a marker in `window`: if it is still
there when the change shows, the page was updated in place, not reloaded.
"""

from __future__ import annotations

import pytest
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.support.ui import Select, WebDriverWait

from tests.clock import wall_weeks_ahead_text

from .conftest import start_chromium
from .pages import BookingPages, EditorPage, WeekPage, by_testid

pytestmark = pytest.mark.browser

LIVE_SECONDS = 5  # an event reaches the other page, which re-fetches its week (100 ms debounce)

# The week section's SSE source: open (EventSource.OPEN) once the stream's first chunk arrived.
_STREAM_OPEN = """
var live = document.querySelector('[data-testid="live"]');
var data = live && live['htmx-internal-data'];
return !!(data && data.sseEventSource && data.sseEventSource.readyState === 1);
"""

_ROOM_OF = """
var el = document.querySelector('#week [data-testid="block"][data-slot-id="' + arguments[0] + '"]');
return el ? el.dataset.room : null;
"""

_FREE_OF = """
var el = document.querySelector('#week [data-testid="block"][data-slot-id="' + arguments[0] + '"] [data-testid="free-places"]');
return el ? Number(el.dataset.free) : null;
"""


@pytest.fixture
def other_browser(tmp_path):
    """A second headless Chromium, with the same flags as the session's, quit at the end of the journey."""
    driver = start_chromium(tmp_path / "chromium-profile-b")
    try:
        yield driver
    finally:
        driver.quit()


def wait_until_listening(page: WeekPage) -> None:
    """Wait for the page's event stream to be open: an event sent before that would not reach it."""
    try:
        page.wait().until(lambda d: d.execute_script(_STREAM_OPEN))
    except TimeoutException as error:
        raise AssertionError(f"the page's event stream did not open ({page.driver.current_url})") from error


def wait_live(page: WeekPage, condition, what: str):
    """Wait (LIVE_SECONDS at most) for `condition` on a page that must not reload meanwhile."""
    try:
        result = WebDriverWait(page.driver, LIVE_SECONDS, ignored_exceptions=(StaleElementReferenceException,)).until(condition)
    except TimeoutException as error:
        raise AssertionError(f"{what}: not shown within {LIVE_SECONDS}s without a reload") from error
    assert page.driver.execute_script("return window.__marker") == 1, f"{what}: the page was reloaded"
    return result


def api_week(app, slug: str, week: str) -> list[dict]:
    response = app.test_client().get(f"/api/timetables/{slug}/weeks/{week}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["occurrences"]


def test_an_edit_and_a_hold_show_on_a_visitors_open_page(editor_page: EditorPage, other_browser, editing_live_server, editing_app):
    week, new_room = wall_weeks_ahead_text(3), "Library"
    lesson = min((o for o in api_week(editing_app, "school", week) if o["title"] == "English 7A"),
                 key=lambda o: (o["weekday"], o["start"]))
    slot = str(lesson["slot_id"])

    # B: a visitor on the public week, not logged in.
    visitor = WeekPage(other_browser, editing_live_server).open(f"/school?week={week}")
    wait_until_listening(visitor)
    other_browser.execute_script("window.__marker = 1")
    old_room = other_browser.execute_script(_ROOM_OF, slot)
    assert old_room == str(lesson["parameters"]["room"])

    # A: the scheduler gives that lesson another room for this week only.
    page = editor_page.log_in_and_open(f"/school/edit?week={week}&view=grid")
    rooms = page.select_options("filter-room")
    assert rooms[new_room] != old_room
    panel = page.click_block(slot)
    edit = panel.find_element(*by_testid("edit-room"))
    edit.find_element("tag name", "summary").click()
    Select(edit.find_element(*by_testid("value-room"))).select_by_visible_text(new_room)
    assert edit.find_element(*by_testid("range-this_week")).is_selected()
    preview = page.preview(edit.find_element(*by_testid("preview-room")), "Preview the lesson's room")
    page.in_region("panel", "slot-panel", lambda: page.apply(preview, "Apply the lesson's room"), "the slot panel refreshes")
    assert page.editor_blocks()[slot]["room"] == rooms[new_room]

    # B sees it, on the same page.
    wait_live(visitor, lambda d: d.execute_script(_ROOM_OF, slot) == rooms[new_room], "the new room on the public week")

    # A booking: B watches the clinic's week; A, now as a visitor, holds one appointment of a block.
    clinic_week = wall_weeks_ahead_text(2)
    [consultation] = [o for o in api_week(editing_app, "clinic", clinic_week)
                      if o["weekday"] == 1 and o["start"] == "09:00" and o["parameters"]["appointment_length"] == 20]
    block = str(consultation["slot_id"])
    watcher = BookingPages(other_browser, editing_live_server)
    watcher.visit(f"/clinic?week={clinic_week}", "grid")
    wait_until_listening(watcher)
    other_browser.execute_script("window.__marker = 1")
    free = other_browser.execute_script(_FREE_OF, block)
    assert free and free > 0, free

    holder = BookingPages(page.driver, editing_live_server)
    holder.visit(f"/clinic/book/{block}?week={clinic_week}", "booking-choose")
    holder.hold_appointment(1)

    wait_live(watcher, lambda d: d.execute_script(_FREE_OF, block) == free - 1, "one free place fewer on the clinic's week")
    # Optional and skipped: the place coming back when the hold runs out (leases are minutes long).


def test_a_page_that_lost_its_stream_reconnects_and_catches_up(editor_page: EditorPage, other_browser, editing_live_server, editing_app):
    from timetable.rules import parse_week
    from timetable.services.catalog import get_timetable
    from timetable.services.editing import EditRequest, apply_plan, plan_edit
    from timetable.services.live import broker

    week = wall_weeks_ahead_text(4)
    lesson = min(api_week(editing_app, "school", week), key=lambda o: (o["weekday"], o["start"], o["slot_id"]))
    slot = str(lesson["slot_id"])
    visitor = WeekPage(other_browser, editing_live_server).open(f"/school?week={week}")
    wait_until_listening(visitor)
    other_browser.execute_script("window.__marker = 1")

    # The server drops every stream; the change lands while the page is away (it reconnects
    # after the stream's 2 s retry), so only the catch-up on reconnection can show it.
    broker.disconnect_all()
    with editing_app.app_context():
        timetable = get_timetable("school")
        request = [EditRequest("slot", (int(slot),), "note", parse_week(week), parse_week(week), "Moved to the hall")]
        apply_plan(timetable, request, plan_edit(timetable, request, parse_week(week)).token, None)

    note = "Moved to the hall"
    try:
        WebDriverWait(other_browser, 10, ignored_exceptions=(StaleElementReferenceException,)).until(
            # textContent: the note may be clipped by the block's height, and .text skips clipped text.
            lambda d: note in d.execute_script(
                "var b = document.querySelector('#week [data-slot-id=\"' + arguments[0] + '\"]'); return b ? b.textContent : '';",
                slot))
    except TimeoutException as error:
        raise AssertionError("the change made while the page was disconnected never showed") from error
    assert other_browser.execute_script("return window.__marker") == 1, "the page was reloaded"
