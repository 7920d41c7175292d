"""Cover statistics per teacher and term: the JSON API, the page (sortable) and the CSV, on the demo
and on a small school whose every figure is counted by hand."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest

from tests.clock import weeks_ahead
from timetable.rules import format_week, parse_week

W36, W44, W45, W48, W49, W50, W51 = (parse_week(f"2026-W{n}") for n in (36, 44, 45, 48, 49, 50, 51))
MOREAU_CLASSES = 3  # the demo's 12 classes share 5 maths teachers: A. Moreau teaches classes 1, 6 and 11
MATHS_LESSONS_A_WEEK = 5
SICK_WEEKS = 2  # last week and this week


def stats(client, slug: str, term: str | None = None) -> dict:
    url = f"/api/timetables/{slug}/cover-statistics" + (f"?term={term}" if term is not None else "")
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def figures(payload: dict) -> dict[str, tuple[int, int, int]]:
    """Teacher -> (covers given, own lessons cancelled, own lessons covered by others), for teachers with any."""
    found = {t["name"]: (t["covers_given"], t["own_lessons_cancelled"], t["own_lessons_covered_by_others"])
             for t in payload["teachers"]}
    return {name: counts for name, counts in found.items() if any(counts)}


# --- On the demo: C. Ito covers A. Moreau's maths for two weeks; 10B's Thursday lesson is a class trip.

@pytest.fixture
def scheduler(demo_client, demo_auth):
    demo_auth.login()
    yield demo_client
    demo_auth.logout()


def _week(client, week: int) -> list[dict]:
    return client.get(f"/api/timetables/school/weeks/{format_week(week)}").get_json()["occurrences"]


def test_the_demo_counts_the_sick_teachers_covers_and_the_class_trip_by_hand(scheduler):
    payload = stats(scheduler, "school")
    # The current term by the pinned clock (2026-W47): the autumn term, not the whole school year.
    assert payload["term"] == {"name": "Autumn term", "start": "2026-W36", "end": "2026-W51"}

    covers = MOREAU_CLASSES * MATHS_LESSONS_A_WEEK * SICK_WEEKS
    # The same lessons seen on the week pages: 15 a week, in the two sick weeks only.
    for week in (weeks_ahead(-1), weeks_ahead(0)):
        covered = [o for o in _week(scheduler, week) if o["labels"].get("substitute") == "C. Ito"]
        assert len(covered) == MOREAU_CLASSES * MATHS_LESSONS_A_WEEK
        assert {o["labels"]["staff"] for o in covered} == {"A. Moreau"}
    assert not [o for o in _week(scheduler, weeks_ahead(1)) if o["parameters"]["substitute"]]

    trip = [o for o in _week(scheduler, weeks_ahead(0)) if o["parameters"]["status"] == "temporarily_closed"]
    assert len(trip) == 1 and trip[0]["parameters"]["note"] == "Class trip to the science museum"
    trip_teacher = trip[0]["labels"]["staff"]
    assert trip_teacher not in ("A. Moreau", "C. Ito")

    assert figures(payload) == {
        "A. Moreau": (0, 0, covers),
        "C. Ito": (covers, 0, 0),
        trip_teacher: (0, 1, 0),
    }
    # Every teacher is listed, those with nothing to count too.
    assert len(payload["teachers"]) == len({o["labels"]["staff"] for o in _week(scheduler, weeks_ahead(1))})


def test_the_demo_school_year_has_the_same_figures_and_the_chess_club_closing_is_no_cancellation(scheduler):
    payload = stats(scheduler, "school", "School year 2026/27")
    assert payload["term"]["start"] == "2026-W36"
    covers = MOREAU_CLASSES * MATHS_LESSONS_A_WEEK * SICK_WEEKS
    # C. Ito's chess club closes for good in 2027-W03: a slot that stops, not 30 cancelled lessons.
    assert figures(payload)["C. Ito"] == (covers, 0, 0)
    assert sum(counts[1] for counts in figures(payload).values()) == 1


def test_the_spring_term_of_the_demo_has_no_covers(scheduler):
    assert figures(stats(scheduler, "school", "Spring term")) == {}


def test_the_demo_page_lists_the_figures_and_sorts_by_covers(scheduler):
    html = scheduler.get("/school/edit/cover-statistics?sort=covers_given&order=desc").get_data(as_text=True)
    assert "Autumn term" in html and "2026-W36" in html
    body = html.split("<tbody>")[1]
    first_row = body.split("</tr>")[0]
    assert "C. Ito" in first_row and ">30<" in first_row
    assert 'aria-sort="descending"' in html


# --- On a small school, every figure counted by hand.

@pytest.fixture
def covered_school(school):
    """Teacher X gives 5 maths lessons a week (Mon–Fri 08:00), Z physics on Monday 09:00.

    - 2026-W48: Y stands in for X on Monday: a cover.
    - 2026-W49: Tuesday is a class trip (temporarily closed), with Y named as substitute beforehand;
      Z's physics is closed that week only.
    - 2026-W50: Monday is a holiday, on which Y was to stand in and the lesson was closed: neither counts.
    - From 2026-W51: Friday's lesson stops (closed for good).
    Terms: the year, "Late autumn" (W45–W51, the current one: the shortest holding 2026-W47) and
    "Early autumn" (W36–W44), with nothing to count.
    """
    from tests.factories import paint
    from timetable.database import write_transaction
    from timetable.rules.calendar import Holiday
    from timetable.services.calendar import CalendarSpec, TermSpec, replace_calendar

    timetable, lessons = school["timetable"], school["lessons"]
    with write_transaction():
        paint(timetable, "slot", lessons[0], "substitute", W48, W48, school["y"])
        paint(timetable, "slot", lessons[1], "substitute", W49, W49, school["y"])
        paint(timetable, "slot", lessons[1], "status", W49, W49, "temporarily_closed")
        paint(timetable, "slot", school["other"], "status", W49, W49, "closed")
        paint(timetable, "slot", lessons[0], "substitute", W50, W50, school["y"])
        paint(timetable, "slot", lessons[0], "status", W50, W50, "temporarily_closed")
        paint(timetable, "slot", lessons[4], "status", W51, None, "closed")
    replace_calendar(timetable, CalendarSpec(
        terms=[TermSpec("Year 2026/27", W36, parse_week("2027-W26")), TermSpec("Late autumn", W45, W51),
               TermSpec("Early autumn", W36, W44)],
        holidays=[Holiday("Teachers' day", date(2026, 12, 7), date(2026, 12, 7))]))
    return school


HAND_COUNTED = {"X": (0, 1, 1), "Y": (1, 0, 0), "Z": (0, 1, 0)}


@pytest.fixture
def logged_in(client, auth, editor):
    auth.login()
    return client


def test_covers_cancellations_and_covers_by_others_of_the_current_term(logged_in, covered_school):
    payload = stats(logged_in, "t")
    assert payload["term"] == {"name": "Late autumn", "start": "2026-W45", "end": "2026-W51"}
    assert payload["terms"] == ["Early autumn", "Year 2026/27", "Late autumn"]  # by start, then end
    assert figures(payload) == HAND_COUNTED
    assert [t["name"] for t in payload["teachers"]] == ["X", "Y", "Z"]


def test_a_term_is_chosen_by_name(logged_in, covered_school):
    assert figures(stats(logged_in, "t", "Year 2026/27")) == HAND_COUNTED
    assert figures(stats(logged_in, "t", "early AUTUMN")) == {}
    assert stats(logged_in, "t", "Early autumn")["term"]["end"] == "2026-W44"


def test_an_unknown_term_is_a_400_naming_the_field(logged_in, covered_school):
    response = logged_in.get("/api/timetables/t/cover-statistics?term=Winter")
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert "Winter" in error["message"] and "Late autumn" in error["message"] and "term" in error["fields"]
    page = logged_in.get("/t/edit/cover-statistics?term=Winter")
    assert page.status_code == 400 and "no term called" in page.get_data(as_text=True)


def test_a_timetable_without_terms_is_told_to_add_them(logged_in, school):
    response = logged_in.get("/api/timetables/t/cover-statistics")
    # The request is fine; the timetable's state (no terms yet) refuses it: a conflict, with the field named.
    assert response.status_code == 409 and "calendar" in response.get_json()["error"]["message"]
    assert "term" in response.get_json()["error"]["fields"]


def test_the_page_sorts_by_any_column_both_ways(logged_in, covered_school):
    def names(url: str) -> list[str]:
        body = logged_in.get(url).get_data(as_text=True).split("<tbody>")[1]
        return [row.split('<th scope="row">')[1].split("<")[0] for row in body.split("</tr>")[:-1]]

    assert names("/t/edit/cover-statistics") == ["X", "Y", "Z"]
    assert names("/t/edit/cover-statistics?sort=teacher&order=desc") == ["Z", "Y", "X"]
    assert names("/t/edit/cover-statistics?sort=covers_given&order=desc") == ["Y", "X", "Z"]
    # Ties stay in alphabetical order.
    assert names("/t/edit/cover-statistics?sort=cancelled&order=desc") == ["X", "Z", "Y"]
    assert names("/t/edit/cover-statistics?sort=covered_by_others&order=asc") == ["Y", "Z", "X"]
    bad = logged_in.get("/t/edit/cover-statistics?sort=salary")
    assert bad.status_code == 400 and "salary" in bad.get_data(as_text=True)


def test_the_csv_is_utf8_with_a_bom_and_the_same_figures(logged_in, covered_school):
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Staff

    with write_transaction():
        db.session.add_all([Staff(timetable_id=covered_school["timetable"].id, name="Élodie Noël"),
                            Staff(timetable_id=covered_school["timetable"].id, name="=HYPERLINK(1)")])
    response = logged_in.get("/t/edit/cover-statistics.csv?term=Late autumn")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == ["Teacher", "Covers given", "Own lessons cancelled", "Own lessons covered by others"]
    assert rows[1:] == [["'=HYPERLINK(1)", "0", "0", "0"], ["X", "0", "1", "1"], ["Y", "1", "0", "0"],
                        ["Z", "0", "1", "0"], ["Élodie Noël", "0", "0", "0"]]


def test_the_editor_links_to_the_page(logged_in, covered_school):
    html = logged_in.get("/t/edit?week=2026-W47").get_data(as_text=True)
    assert "/t/edit/cover-statistics" in html


def test_a_term_too_long_to_count_is_refused_with_a_message(logged_in, school):
    from timetable.services.calendar import CalendarSpec, TermSpec, replace_calendar

    replace_calendar(school["timetable"], CalendarSpec(terms=[TermSpec("For ever", W36, parse_week("2999-W01"))]))
    response = logged_in.get("/api/timetables/t/cover-statistics")
    assert response.status_code == 409  # the timetable's term, not the request, is what cannot be counted
    error = response.get_json()["error"]
    assert "For ever" in error["message"] and "at most 106 weeks" in error["message"] and "term" in error["fields"]
