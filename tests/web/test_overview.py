"""The editor's master overview: rows of classes, teachers or rooms; a column per day × period; cards; clash marks."""

from __future__ import annotations

import html as html_lib
import re

import pytest

from tests.conftest import HTMX
from tests.factories import make_slot, paint
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import Group
from timetable.rules import parse_week
from timetable.rules.periods import BellGrid
from timetable.rules.periods import Period as P
from timetable.services.editing.bell_changes import apply_bells

W40, W48, W49 = (parse_week(f"2026-W{n}") for n in (40, 48, 49))
ROW = re.compile(r'<tr data-row="([^"]*)" data-testid="overview-row">\s*<th scope="row" class="row-head">'
                 r'<a [^>]*>([^<]*)</a>(.*?)</tr>', re.S)


@pytest.fixture
def scheduler(client, auth, editor, school):
    auth.login()
    return client


@pytest.fixture
def classes(school):
    """Maths goes to 7A, Physics to 7B; in 2026-W49 Y covers X's Monday Maths and Tuesday's is a class trip."""
    timetable, lessons = school["timetable"], school["lessons"]
    with write_transaction():
        a, b = Group(timetable_id=timetable.id, name="7A"), Group(timetable_id=timetable.id, name="7B")
        db.session.add_all([a, b])
        db.session.flush()
        paint(timetable, "course", school["maths"].id, "group", None, None, a.id)
        paint(timetable, "course", school["physics"].id, "group", None, None, b.id)
        paint(timetable, "slot", lessons[0], "substitute", W49, W49, school["y"])
        paint(timetable, "slot", lessons[1], "status", W49, W49, "temporarily_closed")
        paint(timetable, "slot", lessons[1], "note", W49, W49, "class trip")
    return {**school, "7A": a.id, "7B": b.id}


def columns(page: str) -> list[tuple[int, int]]:
    """(weekday, start) of each column, from the second header row."""
    return [(int(d), int(s)) for d, s in re.findall(r'<th scope="col" class="period[^"]*" data-weekday="(\d)" data-start="(\d+)"', page)]


def rows(page: str) -> dict[str, dict[tuple[int, int], list[int]]]:
    """Each row's name with the slot ids of the cards in each (weekday, start) column that has any."""
    heads = columns(page)
    found = {}
    for _resource, name, body in ROW.findall(page):
        cells = re.findall(r'<td class="cell[^"]*" data-testid="cell">(.*?)</td>', body, re.S)
        assert len(cells) == len(heads), f"row {name}: {len(cells)} cells for {len(heads)} columns"
        found[html_lib.unescape(name)] = {heads[i]: [int(s) for s in re.findall(r'data-slot-id="(\d+)"', cell)]
                                          for i, cell in enumerate(cells) if "data-slot-id" in cell}
    return found


def card(page: str, slot_id: int) -> str:
    match = re.search(rf'<article class="([^"]*)"[^>]*data-slot-id="{slot_id}".*?</article>', page, re.S)
    assert match, f"no card for slot {slot_id}"
    return html_lib.unescape(match.group(0))


def test_the_editor_opens_on_the_overview_and_the_grid_is_one_click_away(scheduler, classes):
    page = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    assert 'data-testid="overview"' in page and 'class="grid"' not in page
    assert 'href="/t/edit?week=2026-W48&amp;view=grid"' in page  # the week grid, one click away
    grid = scheduler.get("/t/edit?week=2026-W48&view=grid").get_data(as_text=True)
    assert 'data-testid="grid"' in grid and 'data-testid="overview"' not in grid
    assert 'data-testid="overview-link"' in grid
    # The grid's navigation keeps to the grid; a filter shows the grid too, as before.
    assert 'href="/t/edit?week=2026-W49&amp;view=grid"' in grid
    filtered = scheduler.get(f"/t/edit?week=2026-W48&staff={classes['x']}").get_data(as_text=True)
    assert 'data-testid="grid"' in filtered and 'data-testid="overview"' not in filtered


