"""The public booking API: availability, holds under lock codes, confirmation, waiting list, private links, refusals."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, timedelta

import pytest

from tests.clock import weeks_ahead
from timetable.rules import format_week, monday_of

# Next week on the pinned clock (booking is open there), and the one after it.
W48_KEY, W49_KEY = weeks_ahead(1), weeks_ahead(2)
W48, W49 = format_week(W48_KEY), format_week(W49_KEY)
MONDAY, TUESDAY = monday_of(W48_KEY).isoformat(), (monday_of(W48_KEY) + timedelta(days=1)).isoformat()


@pytest.fixture
def clinic_ids(app):
    """The clinic of tests/conftest.py — a 5-place class (Mon 10:00) and a consultation cut into three
    20-minute appointments of one place (Tue 09:00) — plus an unpublished timetable with one class.

    Built in an app context that ends before the test, so that each request has its own session,
    as in production: a write a service forgot to commit cannot show up in the next request.
    """
    from timetable.database import write_transaction
    from timetable.services.creation import create_slot, create_timetable

    with app.app_context():
        with write_transaction():
            clinic = create_timetable("c", "Test clinic", "Europe/Paris", published=True)
            group_class = create_slot(clinic, {"weekday": 1, "start": 600, "duration": 60, "title": "Back care",
                                               "capacity": 5}, 202640)
            consultation = create_slot(clinic, {"weekday": 2, "start": 540, "duration": 60, "title": "Consultation",
                                                "capacity": 1, "appointment_length": 20}, 202640)
            draft = create_timetable("draft", "Draft clinic", "Europe/Paris", published=False)
            hidden = create_slot(draft, {"weekday": 1, "start": 600, "duration": 60, "capacity": 5}, 202640)
        return {"class": group_class.id, "consultation": consultation.id, "hidden": hidden.id}


def address_of(lock_code: str) -> str:
    """A network address of a visitor's own: different visitors come from different places."""
    number = int(hashlib.sha256(lock_code.encode()).hexdigest()[:6], 16)
    return f"10.{number >> 16 & 255}.{number >> 8 & 255}.{number & 255}"


class Visitor:
    """An anonymous visitor's client: no session, no CSRF token; a lock code is the credential.

    Each visitor writes from an address of its own, as different people do, so the limits per
    client address (tests/web/test_hoarding.py) do not mistake them for one hoarder.
    """

    def __init__(self, client, ids, lock_code: str):
        self.client, self.ids, self.lock_code = client, ids, lock_code
        self.environ = {"REMOTE_ADDR": address_of(lock_code)}

    def availability(self, week: str = W48, slug: str = "c", **query):
        return self.client.get(f"/api/timetables/{slug}/weeks/{week}/availability",
                               query_string={"lock_code": self.lock_code, **query})

    def units(self, week: str = W48) -> dict[tuple[int, int], dict]:
        response = self.availability(week)
        assert response.status_code == 200, response.get_json()
        return {(u["slot_id"], u["appointment"]): u for u in response.get_json()["units"]}

    def hold(self, slot: str = "class", *, slug: str = "c", **fields):
        body = {"slot_id": self.ids[slot], "week": W48, "lock_code": self.lock_code, **fields}
        return self.client.post(f"/api/timetables/{slug}/holds", json=body, environ_base=self.environ)

    def confirm(self, name: str = "Ada", email: str = "ada@example.org", **fields):
        body = {"lock_code": self.lock_code, "name": name, "email": email, **fields}
        return self.client.post("/api/timetables/c/confirm", json=body, environ_base=self.environ)

    def book(self, slot: str = "class", **fields) -> dict:
        held = self.hold(slot, **fields)
        assert held.status_code == 201, held.get_json()
        confirmed = self.confirm()
        assert confirmed.status_code == 201, confirmed.get_json()
        return confirmed.get_json()["booking"]

    def wait(self, slot: str = "class", name: str = "Wendy", email: str = "w@example.org", **fields):
        body = {"slot_id": self.ids[slot], "week": W48, "name": name, "email": email, **fields}
        return self.client.post("/api/timetables/c/waiting-list", json=body, environ_base=self.environ)


