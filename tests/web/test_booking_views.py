"""Booking routes: free places on the grid, hold → details → confirm, the private link, the waiting list,
refusals that write nothing, and the schedulers' list with approve / deny / cancel."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from flask import g, template_rendered

from tests.clock import weeks_ahead
from tests.conftest import HTMX
from tests.factories import paint
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import Booking
from timetable.rules import format_week, monday_of
from timetable.services import booking as bk

# Next week on the pinned clock: booking is open there.
BOOKING_WEEK = weeks_ahead(1)
W = format_week(BOOKING_WEEK)
LEASE = timedelta(minutes=10)


@pytest.fixture
def rendered(app):
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


def html_of(response) -> str:
    return response.get_data(as_text=True)


def use_lock_code(client, code: str) -> None:
    """Give the test client's session a known lock code, so the test can hold under it through the service."""
    with client.session_transaction() as session:
        session["lock_code"] = code


class Visitor:
    """A visitor's browser: reads pages, posts their forms with the CSRF token they carry."""

    def __init__(self, client, clinic):
        self.client, self.clinic = client, clinic
        self.token = None

    @staticmethod
    def _own_request():
        # The test's app context (the clinic fixture's) is reused by every request, and Flask-WTF caches
        # the CSRF token in `g`: without this, a second visitor would be handed the first one's token.
        g.pop("csrf_token", None)

    def get(self, url, **kwargs):
        self._own_request()
        response = self.client.get(url, **kwargs)
        if token := re.search(r'"X-CSRFToken": "([^"]+)"', html_of(response)):  # every page carries it for htmx
            self.token = token.group(1)
        return response

    def post(self, url, data, csrf=True):
        if csrf and self.token is None:
            self.get("/c")
        self._own_request()
        return self.client.post(url, data={**data, **({"csrf_token": self.token} if csrf else {})})

    def choose(self, slot="class", n=W):
        return self.get(f"/c/book/{self.clinic[slot]}?week={n}")

    def hold(self, slot="class", places=1, appointment=0, n=W):
        return self.post(f"/c/book/{self.clinic[slot]}/hold", {"week": n, "places": places, "appointment": appointment})

    def confirm(self, name="Ada Lovelace", email="ada@example.org", places=None):
        data = {"name": name, "email": email}
        if places is not None:
            data["places"] = places
        return self.post("/c/book/confirm", data)

    def book(self, **hold):
        assert self.hold(**hold).status_code == 303
        response = self.confirm()
        assert response.status_code == 303, html_of(response)
        return response.headers["Location"]


@pytest.fixture
def visitor(client, clinic):
    return Visitor(client, clinic)


@pytest.fixture
def other_visitor(app, clinic):
    return Visitor(app.test_client(), clinic)


def bookings():
    db.session.expire_all()
    return db.session.query(Booking).order_by(Booking.id).all()


def statuses():
    return [b.status for b in bookings()]


def free_on_grid(html: str, slot_id: int) -> str:
    block = re.search(rf'data-slot-id="{slot_id}".*?</article>', html, re.S).group(0)
    return re.search(r'data-testid="free-places" data-free="(\d+)"', block).group(1)


def fill_class(clinic, places=5):
    """Someone else booked `places` of the class's five places in week 48 (all of them by default)."""
    bk.hold_place(clinic["timetable"], clinic["class"], BOOKING_WEEK, 0, places, "others", LEASE)
    bk.confirm_booking(clinic["timetable"], "others", "Others", "others@example.org")


# -- the public grid -------------------------------------------------------------------------------


def test_the_public_grid_shows_free_places_and_a_book_link_on_bookable_blocks(visitor, clinic):
    html = html_of(visitor.get(f"/c?week={W}"))
    assert free_on_grid(html, clinic["class"]) == "5"
    assert free_on_grid(html, clinic["consultation"]) == "3"  # three 20-minute appointments of one place
    assert f'href="/c/book/{clinic["class"]}?week={W}"' in html
    assert 'data-testid="book-link"' in html and ">Book</a>" in html