def test_rows_are_the_classes_and_each_lesson_sits_in_its_day_and_time(scheduler, classes):
    page = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    lessons, other = classes["lessons"], classes["other"]
    # No bell times: the columns are the week's lesson starts (08:00, 09:00) on each of the five days.
    assert columns(page) == [(day, start) for day in range(1, 6) for start in (480, 540)]
    assert rows(page) == {
        "7A": {(day, 480): [lessons[day - 1]] for day in range(1, 6)},
        "7B": {(1, 540): [other]},
    }
    maths = card(page, lessons[0])
    assert "Maths 7A" in maths and ">X<" in maths and ">101<" in maths and ">7A<" not in maths  # the row says the class


def test_rows_switch_to_teachers_and_rooms(scheduler, classes):
    lessons, other = classes["lessons"], classes["other"]
    by_staff = rows(scheduler.get("/t/edit?week=2026-W49&rows=staff").get_data(as_text=True))
    # Y stands in for X on Monday: the lesson shows in both rows, as "X → Y".
    assert by_staff["X"] == {(day, 480): [lessons[day - 1]] for day in range(1, 6)}
    assert by_staff["Y"] == {(1, 480): [lessons[0]]}
    assert by_staff["Z"] == {(1, 540): [other]}
    staff_page = scheduler.get("/t/edit?week=2026-W49&rows=staff").get_data(as_text=True)
    assert ">7A<" in card(staff_page, lessons[0]) and "X → Y" in card(staff_page, lessons[0])
    by_room = rows(scheduler.get("/t/edit?week=2026-W49&rows=room").get_data(as_text=True))
    # Wednesday's Maths is in room 102 in 2026-W49 only.
    assert by_room["101"] == {(day, 480): [lessons[day - 1]] for day in (1, 2, 4, 5)}
    assert by_room["102"] == {(3, 480): [lessons[2]]}
    assert by_room["Lab"] == {(1, 540): [other]}
    # An unknown row kind falls back to the classes instead of failing.
    assert "7A" in rows(scheduler.get("/t/edit?week=2026-W49&rows=nonsense").get_data(as_text=True))


def test_a_card_shows_its_substitute_and_its_status_with_the_note(scheduler, classes):
    page = scheduler.get("/t/edit?week=2026-W49").get_data(as_text=True)
    assert "X → Y" in card(page, classes["lessons"][0])
    closed = card(page, classes["lessons"][1])
    assert "status-temporarily_closed" in closed and "Temporarily closed: class trip" in closed


def test_the_columns_are_the_periods_when_the_week_has_bell_times(scheduler, classes):
    apply_bells(classes["timetable"], [BellGrid(W40, tuple(P(day, start, start + 50, name) for day in range(1, 6)
                                                           for start, name in ((480, "1"), (535, "2"))))], None, None)
    # Physics at 09:00 starts inside period 2 (08:55–09:45); a lesson at 16:00 gets a column of its own.
    late = make_slot(classes["timetable"], W40, course=classes["maths"].id, weekday=2, start=16 * 60).id
    page = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    assert re.findall(r'data-start="\d+" title="[^"]*">([^<]*)</th>', page)[:5] == ["1", "2", "1", "2", "16:00"]
    assert columns(page)[:5] == [(1, 480), (1, 535), (2, 480), (2, 535), (2, 960)]
    found = rows(page)
    assert found["7B"] == {(1, 535): [classes["other"]]}
    assert found["7A"][(2, 960)] == [late]
    assert "09:00–09:50" in card(page, classes["other"])  # not the period's own time, so the card says it


