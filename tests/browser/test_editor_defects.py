"""Editor defects found while reading the demo (issue 13), each in a real browser:

- "Select all lessons this week of" a teacher selects all of them, not only what the filter shows;
- the open panel follows the grid to another week;
- a preview and its "Applied" note come into view, with the focus, above a scrolled form.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By

from tests.clock import wall_weeks_ahead_text

from .pages import EditorPage, by_testid
from .test_editing_journeys import api_week

pytestmark = pytest.mark.browser

W1, W2 = wall_weeks_ahead_text(1), wall_weeks_ahead_text(2)
TEACHER = "A. Moreau"  # maths in three classes


@pytest.fixture
def demo_editor(browser, live_server) -> EditorPage:
    """The editor on the session's read-only demo (these journeys only read and preview)."""
    return EditorPage(browser, live_server)


def lessons_of(occurrences: list[dict], name: str) -> set[str]:
    return {str(o["slot_id"]) for o in occurrences if name in (o["labels"].get("staff"), o["labels"].get("substitute"))}


def panel_week(page: EditorPage) -> str:
    return page.driver.find_element(By.CSS_SELECTOR, '#panel input[name="week"]').get_attribute("value")


def test_select_all_of_a_teacher_selects_their_lessons_the_filter_hides_too(demo_editor: EditorPage, demo_app):
    occurrences = api_week(demo_app, W2)
    expected = lessons_of(occurrences, TEACHER)
    one_class = next(o for o in occurrences if str(o["slot_id"]) in expected)["parameters"]["group"][0]
    shown = {str(o["slot_id"]) for o in occurrences if one_class in (o["parameters"]["group"] or ())} & expected
    assert 0 < len(shown) < len(expected)

    page = demo_editor.log_in_and_open(f"/school/edit?week={W2}&group={one_class}")
    panel = page.select_all_of("staff", TEACHER)
    assert panel.find_element(*by_testid("selected-count")).text == str(len(expected))
    assert page.driver.find_element(*by_testid("selection-count")).text == f"{len(expected)} selected"
    # The blocks on screen are marked; the hidden ones are in the selection all the same.
    assert {s for s, b in page.editor_blocks().items() if b["selected"]} == shown


def test_the_open_panel_follows_the_grid_to_another_week(demo_editor: EditorPage, demo_app):
    page = demo_editor.log_in_and_open(f"/school/edit?week={W1}&view=grid")
    slot = sorted(lessons_of(api_week(demo_app, W1), TEACHER))[0]
    panel = page.click_block(slot)
    assert panel_week(page) == W1 and W1 in panel.find_element(By.CSS_SELECTOR, "header .hint").text

    panel = page.in_region("panel", "slot-panel", lambda: page.go_next(expected_label=W2), "the slot panel follows to the next week")
    assert panel_week(page) == W2 and W2 in panel.find_element(By.CSS_SELECTOR, "header .hint").text
    assert panel.get_attribute("data-owner-id") == slot

    # The bulk panel of a selection too, with the same lessons.
    expected = lessons_of(api_week(demo_app, W2), TEACHER)
    page.select_all_of("staff", TEACHER)
    assert panel_week(page) == W2
    panel = page.in_region("panel", "bulk-panel", lambda: page.go_previous(expected_label=W1), "the bulk panel follows back")
    assert panel_week(page) == W1
    assert panel.find_element(*by_testid("selected-count")).text == str(len(expected & lessons_of(api_week(demo_app, W1), TEACHER)))


_IN_VIEW = """
var el = arguments[0], side = document.querySelector('.editor-side');
var r = el.getBoundingClientRect(), s = side.getBoundingClientRect();
return {top: r.top, side_top: s.top, side_bottom: s.bottom, height: window.innerHeight,
        visible: r.top >= Math.max(0, s.top) - 1 && r.top < Math.min(window.innerHeight, s.bottom) - 20,
        focused: el.contains(document.activeElement) || el === document.activeElement};
"""


def test_a_preview_and_applied_come_into_view_with_the_focus_above_a_scrolled_form(editor_page: EditorPage, editing_app):
    slot = sorted(lessons_of(api_week(editing_app, W2), TEACHER))[0]
    page = editor_page.log_in_and_open(f"/school/edit?week={W2}&view=grid")
    panel = page.click_block(slot)
    edit = panel.find_element(*by_testid("edit-note"))
    edit.find_element(By.TAG_NAME, "summary").click()
    edit.find_element(*by_testid("value-note")).send_keys("Bring a calculator")
    button = edit.find_element(*by_testid("preview-note"))
    # The panel is taller than the screen: the form sits at the bottom of the scrolled side column.
    page.driver.execute_script(
        "document.querySelector('.editor-side').scrollTop = 1e6; arguments[0].scrollIntoView({block: 'end'});", button)
    region = page.driver.find_element(By.ID, "preview")
    assert not page.driver.execute_script(_IN_VIEW, region)["visible"], "the preview region should start out of view"

    preview = page.preview(button, "Preview the note")
    where = page.driver.execute_script(_IN_VIEW, preview)
    assert where["visible"] and where["focused"], where

    # The "Applied" note too, after scrolling back down to the form.
    page.driver.execute_script("document.querySelector('.editor-side').scrollTop = 1e6")
    applied = page.apply(preview, "Apply the note")
    assert "Applied" in applied.text
    where = page.driver.execute_script(_IN_VIEW, applied)
    assert where["visible"] and where["focused"], where
