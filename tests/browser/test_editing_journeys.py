"""Journeys of a scheduler editing the demo school in a real browser: drag, bulk edit, undo, course edits.

Every journey gets a demo database of its own (`editing_app`), so each may change what it likes and
none depends on another's order; none touches the session's read-only `demo_app`. What the page
shows is checked against the JSON API of the same database.
"""

from __future__ import annotations

import pytest
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

from tests.clock import wall_weeks_ahead_text

from .pages import EditorPage, by_testid, hhmm, minutes_of

pytestmark = pytest.mark.browser

# Weeks ahead of the wall clock's. From two weeks on they are clear of the demo's painted
# history (a substitution last week and this week, a room change next week).
W1, W2, W3, W4, W5 = (wall_weeks_ahead_text(n) for n in (1, 2, 3, 4, 5))
WEDNESDAY = 3
LESSON_MINUTES = 50


def api_week(app, week: str) -> list[dict]:
    """What the JSON API tells a scheduler is on in `week` (the reference the editor page is checked against)."""
    from tests.conftest import AuthActions

    client = app.test_client()
    assert AuthActions(client).login().status_code == 303
    response = client.get(f"/api/timetables/school/weeks/{week}")
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["occurrences"]


def of_staff(occurrences: list[dict], staff_id: int) -> list[dict]:
    """A teacher's lessons: the ones they teach and the ones they cover."""
    return [o for o in occurrences if staff_id in (*(o["parameters"]["staff"] or ()), o["parameters"]["substitute"])]


def overlaps(a: dict, b: dict) -> bool:
    return a["weekday"] == b["weekday"] and minutes_of(a["start"]) < minutes_of(b["end"]) and minutes_of(b["start"]) < minutes_of(a["end"])


def resources(occurrence: dict) -> set[tuple[str, int]]:
    p = occurrence["parameters"]
    kinds = (("staff", "staff"), ("staff", "substitute"), ("room", "room"), ("group", "group"))
    # Staff and groups are sets of ids (lists in the API): every member is busy.
    return {(kind, member) for kind, param in kinds if p[param]
            for member in (p[param] if isinstance(p[param], list) else [p[param]])}


def test_dragging_a_lesson_to_wednesday_afternoon_moves_it_for_that_week_only(editor_page: EditorPage, editing_app):
    week = W2
    occurrences = api_week(editing_app, week)
    # A Monday lesson whose class, teacher and room are all free on Wednesday at 13:30.
    target = {"weekday": WEDNESDAY, "start": "13:30", "end": hhmm(13 * 60 + 30 + LESSON_MINUTES)}
    busy = set().union(*(resources(o) for o in occurrences if overlaps(o, target)))
    lesson = next(o for o in sorted(occurrences, key=lambda o: (o["start"], o["slot_id"]))
                  if o["weekday"] == 1 and not resources(o) & busy)
    slot = str(lesson["slot_id"])

    page = editor_page.log_in_and_open(f"/school/edit?week={week}&view=grid")
    assert page.editor_blocks()[slot]["column"] == "1"
    move_form = page.drag_block(slot, WEDNESDAY, 13 * 60 + 30)

    # The move form says where it landed: Wednesday, 13:30 (snapped to 5 minutes), this week only.
    assert move_form.find_element(By.TAG_NAME, "h3").text.startswith("Move ")
    weekday = Select(move_form.find_element(*by_testid("value-weekday")))
    assert weekday.first_selected_option.get_attribute("value") == str(WEDNESDAY)
    assert weekday.first_selected_option.text == "Wednesday"
    start = move_form.find_element(*by_testid("value-start")).get_attribute("value")
    assert start == "13:30", f"dropped at 13:30, the form says {start}"
    assert move_form.find_element(*by_testid("range-this_week")).is_selected()

    preview = page.preview(move_form.find_element(*by_testid("move-preview")))
    lines = page.lines(preview.find_element(*by_testid("diff")))
    assert lines and all(slot_id == slot for slot_id, _ in lines), lines
    assert any("Wednesday" in text for _, text in lines), lines
    assert all(week in text for _, text in lines), lines
    assert not preview.find_elements(*by_testid("clashes-created")), "moving to a free afternoon creates no clash"

    browser = page.driver
    browser.execute_script("window.__marker = 'same page'")
    applied = page.apply(preview)
    assert "Applied" in applied.text
    assert browser.execute_script("return window.__marker") == "same page", "Apply reloaded the page"

    moved = page.editor_blocks()[slot]
    assert (moved["weekday"], moved["column"], moved["start"]) == ("3", "3", str(13 * 60 + 30)), moved
    assert moved["time_text"] == "13:30–14:20"
    assert page.week_label() == week

    # Only that week: the next week and the week before still have it on Monday at its time.
    page.go_next(expected_label=W3)
    assert page.editor_blocks()[slot]["column"] == "1"
    assert page.editor_blocks()[slot]["start"] == str(minutes_of(lesson["start"]))
    page.go_previous(expected_label=week)
    assert page.editor_blocks()[slot]["column"] == "3"
    page.go_previous(expected_label=W1)
    assert page.editor_blocks()[slot]["column"] == "1"
    assert browser.execute_script("return window.__marker") == "same page"
    assert {o["slot_id"]: o["weekday"] for o in api_week(editing_app, W3)}[int(slot)] == 1


