"""Private calendar links: a viewer's own feed URL of a timetable, read by calendar apps without a session.

Made on /account or from the timetable's page, shown once, kept as a digest; it stops working
when revoked, when its owner loses the grant, or when the account is deactivated.
"""

from __future__ import annotations

import hashlib
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest
from icalendar import Calendar

from tests.conftest import AuthActions, csrf_token_from

PASSWORD = "password-1234"
NEW_LINK = re.compile(r'data-testid="new-feed-link">([^<]+)</code>')


@pytest.fixture
def world(app):
    """The school "t", unpublished, with X off sick on Monday of 2026-W48; Vic views it, Olga views nothing."""
    from tests.factories import build_school, paint
    from timetable.database import write_transaction
    from timetable.rules import parse_week
    from timetable.services.access import VIEWER
    from timetable.services.accounts import create_user
    from timetable.services.creation import create_timetable
    from timetable.services.timetables import configure_timetable

    with app.app_context():
        school = build_school()
        configure_timetable(school["timetable"], {"published": False})
        w48 = parse_week("2026-W48")
        with write_transaction():
            paint(school["timetable"], "slot", school["lessons"][0], "staff_status", w48, w48, "sick")
            paint(school["timetable"], "slot", school["lessons"][0], "substitute", w48, w48, school["y"])
            other = create_timetable("o", "Other school", "Europe/Paris", published=False)
        vic = create_user("vic", PASSWORD, grants={school["timetable"].id: VIEWER})
        olga = create_user("olga", PASSWORD, grants={other.id: VIEWER})
        return {**school, "timetable_id": school["timetable"].id, "vic": vic.id, "olga": olga.id, "other": other.id}


def logged_in(app, username="vic"):
    client = app.test_client()
    assert AuthActions(client).login(username, PASSWORD).status_code == 303
    return client


def make_link(client, slug="t", query=""):
    """Press "New private link" (on /account, or on the week page with its filters) and read the URL shown."""
    csrf = csrf_token_from(client.get("/account").get_data(as_text=True))
    response = client.post(f"/{slug}/feed-links{query}", data={"csrf_token": csrf})
    assert response.status_code == 201, response.get_data(as_text=True)
    return html.unescape(NEW_LINK.search(response.get_data(as_text=True)).group(1))


def path_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.path}?{parts.query}"


def read(app, url: str, status: int = 200):
    """What a calendar app gets: no cookie, just the URL."""
    response = app.test_client().get(path_of(url))
    assert response.status_code == status, response.get_data(as_text=True)
    return Calendar.from_ical(response.data) if status == 200 else response


def summaries(calendar: Calendar) -> set[str]:
    return {str(event["SUMMARY"]) for event in calendar.walk("VEVENT")}


def test_a_viewer_makes_a_link_on_the_account_page_and_a_calendar_app_reads_the_unpublished_timetable(app, world):
    from timetable.extensions import db
    from timetable.models import FeedLink

    client = logged_in(app)
    account = client.get("/account").get_data(as_text=True)
    assert 'action="/t/feed-links"' in account and "Test school" in account
    assert 'action="/o/feed-links"' not in account  # Vic may not read the other school
    url = make_link(client)
    assert urlsplit(url).path == "/t/calendar.ics"
    key = parse_qs(urlsplit(url).query)["key"][0]

    # Anonymous, the timetable does not exist; with the key it is the whole school.
    assert app.test_client().get("/t/calendar.ics").status_code == 404
    calendar = read(app, url)
    assert summaries(calendar) == {"Maths 7A", "Physics 7A"}
    assert len(calendar.walk("VEVENT")) > 100
    assert read(app, url.replace(key, key[:-2] + "xx"), 404).status_code == 404
    assert "private, no-store" in app.test_client().get(path_of(url)).headers["Cache-Control"]

    # Only the key's digest is kept; the account page lists the link, used, without it.
    with app.app_context():
        [row] = db.session.query(FeedLink).all()
        assert (row.user_id, row.timetable_id, row.label) == (world["vic"], world["timetable_id"], "Test school")
        assert row.token_hash == hashlib.sha256(key.encode()).hexdigest() and row.last_used_at is not None
    account = client.get("/account").get_data(as_text=True)
    assert 'data-testid="feed-links"' in account and key not in account