def test_a_closed_occurrence_shows_no_free_places(visitor, clinic):
    with write_transaction():
        paint(clinic["timetable"], "slot", clinic["class"], "status", BOOKING_WEEK, BOOKING_WEEK, "temporarily_closed")
    html = html_of(visitor.get(f"/c?week={W}"))
    block = re.search(rf'data-slot-id="{clinic["class"]}".*?</article>', html, re.S).group(0)
    assert "free-places" not in block and "book-link" not in block


# -- hold → details → confirm ----------------------------------------------------------------------


def test_hold_then_confirm_gives_a_reference_and_a_private_link(visitor, other_visitor, clinic, rendered):
    response = visitor.choose()
    assert response.status_code == 200 and rendered[-1] == "booking/choose.html"
    assert "5 of 5 places free" in html_of(response)

    response = visitor.hold(places=2)
    assert response.status_code == 303 and response.headers["Location"] == "/c/book/details"
    [hold] = bookings()
    assert (hold.status, hold.places) == ("held", 2)
    expires = hold.expires_at.replace(tzinfo=UTC)
    assert abs(expires - datetime.now(UTC) - timedelta(seconds=600)) < timedelta(seconds=30)  # the default lease

    html = html_of(visitor.get("/c/book/details"))
    clock = expires.astimezone(ZoneInfo("Europe/Paris")).strftime("%H:%M")
    countdown = rf'<time datetime="[^"]+" data-countdown data-testid="hold-expires">{clock}</time>'
    assert re.search(rf'2 places held for you until\s*{countdown}', html)
    assert "Back care" in html and "10:00–11:00" in html
    # Held places are taken for everyone else, and theirs for the visitor.
    assert free_on_grid(html_of(other_visitor.get(f"/c?week={W}")), clinic["class"]) == "3"
    assert "· yours" in html_of(visitor.get(f"/c?week={W}"))

    response = visitor.confirm(name=" Ada Lovelace ", email="ada@example.org")
    assert response.status_code == 303
    link = response.headers["Location"]
    [booking] = bookings()
    assert (booking.status, booking.name, booking.places) == ("confirmed", "Ada Lovelace", 2)
    assert link.startswith(f"/c/bookings/{booking.reference}?key=")

    rendered.clear()
    page = visitor.get(link)
    html = html_of(page)
    assert page.status_code == 200 and rendered[0] == "booking/booking.html"
    assert f"Booked! Your reference is {booking.reference}" in html
    assert re.search(r'data-testid="status"[^>]*>confirmed<', html)
    assert re.search(r'data-testid="places">2<', html)
    assert re.search(rf'data-testid="when">{monday_of(BOOKING_WEEK):%a %-d %b %Y}, 10:00–11:00<', html)
    assert f"http://localhost{link}" in html.replace("&amp;", "&")  # the private link, in full
    assert page.headers["Cache-Control"] == "no-store"


def test_the_visitor_may_change_the_number_of_places_in_the_form(visitor, clinic):
    visitor.hold(places=1)
    response = visitor.confirm(places=3)
    assert response.status_code == 303
    [booking] = bookings()
    assert (booking.status, booking.places) == ("confirmed", 3)


def test_holding_again_replaces_the_hold_and_the_choice_page_shows_it_as_theirs(visitor, other_visitor, clinic):
    visitor.hold(places=2)
    visitor.hold(places=3)
    assert [(b.slot_id, b.places) for b in bookings()] == [(clinic["class"], 3)]

    # Another occurrence: the class is free again, the appointment is the visitor's.
    assert visitor.hold(slot="consultation", appointment=1).status_code == 303
    assert [(b.slot_id, b.appointment) for b in bookings()] == [(clinic["consultation"], 1)]
    assert "5 of 5 places free" in html_of(other_visitor.choose())

    mine = html_of(visitor.choose(slot="consultation"))
    item = re.search(r'data-appointment="1".*?</li>', mine, re.S).group(0)
    assert 'data-testid="mine"' in item and "yours" in item
    assert 'data-testid="continue"' in mine and 'data-testid="hold-timer"' in mine

    theirs = html_of(other_visitor.choose(slot="consultation"))
    item = re.search(r'data-appointment="1".*?</li>', theirs, re.S).group(0)
    assert 'data-testid="taken"' in item and "hold-1" not in theirs
    assert 'data-testid="hold-0"' in theirs and 'data-testid="hold-2"' in theirs


