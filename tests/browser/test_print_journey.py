"""Printing: a class's and a teacher's week of the demo school, printed from Chromium and as week.pdf, fit one A4 landscape sheet."""

from __future__ import annotations

import base64
import shutil
import subprocess
from collections import Counter

import pytest
from selenium.webdriver.common.print_page_options import PrintOptions
from selenium.webdriver.support.ui import WebDriverWait

from tests.clock import wall_weeks_ahead
from timetable.rules import format_week

from .pages import by_testid

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (scripts/install-system-deps)")]


def pdf_pages(data: bytes, path) -> list[str]:
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return text.rstrip("\f").split("\f")


def _single(value):
    """The one id a reference names: a room's id, or the only member of a set; None for a team."""
    if isinstance(value, list):
        return value[0] if len(value) == 1 else None
    return value


def busiest(demo_app, week: str) -> dict[str, tuple[int, str]]:
    """The demo's class, teacher and room with the most lessons this week: (id, name) each."""
    payload = demo_app.test_client().get(f"/api/timetables/school/weeks/{week}").get_json()
    found = {}
    for kind in ("group", "staff", "room"):
        # Staff and groups are sets of ids (a list in the API): count each lesson's single teacher or class.
        counts = Counter((_single(o["parameters"][kind]), o["labels"][kind]) for o in payload["occurrences"]
                         if o["parameters"].get(kind) and _single(o["parameters"][kind]) is not None)
        found[kind] = counts.most_common(1)[0][0]
    return found


def test_a_class_and_a_teacher_week_print_on_one_landscape_sheet(browser, live_server, demo_app, tmp_path):
    week = format_week(wall_weeks_ahead(0))
    chosen = busiest(demo_app, week)
    options = PrintOptions()
    options.orientation = "landscape"
    options.page_width, options.page_height = 21.0, 29.7
    options.background = True
    for kind, label in (("group", ""), ("staff", "Teacher ")):
        ident, name = chosen[kind]
        browser.get(f"{live_server}/school?week={week}&{kind}={ident}")
        WebDriverWait(browser, 10).until(lambda d: d.find_elements(*by_testid("grid")))
        pages = pdf_pages(base64.b64decode(browser.print_page(options)), tmp_path / f"{kind}.pdf")
        assert len(pages) == 1, f"{kind} {name}: {len(pages)} pages"
        [page] = pages
        assert f"{label}{name}" in page and week in page
        for chrome in ("Editor login", "Subscribe", "Today's changes", "Filter"):
            assert chrome not in page, f"{chrome!r} is printed"
    subprocess.run(["pdftoppm", "-r", "50", "-png", "-singlefile", str(tmp_path / "staff.pdf"), str(tmp_path / "printed")], check=True)


def test_week_pdfs_of_the_busiest_class_teacher_and_room_are_one_page_each(demo_app, tmp_path):
    week = format_week(wall_weeks_ahead(0))
    client = demo_app.test_client()
    for kind, (ident, name) in busiest(demo_app, week).items():
        response = client.get(f"/school/week.pdf?week={week}&{kind}={ident}")
        assert response.status_code == 200
        pages = pdf_pages(response.data, tmp_path / f"{kind}.pdf")
        assert len(pages) == 1, f"{kind} {name}: {len(pages)} pages"
        assert name in pages[0]


def test_print_on_a_class_page_prints_that_page_on_one_sheet(browser, live_server, demo_app, tmp_path):
    week = format_week(wall_weeks_ahead(0))
    ident, name = busiest(demo_app, week)["group"]
    browser.get(f"{live_server}/school/class/{ident}?week={week}")
    WebDriverWait(browser, 10).until(lambda d: d.find_elements(*by_testid("grid")))
    address = browser.current_url
    browser.execute_script("window.printed = 0; window.print = () => { window.printed += 1; };")
    browser.find_element(*by_testid("print")).click()
    WebDriverWait(browser, 5).until(lambda d: d.execute_script("return window.printed") == 1)
    assert browser.current_url == address  # the page itself is printed, not the PDF opened
    options = PrintOptions()
    options.orientation = "landscape"
    options.page_width, options.page_height = 21.0, 29.7
    [page] = pdf_pages(base64.b64decode(browser.print_page(options)), tmp_path / "class.pdf")
    assert f"Class {name}" in page and week in page
    for chrome in ("Editor login", "Subscribe", "Print", "Export CSV"):
        assert chrome not in page, f"{chrome!r} is printed"