@pytest.fixture
def visitor(client, clinic_ids):
    return lambda lock_code: Visitor(client, clinic_ids, lock_code)


def bookings(app, **filters):
    from timetable.models import Booking

    with app.app_context():
        return Booking.query.filter_by(**filters).all()


def expire_holds(app, lock_code: str) -> None:
    """Let the hold of this lock code run out (as if its lease had passed), without waiting for it."""
    from timetable.extensions import db
    from timetable.models import Booking
    from timetable.services.booking import digest

    with app.app_context():
        for hold in Booking.query.filter_by(lock_code_hash=digest(lock_code)).all():
            hold.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()


def moment(text: str) -> datetime:
    return datetime.fromisoformat(text)


def error_of(response, status: int) -> dict:
    assert response.status_code == status, response.get_json()
    return response.get_json()["error"]


# Availability.


def test_availability_lists_every_bookable_unit_with_its_places(visitor, clinic_ids):
    ada, bob = visitor("ada-form"), visitor("bob-form")
    assert ada.hold(places=2).status_code == 201
    assert bob.hold("consultation", appointment=1).status_code == 201

    body = ada.availability().get_json()
    assert (body["timetable"], body["week"], body["time_zone"]) == ("c", W48, "Europe/Paris")
    units = {(u["slot_id"], u["appointment"]): u for u in body["units"]}
    assert units[(clinic_ids["class"], 0)] == {
        "slot_id": clinic_ids["class"], "appointment": 0, "date": MONDAY, "start": "10:00", "end": "11:00",
        "title": "Back care", "capacity": 5, "max_places": 5, "taken": 2, "free": 3, "mine": 2, "waiting": 0, "bookable": True,
    }
    consultation = [units[(clinic_ids["consultation"], n)] for n in range(3)]
    assert [(u["start"], u["end"], u["date"]) for u in consultation] == [
        ("09:00", "09:20", TUESDAY), ("09:20", "09:40", TUESDAY), ("09:40", "10:00", TUESDAY)]
    assert [(u["free"], u["mine"], u["bookable"]) for u in consultation] == [(1, 0, True), (0, 0, False), (1, 0, True)]
    # Bob sees his own appointment as his, and still bookable by him; Ada's places as taken.
    bobs = bob.units()
    assert (bobs[(clinic_ids["consultation"], 1)]["mine"], bobs[(clinic_ids["consultation"], 1)]["bookable"]) == (1, True)
    assert (bobs[(clinic_ids["class"], 0)]["free"], bobs[(clinic_ids["class"], 0)]["mine"]) == (3, 0)
    assert [u["slot_id"] for u in body["units"]] == [clinic_ids["class"]] + [clinic_ids["consultation"]] * 3


def test_availability_without_a_lock_code_counts_every_hold_as_taken(client, visitor, clinic_ids):
    visitor("ada-form").hold(places=5)
    for query in ("", "?lock_code=%20%20"):
        response = client.get(f"/api/timetables/c/weeks/{W48.replace('-', '')}/availability{query}")
        [unit] = [u for u in response.get_json()["units"] if u["slot_id"] == clinic_ids["class"]]
        assert (unit["taken"], unit["free"], unit["mine"], unit["bookable"]) == (5, 0, 0, False)


def test_availability_refuses_a_bad_week_and_hides_unknown_or_unpublished_timetables(visitor):
    ada = visitor("ada-form")
    error = error_of(ada.availability("2026-W54"), 400)
    assert "2026-W54" in error["message"] and "2026 has 53 ISO weeks" in error["message"]
    assert "nonsense" in error_of(ada.availability("nonsense"), 400)["message"]
    assert error_of(ada.availability(slug="nowhere"), 404)["status"] == 404
    assert error_of(ada.availability(slug="draft"), 404)["message"] == "There is no published timetable called “draft”."
    assert "unknown" in str(error_of(ada.availability(unknown="x"), 400)["fields"])


