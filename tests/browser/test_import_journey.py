"""A scheduler imports a FET timetable from the upload page: preview, apply, the lessons on the grid, undo."""

from __future__ import annotations

import os

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from sqlalchemy import func, select

from tests.clock import wall_weeks_ahead_text
from tests.fet_generation import SMALL_SCHOOL, generate_fet, needs_fet

from .conftest import READ_CSP_VIOLATIONS
from .pages import WEEK_LABEL, EditorPage, by_testid

pytestmark = [pytest.mark.browser, needs_fet]


def imported_slots(app) -> set[str]:
    from timetable.extensions import db
    from timetable.models import Slot, Timetable

    with app.app_context():
        clinic = db.session.scalar(select(Timetable.id).where(Timetable.slug == "clinic"))
        return {str(i) for i in db.session.scalars(select(Slot.id).where(Slot.timetable_id == clinic, Slot.external_ref.is_not(None)))}


def change_count(app) -> int:
    from timetable.extensions import db
    from timetable.models import ChangeSet

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(ChangeSet))


def screenshot(driver, name: str) -> None:
    """With TIMETABLE_SCREENSHOTS=DIR, the page as it looks at 1280 and 390 px wide (for a person to judge)."""
    folder = os.environ.get("TIMETABLE_SCREENSHOTS")
    if not folder:
        return
    size = driver.get_window_size()
    for width in (1280, 390):
        driver.set_window_size(width, 1400)
        driver.save_screenshot(os.path.join(folder, f"{name}-{width}.png"))
    driver.set_window_size(size["width"], size["height"])


def test_a_scheduler_imports_a_fet_file_sees_its_lessons_on_the_grid_and_undoes_it(editor_page: EditorPage, editing_app, tmp_path):
    fet_path = generate_fet(SMALL_SCHOOL, tmp_path)
    page = editor_page.log_in_and_open("/clinic/edit", username="clinic")
    driver = page.driver
    driver.find_element(*by_testid("import-link")).click()
    form = page.wait().until(EC.presence_of_element_located(by_testid("import-form")))
    page._install_trackers()  # a new page: watch its htmx swaps
    assert form.find_element(*by_testid("import-from-week")).get_attribute("value") == wall_weeks_ahead_text(1)
    changes = change_count(editing_app)

    # Preview: the plan, and nothing written.
    form.find_element(*by_testid("import-file")).send_keys(str(fet_path))
    result = page.swapped_in("#import-result", form.find_element(*by_testid("import-preview")).click, "the import's preview")
    counts = result.find_element(*by_testid("import-counts")).text
    assert "25 slots to create" in counts and "0 to close" in counts, counts
    assert result.find_element(*by_testid("import-create")).tag_name == "details"  # 25 lines: folded
    assert driver.find_element(*by_testid("import-progress")).get_attribute("value") == "100"  # import.js followed the upload
    assert change_count(editing_app) == changes and imported_slots(editing_app) == set()
    assert driver.execute_script(READ_CSP_VIOLATIONS) == []  # the page's script is a static file, its styles a stylesheet
    screenshot(driver, "import-preview")

    # Apply: one change, with links to the history and the grid.
    result = page.swapped_in("#import-result", driver.find_element(*by_testid("import-apply")).click, "the applied import")
    assert "Import of small-school_data_and_timetable.fet: 25 new" in result.find_element(*by_testid("import-applied")).text
    # The server's steps arrived as they happened, and stay listed.
    steps = [li.text for li in driver.find_elements(By.CSS_SELECTOR, '[data-testid="import-steps"] li')]
    assert any(step.startswith("Writing ") for step in steps) and any(step.startswith("Recorded as change") for step in steps), steps
    screenshot(driver, "import-applied")
    assert change_count(editing_app) == changes + 1
    slots = imported_slots(editing_app)
    assert len(slots) == 25

    # The lessons are on the grid of the first imported week.
    result.find_element(*by_testid("import-grid")).click()
    page.wait().until(lambda d: d.find_elements(*WEEK_LABEL) and page.week_label() == wall_weeks_ahead_text(1))
    page._install_trackers()
    assert slots <= set(page.editor_blocks())

    # Undo it from the history, in one action: the lessons are gone.
    history = page.open_history()
    latest = history.find_elements(*by_testid("change"))[0]
    change_id = latest.get_attribute("data-change-id")
    assert "Import of small-school" in latest.text
    undo_preview = page.in_region("preview", "undo-preview", latest.find_element(*by_testid(f"undo-{change_id}")).click, "Undo…")
    assert f"Undo change {change_id}" in undo_preview.find_element(By.TAG_NAME, "h3").text
    page.in_region("panel", "history", lambda: page.apply_with(undo_preview.find_element(*by_testid("apply-undo")), "Undo it"),
                   "history refresh after the undo")
    assert not slots & set(page.editor_blocks())


def test_a_file_over_the_limit_is_refused_with_a_message_before_or_after_it_is_sent(editor_page: EditorPage, editing_app, tmp_path):
    fet_path = generate_fet(SMALL_SCHOOL, tmp_path)
    editing_app.config["MAX_IMPORT_BYTES"] = 4096
    page = editor_page.log_in_and_open("/clinic/edit", username="clinic")
    driver = page.driver
    driver.find_element(*by_testid("import-link")).click()
    form = page.wait().until(EC.presence_of_element_located(by_testid("import-form")))
    changes = change_count(editing_app)
    form.find_element(*by_testid("import-file")).send_keys(str(fet_path))
    form.find_element(*by_testid("import-preview")).click()
    problem = page.wait().until(EC.visibility_of_element_located(by_testid("import-problem")))
    assert "at most 4,096 bytes can be imported. Nothing was sent." in problem.text, problem.text
    # Past the page's own check (a page opened before the limit changed): the server's 413 still shows as a message.
    driver.execute_script("document.getElementById('import-form').dataset.maxBytes = ''")
    form.find_element(*by_testid("import-preview")).click()
    read_problem = "const p = document.querySelector('[data-testid=import-problem]'); return p ? p.textContent : ''"
    page.wait().until(lambda d: "too large" in d.execute_script(read_problem))
    assert not driver.find_elements(*by_testid("import-apply"))
    assert change_count(editing_app) == changes and imported_slots(editing_app) == set()
