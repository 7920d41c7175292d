"""A viewer of the unpublished school makes a private calendar link of their class's week, a calendar app reads it, then they revoke it."""

from __future__ import annotations

import urllib.error
import urllib.request

import pytest
from icalendar import Calendar
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC

from .pages import EditorPage, by_testid
from .test_accounts_journeys import log_in

pytestmark = pytest.mark.browser


def calendar_app_reads(url: str) -> tuple[int, bytes]:
    """What a calendar app gets: the URL alone, no cookie."""
    try:
        with urllib.request.urlopen(url, timeout=30) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def test_a_viewer_subscribes_to_a_private_link_of_an_unpublished_timetable_and_revokes_it(editor_page: EditorPage, editing_app):
    from timetable.extensions import db
    from timetable.models import Group, Timetable
    from timetable.services.timetables import configure_timetable

    with editing_app.app_context():
        school = db.session.query(Timetable).filter_by(slug="school").one()
        configure_timetable(school, {"published": False})
        group = db.session.query(Group).filter_by(timetable_id=school.id, name="7A").one().id
    driver = editor_page.driver
    assert calendar_app_reads(editor_page.base_url + "/school/calendar.ics")[0] == 404

    # The demo's "staff" account views the school: its week page, filtered to 7A, offers a private link.
    log_in(editor_page, "staff", "timetable-demo")
    driver.get(editor_page.base_url + f"/school?group={group}")
    form = editor_page.wait().until(EC.visibility_of_element_located(by_testid("private-feed-form")))
    form.find_element(By.TAG_NAME, "button").click()
    url = editor_page.wait().until(EC.visibility_of_element_located(by_testid("new-feed-link"))).text
    assert url.startswith(editor_page.base_url + "/school/calendar.ics?key=tf_") and url.endswith(f"&group={group}")
    assert "7A" in driver.find_element(By.TAG_NAME, "main").text

    status, body = calendar_app_reads(url)
    assert status == 200
    titles = {str(event["SUMMARY"]) for event in Calendar.from_ical(body).walk("VEVENT")}
    assert titles and all(title.endswith("7A") for title in titles), titles

    # On the account page the link is listed; revoking it ends it for the calendar app.
    driver.find_element(By.LINK_TEXT, "Back to your account").click()
    links = editor_page.wait().until(EC.visibility_of_element_located(by_testid("feed-links")))
    assert "class 7A" in links.text and url not in driver.page_source
    links.find_element(By.XPATH, ".//button[normalize-space()='Revoke']").click()
    # The form posts and the page reloads: read <main> again each time (the old one goes stale).
    editor_page.wait().until(EC.text_to_be_present_in_element((By.TAG_NAME, "main"), "The calendar link is revoked"))
    assert calendar_app_reads(url)[0] == 404