def test_a_closed_occurrence_is_not_listed_and_cannot_be_held(app, visitor, clinic_ids):
    from tests.factories import paint
    from timetable.database import write_transaction
    from timetable.models import Timetable

    with app.app_context(), write_transaction():
        clinic = Timetable.query.filter_by(slug="c").one()
        paint(clinic, "slot", clinic_ids["class"], "status", W48_KEY, W48_KEY, "temporarily_closed")
        paint(clinic, "slot", clinic_ids["class"], "note", W48_KEY, W48_KEY, "Physio on leave")
    ada = visitor("ada-form")
    assert (clinic_ids["class"], 0) not in ada.units()
    error = error_of(ada.hold(), 400)
    assert error["message"] == f"This occurrence is closed in {W48} (Physio on leave): it cannot be booked."
    assert bookings(app) == []
    assert ada.hold(week=W49).status_code == 201


# Holds.


def test_a_hold_takes_places_until_it_expires_with_the_default_lease(visitor, clinic_ids):
    before = datetime.now(UTC)
    response = visitor("ada-form").hold(places=2)
    assert response.status_code == 201
    hold = response.get_json()["hold"]
    assert {k: v for k, v in hold.items() if k != "expires_at"} == {
        "slot_id": clinic_ids["class"], "week": W48, "appointment": 0, "places": 2}
    expires = moment(hold["expires_at"])
    assert expires.utcoffset() == timedelta(0)
    assert before + timedelta(seconds=600) <= expires <= datetime.now(UTC) + timedelta(seconds=600)


@pytest.mark.parametrize(("asked", "granted"), [(60, 300), (900, 900), (99_999, 1200)])
def test_lock_duration_is_clamped_to_the_configured_bounds(visitor, asked, granted):
    before = datetime.now(UTC)
    hold = visitor("ada-form").hold(lock_duration=asked).get_json()["hold"]
    lease = moment(hold["expires_at"]) - before
    assert timedelta(seconds=granted) <= lease < timedelta(seconds=granted + 30)


def test_holding_again_with_the_same_lock_code_keeps_one_hold_and_extends_its_lease(app, visitor, clinic_ids):
    first = visitor("ada-form").hold(places=2, lock_duration=300).get_json()["hold"]
    again = visitor("  ada-form ").hold(places=3, lock_duration=1200)  # spaces around a code are ignored
    assert again.status_code == 201
    second = again.get_json()["hold"]
    assert moment(second["expires_at"]) - moment(first["expires_at"]) >= timedelta(seconds=890)
    held = bookings(app, status="held")
    assert len(held) == 1 and held[0].places == 3
    assert visitor("ada-form").units()[(clinic_ids["class"], 0)]["mine"] == 3
    # Choosing another unit moves the hold there.
    assert visitor("ada-form").hold("consultation", appointment=2).status_code == 201
    assert [(b.slot_id, b.appointment) for b in bookings(app, status="held")] == [(clinic_ids["consultation"], 2)]


def test_a_full_unit_answers_409_and_points_to_the_waiting_list(app, visitor):
    for n in range(5):
        assert visitor(f"v{n}").hold().status_code == 201
    error = error_of(visitor("late").hold(), 409)
    assert error == {"status": 409, "message": "This is full: no place left.", "waiting_list": True}
    assert len(bookings(app)) == 5
    # Re-holding one's own places is never refused for lack of room.
    assert visitor("v0").hold().status_code == 201


def test_asking_for_more_places_than_are_left_says_how_many_are(visitor):
    assert visitor("ada-form").hold(places=4).status_code == 201
    error = error_of(visitor("bob-form").hold(places=2), 409)
    assert error["message"] == "Only 1 place left." and error["waiting_list"] is True


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"lock_code": "   "}, "lock_code", "Give a non-empty lock code"),
        ({"lock_code": ""}, "lock_code", "Give a non-empty lock code"),
        ({"lock_code": None}, "lock_code", "Field may not be null."),
        ({"lock_code": "x" * 201}, "lock_code", "Longer than maximum length 200."),
        ({"week": "2026-W54"}, "week", "2026 has 53 ISO weeks"),
        ({"week": None}, "week", "Field may not be null."),
        ({"slot_id": "1"}, "slot_id", "Not a valid integer."),
        ({"places": 0}, "places", "greater than or equal to 1"),
        ({"places": 11}, "places", "less than or equal to 10"),
        ({"appointment": -1}, "appointment", "greater than or equal to 0"),
        ({"lock_duration": 0}, "lock_duration", "greater than or equal to 1"),
        ({"lock_duration": "600"}, "lock_duration", "Not a valid integer."),
        ({"colour": "red"}, "colour", "Unknown field."),
    ],
)
def test_hold_refuses_invalid_fields_one_by_one(app, visitor, fields, field, message):
    error = error_of(visitor("ada-form").hold(**fields), 400)
    assert error["message"] == "The request is not valid: see fields."
    assert message in " ".join(error["fields"][field])
    assert bookings(app) == []