def test_a_sick_teacher_is_replaced_for_two_weeks_through_the_bulk_panel(editor_page: EditorPage, editing_app):
    sick_teacher, substitute = "B. Laurent", "D. Novak"
    page = editor_page.log_in_and_open(f"/school/edit?week={W3}&view=grid")
    staff = page.select_options("filter-staff")
    teacher_id, substitute_id = staff[sick_teacher], staff[substitute]
    expected = {str(o["slot_id"]) for o in of_staff(api_week(editing_app, W3), int(teacher_id))}
    assert len(expected) > 1

    # Select all of the teacher's lessons of the week: the bulk panel counts them.
    panel = page.select_all_of("staff", sick_teacher)
    count = len(expected)
    assert panel.find_element(*by_testid("selected-count")).text == str(count)
    blocks = page.editor_blocks()
    assert {s for s, b in blocks.items() if b["selected"]} == expected
    assert page.driver.find_element(*by_testid("selection-count")).text == f"{count} selected"

    # 1. Staff status: Sick, over W50–W51.
    param = Select(panel.find_element(*by_testid("bulk-param")))
    assert param.first_selected_option.get_attribute("value") == "staff_status"
    Select(panel.find_element(*by_testid("value-staff_status"))).select_by_value("sick")
    page.choose_range(panel, "custom", W3, W4)
    preview = page.preview(panel.find_element(*by_testid("bulk-preview")))
    lines = page.lines(preview.find_element(*by_testid("diff")))
    assert len(lines) == count, lines
    assert {slot for slot, _ in lines} == expected
    assert all(W3 in text and W4 in text for _, text in lines), lines
    page.apply(preview, "Apply the sick status")

    blocks = page.editor_blocks()
    for slot in expected:
        assert f"{sick_teacher} (Sick)" in blocks[slot]["staff_text"], blocks[slot]
    # The selection outlives the grid's refresh, and the bulk panel still holds the same lessons.
    assert {s for s, b in blocks.items() if b["selected"]} == expected
    assert page.driver.find_element(*by_testid("selection-count")).text == f"{count} selected"
    panel = page.driver.find_element(By.CSS_SELECTOR, '#panel [data-testid="bulk-panel"]')
    assert panel.find_element(*by_testid("selected-count")).text == str(count)
    assert panel.find_element(*by_testid("range-custom")).is_selected()
    assert panel.find_element(*by_testid("range-start")).get_attribute("value") == W3
    assert panel.find_element(*by_testid("range-end")).get_attribute("value") == W4

    # 2. Same lessons, same weeks: the substitute. Choosing the parameter swaps in its input.
    param = Select(panel.find_element(*by_testid("bulk-param")))
    value = page.swapped_in('#panel [data-testid="value-substitute"]', lambda: param.select_by_value("substitute"),
                            "choose Substitute")
    Select(value).select_by_visible_text(substitute)
    preview = page.preview(panel.find_element(*by_testid("bulk-preview")), "Preview the substitute")
    lines = page.lines(preview.find_element(*by_testid("diff")))
    assert {slot for slot, _ in lines} == expected and len(lines) == count, lines
    assert all(substitute in text for _, text in lines), lines
    # The substitute has lessons of their own: the preview warns of each one at the same time as a covered one.
    own = [o for o in api_week(editing_app, W3) if int(substitute_id) in (o["parameters"]["staff"] or ())]
    taken = [o for o in own if any(overlaps(o, lesson) for lesson in api_week(editing_app, W3)
                                   if str(lesson["slot_id"]) in expected)]
    clashes = preview.find_elements(*by_testid("clashes-created"))
    if taken:
        clash_lines = [li.text for li in clashes[0].find_elements(By.TAG_NAME, "li")]
        assert len(clash_lines) == len(taken), clash_lines
        # The preview checks every week of the change: the clash holds over both weeks.
        assert all(substitute in line and f"{W3} to {W4}" in line for line in clash_lines), clash_lines
    else:
        assert not clashes
    page.apply(preview, "Apply the substitute")

    def covered(week: str) -> None:
        blocks = page.editor_blocks()
        for slot in expected:
            assert blocks[slot]["substitute"] == substitute_id, (week, blocks[slot])
            assert blocks[slot]["staff_text"] == f"{sick_teacher} → {substitute}", (week, blocks[slot])
        assert {s for s, b in blocks.items() if b["substitute"]} == expected, week
        # The substitute's own lessons at those times are clashes on the grid, in each week covered.
        assert page.driver.find_element(*by_testid("clashes-link")).text == f"Clashes ({len(taken)})", week

    def untouched(week: str) -> None:
        blocks = page.editor_blocks()
        assert not any(b["substitute"] for b in blocks.values()), week
        mine = [b for b in blocks.values() if teacher_id in b["staff"].split()]
        assert mine and all(b["staff_text"] == sick_teacher for b in mine), (week, mine)

    covered(W3)
    page.go_next(expected_label=W4)
    covered(W4)
    page.go_next(expected_label=W5)
    untouched(W5)
    for week in (W4, W3, W2):
        page.go_previous(expected_label=week)
    untouched(W2)
    for week in (W3, W4):
        assert {str(o["slot_id"]) for o in api_week(editing_app, week)
                if o["parameters"]["substitute"] == int(substitute_id) and o["parameters"]["staff_status"] == "sick"} == expected


