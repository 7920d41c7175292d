"""A class's, teacher's or room's week is a bookmark: cached with ETags like the public week, never stale after a
change, and linked to its own print-out, PDF, CSV and calendar subscription, each filtered to it."""

from __future__ import annotations

import csv
import io
import re
import shutil
from html import unescape

import pytest

from tests.conftest import HTMX
from tests.web.test_changes import changed_school  # noqa: F401  (fixture)
from tests.web.test_prints import pdf_text
from timetable.rules import parse_week

W49, W51 = parse_week("2026-W49"), parse_week("2026-W51")


def class_id() -> int:
    from timetable.extensions import db
    from timetable.models import Group

    return db.session.query(Group).one().id


def link(html: str, testid: str) -> str:
    return unescape(re.search(rf'<a href="([^"]+)"[^>]*data-testid="{testid}"', html).group(1))


def test_a_class_page_revalidates_with_304_until_a_change_and_is_never_stale(client, changed_school):  # noqa: F811
    from tests.factories import paint
    from timetable.database import write_transaction

    page = f"/t/class/{class_id()}?week=2026-W51"
    first = client.get(page)
    etag = first.headers["ETag"]
    assert first.status_code == 200 and "no-cache" in first.headers["Cache-Control"] and "Last-Modified" in first.headers
    again = client.get(page, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(page).get_data() == first.get_data()  # the shared copy
    # Another week, or the htmx fragment, is another page with its own tag.
    assert client.get(f"/t/class/{class_id()}?week=2026-W52", headers={"If-None-Match": etag}).status_code == 200
    fragment = client.get(page, headers={**HTMX, "If-None-Match": etag})
    assert fragment.status_code == 200 and "<html" not in fragment.get_data(as_text=True)
    assert fragment.headers["HX-Push-Url"] == page

    with write_transaction():
        paint(changed_school["timetable"], "slot", changed_school["lessons"][2], "note", W51, W51, "Bring a calculator")
    changed = client.get(page, headers={"If-None-Match": etag})
    assert changed.status_code == 200 and changed.headers["ETag"] != etag
    assert "Bring a calculator" in changed.get_data(as_text=True)
    assert "Bring a calculator" in client.get(page).get_data(as_text=True)  # without a tag: not the old copy either
    assert "Bring a calculator" in client.get(page, headers=HTMX).get_data(as_text=True)
    assert client.get(page, headers={"If-None-Match": changed.headers["ETag"]}).status_code == 304


def test_a_teacher_page_is_cached_and_a_renamed_teacher_shows_at_once(client, changed_school):  # noqa: F811
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Staff

    page = f"/t/teacher/{changed_school['x']}?week=2026-W49"
    first = client.get(page)
    assert 'data-testid="resource-heading">Teacher X<' in first.get_data(as_text=True)
    with write_transaction():
        db.session.get(Staff, changed_school["x"]).name = "Ms X"
    renamed = client.get(page, headers={"If-None-Match": first.headers["ETag"]})
    assert renamed.status_code == 200 and 'data-testid="resource-heading">Teacher Ms X<' in renamed.get_data(as_text=True)


def test_a_logged_in_reader_gets_their_own_page_not_the_shared_copy(client, auth, editor, changed_school):  # noqa: F811
    page = f"/t/teacher/{changed_school['x']}?week=2026-W49"
    assert "sick" not in client.get(page).get_data(as_text=True).lower()
    auth.login()
    response = client.get(page)
    assert response.status_code == 200 and "ETag" not in response.headers  # not served from the anonymous cache


def test_a_class_page_links_its_print_out_pdf_csv_and_calendar_filtered_to_the_class(client, changed_school):  # noqa: F811
    group = class_id()
    html = client.get(f"/t/class/{group}?week=2026-W49").get_data(as_text=True)
    assert link(html, "subscribe-webcal") == f"webcal://localhost/t/calendar.ics?group={group}"
    assert link(html, "subscribe-https") == f"http://localhost/t/calendar.ics?group={group}"
    assert link(html, "pdf") == f"/t/week.pdf?week=2026-W49&group={group}"
    assert link(html, "print") == link(html, "pdf") and 'data-print data-testid="print"' in html  # week.js prints the page
    assert link(html, "export-csv") == f"/t/export.csv?week=2026-W49&group={group}"
    room = client.get(f"/t/room/{changed_school['r3']}?week=2026-W49").get_data(as_text=True)
    assert link(room, "subscribe-https") == f"http://localhost/t/calendar.ics?room={changed_school['r3']}"
    assert link(room, "export-csv") == f"/t/export.csv?week=2026-W49&room={changed_school['r3']}"


def test_the_class_pages_csv_and_calendar_hold_the_class_alone(client, changed_school):  # noqa: F811
    from icalendar import Calendar

    group = class_id()
    html = client.get(f"/t/class/{group}?week=2026-W49").get_data(as_text=True)
    rows = list(csv.DictReader(io.StringIO(client.get(link(html, "export-csv")).get_data(as_text=True).lstrip("\ufeff"))))
    everything = list(csv.DictReader(io.StringIO(client.get("/t/export.csv?week=2026-W49").get_data(as_text=True).lstrip("\ufeff"))))
    assert rows and len(rows) < len(everything)
    assert {int(row["slot_id"]) for row in rows} == set(changed_school["lessons"])  # 7A's maths, not Z's physics
    feed = Calendar.from_ical(client.get(link(html, "subscribe-https").removeprefix("http://localhost")).data)
    summaries = {str(event["summary"]) for event in feed.walk("VEVENT") if "Holiday" not in str(event.get("categories", ""))}
    assert summaries and all(not s.startswith("Physics") for s in summaries)


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (scripts/install-system-deps)")
def test_the_class_pages_pdf_is_that_classs_week(client, changed_school, tmp_path):  # noqa: F811
    html = client.get(f"/t/class/{class_id()}?week=2026-W49").get_data(as_text=True)
    [page] = pdf_text(client.get(link(html, "pdf")).data, tmp_path)
    assert "Class 7A" in page and "2026-W49" in page
    assert "X→Y" in page.replace(" ", "") and "class trip" in page  # its substitution and its cancelled lesson
    assert "Physics" not in page


def test_a_cached_page_of_this_week_opens_on_the_new_today_after_midnight(client, changed_school, pinned_clock):  # noqa: F811
    """Phones open the week's tabs on today: the clock alone changes this week's page at midnight."""
    from datetime import UTC, datetime

    from tests.clock import THIS_WEEK
    from timetable.rules import format_week

    page = f"/t/class/{class_id()}?week={format_week(THIS_WEEK)}"  # Friday 2026-11-20 in Paris
    friday = client.get(page)
    assert 'data-today="5"' in friday.get_data(as_text=True)
    assert client.get(page, headers={"If-None-Match": friday.headers["ETag"]}).status_code == 304
    pinned_clock.move_to(datetime(2026, 11, 20, 22, 30, tzinfo=UTC))  # 23:30 in Paris: still Friday
    assert client.get(page, headers={"If-None-Match": friday.headers["ETag"]}).status_code == 304
    pinned_clock.move_to(datetime(2026, 11, 20, 23, 30, tzinfo=UTC))  # 00:30 on Saturday in Paris
    saturday = client.get(page, headers={"If-None-Match": friday.headers["ETag"]})
    assert saturday.status_code == 200 and 'data-today="6"' in saturday.get_data(as_text=True)
    # Another week's page has no today: it stays as it was.
    other = f"/t/class/{class_id()}?week=2026-W51"
    first = client.get(other)
    pinned_clock.move_to(datetime(2026, 11, 21, 23, 30, tzinfo=UTC))  # Sunday
    assert client.get(other, headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
