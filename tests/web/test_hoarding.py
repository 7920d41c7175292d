"""Hoarding: one client cannot take every place; a second visitor can still book.

Limits per client: places per hold (the slot parameter `max_places_per_booking`, with history),
live holds per network address and timetable, waiting-list entries per e-mail and per address,
and a rate limit shared by the anonymous booking requests that write. Each refusal says why,
with a 4xx, and writes nothing.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.clock import PINNED_NOW, pinned, weeks_ahead
from timetable.rules import format_week

W1, W2, W3, W4 = (format_week(weeks_ahead(n)) for n in (1, 2, 3, 4))
HOARDER, SECOND, THIRD = "10.0.0.66", "10.0.0.2", "10.0.0.3"


@pytest.fixture
def clinic(app):
    """A vaccination session of 12 places (Mon 09:00, 2 places a booking from next week's next week on;
    5 until then) and a one-place appointment block (Tue 10:00)."""
    from tests.factories import paint
    from timetable.database import write_transaction
    from timetable.services.creation import create_slot, create_timetable

    with app.app_context(), write_transaction():
        timetable = create_timetable("v", "Vaccination centre", "Europe/Paris", published=True)
        session = create_slot(timetable, {"weekday": 1, "start": 540, "duration": 120, "title": "Vaccination",
                                          "capacity": 12, "max_places_per_booking": 5}, 202640)
        paint(timetable, "slot", session.id, "max_places_per_booking", weeks_ahead(2), None, 2)
        single = create_slot(timetable, {"weekday": 2, "start": 600, "duration": 30, "title": "Check-up", "capacity": 1}, 202640)
        return {"session": session.id, "single": single.id}


def hold(client, slot_id, *, address, code, week=W2, places=1):
    return client.post("/api/timetables/v/holds", json={"slot_id": slot_id, "week": week, "places": places, "lock_code": code},
                       environ_base={"REMOTE_ADDR": address})


def confirm(client, *, address, code, email="someone@example.org"):
    return client.post("/api/timetables/v/confirm", json={"lock_code": code, "name": "Someone", "email": email},
                       environ_base={"REMOTE_ADDR": address})


def wait(client, slot_id, *, address, email, week=W2):
    return client.post("/api/timetables/v/waiting-list",
                       json={"slot_id": slot_id, "week": week, "name": "Someone", "email": email},
                       environ_base={"REMOTE_ADDR": address})


def booking_count(app) -> int:
    from timetable.extensions import db
    from timetable.models import Booking

    with app.app_context():
        return db.session.query(Booking).count()


def message(response) -> str:
    return response.get_json()["error"]["message"]


def test_places_per_booking_is_a_parameter_with_history(app, client, clinic):
    # Next week allows 5 places a booking; from the week after, 2.
    assert hold(client, clinic["session"], address=SECOND, code="a", week=W1, places=5).status_code == 201
    refused = hold(client, clinic["session"], address=THIRD, code="b", week=W2, places=3)
    assert refused.status_code == 400
    assert message(refused) == "At most 2 places can be booked at once here."
    assert booking_count(app) == 1
    assert hold(client, clinic["session"], address=THIRD, code="b", week=W2, places=2).status_code == 201
    # The visitors' booking page says so, and offers no more.
    page = client.get(f"/v/book/{clinic['session']}?week={W2}").get_data(as_text=True)
    assert "At most 2 places per booking." in page and 'max="2"' in page
    # API clients read it in the availability.
    units = {week: client.get(f"/api/timetables/v/weeks/{week}/availability").get_json()["units"] for week in (W1, W2)}
    assert [u["max_places"] for u in units[W1] if u["slot_id"] == clinic["session"]] == [5]
    assert [u["max_places"] for u in units[W2] if u["slot_id"] == clinic["session"]] == [2]


def test_a_client_holds_a_few_places_at_once_and_a_second_visitor_still_books(app, client, clinic):
    answers = [hold(client, clinic["session"], address=HOARDER, code=f"hoard-{n}", places=2) for n in range(6)]
    assert [a.status_code for a in answers] == [201, 201, 201, 429, 429, 429]
    assert message(answers[3]) == ("Your network address already has 3 bookings in progress here, the most allowed at once: "
                                   "finish one or let it run out, then try again.")
    assert booking_count(app) == 3  # refusals wrote nothing
    # Holding again under a code it holds with is not a new hold: it is never refused for the limit.
    assert hold(client, clinic["session"], address=HOARDER, code="hoard-0", places=1).status_code == 201
    # Another visitor books: 12 places, the hoarder holds 5 of them.
    assert hold(client, clinic["session"], address=SECOND, code="second", places=2).status_code == 201
    booked = confirm(client, address=SECOND, code="second")
    assert booked.status_code == 201 and booked.get_json()["booking"]["status"] == "confirmed"
    free = client.get(f"/api/timetables/v/weeks/{W2}/availability").get_json()["units"][0]["free"]
    assert free == 12 - 5 - 2


def test_the_hoarders_holds_run_out_and_renewing_them_is_still_limited(app, client, clinic):
    for n in range(3):
        assert hold(client, clinic["session"], address=HOARDER, code=f"hoard-{n}", places=2).status_code == 201
    with pinned(PINNED_NOW + timedelta(minutes=30)):  # every lease ran out
        renewed = [hold(client, clinic["session"], address=HOARDER, code=f"new-{n}", places=2) for n in range(4)]
        assert [r.status_code for r in renewed] == [201, 201, 201, 429]


def test_the_booking_form_refuses_a_hoarder_with_a_page_that_says_why(app, clinic):
    from tests.conftest import csrf_token_from

    for n in range(4):
        browser = app.test_client()  # a new session each time: a new lock code, from the same address
        page = browser.get(f"/v/book/{clinic['session']}?week={W2}", environ_base={"REMOTE_ADDR": HOARDER})
        response = browser.post(f"/v/book/{clinic['session']}/hold", environ_base={"REMOTE_ADDR": HOARDER},
                                data={"week": W2, "appointment": "0", "places": "2",
                                      "csrf_token": csrf_token_from(page.get_data(as_text=True))})
        assert response.status_code == (303 if n < 3 else 429)
    assert "3 bookings in progress here, the most allowed at once" in response.get_data(as_text=True)
    assert booking_count(app) == 3


def fill_single(client, clinic, week):
    assert hold(client, clinic["single"], address=f"10.1.0.{weeks_of[week]}", code=f"fill-{week}", week=week).status_code == 201


weeks_of = {W1: 1, W2: 2, W3: 3, W4: 4}


def test_waiting_list_entries_are_limited_per_email(app, client, clinic):
    for week in (W1, W2, W3, W4):
        fill_single(client, clinic, week)
    for week in (W1, W2, W3):
        assert wait(client, clinic["single"], address=SECOND, email="Ada@example.org", week=week).status_code == 201
    before = booking_count(app)
    # The same address, in any case, from another network address: still the same person.
    refused = wait(client, clinic["single"], address=THIRD, email="ada@EXAMPLE.org", week=W4)
    assert refused.status_code == 429
    assert message(refused) == ("This e-mail address is already on 3 waiting lists here, the most allowed: "
                                "leave one (from its private link) before joining another.")
    assert booking_count(app) == before
    # Someone else still joins.
    assert wait(client, clinic["single"], address=THIRD, email="bob@example.org", week=W4).status_code == 201


def test_waiting_list_entries_are_limited_per_address(app, client, clinic):
    app.config["BOOKING_WAITING_PER_ADDRESS"] = 2
    try:
        fill_single(client, clinic, W2)
        for n in range(2):
            assert wait(client, clinic["single"], address=HOARDER, email=f"fake{n}@example.org").status_code == 201
        refused = wait(client, clinic["single"], address=HOARDER, email="fake9@example.org")
        assert refused.status_code == 429
        assert message(refused) == "Your network address already has 2 waiting-list entries here, the most allowed."
        assert wait(client, clinic["single"], address=SECOND, email="real@example.org").status_code == 201
    finally:
        app.config["BOOKING_WAITING_PER_ADDRESS"] = 10


def test_anonymous_booking_requests_are_rate_limited_per_address(app, client, clinic):
    # The default: 30 a minute from one address, all booking writes together.
    statuses = [hold(client, clinic["session"], address=HOARDER, code="same", places=1).status_code for _ in range(30)]
    assert set(statuses) == {201}
    refused = confirm(client, address=HOARDER, code="same")
    assert refused.status_code == 429
    assert message(refused) == "Too many booking requests from your network address. Wait a minute, then try again."
    assert "Retry-After" in refused.headers
    # Another visitor is not slowed down.
    assert hold(client, clinic["session"], address=SECOND, code="other").status_code == 201
    assert confirm(client, address=SECOND, code="other").status_code == 201