def test_clashes_are_marked_in_the_cell_and_on_the_cards(scheduler, classes):
    lessons = classes["lessons"]
    # X is also booked for a lesson in room Lab on Monday at 08:20: X is in two places.
    clashing = make_slot(classes["timetable"], W40, title="Extra", staff=classes["x"], room=classes["r3"],
                         group=classes["7B"], weekday=1, start=8 * 60 + 20, duration=30).id
    page = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    for slot_id in (lessons[0], clashing):
        marked = card(page, slot_id)
        assert 'class="card status-open clash"' in marked and "⚠ Clash: X in two places" in marked
    assert "Clash" not in card(page, lessons[1]) and "Clash" not in card(page, classes["other"])
    cells = re.findall(r'<td class="cell([^"]*)" data-testid="cell">(.*?)</td>', page, re.S)
    marked_cells = [re.findall(r'data-slot-id="(\d+)"', body) for classes_, body in cells if "clash" in classes_]
    assert sorted(marked_cells) == sorted([[str(lessons[0])], [str(clashing)]])
    assert 'Clashes (1)' in page


def test_cards_open_the_slot_panel_and_a_drop_asks_for_the_move_form(scheduler, classes):
    page = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    monday = card(page, classes["lessons"][0])
    panel_url = re.search(r'data-panel-url="([^"]+)"', monday)[1]
    move_url = re.search(r'data-move-url="([^"]+)"', monday)[1]
    assert panel_url == f"/t/edit/slots/{classes['lessons'][0]}?week=2026-W48"
    assert scheduler.get(panel_url, headers=HTMX).status_code == 200
    # What overview.js asks for when the card is dropped on Thursday 09:00.
    move = scheduler.get(f"{move_url}&weekday=4&start=09:00", headers=HTMX)
    assert move.status_code == 200 and 'data-testid="move-preview"' in move.get_data(as_text=True)


def test_the_htmx_fragment_is_the_overview_alone_with_its_title(scheduler, classes):
    response = scheduler.get("/t/edit?week=2026-W49&rows=staff", headers=HTMX)
    text = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in text
    assert "<title>Test school · 2026-W49 · Editor</title>" in text
    assert text.count('id="week"') == 1 and 'hx-get="/t/edit?week=2026-W49&amp;rows=staff"' in text
    assert response.headers["HX-Push-Url"] == "/t/edit?week=2026-W49&rows=staff"


def test_a_bad_week_is_a_400_naming_the_week(scheduler, classes):
    response = scheduler.get("/t/edit?week=2026-W60")
    assert response.status_code == 400 and "2026-W60" in response.get_data(as_text=True)


def test_an_empty_week_says_so(scheduler, classes):
    page = scheduler.get("/t/edit?week=2026-W30").get_data(as_text=True)
    assert 'data-testid="empty-week"' in page and 'data-testid="card"' not in page


def test_the_overview_needs_the_schedule_right(client, classes):
    assert client.get("/t/edit").status_code == 302
    assert client.get("/t/edit", headers=HTMX).status_code == 401


def test_showing_closed_slots_is_the_grids_and_a_timetable_without_classes_opens_on_its_teachers(scheduler, school):
    closed = scheduler.get("/t/edit?week=2026-W48&closed=1").get_data(as_text=True)
    assert 'data-testid="grid"' in closed and 'data-testid="overview"' not in closed
    # The test school has no classes yet: the overview's rows are its teachers.
    page = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    assert '<strong aria-current="true" data-testid="rows-staff">Teachers</strong>' in page
    assert set(rows(page)) == {"X", "Y", "Z"}


def test_the_overview_is_made_once_per_revision_and_made_again_after_a_change(scheduler, classes, monkeypatch):
    from timetable.views import overview_page

    resolved = []
    resolve = overview_page.resolve_week_kept
    monkeypatch.setattr(overview_page, "resolve_week_kept", lambda *args, **kwargs: resolved.append(args[1]) or resolve(*args, **kwargs))
    lesson = classes["lessons"][0]
    first = scheduler.get("/t/edit?week=2026-W49").get_data(as_text=True)
    # The same week again, as a page and as the fragment a week change fetches: made once.
    assert scheduler.get("/t/edit?week=2026-W49", headers=HTMX).status_code == 200
    again = scheduler.get("/t/edit?week=2026-W49").get_data(as_text=True)
    assert resolved == [W49] and card(again, lesson) == card(first, lesson)
    # Another week, or other rows, is another overview.
    scheduler.get("/t/edit?week=2026-W48")
    scheduler.get("/t/edit?week=2026-W49&rows=room")
    assert resolved == [W49, W48, W49]
    # A change moves the timetable's revision: the next request shows it.
    with write_transaction():
        paint(classes["timetable"], "slot", lesson, "substitute", W49, W49, classes["z"])
    after = scheduler.get("/t/edit?week=2026-W49").get_data(as_text=True)
    assert len(resolved) == 4 and "X → Z" in card(after, lesson)


