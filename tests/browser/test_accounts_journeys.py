"""An administrator gives a colleague an account on the clinic; the colleague sets a password and edits the clinic only."""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select

from tests.clock import wall_weeks_ahead_text

from .pages import EditorPage, by_testid

pytestmark = pytest.mark.browser

WEEK = wall_weeks_ahead_text(2)
PASSWORD = "clinic-desk-password"


def log_in(page: EditorPage, username: str, password: str) -> None:
    page.driver.get(page.base_url + "/login")
    form = page.wait().until(EC.presence_of_element_located((By.CSS_SELECTOR, "form.login-form")))
    form.find_element(By.NAME, "username").send_keys(username)
    form.find_element(By.NAME, "password").send_keys(password)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    page.wait().until(lambda d: page.path() == "/")


def test_an_invited_scheduler_of_the_clinic_edits_the_clinic_and_is_refused_the_school(editor_page: EditorPage, editing_app):
    driver = editor_page.driver
    # The administrator (the demo's "scheduler") creates the account, with the scheduler role on the clinic only.
    log_in(editor_page, "scheduler", "timetable-demo")
    driver.find_element(By.LINK_TEXT, "Accounts").click()
    form = editor_page.wait().until(EC.presence_of_element_located(by_testid("new-account-form")))
    form.find_element(By.NAME, "username").send_keys("desk")
    form.find_element(By.NAME, "display_name").send_keys("Clinic desk")
    Select(form.find_element(By.CSS_SELECTOR, 'select[data-slug="clinic"]')).select_by_value("scheduler")
    assert Select(form.find_element(By.CSS_SELECTOR, 'select[data-slug="school"]')).first_selected_option.get_attribute("value") == ""
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    link = editor_page.wait().until(EC.visibility_of_element_located(by_testid("invitation-link"))).text
    assert link.startswith(editor_page.base_url + "/invitations/"), link

    # A fresh browser: no cookie of the administrator's, nothing stored.
    driver.get("about:blank")
    driver.execute_cdp_cmd("Network.clearBrowserCookies", {})
    driver.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": editor_page.base_url, "storageTypes": "all"})
    driver.get(link)
    form = editor_page.wait().until(EC.presence_of_element_located(by_testid("invitation-form")))
    assert "desk" in driver.find_element(By.TAG_NAME, "main").text
    form.find_element(By.NAME, "password").send_keys(PASSWORD)
    form.find_element(By.NAME, "password_again").send_keys(PASSWORD)
    form.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
    editor_page.wait().until(lambda d: editor_page.path() == "/login")
    assert "Your password is set" in driver.find_element(By.TAG_NAME, "main").text

    # Logged in, the clinic is theirs to edit: a note on one occurrence, this week only, through its panel.
    page = editor_page.log_in_and_open(f"/clinic/edit?week={WEEK}&view=grid", username="desk", password=PASSWORD)
    response = editing_app.test_client().get(f"/api/timetables/clinic/weeks/{WEEK}")
    target = min(response.get_json()["occurrences"], key=lambda o: o["slot_id"])
    slot = str(target["slot_id"])
    panel = page.click_block(slot)
    edit = panel.find_element(*by_testid("edit-note"))
    edit.find_element(By.TAG_NAME, "summary").click()
    edit.find_element(*by_testid("value-note")).send_keys("Room 2 today")
    preview = page.preview(edit.find_element(*by_testid("preview-note")), "Preview the note")
    page.in_region("panel", "slot-panel", lambda: page.apply(preview, "Apply the note"), "the slot panel refreshes itself")
    after = editing_app.test_client().get(f"/api/timetables/clinic/weeks/{WEEK}").get_json()["occurrences"]
    assert next(o for o in after if o["slot_id"] == target["slot_id"])["parameters"]["note"] == "Room 2 today"
    with editing_app.app_context():
        from timetable.extensions import db
        from timetable.models import ChangeSet, User

        change = db.session.query(ChangeSet).order_by(ChangeSet.id.desc()).first()
        assert change.user_id == db.session.query(User).filter_by(username="desk").one().id

    # The school is not theirs: 403, and no Accounts link either.
    driver.get(editor_page.base_url + f"/school/edit?week={WEEK}")
    heading = editor_page.wait().until(EC.visibility_of_element_located((By.TAG_NAME, "h1")))
    assert heading.text == "403"
    assert "Your account may not do this." in driver.find_element(By.TAG_NAME, "main").text
    assert not driver.find_elements(By.LINK_TEXT, "Accounts")