def test_details_without_a_hold_sends_the_visitor_back_to_the_timetable(visitor, clinic):
    response = visitor.get("/c/book/details")
    assert response.status_code == 303 and response.headers["Location"] == "/c"
    assert "You hold no place at the moment" in html_of(visitor.get("/c"))


# -- the private link ------------------------------------------------------------------------------


def test_the_private_link_cancels_the_booking_and_frees_the_place(visitor, other_visitor, clinic):
    link = visitor.book(places=2)
    key = re.search(r"key=([^&]+)", link).group(1)
    reference = link.split("/")[3].split("?")[0]
    visitor.get(link)
    response = visitor.post(f"/c/bookings/{reference}/cancel", {"key": key})
    assert response.status_code == 303 and response.headers["Location"] == link
    html = html_of(visitor.get(link))
    assert re.search(r'data-testid="status"[^>]*>cancelled<', html)
    assert f"Booking {reference} is cancelled." in html
    assert 'data-testid="cancel-booking"' not in html
    assert statuses() == ["cancelled"]
    assert free_on_grid(html_of(other_visitor.get(f"/c?week={W}")), clinic["class"]) == "5"


def test_a_wrong_key_gets_a_404_with_a_clear_message_and_cancels_nothing(visitor, clinic):
    link = visitor.book()
    reference = link.split("/")[3].split("?")[0]
    for url in (f"/c/bookings/{reference}?key=guess", f"/c/bookings/{reference}", "/c/bookings/NOSUCHREF?key=x"):
        response = visitor.get(url)
        assert response.status_code == 404
        assert "No booking matches this link: check that you copied all of it." in html_of(response)
    response = visitor.post(f"/c/bookings/{reference}/cancel", {"key": "guess"})
    assert response.status_code == 404
    assert statuses() == ["confirmed"]


def test_the_private_link_still_shows_and_cancels_the_booking_once_the_timetable_is_unpublished(visitor, clinic):
    link = visitor.book()
    key = re.search(r"key=([^&]+)", link).group(1)
    reference = link.split("/")[3].split("?")[0]
    clinic["timetable"].published = False
    db.session.commit()
    assert visitor.get(f"/c?week={W}").status_code == 404  # the timetable itself is gone for visitors
    assert visitor.client.get(f"/api/bookings/{reference}?key={key}").status_code == 200
    response = visitor.get(link)
    assert response.status_code == 200
    assert re.search(r'data-testid="status"[^>]*>confirmed<', html_of(response))
    for url in (f"/c/bookings/{reference}?key=guess", "/c/bookings/NOSUCHREF?key=x", f"/d/bookings/{reference}?key={key}"):
        response = visitor.get(url)
        assert response.status_code == 404, url
        assert "No booking matches this link" in html_of(response) or "no published timetable" in html_of(response)
    assert visitor.get(f"/c/bookings/{reference}?key=guess").get_data(as_text=True).count("No booking matches") == 1
    response = visitor.post(f"/c/bookings/{reference}/cancel", {"key": key})
    assert response.status_code == 303 and response.headers["Location"] == link
    assert re.search(r'data-testid="status"[^>]*>cancelled<', html_of(visitor.get(link)))
    assert statuses() == ["cancelled"]


def test_cancelling_twice_says_it_is_already_cancelled(visitor, clinic):
    link = visitor.book()
    key = re.search(r"key=([^&]+)", link).group(1)
    reference = link.split("/")[3].split("?")[0]
    visitor.post(f"/c/bookings/{reference}/cancel", {"key": key})
    response = visitor.post(f"/c/bookings/{reference}/cancel", {"key": key})
    assert response.status_code == 400 and "already cancelled" in html_of(response)


# -- the waiting list ------------------------------------------------------------------------------