@pytest.fixture
def rendered_cards(monkeypatch):
    """The slot ids of the cards rendered (not taken from the card cache), which starts empty."""
    from timetable.views import overview_page
    from timetable.views.overview_cards import card_cache

    card_cache.clear()
    rendered: list[int] = []
    render_card = overview_page.render_card

    def counted(occ, *args, **kwargs):
        rendered.append(occ.slot_id)
        return render_card(occ, *args, **kwargs)

    monkeypatch.setattr(overview_page, "render_card", counted)
    return rendered


def test_after_a_change_only_the_changed_card_is_rendered_again(scheduler, classes, rendered_cards):
    lesson = classes["lessons"][1]
    first = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    assert sorted(rendered_cards) == sorted([*classes["lessons"], classes["other"]])
    # Another kind of rows, or another week, shows other cards (their links name that week).
    scheduler.get("/t/edit?week=2026-W48&rows=staff")
    assert len(rendered_cards) == 12
    rendered_cards.clear()
    with write_transaction():
        paint(classes["timetable"], "slot", lesson, "status", W48, W48, "temporarily_closed")
        paint(classes["timetable"], "slot", lesson, "note", W48, W48, "museum visit")
    after = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    assert rendered_cards == [lesson] and "museum visit" in card(after, lesson)
    others = [slot for slot in [*classes["lessons"], classes["other"]] if slot != lesson]
    assert all(card(after, slot) == card(first, slot) for slot in others)


def test_a_renamed_teacher_room_or_course_shows_on_the_next_request(scheduler, classes, rendered_cards):
    from timetable.services.resources import change_resource

    lesson, timetable = classes["lessons"][0], classes["timetable"]
    before = card(scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True), lesson)
    assert "X" in before and "101" in before and "Maths 7A" in before
    change_resource(timetable, "staff", classes["x"], {"name": "A. Moreau"})
    change_resource(timetable, "rooms", classes["r1"], {"name": "Room 12"})
    change_resource(timetable, "courses", classes["maths"].id, {"name": "Algebra"})
    after = card(scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True), lesson)
    assert '<span class="card-staff">A. Moreau</span>' in after and '<span class="card-room">Room 12</span>' in after
    assert '<strong class="card-title">Algebra</strong>' in after
    # The teachers' rows are named anew too, and their cards say the room by its new name.
    by_staff = scheduler.get("/t/edit?week=2026-W48&rows=staff").get_data(as_text=True)
    assert "A. Moreau" in rows(by_staff) and "Room 12" in card(by_staff, lesson)


