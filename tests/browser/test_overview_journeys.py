"""A scheduler works on the master overview of the demo school: drag a card to another period, preview,
apply, see it moved; select several cards; and the overview stays usable on a phone (390 px)."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.clock import wall_weeks_ahead_text

from .pages import EditorPage, by_testid, hhmm, minutes_of
from .test_editing_journeys import api_week, overlaps, resources

pytestmark = pytest.mark.browser

# Two weeks ahead of the wall clock: clear of the demo's painted history.
WEEK = wall_weeks_ahead_text(2)

_CELL_OF = """
var card = document.querySelector('#week [data-testid="card"][data-slot-id="' + arguments[0] + '"]');
var heads = Array.from(document.querySelectorAll('#week .overview thead tr:last-child th'));
var td = card.closest('td');
var head = heads[td.cellIndex - 1];
return {weekday: Number(head.dataset.weekday), start: Number(head.dataset.start), row: card.closest('tr').dataset.row};
"""

_TARGET_CELL = """
var card = document.querySelector('#week [data-testid="card"][data-slot-id="' + arguments[0] + '"]');
var heads = Array.from(document.querySelectorAll('#week .overview thead tr:last-child th'));
var weekday = String(arguments[1]), start = String(arguments[2]);
var index = heads.findIndex(function (h) { return h.dataset.weekday === weekday && h.dataset.start === start; });
return index < 0 ? null : card.closest('tr').cells[index + 1];
"""

_CENTRE = """
var r = arguments[0].getBoundingClientRect();
return {x: r.left + r.width / 2, y: r.top + r.height / 2, w: window.innerWidth, h: window.innerHeight};
"""


def free_target(occurrences: list[dict], lesson: dict, starts: list[int]) -> int | None:
    """A start on the lesson's own day where its class, teacher and room are all free (not its own start)."""
    own = minutes_of(lesson["start"])
    length = minutes_of(lesson["end"]) - own
    for start in sorted(starts, key=lambda s: abs(s - own)):
        if start == own:
            continue
        target = {"weekday": lesson["weekday"], "start": hhmm(start), "end": hhmm(start + length)}
        busy = set().union(*(resources(o) for o in occurrences if o["slot_id"] != lesson["slot_id"] and overlaps(o, target)))
        if not resources(lesson) & busy:
            return start
    return None


def cell_of(page: EditorPage, slot_id) -> dict:
    return page.driver.execute_script(_CELL_OF, str(slot_id))


def test_dragging_a_card_to_another_period_previews_applies_and_moves_it(editor_page: EditorPage, editing_app):
    occurrences = api_week(editing_app, WEEK)
    starts = sorted({minutes_of(o["start"]) for o in occurrences})
    lesson, start = next((o, s) for o in sorted(occurrences, key=lambda o: (o["weekday"], o["start"], o["slot_id"]))
                         if o["parameters"]["group"] and (s := free_target(occurrences, o, starts)) is not None)
    slot = str(lesson["slot_id"])

    page = editor_page.log_in_and_open(f"/school/edit?week={WEEK}")
    assert page.driver.find_element(*by_testid("overview")).is_displayed()
    assert cell_of(page, slot) == {"weekday": lesson["weekday"], "start": minutes_of(lesson["start"]),
                                   "row": str(lesson["parameters"]["group"][0])}

    card = page.driver.find_element(By.CSS_SELECTOR, f'#week [data-testid="card"][data-slot-id="{slot}"]')
    page.driver.execute_script("arguments[0].scrollIntoView({block: 'center', inline: 'center'})", card)
    target = page.driver.execute_script(_TARGET_CELL, slot, lesson["weekday"], start)
    assert target is not None, f"no column for weekday {lesson['weekday']} at {hhmm(start)}"
    to = page.driver.execute_script(_CENTRE, target)
    assert 0 <= to["x"] < to["w"] and 0 <= to["y"] < to["h"], f"the drop cell is off screen: {to}"
    press = page._press(card)
    move_form = page.in_region("preview", "move-form", lambda: page._drag_and_release(to["x"] - press["x"], to["y"] - press["y"]),
                               f"drag card {slot} to {hhmm(start)}")

    # The same move form as the grid's drag: the new start on the same day, this week only.
    weekday = Select(move_form.find_element(*by_testid("value-weekday")))
    assert weekday.first_selected_option.get_attribute("value") == str(lesson["weekday"])
    assert move_form.find_element(*by_testid("value-start")).get_attribute("value") == hhmm(start)
    assert move_form.find_element(*by_testid("range-this_week")).is_selected()
    preview = page.preview(move_form.find_element(*by_testid("move-preview")))
    lines = page.lines(preview.find_element(*by_testid("diff")))
    assert lines and all(slot_id == slot for slot_id, _ in lines), lines
    assert any(hhmm(start) in text for _, text in lines), lines

    page.apply(preview)
    # The overview refreshed itself: the card sits in its new period, in its own class's row.
    assert cell_of(page, slot) == {"weekday": lesson["weekday"], "start": start, "row": str(lesson["parameters"]["group"][0])}
    moved = next(o for o in api_week(editing_app, WEEK) if o["slot_id"] == lesson["slot_id"])
    assert minutes_of(moved["start"]) == start