def test_when_full_the_visitor_joins_the_waiting_list_and_accepts_the_offered_place(visitor, clinic):
    fill_class(clinic)
    html = html_of(visitor.choose())
    assert "0 of 5 places free" in html and 'data-testid="waiting-form"' in html and 'data-testid="hold"' not in html
    assert re.search(rf'data-slot-id="{clinic["class"]}".*?>Full<.*?>Waiting list</a>', html_of(visitor.get(f"/c?week={W}")), re.S)

    response = visitor.post(f"/c/book/{clinic['class']}/wait",
                            {"week": W, "appointment": 0, "places": 1, "name": "Wendy", "email": "wendy@example.org"})
    assert response.status_code == 303
    link = response.headers["Location"]
    html = html_of(visitor.get(link))
    assert "on the waiting list" in html and "You are on the waiting list" in html and 'data-testid="accept"' not in html

    others = next(b for b in bookings() if b.name == "Others")
    bk.cancel_by_scheduler(clinic["timetable"], others.id)  # a place frees: offered to Wendy
    html = html_of(visitor.get(link))
    assert 'data-testid="offer"' in html and 'data-testid="accept"' in html
    reference = link.split("/")[3].split("?")[0]
    key = re.search(r"key=([^&]+)", link).group(1)
    response = visitor.post(f"/c/bookings/{reference}/accept", {"key": key})
    assert response.status_code == 303
    html = html_of(visitor.get(link))
    assert re.search(r'data-testid="status"[^>]*>confirmed<', html) and "The place is yours" in html


def test_an_offer_that_ran_out_shows_no_accept_button(visitor, clinic):
    fill_class(clinic)
    response = visitor.post(f"/c/book/{clinic['class']}/wait",
                            {"week": W, "places": 1, "name": "Wendy", "email": "wendy@example.org"})
    link = response.headers["Location"]
    others = next(b for b in bookings() if b.name == "Others")
    bk.cancel_by_scheduler(clinic["timetable"], others.id, datetime.now(UTC) - timedelta(days=2))
    html = html_of(visitor.get(link))
    assert 'data-testid="offer-expired"' in html and 'data-testid="accept"' not in html


# -- refusals: a clear message, the form again, nothing written --------------------------------------


def test_a_bad_email_is_refused_in_the_form_and_nothing_is_confirmed(visitor, clinic, rendered):
    visitor.hold()
    rendered.clear()
    response = visitor.confirm(email="ada-at-example")
    html = html_of(response)
    assert response.status_code == 400 and rendered[0] == "booking/details.html"
    assert "“ada-at-example” is not an email address" in html
    assert 'value="ada-at-example"' in html and 'data-testid="details-form"' in html  # the form again, as typed
    assert statuses() == ["held"]


def test_a_bad_email_with_a_new_place_count_does_not_touch_the_hold(visitor, clinic):
    visitor.hold(places=1)
    assert visitor.confirm(email="nope", places=3).status_code == 400
    assert [(b.status, b.places) for b in bookings()] == [("held", 1)]


def test_too_many_places_are_refused(visitor, clinic):
    response = visitor.hold(places=6)
    assert response.status_code == 400 and "At most 5 places can be booked at once here." in html_of(response)
    assert 'data-testid="hold-form"' in html_of(response)
    visitor.hold(places=2)
    response = visitor.confirm(places=11)
    assert response.status_code == 400 and "At most 5 places" in html_of(response)
    assert [(b.status, b.places) for b in bookings()] == [("held", 2)]


def test_holding_more_than_is_free_is_refused_with_409(visitor, clinic):
    fill_class(clinic, places=4)
    response = visitor.hold(places=2)
    assert response.status_code == 409 and "Only 1 place left." in html_of(response)
    response = visitor.post(f"/c/book/{clinic['consultation']}/hold", {"week": W, "appointment": 3})
    assert response.status_code == 400 and "There is no appointment 3" in html_of(response)
    assert statuses() == ["confirmed"]


def test_a_closed_occurrence_cannot_be_chosen_or_held(visitor, clinic):
    with write_transaction():
        paint(clinic["timetable"], "slot", clinic["class"], "status", BOOKING_WEEK, BOOKING_WEEK, "temporarily_closed")
        paint(clinic["timetable"], "slot", clinic["class"], "note", BOOKING_WEEK, BOOKING_WEEK, "Physio on leave")
    response = visitor.choose()
    assert response.status_code == 400
    assert f"This occurrence is closed in {W} (Physio on leave): it cannot be booked." in html_of(response)
    assert 'data-testid="hold-form"' not in html_of(response)
    response = visitor.hold()
    assert response.status_code == 400 and f"closed in {W}" in html_of(response)
    assert bookings() == []