def test_a_link_made_from_a_filtered_week_page_keeps_the_filter(app, world):
    client = logged_in(app)
    page = client.get(f"/t?week=2026-W48&staff={world['z']}").get_data(as_text=True)
    assert 'data-testid="private-feed-form"' in page and f'action="/t/feed-links?staff={world["z"]}"' in page
    url = make_link(client, query=f"?staff={world['z']}")
    assert parse_qs(urlsplit(url).query)["staff"] == [str(world["z"])]
    assert summaries(read(app, url)) == {"Physics 7A"}
    assert "Test school · teacher Z" in client.get("/account").get_data(as_text=True)
    # A filter naming nothing of this timetable is refused, naming the field, and makes no link.
    csrf = csrf_token_from(page)
    refused = client.post("/t/feed-links?room=999999", data={"csrf_token": csrf})
    assert refused.status_code == 400 and "room" in refused.get_data(as_text=True)
    assert client.get("/account").get_data(as_text=True).count(">Revoke<") == 1


def test_the_private_feed_shows_what_its_owner_may_read_and_the_public_one_does_not(app, world):
    """Staff status is private: a viewer's link shows X as sick; the published feed only shows the stand-in."""
    from timetable.services.timetables import configure_timetable

    url = make_link(logged_in(app))
    [monday] = [e for e in read(app, url).walk("VEVENT") if str(e["UID"]) == f"slot-{world['lessons'][0]}-2026-W48@t.timetable"]
    assert "Teacher: X (Sick) → Y" in str(monday["DESCRIPTION"])
    with app.app_context():
        from timetable.extensions import db
        from timetable.models import Timetable

        configure_timetable(db.session.get(Timetable, world["timetable_id"]), {"published": True})
    public = Calendar.from_ical(app.test_client().get("/t/calendar.ics").data)
    [monday] = [e for e in public.walk("VEVENT") if str(e["UID"]) == f"slot-{world['lessons'][0]}-2026-W48@t.timetable"]
    assert "Teacher: X → Y" in str(monday["DESCRIPTION"]) and "sick" not in str(monday["DESCRIPTION"]).lower()


def test_a_revoked_link_stops_working_and_can_be_made_again(app, world):
    from timetable.extensions import db
    from timetable.models import FeedLink

    client = logged_in(app)
    url = make_link(client)
    read(app, url)
    with app.app_context():
        link_id = db.session.query(FeedLink.id).scalar()
    # Someone else cannot revoke it: it is not theirs, as if it did not exist.
    other = logged_in(app, "olga")
    csrf = csrf_token_from(other.get("/account").get_data(as_text=True))
    assert other.post(f"/account/feed-links/{link_id}/revoke", data={"csrf_token": csrf}).status_code == 404
    read(app, url)

    csrf = csrf_token_from(client.get("/account").get_data(as_text=True))
    response = client.post(f"/account/feed-links/{link_id}/revoke", data={"csrf_token": csrf})
    assert response.status_code == 303 and response.headers["Location"].endswith("/account#calendar-links")
    gone = read(app, url, 404)
    assert "does not work" in gone.get_data(as_text=True)
    assert "You have no private calendar link." in client.get("/account").get_data(as_text=True)
    assert client.post(f"/account/feed-links/{link_id}/revoke", data={"csrf_token": csrf}).status_code == 404

    again = make_link(client)
    assert again != url
    read(app, again)
    read(app, url, 404)


