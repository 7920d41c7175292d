"""Editing routes: panels, plan → preview → apply, form errors, stale previews, history, undo, creation."""

from __future__ import annotations

import re

import pytest
from flask import template_rendered

from tests.conftest import HTMX
from tests.integration.helpers import all_rules, values
from timetable.models import ChangeSet, Slot, SlotRule


@pytest.fixture
def editor_client(htmx_editor, school):
    """The editor's htmx client on the small test school."""
    return htmx_editor("/t/edit?week=2026-W48")


def get(client, url):
    return client.get(url, headers=client.headers)


def post(client, url, data):
    return client.post(url, data=data, headers=client.headers)


@pytest.fixture
def rendered(app):
    names = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, app)
    yield names
    template_rendered.disconnect(record, app)


def edit(school, ids, param, value, start="2026-W48", end="2026-W50", **extra):
    data = {"week": "2026-W48", "form_id": "bulk-form", "owner": "slot", "ids": ids, "param": param,
            f"value-{param}": value, "range": "custom", "start": start, "end": end}
    data.update(extra)
    return data


def hidden_fields(html: str) -> dict:
    form = {}
    for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', html):
        form.setdefault(name, []).append(value)
    return form


def test_editing_needs_a_login_and_htmx_is_sent_to_the_login_page(client, school):
    assert client.get("/t/edit/slots/1").status_code == 302
    response = client.get("/t/edit/slots/1", headers=HTMX)
    assert response.status_code == 401
    assert response.headers["HX-Redirect"].startswith("/login?next=")


def test_the_slot_panel_shows_values_sources_and_a_strip_per_parameter(editor_client, school, rendered):
    wednesday = school["lessons"][2]
    response = get(editor_client, f"/t/edit/slots/{wednesday}?week=2026-W49")
    html = response.get_data(as_text=True)
    assert rendered[0] == "editor/_owner_panel.html"
    assert re.search(r'data-testid="value-of-room">102</span>\s*<span class="source source-slot"', html)
    assert re.search(r'data-testid="value-of-staff">X</span>\s*<span class="source source-course"', html)
    strip = re.search(r'data-testid="strip-room">(.*?)</div>', html, re.S).group(1)
    cells = re.findall(r'title="([^"]+)"', strip)
    assert len(cells) == 27  # no term here: a quarter either side of the week
    assert "2026-W49: 102" in cells and "2026-W48: 101" in cells
    rendered.clear()
    page = editor_client.plain.get(f"/t/edit/slots/{wednesday}?week=2026-W49")  # no htmx: a page of its own
    assert rendered[0] == "editor/page.html" and "<html" in page.get_data(as_text=True)


def test_plan_shows_the_preview_and_writes_nothing(editor_client, school):
    before = all_rules()
    response = post(editor_client, "/t/edit/plan", edit(school, school["lessons"], "staff_status", "sick"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    lines = re.findall(r'<li data-slot-id="\d+">([^<]+)</li>', html)
    assert len(lines) == 5
    assert lines[0] == "Maths 7A · Mon 08:00 · staff status Present → Sick · 2026-W48 to 2026-W50"
    assert all_rules() == before


def test_apply_writes_the_change_and_tells_the_page_to_refresh(editor_client, school):
    preview = post(editor_client, "/t/edit/plan", edit(school, school["lessons"], "substitute", str(school["y"])))
    response = post(editor_client, "/t/edit/apply", hidden_fields(preview.get_data(as_text=True)))
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "timetable-changed"
    change = school["last_setup_change"] + 1
    assert f"Applied (change {change}): Substitute = Y · 5 slots · 2026-W48 to 2026-W50" in response.get_data(as_text=True)
    assert values(school["timetable"], 49, school["lessons"][0])["substitute"] == school["y"]
    assert values(school["timetable"], 51, school["lessons"][0])["substitute"] is None


def test_without_javascript_apply_redirects_to_the_week_with_a_message(editor_client, school):
    preview = post(editor_client, "/t/edit/plan", edit(school, [school["lessons"][0]], "note", "Exam"))
    response = editor_client.post("/t/edit/apply", data=hidden_fields(preview.get_data(as_text=True)),
                                  headers={"X-CSRFToken": editor_client.headers["X-CSRFToken"]})
    assert response.status_code == 303
    assert response.headers["Location"] == "/t/edit?week=2026-W48"
    assert "Applied: Note = Exam" in editor_client.plain.get("/t/edit?week=2026-W48").get_data(as_text=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"start": "2026-W54"}, "start", "2026-W54: 2026 has 53 ISO weeks."),
        ({"start": "2026-W50", "end": "2026-W48"}, "end", "2026-W48 comes before the first week 2026-W50."),
        ({"value-staff_status": "asleep"}, "value-staff_status", "staff_status"),
        ({"param": "colour"}, "param", "“colour” is not something a slot has."),
        ({"ids": ["x1"]}, "ids", "“x1” is not a slot number."),
        ({"range": "to_term_end"}, "range", "2026-W48 is in no term: choose other weeks."),
    ],
)
def test_a_bad_form_is_shown_again_with_its_messages_and_writes_nothing(editor_client, school, changes, field, message):
    before = all_rules()
    response = post(editor_client, "/t/edit/plan", {**edit(school, school["lessons"], "staff_status", "sick"), **changes})
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#bulk-form-errors"
    assert re.search(rf'<li data-field="{re.escape(field)}">[^<]*{re.escape(message)}', html), html
    assert all_rules() == before