def test_a_click_opens_the_panel_and_ctrl_click_selects_several(editor_page: EditorPage, editing_app):
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys

    first, second = sorted(api_week(editing_app, WEEK), key=lambda o: (o["weekday"], o["start"], o["slot_id"]))[:2]
    page = editor_page.log_in_and_open(f"/school/edit?week={WEEK}")
    cards = [page.driver.find_element(By.CSS_SELECTOR, f'#week [data-testid="card"][data-slot-id="{o["slot_id"]}"]')
             for o in (first, second)]
    panel = page.in_region("panel", "slot-panel", cards[0].click, "click on a card")
    assert str(first["slot_id"]) in panel.get_attribute("innerHTML")
    ctrl_click = ActionChains(page.driver).key_down(Keys.CONTROL).click(cards[1]).key_up(Keys.CONTROL)
    page.in_region("panel", "bulk-panel", ctrl_click.perform, "ctrl-click on a second card")
    assert page.driver.find_element(*by_testid("selection-count")).text == "2 selected"
    assert all("selected" in c.get_attribute("class").split() for c in cards)


def test_the_overview_fits_a_phone_and_scrolls_inside_its_table(editor_page: EditorPage, editing_app):
    browser = editor_page.driver
    browser.set_window_size(390, 844)
    try:
        page = editor_page.log_in_and_open(f"/school/edit?week={WEEK}")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
        scroller = browser.find_element(*by_testid("overview-scroll"))
        assert browser.execute_script("return arguments[0].scrollWidth > arguments[0].clientWidth", scroller)
        for testid in ("week-label", "rows-staff", "grid-link", "clashes-link"):
            box = browser.execute_script("var r = arguments[0].getBoundingClientRect(); return [r.left, r.right, r.width];",
                                         browser.find_element(*by_testid(testid)))
            assert box[2] > 0 and box[0] >= 0 and box[1] <= 390, f"{testid} is clipped: {box}"
        # A card stays readable: wide enough for a name, not a 17 px fragment.
        card = browser.find_element(By.CSS_SELECTOR, '#week [data-testid="card"]')
        assert card.size["width"] >= 90
        # Switching the rows to teachers works at this width too.
        page.swapped_in("#week", browser.find_element(*by_testid("rows-staff")).click, "rows: teachers")
        assert browser.find_element(*by_testid("rows-staff")).tag_name == "strong"
        assert browser.execute_script("return document.documentElement.scrollWidth") <= 390
    finally:
        browser.set_window_size(1400, 1000)