def test_a_bad_week_or_a_slot_that_does_not_take_place_is_refused(visitor, clinic):
    response = visitor.hold(n="2026-W60")
    assert response.status_code == 400 and "2026-W60" in html_of(response)
    response = visitor.choose(n="2026-W39")  # before the clinic opens
    assert response.status_code == 404 and "does not take place in 2026-W39" in html_of(response)
    assert bookings() == []


def test_confirming_without_a_hold_is_refused(visitor, other_visitor, clinic):
    visitor.hold()
    response = other_visitor.confirm()  # someone else's hold is not theirs to confirm
    assert response.status_code == 409 and "You hold no place at the moment" in html_of(response)
    assert statuses() == ["held"]


def test_a_hold_that_ran_out_and_whose_place_is_gone_is_refused(client, visitor, other_visitor, clinic):
    use_lock_code(client, "slow-visitor")
    long_ago = datetime.now(UTC) - timedelta(minutes=30)
    bk.hold_place(clinic["timetable"], clinic["consultation"], BOOKING_WEEK, 0, 1, "slow-visitor", LEASE, long_ago)
    html = html_of(visitor.get("/c/book/details"))
    assert 'data-testid="hold-expired"' in html and "You can still confirm" in html
    assert other_visitor.hold(slot="consultation", appointment=0).status_code == 303  # quicker: takes the place

    response = visitor.confirm()
    assert response.status_code == 409
    assert "Your hold ran out and the place has been taken since: choose another one." in html_of(response)
    assert statuses() == ["held", "held"]


def test_a_hold_that_ran_out_is_still_confirmed_when_the_place_is_free(client, visitor, clinic):
    use_lock_code(client, "slow-visitor")
    bk.hold_place(clinic["timetable"], clinic["consultation"], BOOKING_WEEK, 2, 1, "slow-visitor", LEASE,
                  datetime.now(UTC) - timedelta(minutes=30))
    visitor.get("/c/book/details")
    assert visitor.confirm().status_code == 303
    assert statuses() == ["confirmed"]


@pytest.mark.parametrize("url", ["/c/book/{class}/hold", "/c/book/confirm", "/c/book/{class}/wait", "/c/bookings/ABC/cancel"])
def test_a_post_without_csrf_token_is_refused(visitor, clinic, url):
    response = visitor.post(url.replace("{class}", str(clinic["class"])),
                            {"week": W, "places": 1, "name": "A", "email": "a@example.org", "key": "k"}, csrf=False)
    assert response.status_code == 400 and "CSRF" in html_of(response)
    assert bookings() == []


def test_the_lease_is_bounded_by_the_configured_minimum_and_maximum(app, monkeypatch, visitor, clinic):
    monkeypatch.setitem(app.config, "BOOKING_LEASE_SECONDS", 5000)  # more than BOOKING_LEASE_MAX (1200)
    visitor.hold()
    [hold] = bookings()
    lease = hold.expires_at.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(seconds=1150) < lease <= timedelta(seconds=1200)
    monkeypatch.setitem(app.config, "BOOKING_LEASE_SECONDS", 10)  # less than BOOKING_LEASE_MIN (300)
    visitor.hold()
    [hold] = bookings()
    lease = hold.expires_at.replace(tzinfo=UTC) - datetime.now(UTC)
    assert timedelta(seconds=250) < lease <= timedelta(seconds=300)


# -- schedulers ------------------------------------------------------------------------------------


@pytest.fixture
def scheduler(htmx_editor, clinic):
    """The editor's htmx client on the clinic."""
    return htmx_editor(f"/c/edit?week={W}")