def test_hold_requires_its_fields_and_a_json_body(client, clinic_ids):
    error = error_of(client.post("/api/timetables/c/holds", json={}), 400)
    assert set(error["fields"]) == {"slot_id", "week", "lock_code"}
    error = error_of(client.post("/api/timetables/c/holds", data="slot_id=1"), 400)
    assert "JSON object" in error["message"]


@pytest.mark.parametrize(
    ("fields", "status", "message"),
    [
        ({"places": 6}, 400, "At most 5 places can be booked at once here."),
        ({"slot": "consultation", "appointment": 3}, 400, "There is no appointment 3 in this occurrence (0 to 2)."),
        ({"week": "2026-W39"}, 404, "does not take place in 2026-W39"),
        ({"slot_id": 999_999}, 404, f"does not take place in {W48}"),
        ({"slug": "nowhere"}, 404, "no published timetable"),
        ({"slug": "draft", "slot": "hidden"}, 404, "no published timetable called “draft”"),
    ],
)
def test_hold_refuses_what_the_timetable_does_not_offer(app, visitor, fields, status, message):
    assert message in error_of(visitor("ada-form").hold(**fields), status)["message"]
    assert bookings(app) == []


# Confirmation.


def test_confirm_turns_the_hold_into_a_booking_with_a_private_link(app, visitor, clinic_ids):
    ada = visitor("ada-form")
    ada.hold(places=2)
    response = ada.confirm(name=" Ada Lovelace ", email="ada@example.org")
    assert response.status_code == 201
    booking = response.get_json()["booking"]
    reference, key = booking["reference"], booking["key"]
    assert len(reference) == 8 and len(key) >= 24
    assert booking["link"] == f"http://localhost/c/bookings/{reference}?key={key}"
    assert {k: booking[k] for k in ("status", "timetable", "slot_id", "week", "appointment", "date", "start", "end",
                                    "title", "places", "name", "email", "expires_at")} == {
        "status": "confirmed", "timetable": "c", "slot_id": clinic_ids["class"], "week": W48, "appointment": 0,
        "date": MONDAY, "start": "10:00", "end": "11:00", "title": "Back care", "places": 2,
        "name": "Ada Lovelace", "email": "ada@example.org", "expires_at": None}
    # The booking keeps its places, and the lock code holds nothing any more.
    units = ada.units()
    assert (units[(clinic_ids["class"], 0)]["taken"], units[(clinic_ids["class"], 0)]["mine"]) == (2, 0)
    assert "No place is held" in error_of(ada.confirm(), 404)["message"]
    # Read back through the private link; the key is given once only.
    read = ada.client.get(f"/api/bookings/{reference}", query_string={"key": key})
    assert read.status_code == 200
    assert read.get_json()["booking"] == {k: v for k, v in booking.items() if k != "key"}


def test_another_visitors_lock_code_cannot_confirm_someone_elses_hold(app, visitor):
    visitor("ada-form").hold(places=2)
    error = error_of(visitor("mallory").confirm(name="Mallory", email="m@example.org"), 404)
    assert error["message"].startswith("No place is held under this lock code")
    [hold] = bookings(app)
    assert (hold.status, hold.name) == ("held", None)
    assert visitor("ada-form").confirm().status_code == 201


