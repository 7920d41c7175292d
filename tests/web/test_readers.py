"""Pages people read: the chooser, one class's/teacher's/room's week, lesson details, and changes marked."""

from __future__ import annotations

import re

import pytest

from tests.conftest import HTMX
from timetable.rules import parse_week

W48, W49, W50 = parse_week("2026-W48"), parse_week("2026-W49"), parse_week("2026-W50")
BLOCK = re.compile(r'<article class="block ([^"]*)"[^>]*?data-slot-id="(\d+)"', re.S)


def blocks(html: str) -> dict[int, str]:
    """Slot id -> the card's classes, for every card on the page."""
    return {int(slot): classes for classes, slot in BLOCK.findall(html)}


def changed(html: str) -> set[int]:
    return {slot for slot, classes in blocks(html).items() if "changed" in classes.split()}


def chooser_entries(html: str, word: str) -> dict[str, bool]:
    """A chooser section's entries: name -> shown (not hidden by the search)."""
    section = html.split(f'data-testid="chooser-{word}"', 1)[1].split("</section>", 1)[0]
    return {name: not hidden for hidden, name in re.findall(r'<li data-name="[^"]*"( hidden)?><a [^>]*>([^<]+)</a>', section)}


def resource_id(demo_app, kind: str, name: str) -> int:
    from sqlalchemy import select

    from timetable.extensions import db
    from timetable.models import Group, Room, Staff, Timetable

    model = {"group": Group, "staff": Staff, "room": Room}[kind]
    with demo_app.app_context():
        return db.session.scalar(select(model.id).join(Timetable, Timetable.id == model.timetable_id)
                                 .where(Timetable.slug == "school", model.name == name))


# --- The chooser ------------------------------------------------------------------------------------------


def test_the_school_opens_on_a_chooser_of_classes_teachers_and_rooms(demo_client, demo_app):
    html = demo_client.get("/school").get_data(as_text=True)
    assert 'data-testid="chooser"' in html and 'data-testid="grid"' not in html
    classes = chooser_entries(html, "class")
    assert list(classes)[:4] == ["7A", "7B", "8A", "8B"] and list(classes)[-2:] == ["12A", "12B"]  # as people count them
    assert "A. Moreau" in chooser_entries(html, "teacher") and "Language lab" in chooser_entries(html, "room")
    assert f'href="/school/class/{resource_id(demo_app, "group", "10B")}"' in html
    assert f'href="/school/teacher/{resource_id(demo_app, "staff", "A. Moreau")}"' in html
    # The whole week is still one link away, and the chooser has its own address.
    assert 'href="/school?week=2026-W47"' in html
    assert demo_client.get("/school/timetables").get_data(as_text=True).count('data-testid="choose-class"') == 12


def test_the_clinic_with_few_groups_and_rooms_opens_on_its_week(demo_client):
    html = demo_client.get("/clinic").get_data(as_text=True)
    assert 'data-testid="grid"' in html and 'data-testid="chooser"' not in html
    assert 'href="/clinic/timetables"' in html  # its chooser is linked all the same


def test_the_search_works_without_javascript(demo_client):
    html = demo_client.get("/school/timetables?q=10").get_data(as_text=True)
    assert {name for name, shown in chooser_entries(html, "class").items() if shown} == {"10A", "10B"}
    assert not any(chooser_entries(html, "teacher").values())  # no teacher's name has a 10
    assert {name for name, shown in chooser_entries(html, "room").items() if shown} == {f"1{n:02d}" for n in range(1, 11)}
    assert "12 found" in html
    html = demo_client.get("/school/timetables?q=moreau").get_data(as_text=True)
    assert [name for name, shown in chooser_entries(html, "teacher").items() if shown] == ["A. Moreau"]
    html = demo_client.get("/school/timetables?q=zzz").get_data(as_text=True)
    assert "None match." in html and "0 found" in html


# --- One class's, teacher's or room's week ----------------------------------------------------------------