def test_apply_after_someone_else_changed_the_slots_shows_the_new_preview(editor_client, school):
    preview = post(editor_client, "/t/edit/plan", edit(school, school["lessons"], "note", "A"))
    other = post(editor_client, "/t/edit/plan", edit(school, [school["lessons"][0]], "note", "B", end="2026-W52"))
    post(editor_client, "/t/edit/apply", hidden_fields(other.get_data(as_text=True)))
    before = all_rules()
    response = post(editor_client, "/t/edit/apply", hidden_fields(preview.get_data(as_text=True)))
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone changed these slots since this preview was made, so nothing was applied." in html
    assert 'data-testid="apply"' in html  # the fresh preview can be confirmed
    assert all_rules() == before


def test_state_changes_need_the_csrf_token(editor_client, school):
    data = edit(school, school["lessons"], "note", "A")
    response = editor_client.post("/t/edit/plan", data=data, headers=HTMX)
    assert response.status_code == 400
    assert "security (CSRF) token" in response.get_data(as_text=True)


def test_history_and_undo_through_the_pages(editor_client, school):
    preview = post(editor_client, "/t/edit/plan", edit(school, school["lessons"], "room", str(school["r3"])))
    post(editor_client, "/t/edit/apply", hidden_fields(preview.get_data(as_text=True)))
    change = school["last_setup_change"] + 1
    history = get(editor_client, "/t/edit/history?week=2026-W48").get_data(as_text=True)
    assert "Room = Lab · 5 slots · 2026-W48 to 2026-W50" in history and f'data-testid="undo-{change}"' in history

    undo_preview = post(editor_client, f"/t/edit/changes/{change}/undo/plan", {"week": "2026-W48"}).get_data(as_text=True)
    # Lesson 3's own W49 room predates the change: undo puts it back, it overwrites nothing later.
    assert "Later changes undo would overwrite" not in undo_preview
    assert "room Lab → 102 · 2026-W49" in undo_preview
    token = re.search(r'name="token" value="([^"]+)"', undo_preview).group(1)
    response = post(editor_client, f"/t/edit/changes/{change}/undo", {"week": "2026-W48", "token": token})
    assert response.headers["HX-Trigger"] == "timetable-changed"
    assert values(school["timetable"], 48, school["lessons"][0])["room"] == school["r1"]
    assert values(school["timetable"], 49, school["lessons"][2])["room"] == school["r2"]
    assert f'data-testid="undone">undone by change {change + 1}' in get(editor_client, "/t/edit/history").get_data(as_text=True)
    per_slot = get(editor_client, f"/t/edit/history?slot={school['other']}").get_data(as_text=True)
    assert "New slot" in per_slot and "Room = Lab" not in per_slot  # only its own creation touched it


def test_the_move_form_is_prefilled_from_the_drop(editor_client, school):
    html = get(editor_client, f"/t/edit/slots/{school['lessons'][0]}/move?week=2026-W48&weekday=3&start=13:35").get_data(as_text=True)
    assert "Move Maths 7A · Mon 08:00" in html
    assert '<option value="3" selected>Wednesday</option>' in html
    assert 'value="13:35"' in html
    assert get(editor_client, f"/t/edit/slots/{school['lessons'][0]}/move?weekday=9").status_code == 400


def test_a_drawn_slot_is_previewed_then_created_from_its_first_week(editor_client, school):
    form = get(editor_client, "/t/edit/create?week=2026-W48&weekday=3&start=13:30&duration=60").get_data(as_text=True)
    assert 'value="13:30"' in form and '<option value="3" selected>Wednesday</option>' in form
    data = {"week": "2026-W48", "value-weekday": "3", "value-start": "13:30", "value-duration": "60",
            "value-course": str(school["maths"].id), "value-title": "Extra maths", "range": "from_here"}
    preview = post(editor_client, "/t/edit/create/plan", data).get_data(as_text=True)
    assert "Extra maths · Wed 13:30 · duration — → 1 h · from 2026-W48" in preview
    assert "course — → Maths 7A · from 2026-W48" in preview
    assert Slot.query.count() == 6
    response = post(editor_client, "/t/edit/create/apply", hidden_fields(preview))
    assert response.status_code == 200
    new = Slot.query.order_by(Slot.id.desc()).first()
    assert values(school["timetable"], 48, new.id)["title"] == "Extra maths"
    assert values(school["timetable"], 48, new.id)["staff"] == (school["x"],)  # inherited from the course
    with pytest.raises(StopIteration):
        values(school["timetable"], 47, new.id)
    assert ChangeSet.query.count() == school["setup_changes"] + 1
    assert ChangeSet.query.order_by(ChangeSet.id.desc()).first().kind == "create"


