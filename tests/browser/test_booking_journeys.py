"""Journeys of visitors booking an appointment in the demo clinic in a real browser.

Each journey gets a demo database of its own (`editing_app`, as the editing journeys do), since
booking writes. A second visitor is the same browser with the first one's cookies put aside —
their lock code lives in the session cookie — and given back afterwards.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from selenium.webdriver.common.by import By

from tests.clock import wall_weeks_ahead_text
from timetable.rules import parse_week
from timetable.services import booking as bk
from timetable.services.catalog import get_timetable

from .pages import BookingPages, by_testid

pytestmark = pytest.mark.browser

WEEK = wall_weeks_ahead_text(2)  # the clinic is bookable from this week on


def monday_consultation(app) -> int:
    """The slot id of Monday's general consultation (09:00–12:00, 20-minute appointments of one place)."""
    response = app.test_client().get(f"/api/timetables/clinic/weeks/{WEEK}")
    assert response.status_code == 200, response.get_data(as_text=True)
    [occurrence] = [o for o in response.get_json()["occurrences"]
                    if o["weekday"] == 1 and o["start"] == "09:00" and o["parameters"]["appointment_length"] == 20]
    return occurrence["slot_id"]


def test_a_visitor_books_an_appointment_and_cancels_it_through_the_private_link(booking_pages: BookingPages, editing_app):
    slot = monday_consultation(editing_app)
    page = booking_pages
    page.visit(f"/clinic?week={WEEK}", "grid")
    assert page.free_places(slot) == 9 and page.free_places_text(slot) == "9 free"

    page.choose(slot)
    appointments = page.appointments()
    assert len(appointments) == 9 and all(a["state"] == "free" and a["can_hold"] for a in appointments.values())
    assert appointments["1"]["text"] == "09:20–09:40"

    details = page.hold_appointment(1)
    assert "09:20–09:40" in details.find_element(*by_testid("booking-when")).text
    timer = details.find_element(*by_testid("hold-timer")).text
    assert re.search(r"1 place held for you until \d\d:\d\d \(\d+:\d\d left\)", timer), timer  # counted down by the page

    private = page.confirm("Ada Lovelace", "ada@example.org")
    reference = private.find_element(*by_testid("reference")).text
    assert re.fullmatch(r"[A-Z2-9]{8}", reference)
    assert f"Booked! Your reference is {reference}" in page.driver.find_element(By.CSS_SELECTOR, ".flash").text
    assert private.find_element(*by_testid("status")).text == "confirmed"
    link = private.find_element(*by_testid("private-link")).get_attribute("href")
    assert f"/clinic/bookings/{reference}?key=" in link

    # The private link, opened on its own, shows the booking and cancels it.
    private = page.navigate(lambda: page.driver.get(link), "booking-private", "open the private link")
    assert private.find_element(*by_testid("what")).text == "General consultation"
    assert "09:20–09:40" in private.find_element(*by_testid("when")).text
    assert private.find_element(*by_testid("places")).text == "1"
    private = page.click_to("cancel-booking", "booking-private")
    assert private.find_element(*by_testid("status")).text == "cancelled"
    assert not page.driver.find_elements(*by_testid("cancel-booking"))

    page.visit(f"/clinic?week={WEEK}", "grid")
    assert page.free_places(slot) == 9  # the place is free again


def test_a_held_appointment_is_taken_for_others_and_still_the_visitors_own(booking_pages: BookingPages, editing_app):
    slot = monday_consultation(editing_app)
    page = booking_pages
    page.visit(f"/clinic?week={WEEK}", "grid")
    page.choose(slot)
    page.hold_appointment(2)

    # The browser's Back button: the choice page shows the held time as the visitor's own.
    choice = page.navigate(page.driver.back, "booking-choose", "Back to the choice page")
    appointments = page.appointments()
    assert appointments["2"]["state"] == "mine" and "yours" in appointments["2"]["text"]
    assert sum(1 for a in appointments.values() if a["state"] == "free") == 8
    assert "held for you until" in choice.find_element(*by_testid("hold-notice")).text

    first_visitor = page.become_another_visitor()
    page.visit(f"/clinic?week={WEEK}", "grid")
    assert page.free_places(slot) == 8  # the first visitor's hold takes a place while it lives
    page.choose(slot)
    appointments = page.appointments()
    assert appointments["2"]["state"] == "taken" and not appointments["2"]["can_hold"]
    assert not page.driver.find_elements(*by_testid("hold-2"))
    assert appointments["3"]["state"] == "free" and appointments["3"]["can_hold"]
    assert not page.driver.find_elements(*by_testid("hold-notice"))

    page.come_back_as(first_visitor)
    page.visit(f"/clinic?week={WEEK}", "grid")
    assert page.free_places_text(slot) == "8 free · yours"
    page.visit("/clinic/book/details", "booking-details")
    page.click_to("change-choice", "booking-choose")  # the form page's way back to the choice
    assert page.appointments()["2"]["state"] == "mine"


def test_a_scheduler_opens_an_occurrences_bookings_from_the_grid_and_cancels_one(editor_page, editing_app):
    slot = monday_consultation(editing_app)
    with editing_app.app_context():
        clinic = get_timetable("clinic")
        bk.hold_place(clinic, slot, parse_week(WEEK), 0, 1, "visitor-a", timedelta(minutes=10))
        booking, _ = bk.confirm_booking(clinic, "visitor-a", "Ada", "ada@example.org")
        bk.hold_place(clinic, slot, parse_week(WEEK), 4, 1, "visitor-b", timedelta(minutes=10))
        booking_id = booking.id

    page = editor_page.log_in_and_open(f"/clinic/edit?week={WEEK}&view=grid")
    count = page.block(slot).find_element(*by_testid("booking-count"))
    assert count.text == "1/9 booked · 1 held"
    bookings = page.in_region("panel", "bookings", count.click, "click the booking count")
    assert not page.editor_blocks()[str(slot)]["selected"], "the click opened the bookings, it did not select the block"
    states = {row.get_attribute("data-status") for row in bookings.find_elements(*by_testid("booking-row"))}
    assert states == {"confirmed", "held"}
    assert "until" in bookings.find_element(By.CSS_SELECTOR, '[data-status="held"] [data-testid="booking-state"]').text

    button = bookings.find_element(*by_testid(f"cancel-{booking_id}"))
    holder = []
    page.refreshing_week(lambda: holder.append(page.in_region("panel", "bookings-notice", button.click, "Cancel")),
                         "the grid refreshes its counts")
    assert "is cancelled" in holder[0].text
    assert page.block(slot).find_element(*by_testid("booking-count")).text == "0/9 booked · 1 held"