def edit_slots(app, slot_ids, param: str, value, first: str, last: str) -> int:
    """Apply one edit the way the editor does (plan, then apply its token); return the change's id."""
    from timetable.rules import parse_week
    from timetable.services.accounts import find_user
    from timetable.services.catalog import get_timetable
    from timetable.services.editing import EditRequest, apply_plan, plan_edit
    from timetable.services.stripes import SLOT

    with app.app_context():
        timetable = get_timetable("school")
        requests = [EditRequest(SLOT, tuple(slot_ids), param, parse_week(first), parse_week(last), value)]
        plan = plan_edit(timetable, requests, parse_week(first))
        return apply_plan(timetable, requests, plan.token, find_user("scheduler").id).id


def test_undoing_the_substitute_keeps_the_teacher_sick(editor_page: EditorPage, editing_app):
    weeks = (W4, W5)
    occurrences = api_week(editing_app, weeks[0])
    # Staff is a set (a list in JSON); the demo's lessons have one teacher each.
    names = {o["labels"]["staff"]: o["parameters"]["staff"][0] for o in occurrences if len(o["parameters"]["staff"] or ()) == 1}
    teacher_id, substitute_id = names["G. Mercier"], names["C. Ito"]
    lessons = {str(o["slot_id"]) for o in occurrences if o["parameters"]["staff"] == [teacher_id]}
    # Earlier, someone marked G. Mercier sick for two weeks, then gave the lessons to C. Ito.
    sick_change = edit_slots(editing_app, map(int, lessons), "staff_status", "sick", *weeks)
    substitute_change = edit_slots(editing_app, map(int, lessons), "substitute", substitute_id, *weeks)

    page = editor_page.log_in_and_open(f"/school/edit?week={weeks[0]}&view=grid")
    blocks = page.editor_blocks()
    assert all(blocks[slot]["staff_text"] == "G. Mercier → C. Ito" for slot in lessons)

    history = page.open_history()
    changes = history.find_elements(*by_testid("change"))
    assert [c.get_attribute("data-change-id") for c in changes[:2]] == [str(substitute_change), str(sick_change)]
    latest = changes[0]
    assert "substitute" in latest.text.lower(), latest.text
    assert not latest.find_elements(*by_testid("undone"))

    undo_button = latest.find_element(*by_testid(f"undo-{substitute_change}"))
    assert undo_button.text == "Undo…"
    undo_preview = page.in_region("preview", "undo-preview", undo_button.click, "Undo…")
    assert f"Undo change {substitute_change}" in undo_preview.find_element(By.TAG_NAME, "h3").text
    lines = page.lines(undo_preview.find_element(*by_testid("diff")))
    assert {slot for slot, _ in lines} == lessons and len(lines) == len(lessons), lines
    assert all("C. Ito" in text and weeks[0] in text and weeks[1] in text for _, text in lines), lines
    assert not undo_preview.find_elements(*by_testid("overwrites")), "nothing changed these weeks since"

    # Undo it: the grid refreshes, and so does the history panel beside it.
    applied = []
    history = page.in_region("panel", "history", lambda: applied.append(
        page.apply_with(undo_preview.find_element(*by_testid("apply-undo")), "Undo it")), "history refresh after the undo")
    assert "Applied" in applied[0].text

    blocks = page.editor_blocks()
    for slot in lessons:
        assert blocks[slot]["substitute"] == "", blocks[slot]
        assert blocks[slot]["staff_text"] == "G. Mercier (Sick)", blocks[slot]
    # The open history panel follows the grid to the next week.
    history = page.in_region("panel", "history", lambda: page.go_next(expected_label=weeks[1]), "the history follows to the next week")
    blocks = page.editor_blocks()
    assert all(blocks[slot]["staff_text"] == "G. Mercier (Sick)" for slot in lessons)
    # The JSON API of the live server, read with the browser's session, agrees for both weeks.
    for week in weeks:
        status, body = page.fetch_json(f"/api/timetables/school/weeks/{week}")
        assert status == 200, body
        mine = [o["parameters"] for o in body["occurrences"] if str(o["slot_id"]) in lessons]
        assert len(mine) == len(lessons)
        assert all(p["substitute"] is None and p["staff_status"] == "sick" for p in mine), (week, mine)

    # The history says what happened: the undo is the newest change, the substitute change is undone by it.
    changes = history.find_elements(*by_testid("change"))
    undo_change = changes[0].get_attribute("data-change-id")
    assert int(undo_change) > substitute_change
    undone = history.find_element(By.CSS_SELECTOR, f'[data-change-id="{substitute_change}"]')
    assert undone.find_element(*by_testid("undone")).text == f"undone by change {undo_change}"
    assert not undone.find_elements(*by_testid(f"undo-{substitute_change}"))
    sick = history.find_element(By.CSS_SELECTOR, f'[data-change-id="{sick_change}"]')
    assert sick.find_elements(*by_testid(f"undo-{sick_change}")) and not sick.find_elements(*by_testid("undone"))