def test_a_class_page_shows_the_same_lessons_as_the_group_filter_which_still_works(demo_client, demo_app):
    group = resource_id(demo_app, "group", "10B")
    page = demo_client.get(f"/school/class/{group}?week=2026-W47").get_data(as_text=True)
    filtered = demo_client.get(f"/school?week=2026-W47&group={group}").get_data(as_text=True)
    assert blocks(page) and set(blocks(page)) == set(blocks(filtered))
    assert len(blocks(page)) < len(blocks(demo_client.get("/school?week=2026-W47").get_data(as_text=True)))
    assert 'data-testid="resource-heading">Class 10B<' in page
    # Its navigation stays on the class's own address.
    assert f'href="/school/class/{group}?week=2026-W46"' in page and f'href="/school/class/{group}?week=2026-W48"' in page
    assert f"/school/calendar.ics?group={group}" in page


def test_a_name_in_the_path_leads_to_the_stable_id_address(demo_client, demo_app):
    response = demo_client.get("/school/class/10b?week=2026-W47")
    assert response.status_code == 303
    assert response.headers["Location"] == f"/school/class/{resource_id(demo_app, 'group', '10B')}?week=2026-W47"
    room = demo_client.get("/school/room/Language%20lab")
    assert room.headers["Location"].startswith(f"/school/room/{resource_id(demo_app, 'room', 'Language lab')}?week=")


@pytest.mark.parametrize("url, message", [
    ("/school/class/13Z", "There is no class “13Z”"),
    ("/school/teacher/99999", "There is no teacher “99999”"),
    ("/school/room/1?week=2026-W54", "2026 has 53 ISO weeks"),
    ("/nowhere/class/1", "no published timetable"),
])
def test_unknown_classes_teachers_and_rooms_get_a_clear_error(demo_client, url, message):
    response = demo_client.get(url)
    assert response.status_code in (400, 404)
    assert message in response.get_data(as_text=True)