def test_a_clash_is_marked_on_the_grid_and_listed(editor_client, school):
    # Give the physics lesson (Mon 09:00) teacher X at 08:20: X is then in two places.
    for param, value in (("start", "08:20"), ("staff", str(school["x"]))):
        preview = post(editor_client, "/t/edit/plan", edit(school, [school["other"]], param, value, end=None))
        post(editor_client, "/t/edit/apply", hidden_fields(preview.get_data(as_text=True)))
    grid = get(editor_client, "/t/edit?week=2026-W48&view=grid").get_data(as_text=True)
    assert "Clashes (1)" in grid
    clashing = re.findall(r'<article class="block status-open clash[^"]*"[^>]*data-slot-id="(\d+)"', grid)
    assert sorted(map(int, clashing)) == sorted([school["lessons"][0], school["other"]])
    listing = get(editor_client, "/t/edit/clashes?week=2026-W48").get_data(as_text=True)
    assert "X in both Maths 7A · Mon 08:00 and Physics 7A · Mon 08:20 (Monday, 2026-W48)" in listing


def test_the_bulk_panel_and_its_value_input_follow_the_chosen_parameter(editor_client, school):
    ids = "&".join(f"ids={i}" for i in school["lessons"][:3])
    html = get(editor_client, f"/t/edit/selection?week=2026-W48&{ids}").get_data(as_text=True)
    assert '<span data-testid="selected-count">3</span>' in html
    swapped = get(editor_client, "/t/edit/value-input?param=start&field_id=bulk-value").get_data(as_text=True)
    assert '<span id="bulk-value-holder">' in swapped and 'type="time"' in swapped and 'name="value-start"' in swapped
    assert get(editor_client, "/t/edit/value-input?param=nope").status_code == 400


def test_reset_to_course_from_the_slot_panel(editor_client, school):
    wednesday = school["lessons"][2]
    data = {"week": "2026-W49", "form_id": "edit-room", "owner": "slot", "ids": [wednesday], "param": "room",
            "erase-room": "1", "range": "this_week"}
    preview = post(editor_client, "/t/edit/plan", data).get_data(as_text=True)
    assert "room 102 → 101 · 2026-W49" in preview
    post(editor_client, "/t/edit/apply", hidden_fields(preview))
    assert not SlotRule.query.filter_by(slot_id=wednesday, param="room").all()


def test_a_team_of_teachers_is_chosen_in_a_multiple_choice_and_shown_and_filtered_by_each(editor_client, school, client):
    lesson = school["lessons"][0]
    panel = get(editor_client, f"/t/edit/slots/{lesson}?week=2026-W48").get_data(as_text=True)
    assert re.search(r'<select multiple[^>]*name="value-staff"', panel)
    # The multiple choice sends one field per member.
    data = edit(school, [lesson], "staff", [str(school["y"]), str(school["x"])])
    preview = post(editor_client, "/t/edit/plan", data).get_data(as_text=True)
    assert "staff X → X, Y" in preview
    assert post(editor_client, "/t/edit/apply", hidden_fields(preview)).status_code == 200
    assert values(school["timetable"], 49, lesson)["staff"] == (school["x"], school["y"])
    assert values(school["timetable"], 51, lesson)["staff"] == (school["x"],)
    # Visitors see both names, and the lesson under either teacher's filter.
    for teacher in ("x", "y"):
        html = client.get(f"/t?week=2026-W49&staff={school[teacher]}").get_data(as_text=True)
        assert "X, Y" in html
        assert f'data-staff="{school["x"]} {school["y"]}"' in html
    assert "X, Y" not in client.get(f"/t?week=2026-W49&staff={school['z']}").get_data(as_text=True)
def test_select_all_of_a_teacher_lists_every_lesson_of_the_week_whatever_the_filter(editor_client, school):
    # Filtered on the physics lab, the grid shows Z's lesson only; "Select all lessons this week of X"
    # still names X's five maths lessons, and Z's list holds the physics lesson.
    html = editor_client.plain.get(f"/t/edit?week=2026-W47&room={school['r3']}").get_data(as_text=True)
    x_slots = ",".join(str(i) for i in school["lessons"])
    assert f'<option value="{school["x"]}" data-slots="{x_slots}">X</option>' in html
    assert f'<option value="{school["z"]}" data-slots="{school["other"]}">Z</option>' in html
    assert f'<option value="{school["y"]}" data-slots="">Y</option>' in html