def test_a_course_room_change_keeps_the_room_one_lesson_was_given(editor_page: EditorPage, editing_app):
    week, course = W3, "English 7A"
    own_room, course_room = "Library", "Language lab"
    lessons = sorted((o for o in api_week(editing_app, week) if o["title"] == course), key=lambda o: (o["weekday"], o["start"]))
    assert len(lessons) >= 2
    customised = str(lessons[0]["slot_id"])
    others = {str(o["slot_id"]) for o in lessons[1:]}
    page = editor_page.log_in_and_open(f"/school/edit?week={week}&view=grid")
    rooms = page.select_options("filter-room")
    home_room = str(lessons[0]["parameters"]["room"])
    assert {page.editor_blocks()[str(o["slot_id"])]["room"] for o in lessons} == {home_room}

    # This week only, one lesson moves to the library, through its own panel.
    panel = page.click_block(customised)
    assert panel.find_element(By.TAG_NAME, "h2").text.startswith(course)
    edit = panel.find_element(*by_testid("edit-room"))
    edit.find_element(By.TAG_NAME, "summary").click()
    Select(edit.find_element(*by_testid("value-room"))).select_by_visible_text(own_room)
    assert edit.find_element(*by_testid("range-this_week")).is_selected()
    preview = page.preview(edit.find_element(*by_testid("preview-room")), "Preview the lesson's room")
    lines = page.lines(preview.find_element(*by_testid("diff")))
    assert [slot for slot, _ in lines] == [customised] and own_room in lines[0][1] and week in lines[0][1], lines
    panel = page.in_region("panel", "slot-panel", lambda: page.apply(preview, "Apply the lesson's room"),
                           "the slot panel refreshes itself")
    assert page.editor_blocks()[customised]["room"] == rooms[own_room]
    assert panel.find_element(By.CSS_SELECTOR, '[data-testid="value-of-room"]').text == own_room

    # From this week on, the whole course moves to the language lab.
    course_panel = page.in_region("panel", "course-panel", panel.find_element(*by_testid("course-link")).click, "course link")
    assert course in course_panel.find_element(By.TAG_NAME, "h2").text
    edit = course_panel.find_element(*by_testid("edit-room"))
    edit.find_element(By.TAG_NAME, "summary").click()
    Select(edit.find_element(*by_testid("value-room"))).select_by_visible_text(course_room)
    page.choose_range(edit, "from_here")
    preview = page.preview(edit.find_element(*by_testid("preview-room")), "Preview the course's room")
    lines = page.lines(preview.find_element(*by_testid("diff")))
    kept = page.lines(preview.find_element(*by_testid("kept")))
    # The diff moves the other lessons from this week on, the customised one only from the next week
    # ("English 7A · Thu 13:30 · room 101 → Language lab · from 2026-W50").
    assert {slot for slot, _ in lines} == others | {customised}, lines
    assert all(course_room in text for _, text in lines), lines
    for slot, text in lines:
        weeks = text.rsplit(" · ", 1)[1]
        assert weeks == f"from {W4 if slot == customised else week}", text
    # The customised lesson is listed as keeping its own room for this week.
    assert len(kept) == 1, kept
    assert kept[0][0] == customised
    assert own_room in kept[0][1] and course_room in kept[0][1] and week in kept[0][1], kept
    page.apply(preview, "Apply the course's room")

    blocks = page.editor_blocks()
    assert blocks[customised]["room"] == rooms[own_room]
    assert all(blocks[slot]["room"] == rooms[course_room] for slot in others), [blocks[s] for s in others]
    # The next week the customisation is over: every lesson of the course is in the language lab.
    page.go_next(expected_label=W4)
    blocks = page.editor_blocks()
    assert all(blocks[str(o["slot_id"])]["room"] == rooms[course_room] for o in lessons)