def test_a_hold_that_ran_out_is_confirmed_if_its_place_is_still_free_and_refused_if_taken(app, visitor):
    slow, quick = visitor("slow-form"), visitor("quick-form")
    slow.hold("consultation", appointment=0)
    expire_holds(app, "slow-form")
    assert quick.hold("consultation", appointment=0).status_code == 201  # the place is free again
    error = error_of(slow.confirm(), 409)
    assert error["message"] == "Your hold ran out and the place has been taken since: choose another one."
    assert error["waiting_list"] is True
    assert [b.status for b in bookings(app)] == ["held", "held"]

    late = visitor("late-form")
    late.hold("consultation", appointment=2)
    expire_holds(app, "late-form")
    assert late.confirm().get_json()["booking"]["status"] == "confirmed"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"email": "not-an-email"}, "email", "“not-an-email” is not an email address"),
        ({"email": "a b@example.org"}, "email", "is not an email address"),
        ({"name": "  "}, "name", "Give a non-empty name"),
        ({"name": "n" * 201}, "name", "Longer than maximum length 200."),
        ({"lock_code": " "}, "lock_code", "Give a non-empty lock code"),
        ({"places": 2}, "places", "Unknown field."),
    ],
)
def test_confirm_refuses_invalid_fields_and_keeps_the_hold(app, visitor, fields, field, message):
    ada = visitor("ada-form")
    ada.hold()
    error = error_of(ada.confirm(**fields), 400)
    assert message in " ".join(error["fields"][field])
    assert [b.status for b in bookings(app)] == ["held"]


def test_manual_approval_gives_a_request(app, visitor, clinic_ids):
    from tests.factories import paint
    from timetable.database import write_transaction
    from timetable.models import Timetable

    with app.app_context(), write_transaction():
        clinic = Timetable.query.filter_by(slug="c").one()
        paint(clinic, "slot", clinic_ids["consultation"], "booking_approval", None, None, "manual")
    assert visitor("ada-form").book("consultation", appointment=1)["status"] == "requested"


# Private links: read, cancel.


def test_the_private_link_needs_the_right_key(client, visitor):
    booking = visitor("ada-form").book()
    reference = booking["reference"]
    assert error_of(client.get(f"/api/bookings/{reference}?key=guess"), 404)["message"].startswith("No booking matches")
    assert error_of(client.get(f"/api/bookings/ZZZZZZZZ?key={booking['key']}"), 404)["status"] == 404
    assert set(error_of(client.get(f"/api/bookings/{reference}"), 400)["fields"]) == {"key"}
    assert client.get(f"/api/bookings/{reference.lower()}?key={booking['key']}").status_code == 200


def test_cancel_frees_the_places_once(app, client, visitor, clinic_ids):
    ada = visitor("ada-form")
    booking = ada.book(places=2)
    path = f"/api/bookings/{booking['reference']}/cancel"
    assert error_of(client.post(path, json={"key": "guess"}), 404)["status"] == 404
    assert set(error_of(client.post(path, json={}), 400)["fields"]) == {"key"}
    response = client.post(path, json={"key": booking["key"]})
    assert response.status_code == 200
    assert response.get_json()["booking"]["status"] == "cancelled"
    assert ada.units()[(clinic_ids["class"], 0)]["free"] == 5
    assert error_of(client.post(path, json={"key": booking["key"]}), 400)["message"] == "This booking is already cancelled."


# Waiting list.


def test_the_waiting_list_is_open_only_when_full_then_offers_freed_places(app, client, visitor, clinic_ids):
    error = error_of(visitor("w").wait(), 400)
    assert error["message"] == "There is room: book the place instead of waiting for it."
    first = visitor("first").book(places=4)
    visitor("last").book()

    response = visitor("w").wait(name="Wendy", email="wendy@example.org")
    assert response.status_code == 201
    waiting = response.get_json()["booking"]
    assert (waiting["status"], waiting["places"], waiting["name"]) == ("waiting", 1, "Wendy")
    assert waiting["link"] == f"http://localhost/c/bookings/{waiting['reference']}?key={waiting['key']}"
    assert visitor("x").units()[(clinic_ids["class"], 0)]["waiting"] == 1
    accept = f"/api/bookings/{waiting['reference']}/accept"
    assert error_of(client.post(accept, json={"key": waiting["key"]}), 400)["message"] == "There is no place on offer for this booking."

    client.post(f"/api/bookings/{first['reference']}/cancel", json={"key": first["key"]})
    offered = client.get(f"/api/bookings/{waiting['reference']}", query_string={"key": waiting["key"]}).get_json()["booking"]
    assert offered["status"] == "offered" and moment(offered["expires_at"]) > datetime.now(UTC)
    response = client.post(accept, json={"key": waiting["key"]})
    assert response.status_code == 200
    assert response.get_json()["booking"]["status"] == "confirmed"
    assert visitor("x").units()[(clinic_ids["class"], 0)]["taken"] == 2