def test_the_bookings_list_needs_a_login_and_htmx_is_sent_to_the_login_page(client, clinic, editor):
    url = f"/c/edit/slots/{clinic['class']}/bookings?week={W}"
    response = client.get(url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    response = client.get(url, headers=HTMX)
    assert response.status_code == 401 and response.headers["HX-Redirect"].startswith("/login?next=")


def test_scheduler_actions_without_a_login_write_nothing_even_with_a_valid_csrf_token(visitor, clinic):
    visitor.book()
    [booking] = bookings()
    for action in ("cancel", "approve", "deny"):
        response = visitor.post(f"/c/edit/bookings/{booking.id}/{action}", {"week": W})
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    assert statuses() == ["confirmed"]


def test_the_editor_grid_counts_bookings_and_opens_the_list_in_the_panel(scheduler, clinic, rendered):
    t, now = clinic["timetable"], datetime.now(UTC)
    bk.hold_place(t, clinic["class"], BOOKING_WEEK, 0, 5, "a", LEASE, now)
    bk.confirm_booking(t, "a", "Ann", "ann@example.org", now)
    bk.join_waiting_list(t, clinic["class"], BOOKING_WEEK, 0, 2, "Wes", "wes@example.org", now)
    bk.cancel_by_scheduler(t, bookings()[0].id, now)  # Ann's 5 freed: Wes is offered 2 of them
    bk.hold_place(t, clinic["class"], BOOKING_WEEK, 0, 1, "b", LEASE, now)
    bk.hold_place(t, clinic["class"], BOOKING_WEEK, 0, 2, "c", LEASE, now)
    bk.confirm_booking(t, "c", "Cid", "cid@example.org", now)

    html = html_of(scheduler.get(f"/c/edit?week={W}&view=grid"))
    block = re.search(rf'data-slot-id="{clinic["class"]}".*?</article>', html, re.S).group(0)
    count = re.search(r'<a class="block-bookings booking-count" href="([^"]+)" hx-get="([^"]+)" hx-target="#panel"', block)
    assert count and count.group(1) == f"/c/edit/slots/{clinic['class']}/bookings?week={W}"
    assert "2/5 booked · 3 held" in block  # Cid's 2 confirmed; b's hold and Wes's offer of 2

    rendered.clear()
    response = scheduler.get(count.group(2), headers=HTMX)
    html = html_of(response)
    assert rendered[0] == "editor/_bookings.html" and 'id="panel-content"' in html
    rows = re.findall(r'data-testid="booking-row" data-booking-id="(\d+)" data-status="(\w+)"', html)
    assert [s for _, s in rows] == ["cancelled", "offered", "held", "confirmed"]
    assert "a visitor filling in the form" in html and re.search(r"hold</span> until \d{4}-\d\d-\d\d \d\d:\d\d", html)
    cid = next(i for i, s in rows if s == "confirmed")
    assert f'data-testid="cancel-{cid}"' in html
    rendered.clear()
    page = scheduler.get(count.group(1), headers={})  # no htmx: a page of its own
    assert page.status_code == 200 and rendered[0] == "editor/page.html" and "<html" in html_of(page)


def test_a_scheduler_cancels_and_the_grid_is_told_to_refresh(scheduler, clinic):
    t, now = clinic["timetable"], datetime.now(UTC)
    bk.hold_place(t, clinic["class"], BOOKING_WEEK, 0, 2, "a", LEASE, now)
    booking, _ = bk.confirm_booking(t, "a", "Ann", "ann@example.org", now)
    response = scheduler.post(f"/c/edit/bookings/{booking.id}/cancel", {"week": W, "slot_id": clinic["class"]})
    html = html_of(response)
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "timetable-changed"
    assert f"Booking {booking.reference} is cancelled." in html
    assert re.search(r'data-status="cancelled"', html) and f'data-testid="cancel-{booking.id}"' not in html
    assert statuses() == ["cancelled"]
    # Again: refused in the list, with its message, and nothing changes.
    response = scheduler.post(f"/c/edit/bookings/{booking.id}/cancel", {"week": W, "slot_id": clinic["class"]})
    assert response.status_code == 400 and "already cancelled" in html_of(response) and 'id="panel-content"' in html_of(response)
    assert "HX-Trigger" not in response.headers


def test_a_scheduler_approves_or_denies_requests(scheduler, clinic):
    t, now = clinic["timetable"], datetime.now(UTC)
    with write_transaction():
        paint(t, "slot", clinic["consultation"], "booking_approval", None, None, "manual")
    for n in range(2):
        bk.hold_place(t, clinic["consultation"], BOOKING_WEEK, n, 1, f"v{n}", LEASE, now)
        bk.confirm_booking(t, f"v{n}", f"V{n}", f"v{n}@example.org", now)
    first, second = bookings()
    html = html_of(scheduler.get(f"/c/edit/slots/{clinic['consultation']}/bookings?week={W}", headers=HTMX))
    assert html.count("awaiting approval") == 2
    assert f'data-testid="approve-{first.id}"' in html and f'data-testid="deny-{second.id}"' in html
    assert "09:00–09:20" in html and "09:20–09:40" in html  # grouped by appointment

    response = scheduler.post(f"/c/edit/bookings/{first.id}/approve", {"week": W, "slot_id": clinic["consultation"]})
    assert response.status_code == 200 and response.headers["HX-Trigger"] == "timetable-changed"
    response = scheduler.post(f"/c/edit/bookings/{second.id}/deny", {"week": W, "slot_id": clinic["consultation"]})
    assert response.status_code == 200 and f'data-testid="approve-{second.id}"' not in html_of(response)
    assert statuses() == ["confirmed", "denied"]
    response = scheduler.post(f"/c/edit/bookings/{first.id}/approve", {"week": W, "slot_id": clinic["consultation"]})
    assert response.status_code == 400 and "not awaiting approval" in html_of(response)


def test_a_plain_form_post_gets_a_303_back_to_the_list(scheduler, clinic):
    t, now = clinic["timetable"], datetime.now(UTC)
    bk.hold_place(t, clinic["class"], BOOKING_WEEK, 0, 1, "a", LEASE, now)
    booking, _ = bk.confirm_booking(t, "a", "Ann", "ann@example.org", now)
    token = scheduler.headers["X-CSRFToken"]
    response = scheduler.post(f"/c/edit/bookings/{booking.id}/cancel", {"week": W, "csrf_token": token}, headers={})
    assert response.status_code == 303
    assert response.headers["Location"] == f"/c/edit/slots/{clinic['class']}/bookings?week={W}"


def test_a_booking_of_another_timetable_is_not_found(scheduler, clinic):
    response = scheduler.post("/c/edit/bookings/999/cancel", {"week": W, "slot_id": clinic["class"]})
    assert response.status_code == 404


def test_a_past_occurrence_shows_booking_closed_and_no_book_link(client, clinic):
    html = client.get("/c?week=2026-W45").get_data(as_text=True)  # the clinic opened in W40: long past
    assert html.count('data-testid="booking-closed">Booking closed<') == 2
    assert 'data-testid="book-link"' not in html


def test_other_visitors_see_a_held_place_as_being_booked(client, clinic):
    from datetime import timedelta

    from timetable.services import booking as bk

    bk.hold_place(clinic["timetable"], clinic["class"], BOOKING_WEEK, 0, 2, "someone-else", timedelta(minutes=10))
    html = client.get(f"/c?week={W}").get_data(as_text=True)
    assert '<span data-testid="being-booked">2 being booked</span>' in html
    assert 'data-free="3"' in html


def test_the_booking_page_of_an_occurrence_that_has_begun_says_booking_closed_and_offers_no_waiting_list(client, clinic):
    # On the pinned clock (Friday of 2026-W47) this week's Monday class and Tuesday consultations have begun.
    this_week = format_week(weeks_ahead(0))
    for slot in (clinic["class"], clinic["consultation"]):
        response = client.get(f"/c/book/{slot}?week={this_week}")
        html = html_of(response)
        assert response.status_code == 200
        assert 'data-testid="booking-closed">Booking closed' in html, html
        assert 'data-testid="waiting-form"' not in html and "Join the waiting list" not in html
        assert 'data-testid="hold' not in html
    # Next week's are open as before.
    html = html_of(client.get(f"/c/book/{clinic['class']}?week={W}"))
    assert 'data-testid="hold-form"' in html and "Booking closed" not in html


def test_a_full_appointment_still_to_come_keeps_its_waiting_list(visitor, clinic):
    for appointment in range(3):
        bk.hold_place(clinic["timetable"], clinic["consultation"], BOOKING_WEEK, appointment, 1, f"other-{appointment}", LEASE)
    html = html_of(visitor.client.get(f"/c/book/{clinic['consultation']}?week={W}"))
    assert 'data-testid="waiting-form"' in html and "Booking closed" not in html