def test_after_a_change_of_rules_alone_the_names_and_bell_times_are_not_read_again_and_after_other_changes_they_are(
        scheduler, classes, monkeypatch):
    from timetable.services.resources import change_resource
    from timetable.views import overview_page

    reads = []
    load_directory, grid_for_week = overview_page.load_directory, overview_page.grid_for_week
    monkeypatch.setattr(overview_page, "load_directory", lambda *a: reads.append("names") or load_directory(*a))
    monkeypatch.setattr(overview_page, "grid_for_week", lambda *a: reads.append("bells") or grid_for_week(*a))
    timetable, lesson = classes["timetable"], classes["lessons"][1]  # closed for a class trip: its card shows the note
    scheduler.get("/t/edit?week=2026-W49")
    assert reads == ["names", "bells"]
    with write_transaction():
        paint(timetable, "slot", lesson, "note", W49, W49, "Quiz")
    assert "Temporarily closed: Quiz" in card(scheduler.get("/t/edit?week=2026-W49").get_data(as_text=True), lesson)
    assert reads == ["names", "bells"]  # a note: the rules alone changed
    # A rename, and new bell times: each is read again, and shows.
    change_resource(timetable, "rooms", classes["r1"], {"name": "Room 12"})
    assert "Room 12" in card(scheduler.get("/t/edit?week=2026-W49").get_data(as_text=True), classes["lessons"][3])
    apply_bells(timetable, [BellGrid(W40, tuple(P(day, 480, 530, "1") for day in range(1, 6)))], None, None)
    page = scheduler.get("/t/edit?week=2026-W49").get_data(as_text=True)
    assert re.findall(r'data-start="\d+" title="[^"]*">([^<]*)</th>', page)[:1] == ["1"]
    assert reads == ["names", "bells"] * 3


def test_a_clash_shows_when_it_appears_and_goes_when_it_goes(scheduler, classes, rendered_cards):
    from timetable.services.resources import change_resource

    lesson, timetable = classes["lessons"][0], classes["timetable"]
    assert "Clash" not in card(scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True), lesson)
    # X also gets a lesson on Monday at 08:00, in the same column: only the clash tells the cards apart.
    clashing = make_slot(timetable, W40, title="Extra", staff=classes["x"], room=classes["r3"],
                         group=classes["7B"], weekday=1, start=8 * 60, duration=30).id
    page = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    assert "⚠ Clash: X in two places" in card(page, lesson) and "Clash: X in two places" in card(page, clashing)
    # The teacher's name in the clash text follows a rename.
    change_resource(timetable, "staff", classes["x"], {"name": "A. Moreau"})
    page = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    assert "⚠ Clash: A. Moreau in two places" in card(page, lesson)
    # Y takes the extra lesson from this week on: the clash is gone.
    with write_transaction():
        paint(timetable, "slot", clashing, "staff", W48, None, classes["y"])
    page = scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True)
    assert "Clash" not in card(page, lesson) and "Clash" not in card(page, clashing)
    assert 'class="card status-open"' in card(page, lesson) and "Clashes (0)" in page


def test_the_same_lesson_in_another_week_links_to_that_week(scheduler, classes, rendered_cards):
    lesson = classes["lessons"][3]  # Thursday's Maths: the same in both weeks
    for week in ("2026-W48", "2026-W49", "2026-W48"):
        shown = card(scheduler.get(f"/t/edit?week={week}").get_data(as_text=True), lesson)
        assert f'data-panel-url="/t/edit/slots/{lesson}?week={week}"' in shown, week
        assert f'href="/t/edit/slots/{lesson}?week={week}"' in shown


def test_behind_a_url_prefix_the_cards_link_under_it(scheduler, classes, rendered_cards):
    lesson = classes["lessons"][0]
    plain = card(scheduler.get("/t/edit?week=2026-W48").get_data(as_text=True), lesson)
    prefixed = card(scheduler.get("/t/edit?week=2026-W48", base_url="http://localhost/planning").get_data(as_text=True), lesson)
    assert f'data-panel-url="/t/edit/slots/{lesson}?week=2026-W48"' in plain
    assert f'data-panel-url="/planning/t/edit/slots/{lesson}?week=2026-W48"' in prefixed
    assert f'data-move-url="/planning/t/edit/slots/{lesson}/move?week=2026-W48"' in prefixed


def test_without_the_page_cache_every_card_is_rendered_every_time(app, scheduler, classes, rendered_cards, monkeypatch):
    from timetable.views.overview_cards import card_cache

    monkeypatch.setitem(app.config, "PAGE_CACHE", False)
    for _ in range(2):
        scheduler.get("/t/edit?week=2026-W48")
    assert len(rendered_cards) == 2 * 6 and len(card_cache) == 0
