"""The public week page under the 07:55 rush: ETags, 304s and a shared cache that no change leaves stale."""

from __future__ import annotations

from tests.conftest import HTMX
from tests.web.test_changes import changed_school  # noqa: F401  (fixture)
from timetable.rules import parse_week

W51 = parse_week("2026-W51")
PAGE = "/t?week=2026-W51"


def test_the_public_page_revalidates_with_304_until_a_change(client, changed_school):  # noqa: F811
    from tests.factories import paint
    from timetable.database import write_transaction

    first = client.get(PAGE)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "no-cache" in first.headers["Cache-Control"] and "Last-Modified" in first.headers
    again = client.get(PAGE, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    # Another week, filter or the htmx fragment is another page with its own tag.
    assert client.get("/t?week=2026-W52", headers={"If-None-Match": etag}).status_code == 200
    fragment = client.get(PAGE, headers={**HTMX, "If-None-Match": etag})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["HX-Push-Url"]

    with write_transaction():
        paint(changed_school["timetable"], "slot", changed_school["lessons"][2], "note", W51, W51, "Bring a calculator")
    changed = client.get(PAGE, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Bring a calculator" in changed.get_data(as_text=True)  # not the cached page
    assert client.get(PAGE, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_a_cached_page_carries_each_visitors_own_csrf_token(app, changed_school):  # noqa: F811
    from flask import g

    first, second = app.test_client(), app.test_client()
    one = first.get(PAGE).get_data(as_text=True)
    g.pop("csrf_token", None)  # the tests' requests share one app context; a server's do not
    other = second.get(PAGE).get_data(as_text=True)
    token_one, token_other = (html.split('"X-CSRFToken": "')[1].split('"')[0] for html in (one, other))
    assert token_one and token_other and token_one != token_other
    assert "csrf-token" not in one and "\x00" not in other
    # The token served from the cache is good for that visitor's session, and not for another's.
    g.pop("csrf_token", None)
    refused = first.post("/login", data={"username": "nobody", "password": "wrong", "csrf_token": token_other})
    assert refused.status_code == 400 and "security (CSRF) token" in refused.get_data(as_text=True)
    g.pop("csrf_token", None)
    accepted = second.post("/login", data={"username": "nobody", "password": "wrong", "csrf_token": token_other})
    assert "security (CSRF) token" not in accepted.get_data(as_text=True), accepted.get_data(as_text=True)[-1500:]


def test_a_logged_in_reader_never_gets_the_anonymous_copy(client, auth, editor, changed_school):  # noqa: F811
    anonymous = client.get(PAGE).get_data(as_text=True)
    assert "Editor login" in anonymous
    auth.login()
    mine = client.get(PAGE)
    assert "Test scheduler" in mine.get_data(as_text=True) and "Editor login" not in mine.get_data(as_text=True)


def test_unpublishing_hides_the_cached_page(client, changed_school):  # noqa: F811
    from timetable.services.timetables import configure_timetable

    assert client.get(PAGE).status_code == 200
    configure_timetable(changed_school["timetable"], {"published": False})
    assert client.get(PAGE).status_code == 404


def test_a_cached_page_closes_booking_when_its_occurrence_begins(client, clinic, make_slot, pinned_clock):
    """The clock alone changes a page that takes bookings: the cache and its ETag follow it, with no change recorded."""
    from datetime import UTC, datetime

    from tests.clock import THIS_WEEK
    from timetable.rules import format_week

    make_slot(clinic["timetable"], THIS_WEEK, weekday=6, start=10 * 60, duration=60, title="Saturday yoga", capacity=3)
    url = f"/c?week={format_week(THIS_WEEK)}"  # Friday 2026-11-20, 10:00 in Paris
    before = client.get(url)
    # The block names its title twice (its tooltip, then its heading): read from the first on.
    saturday = before.get_data(as_text=True).split("Saturday yoga", 1)[1][:2500]
    assert "Booking closed" not in saturday
    assert client.get(url, headers={"If-None-Match": before.headers["ETag"]}).status_code == 304

    pinned_clock.move_to(datetime(2026, 11, 21, 9, 30, tzinfo=UTC))  # Saturday 10:30 in Paris: it has begun
    after = client.get(url, headers={"If-None-Match": before.headers["ETag"]})
    assert after.status_code == 200 and after.headers["ETag"] != before.headers["ETag"]
    assert "Booking closed" in after.get_data(as_text=True).split("Saturday yoga", 1)[1][:2500]