def test_resizing_a_lesson_and_drawing_a_new_one(editor_page: EditorPage, editing_app):
    week = W5
    last_period = 15 * 60 + 20
    lesson = min((o for o in api_week(editing_app, week) if o["weekday"] == 1 and o["start"] == hhmm(last_period)),
                 key=lambda o: o["slot_id"])
    slot = str(lesson["slot_id"])
    page = editor_page.log_in_and_open(f"/school/edit?week={week}&view=grid")
    before = page.editor_blocks()[slot]
    assert before["duration"] == str(LESSON_MINUTES)

    # The lower edge dragged down by two 5-minute steps: a resize form with the new duration.
    move_form = page.resize_block(slot, last_period + LESSON_MINUTES + 10)
    assert move_form.find_element(By.TAG_NAME, "h3").text.startswith("Resize ")
    assert move_form.find_element(*by_testid("value-duration")).get_attribute("value") == str(LESSON_MINUTES + 10)
    assert not move_form.find_elements(*by_testid("value-start")) and not move_form.find_elements(*by_testid("value-weekday"))
    preview = page.preview(move_form.find_element(*by_testid("move-preview")), "Preview the resize")
    lines = page.lines(preview.find_element(*by_testid("diff")))
    assert [s for s, _ in lines] == [slot] and week in lines[0][1], lines
    page.apply(preview, "Apply the resize")
    after = page.editor_blocks()[slot]
    assert (after["duration"], after["start"], after["column"]) == ("60", str(last_period), "1"), after
    assert after["time_text"] == "15:20–16:20"
    assert after["height"] > before["height"] * 1.1, (before["height"], after["height"])

    # Drawing on the empty Wednesday afternoon opens the form for a new slot, prefilled.
    panel = page.draw(WEDNESDAY, 14 * 60 + 30, 15 * 60 + 30)
    weekday = Select(panel.find_element(*by_testid("value-weekday")))
    assert weekday.first_selected_option.text == "Wednesday"
    assert panel.find_element(*by_testid("value-start")).get_attribute("value") == "14:30"
    assert panel.find_element(*by_testid("value-duration")).get_attribute("value") == "60"
    assert panel.find_element(*by_testid("range-from_here")).is_selected()
    assert not page.driver.find_elements(By.CSS_SELECTOR, "#week .draw-ghost"), "the drawn outline stays on the grid"