def test_a_link_ends_when_its_owner_loses_the_grant_and_does_not_come_back_with_it(app, world):
    from timetable.services.access import VIEWER
    from timetable.services.accounts import set_rights

    client = logged_in(app)
    url = make_link(client)
    read(app, url)
    with app.app_context():
        set_rights(world["vic"], is_admin=False, grants={world["other"]: VIEWER})
    read(app, url, 404)
    assert "You have no private calendar link." in client.get("/account").get_data(as_text=True)
    # Nor can Vic make a new one of a timetable she may no longer read.
    csrf = csrf_token_from(client.get("/account").get_data(as_text=True))
    assert client.post("/t/feed-links", data={"csrf_token": csrf}).status_code == 403
    # Granted again, the old link stays dead: only a new one works.
    with app.app_context():
        set_rights(world["vic"], is_admin=False, grants={world["timetable_id"]: VIEWER})
    read(app, url, 404)
    read(app, make_link(client))


def test_a_link_is_checked_against_its_owners_rights_each_time_it_is_read(app, world):
    """Whatever takes the right away (here the grant row itself), the link stops working at once and says so on /account."""
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Grant

    client = logged_in(app)
    url = make_link(client)
    read(app, url)
    with app.app_context(), write_transaction():
        db.session.query(Grant).filter_by(user_id=world["vic"]).delete()
    read(app, url, 404)
    assert 'data-testid="dead-link"' in client.get("/account").get_data(as_text=True)


def test_a_link_of_a_demoted_administrator_ends_with_the_right(app, world):
    from timetable.services.accounts import create_user, set_rights

    with app.app_context():
        ada = create_user("ada", PASSWORD, is_admin=True).id
    url = make_link(logged_in(app, "ada"))
    read(app, url)
    with app.app_context():
        set_rights(ada, is_admin=False, grants={})
    read(app, url, 404)


def test_a_link_stops_working_when_the_account_is_deactivated(app, world):
    from timetable.services.accounts import set_active

    url = make_link(logged_in(app))
    read(app, url)
    with app.app_context():
        set_active(world["vic"], False)
    read(app, url, 404)


def test_a_key_works_only_for_its_own_timetable(app, world):
    from timetable.services.access import VIEWER
    from timetable.services.accounts import set_rights

    with app.app_context():
        set_rights(world["vic"], is_admin=False, grants={world["timetable_id"]: VIEWER, world["other"]: VIEWER})
    url = make_link(logged_in(app))
    read(app, url.replace("/t/calendar.ics", "/o/calendar.ics"), 404)
    read(app, url.replace("/t/calendar.ics", "/nowhere/calendar.ics"), 404)


def test_nobody_without_the_view_right_gets_the_link_button_or_a_link(app, world):
    anonymous = app.test_client()
    assert anonymous.post("/t/feed-links").status_code in (302, 400)  # to the login page (or refused for lack of CSRF)
    olga = logged_in(app, "olga")
    csrf = csrf_token_from(olga.get("/account").get_data(as_text=True))
    assert olga.post("/t/feed-links", data={"csrf_token": csrf}).status_code == 403
    # A published timetable's page offers the button to its viewers, not to visitors.
    from timetable.extensions import db
    from timetable.models import Timetable
    from timetable.services.timetables import configure_timetable

    with app.app_context():
        configure_timetable(db.session.get(Timetable, world["timetable_id"]), {"published": True})
    assert 'data-testid="private-feed-form"' not in anonymous.get("/t").get_data(as_text=True)
    assert 'data-testid="private-feed-form"' not in olga.get("/t").get_data(as_text=True)
    assert 'data-testid="private-feed-form"' in logged_in(app).get("/t").get_data(as_text=True)


def test_each_private_link_has_its_own_feed_budget_wherever_it_is_read_from(app, world, monkeypatch):
    """Calendar services fetch many people's feeds from one address: a link is counted as one subscriber."""
    monkeypatch.setitem(app.config, "FEED_RATE_LIMIT", "2 per minute")
    client = logged_in(app)
    first, second = make_link(client), make_link(client)
    read(app, first)
    read(app, first)
    refused = app.test_client().get(path_of(first), environ_overrides={"REMOTE_ADDR": "192.0.2.7"})
    assert refused.status_code == 429 and "Too many calendar feed requests" in refused.get_data(as_text=True)
    read(app, second)