def test_the_week_navigation_answers_htmx_with_the_fragment(demo_client, demo_app):
    group = resource_id(demo_app, "group", "10B")
    response = demo_client.get(f"/school/class/{group}?week=2026-W48", headers=HTMX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html and 'id="week"' in html
    assert response.headers["HX-Push-Url"] == f"/school/class/{group}?week=2026-W48"


def test_a_teacher_page_shows_the_stand_in_and_never_the_private_staff_status(demo_client, demo_app):
    """In the demo, A. Moreau is off sick this week (2026-W47) and C. Ito stands in."""
    ito = resource_id(demo_app, "staff", "C. Ito")
    html = demo_client.get(f"/school/teacher/{ito}?week=2026-W47").get_data(as_text=True)
    assert "<s>A. Moreau</s> → C. Ito" in html
    assert "Changed from the usual week: Teacher: A. Moreau → C. Ito." in html
    assert "sick" not in html.lower()
    # The usual week after: the stand-in's page no longer has those lessons.
    later = demo_client.get(f"/school/teacher/{ito}?week=2026-W49").get_data(as_text=True)
    assert "A. Moreau" not in later and not changed(later)


def test_every_card_has_the_teacher_room_and_status_and_its_full_text_for_hover_and_focus(demo_client, demo_app):
    group = resource_id(demo_app, "group", "10B")
    html = demo_client.get(f"/school/class/{group}?week=2026-W47").get_data(as_text=True)
    trip = re.search(r'<article class="block status-temporarily_closed[^"]*".*?</article>', html, re.S).group(0)
    assert 'class="block-staff"' in trip and 'class="block-room"' in trip
    assert "Temporarily closed: Class trip to the science museum" in trip
    # The card is a link to its details, whose title says it all (shown on hover; the card opens on focus too).
    title = re.search(r'title="([^"]+)"\s+data-testid="block-details"', trip).group(1)
    assert "Temporarily closed: Class trip to the science museum" in title and "Changed: Cancelled" in title
    assert re.search(r'href="/school/lesson/\d+\?week=2026-W47"', trip)


# --- Lesson details ---------------------------------------------------------------------------------------


def test_a_public_card_opens_its_details_with_what_differs_from_the_usual_week(demo_client, demo_app):
    ito = resource_id(demo_app, "staff", "C. Ito")
    week_page = demo_client.get(f"/school/teacher/{ito}?week=2026-W47").get_data(as_text=True)
    slot = sorted(changed(week_page))[0]
    html = demo_client.get(f"/school/lesson/{slot}?week=2026-W47").get_data(as_text=True)
    assert 'data-testid="lesson-changes"' in html and "Teacher: A. Moreau → C. Ito" in html
    substitute = re.search(r'<tr data-param="substitute" class="differs">(.*?)</tr>', html, re.S).group(1)
    assert "C. Ito" in substitute and 'data-testid="usual-substitute">—<' in substitute
    assert 'data-param="room"' in html and 'data-param="status"' in html and 'data-param="note"' in html
    assert "staff_status" not in html and "sick" not in html.lower() and "Internal note" not in html
    assert f'href="/school/teacher/{ito}?week=2026-W47"' in html  # on to the stand-in's week
    # The week after, the same lesson is as usual.
    usual = demo_client.get(f"/school/lesson/{slot}?week=2026-W49").get_data(as_text=True)
    assert 'data-testid="lesson-usual"' in usual and 'class="differs"' not in usual


def test_details_of_a_lesson_that_does_not_exist_or_is_closed_are_a_404(demo_client):
    assert demo_client.get("/school/lesson/999999?week=2026-W47").status_code == 404
    assert demo_client.get("/school/lesson/1?week=2026-W99").status_code == 400


# --- Changes stand out ------------------------------------------------------------------------------------


@pytest.fixture
def changed_school(school):
    """The test school's 7A in 2026-W49: Y covers X on Monday, Tuesday is a class trip, Wednesday is in
    room 102 (from the school itself), Thursday's lesson moves to Friday 10:00; Z's Physics is as usual."""
    from tests.factories import paint
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Group

    timetable, lessons = school["timetable"], school["lessons"]
    with write_transaction():
        group = Group(timetable_id=timetable.id, name="7A")
        db.session.add(group)
        db.session.flush()
        for course in (school["maths"], school["physics"]):
            paint(timetable, "course", course.id, "group", None, None, group.id)
        paint(timetable, "slot", lessons[0], "substitute", W49, W49, school["y"])
        paint(timetable, "slot", lessons[1], "status", W49, W49, "temporarily_closed")
        paint(timetable, "slot", lessons[1], "note", W49, W49, "class trip")
        paint(timetable, "slot", lessons[3], "weekday", W49, W49, 5)
        paint(timetable, "slot", lessons[3], "start", W49, W49, 600)
    return {**school, "group": group.id}


def test_lessons_that_differ_from_the_usual_week_are_marked_on_every_readers_page(client, changed_school):
    s = changed_school
    maths = set(s["lessons"])
    for url in (f"/t/class/{s['group']}?week=2026-W49", "/t?week=2026-W49", f"/t?week=2026-W49&group={s['group']}"):
        html = client.get(url).get_data(as_text=True)
        assert set(blocks(html)) == maths | {s["other"]}, url
        assert changed(html) == {s["lessons"][0], s["lessons"][1], s["lessons"][2], s["lessons"][3]}, url
        assert "Changed from the usual week: Teacher: X → Y." in html
        assert "Changed from the usual week: Cancelled: class trip." in html
        assert "Changed from the usual week: Room: 101 → 102." in html
        assert "Changed from the usual week: Time: Thursday 08:00 → Friday 10:00." in html
        assert 'data-testid="changed-legend"' in html
    for quiet in ("2026-W48", "2026-W50"):
        html = client.get(f"/t/class/{s['group']}?week={quiet}").get_data(as_text=True)
        assert blocks(html) and not changed(html) and 'data-testid="changed-legend"' not in html


def test_the_teacher_who_stands_in_sees_the_change_and_the_room_page_too(client, changed_school):
    s = changed_school
    teacher = client.get(f"/t/teacher/{s['y']}?week=2026-W49").get_data(as_text=True)
    assert set(blocks(teacher)) == {s["lessons"][0]} and changed(teacher) == {s["lessons"][0]}
    room = client.get(f"/t/room/{s['r2']}?week=2026-W49").get_data(as_text=True)
    assert set(blocks(room)) == {s["lessons"][2]} and changed(room) == {s["lessons"][2]}


def test_a_lasting_change_becomes_the_usual_week_after_a_few_weeks(client, changed_school):
    """Usual = what most of the 4 weeks before and the 4 after hold: Y teaching Monday from W49 on for good
    is a change in W49 (X before), and no longer one from 2026-W51 (3 of 4 weeks before and all after have Y)."""
    from tests.factories import paint
    from timetable.database import write_transaction

    s = changed_school
    with write_transaction():
        paint(s["timetable"], "slot", s["lessons"][0], "staff", W49, None, s["y"])
    monday = s["lessons"][0]
    assert monday in changed(client.get(f"/t/class/{s['group']}?week=2026-W49").get_data(as_text=True))
    assert monday not in changed(client.get(f"/t/class/{s['group']}?week=2026-W51").get_data(as_text=True))


def test_the_details_list_every_difference_and_the_usual_values(client, changed_school):
    s = changed_school
    moved = client.get(f"/t/lesson/{s['lessons'][3]}?week=2026-W49").get_data(as_text=True)
    assert "Time: Thursday 08:00 → Friday 10:00" in moved
    assert 'data-testid="usual-weekday">Thursday<' in moved and 'data-testid="usual-start">08:00<' in moved
    trip = client.get(f"/t/lesson/{s['lessons'][1]}?week=2026-W49").get_data(as_text=True)
    assert 'data-testid="usual-status">Open<' in trip and "Cancelled: class trip" in trip


def test_a_small_timetable_opens_on_its_week_with_its_days_as_tabs_for_phones(client, changed_school):
    html = client.get("/t").get_data(as_text=True)
    assert 'data-testid="grid"' in html and 'data-testid="chooser"' not in html
    assert re.findall(r'data-testid="day-tab-(\d)"', html) == ["1", "2", "3", "4", "5"]
    assert 'data-today="5"' in html  # the pinned clock's Friday: a phone opens on today


# --- The changes board ------------------------------------------------------------------------------------


def test_the_changes_board_lists_the_days_changes_in_large_type_and_reloads_on_live_events(client, changed_school):
    html = client.get("/t/changes/board?date=2026-11-30").get_data(as_text=True)
    assert 'data-testid="board"' in html and "/static/js/board.js" in html
    assert 'sse-connect="/t/events"' in html and "board-refresh from:body" in html and "every 300s" in html
    assert html.count('data-testid="board-group"') == 1 and "Substitution:" in html and "X → Y" in html
    fragment = client.get("/t/changes/board?date=2026-12-01", headers=HTMX)
    text = fragment.get_data(as_text=True)
    assert "<html" not in text and "Cancelled:" in text and "class trip" in text
    assert "HX-Push-Url" not in fragment.headers  # a reload keeps the board's own address (today's, when it has no date)
    # Without a date it follows today (the pinned clock's Friday 2026-11-20), and the changes page links it.
    assert 'data-date="2026-11-20"' in client.get("/t/changes/board").get_data(as_text=True)
    assert 'href="/t/changes/board"' in client.get("/t/changes").get_data(as_text=True)
    assert client.get("/t/changes/board?date=soon").status_code == 400


def test_an_unpublished_timetables_readers_pages_are_hidden_from_visitors_but_not_from_its_viewers(client, auth, editor, changed_school):
    from timetable.database import write_transaction

    s = changed_school
    with write_transaction():
        s["timetable"].published = False
    lesson = s["lessons"][0]
    urls = ("/t/timetables", f"/t/class/{s['group']}?week=2026-W49", f"/t/teacher/{s['x']}", f"/t/lesson/{lesson}?week=2026-W49",
            "/t/changes/board")
    for url in urls:
        assert client.get(url).status_code == 404, url
    auth.login()  # the test editor may read it: the pages show it, and the lesson's private parameters too
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert "Staff status" in client.get(f"/t/lesson/{lesson}?week=2026-W49").get_data(as_text=True)