def test_an_offer_that_ran_out_cannot_be_accepted(app, client, visitor):
    from timetable.extensions import db
    from timetable.models import Booking

    first = visitor("first").book(places=5)
    waiting = visitor("w").wait().get_json()["booking"]
    client.post(f"/api/bookings/{first['reference']}/cancel", json={"key": first["key"]})
    with app.app_context():
        offer = Booking.query.filter_by(reference=waiting["reference"]).one()
        offer.expires_at = datetime.now(UTC) - timedelta(seconds=1)
        db.session.commit()
    error = error_of(client.post(f"/api/bookings/{waiting['reference']}/accept", json={"key": waiting["key"]}), 409)
    assert error == {"status": 409, "message": "The offer ran out: you are back at the end of the waiting list, "
                                               "and the place goes to the next person in line."}
    # The move back to the queue is kept, not rolled back with the refusal.
    assert client.get(f"/api/bookings/{waiting['reference']}?key={waiting['key']}").get_json()["booking"]["status"] == "waiting"


@pytest.mark.parametrize(
    ("fields", "field"),
    [({"email": "nope"}, "email"), ({"name": ""}, "name"), ({"places": 11}, "places"), ({"week": "W48"}, "week"),
     ({"lock_code": "x"}, "lock_code")],
)
def test_the_waiting_list_refuses_invalid_fields(app, visitor, fields, field):
    visitor("first").book(places=5)
    assert field in error_of(visitor("w").wait(**fields), 400)["fields"]
    assert bookings(app, status="waiting") == []


# Security and description.


def test_booking_posts_need_no_csrf_token_but_the_editing_api_still_does(app, client, visitor, clinic_ids):
    from tests.conftest import AuthActions
    from timetable.services.accounts import create_user

    with app.app_context():
        create_user("scheduler", "timetable-demo", "Test scheduler", is_admin=True)
    AuthActions(client).login()  # a logged-in editor's cookie gives the booking API nothing more
    assert visitor("ada-form").book()["status"] == "confirmed"
    response = client.post(f"/api/timetables/c/slots/{clinic_ids['class']}/plan",
                           json={"edits": [{"param": "note", "value": "x", "start": W48, "end": W48}]})
    assert "CSRF" in error_of(response, 400)["message"]


def test_the_openapi_description_documents_the_booking_api(client):
    spec = client.get("/api/openapi.json").get_json()
    paths = spec["paths"]
    expected = {
        "/api/timetables/{slug}/weeks/{week}/availability": ("get", {"200", "400", "404"}),
        "/api/timetables/{slug}/holds": ("post", {"201", "400", "404", "409", "429"}),
        "/api/timetables/{slug}/confirm": ("post", {"201", "400", "404", "409", "429"}),
        "/api/timetables/{slug}/waiting-list": ("post", {"201", "400", "404", "429"}),
        "/api/bookings/{reference}": ("get", {"200", "400", "404"}),
        "/api/bookings/{reference}/cancel": ("post", {"200", "400", "404", "429"}),
        "/api/bookings/{reference}/accept": ("post", {"200", "400", "404", "409", "429"}),
    }
    for path, (method, statuses) in expected.items():
        assert set(paths[path][method]["responses"]) == statuses, path
    hold = paths["/api/timetables/{slug}/holds"]["post"]
    assert hold["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/HoldRequestSchema"}
    assert hold["responses"]["409"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/FullErrorSchema"}
    assert "security" not in hold
    schemas = spec["components"]["schemas"]
    assert schemas["HoldRequestSchema"]["required"] == ["lock_code", "slot_id", "week"]
    assert {"AvailabilitySchema", "UnitAvailabilitySchema", "HoldSchema", "BookingSchema",
            "ConfirmRequestSchema", "WaitingListRequestSchema"} <= set(schemas)
    assert "waiting_list" in schemas["FullErrorBodySchema"]["properties"]
