"""Week pages: full page or htmx fragment, navigation, filters, errors, login wall."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.conftest import HTMX
from timetable.models import Timetable
from timetable.services.catalog import current_week


def blocks(html: str) -> list[str]:
    return re.findall(r'data-testid="block"', html)


def test_the_public_view_is_a_full_page_and_htmx_gets_the_week_fragment(demo_client, rendered_templates):
    page = demo_client.get("/school?week=2026-W47")
    assert page.status_code == 200
    assert rendered_templates[0] == "public/week.html"
    assert "<html" in page.get_data(as_text=True)
    assert "HX-Request" in page.headers["Vary"]

    rendered_templates.clear()
    fragment = demo_client.get("/school?week=2026-W48", headers=HTMX)
    html = fragment.get_data(as_text=True)
    assert rendered_templates[0] == "public/_week.html"
    assert "<html" not in html and '<section id="week"' in html
    assert 'data-week="2026-W48"' in html
    assert fragment.headers["HX-Push-Url"] == "/school?week=2026-W48"
    assert "<title>Lycée Jean Moulin (demo) · 2026-W48</title>" in html
    assert "HX-Request" in fragment.headers["Vary"]


def test_a_boosted_or_history_restore_request_gets_the_whole_page(demo_client, rendered_templates):
    demo_client.get("/school?week=2026-W47", headers={**HTMX, "HX-History-Restore-Request": "true"})
    demo_client.get("/school?week=2026-W47", headers={**HTMX, "HX-Boosted": "true"})
    assert rendered_templates == ["public/week.html", "public/week.html"]


def test_navigation_links_carry_the_week_and_filters(demo_client):
    html = demo_client.get("/school?week=2026-W53&group=3").get_data(as_text=True)
    # 2026 has 53 ISO weeks: after W53 comes 2027-W01, never "2026-W54".
    assert 'href="/school?week=2026-W52&amp;group=3"' in html
    assert 'href="/school?week=2027-W01&amp;group=3"' in html
    assert '<option value="3" selected>' in html


def test_a_date_is_turned_into_its_iso_week(demo_client):
    response = demo_client.get("/school?date=2024-12-30")
    assert response.status_code == 303
    assert response.headers["Location"] == "/school?week=2025-W01"
    fragment = demo_client.get("/school?date=2026-11-19", headers=HTMX)
    assert fragment.headers["HX-Push-Url"] == "/school?week=2026-W47"


def test_today_is_the_iso_week_in_the_timetable_time_zone(demo_app):
    with demo_app.app_context():
        timetable = Timetable(time_zone="Pacific/Auckland")
        # Sunday 2024-12-29 at 12:00 UTC is already Monday 2024-12-30 in Auckland: 2025-W01.
        assert current_week(timetable, datetime(2024, 12, 29, 12, tzinfo=UTC)) == 202501
        timetable.time_zone = "America/Los_Angeles"
        assert current_week(timetable, datetime(2024, 12, 30, 3, tzinfo=UTC)) == 202452


def test_filters_combine_and_show_only_matching_lessons(demo_client):
    everything = blocks(demo_client.get("/school?week=2026-W47").get_data(as_text=True))
    assert len(everything) == 350
    group = blocks(demo_client.get("/school?week=2026-W47&group=1").get_data(as_text=True))
    assert 20 < len(group) < 40
    html = demo_client.get("/school?week=2026-W47&group=1&room=1").get_data(as_text=True)
    assert 0 < len(blocks(html)) < len(group)
    assert all(room == "1" for room in re.findall(r'data-room="(\d*)"', html))
    assert all(group == "1" for group in re.findall(r'data-group="(\d*)"', html))


@pytest.mark.parametrize(
    ("url", "status", "message"),
    [
        ("/school?week=2026-W54", 400, "2026-W54: 2026 has 53 ISO weeks"),
        ("/school?week=2025-W53", 400, "2025 has 52 ISO weeks"),
        ("/school?week=banana", 400, "not a week"),
        ("/school?date=2026-13-01", 400, "is not a date"),
        ("/school?staff=abc", 400, "staff filter"),
        ("/nowhere", 404, "no published timetable called “nowhere”"),
        ("/nowhere/edit", 302, ""),
    ],
)
def test_bad_addresses_get_a_clear_error_page(demo_client, url, status, message):
    response = demo_client.get(url)
    assert response.status_code == status
    assert message in response.get_data(as_text=True)


def test_an_unpublished_timetable_is_not_shown_to_visitors(demo_app, demo_client):
    from timetable.extensions import db

    with demo_app.app_context():
        clinic = Timetable.query.filter_by(slug="clinic").one()
        clinic.published = False
        db.session.commit()
    try:
        assert demo_client.get("/clinic").status_code == 404
        assert demo_client.get("/api/timetables/clinic/weeks/2026-W47").status_code == 404
    finally:
        with demo_app.app_context():
            Timetable.query.filter_by(slug="clinic").one().published = True
            db.session.commit()


def test_the_editor_needs_a_login_and_then_shows_closed_slots_on_request(demo_client, demo_auth):
    response = demo_client.get("/school/edit?week=2027-W12")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login?next=")

    demo_auth.login()
    page = demo_client.get("/school/edit?week=2027-W12&view=grid")
    assert page.status_code == 200
    open_count = len(blocks(page.get_data(as_text=True)))
    with_closed = demo_client.get("/school/edit?week=2027-W12&closed=1").get_data(as_text=True)
    # The chess club is closed from 2027-W10 on: hidden by default, shown struck through on request.
    assert len(blocks(with_closed)) == open_count + 1
    assert "status-closed" in with_closed and "Chess club" in with_closed
    public = demo_client.get("/school?week=2027-W12&closed=1").get_data(as_text=True)
    assert "Chess club" not in public


def test_the_temporarily_closed_lesson_shows_its_note(demo_client):
    html = demo_client.get("/school?week=2026-W47").get_data(as_text=True)
    assert "status-temporarily_closed" in html
    assert "Temporarily closed: Class trip to the science museum" in html


def test_the_vendor_route_serves_htmx_and_nothing_else(demo_client):
    htmx = demo_client.get("/vendor/htmx.org/dist/htmx.min.js")
    assert htmx.status_code == 200 and b"htmx" in htmx.data
    htmx.close()
    assert demo_client.get("/vendor/htmx.org/package.json").status_code == 404
    assert demo_client.get("/vendor/../package.json").status_code == 404


def test_the_home_page_lists_published_timetables(demo_client):
    html = demo_client.get("/").get_data(as_text=True)
    assert "Lycée Jean Moulin (demo)" in html and "Clinique des Tilleuls (demo)" in html
    assert "/school/edit" not in html
