"""Print-outs: the week as a PDF and the term booklet, read back with pdftotext as a person would read the paper."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date

import pytest

from tests.web.test_changes import changed_school  # noqa: F401  (fixture)

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils (scripts/install-system-deps)")


def pdf_text(data: bytes, tmp_path) -> list[str]:
    """The PDF's text, one string per page."""
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True).stdout
    return text.rstrip("\f").split("\f")


def page_size_mm(data: bytes, tmp_path) -> tuple[float, float]:
    path = tmp_path / "size.pdf"
    path.write_bytes(data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    line = next(line for line in info.splitlines() if line.startswith("Page size:"))
    width, height = (float(n) for n in line.split(":")[1].split("pts")[0].split(" x "))
    return round(width / 72 * 25.4), round(height / 72 * 25.4)


def test_a_class_week_is_one_a4_landscape_page_with_its_changes(client, changed_school, tmp_path):  # noqa: F811
    from timetable.extensions import db
    from timetable.models import Group

    group = db.session.query(Group).one().id
    response = client.get(f"/t/week.pdf?week=2026-W49&group={group}")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert response.data.startswith(b"%PDF")
    [page] = pdf_text(response.data, tmp_path)
    assert page_size_mm(response.data, tmp_path) == (297, 210)
    assert "Class 7A" in page and "2026-W49" in page and "Test school" in page
    assert "X→Y" in page.replace(" ", "")  # Monday's substitution (pdftotext drops the spaces around the arrow)
    assert "class trip" in page  # Tuesday is cancelled, with its note
    assert "102" in page  # Wednesday's room change
    assert "10:00–10:50" in page  # Thursday's lesson moved to Friday 10:00
    assert "Physics" not in page  # Physics 7A has no class set: the class filter leaves it out, as on the week page
    assert "sick" not in page.lower()  # the teacher's status is not public
    # No navigation or filters on paper.
    assert "Editor login" not in page and "Subscribe" not in page


def test_the_week_pdf_takes_the_week_pages_filters_and_visibility(client, auth, editor, changed_school, tmp_path):  # noqa: F811
    from timetable.services.timetables import configure_timetable

    [page] = pdf_text(client.get(f"/t/week.pdf?week=2026-W51&staff={changed_school['z']}").data, tmp_path)
    assert "Teacher Z" in page and "Physics 7A" in page and "Maths" not in page
    [holiday_week] = pdf_text(client.get(f"/t/week.pdf?week=2026-W50&staff={changed_school['z']}").data, tmp_path)
    assert "Holiday: Teachers' day" in holiday_week and "Physics" not in holiday_week  # Monday 2026-12-07
    assert client.get("/t/week.pdf?week=2026-W99").status_code == 400
    assert client.get("/t/week.pdf?room=abc").status_code == 400
    configure_timetable(changed_school["timetable"], {"published": False})
    assert client.get("/t/week.pdf?week=2026-W50").status_code == 404
    auth.login()
    assert client.get("/t/week.pdf?week=2026-W50").status_code == 200


def test_the_week_pdf_revalidates_and_follows_changes(client, changed_school, tmp_path):  # noqa: F811
    from tests.factories import paint
    from timetable.database import write_transaction
    from timetable.rules import parse_week

    first = client.get("/t/week.pdf?week=2026-W51")
    assert client.get("/t/week.pdf?week=2026-W51", headers={"If-None-Match": first.headers["ETag"]}).status_code == 304
    with write_transaction():
        paint(changed_school["timetable"], "slot", changed_school["lessons"][0], "note", parse_week("2026-W51"), parse_week("2026-W51"),
              "Exam in the hall")
    again = client.get("/t/week.pdf?week=2026-W51", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 200 and "Exam in the hall" in pdf_text(again.data, tmp_path)[0]


def test_the_public_week_page_links_its_pdf(client, changed_school):  # noqa: F811
    html = client.get(f"/t?week=2026-W49&staff={changed_school['x']}").get_data(as_text=True)
    assert f'href="/t/week.pdf?week=2026-W49&amp;staff={changed_school["x"]}"' in html


def test_the_booklet_has_each_classs_usual_week_on_its_own_page(client, changed_school, tmp_path):  # noqa: F811
    from tests.factories import make_slot
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Group
    from timetable.rules import parse_week
    from timetable.rules.calendar import Holiday
    from timetable.services.calendar import CalendarSpec, TermSpec, replace_calendar

    timetable = changed_school["timetable"]
    with write_transaction():
        other = Group(timetable_id=timetable.id, name="8B")
        db.session.add(other)
        db.session.flush()
        other_id = other.id
    make_slot(timetable, parse_week("2026-W40"), weekday=3, start=14 * 60, duration=55, title="Art", group=other_id)
    replace_calendar(timetable, CalendarSpec(
        terms=[TermSpec("School year", parse_week("2026-W36"), parse_week("2027-W26")),
               TermSpec("Autumn term", parse_week("2026-W45"), parse_week("2026-W51"))],
        holidays=[Holiday("Teachers' day", date(2026, 12, 7), date(2026, 12, 7))]))

    response = client.get("/t/booklet.pdf")  # the shortest term holding this week (2026-W47): the autumn term
    assert response.status_code == 200
    pages = pdf_text(response.data, tmp_path)
    assert len(pages) == 2
    seven_a, eight_b = pages
    assert "Class 7A" in seven_a and "Autumn term" in seven_a and "2026-W45 to 2026-W51" in seven_a
    assert "Class 8B" in eight_b and "Art" in eight_b and "Maths" not in eight_b
    # The usual week: W49's one-week changes are not in it.
    assert seven_a.count("Maths 7A") == 5 and "08:00–08:50" in seven_a
    assert "→" not in seven_a and "class trip" not in seven_a and "102" not in seven_a and "10:00–10:50" not in seven_a
    assert client.get("/t/booklet.pdf?term=999").status_code == 404
