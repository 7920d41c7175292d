"""The substitution desk page: register an absence, assign all, preview with no clash, apply, undo; bad input shown by field."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.integration.helpers import values, week
from timetable.extensions import db
from timetable.models import Absence, ChangeSet

URL = "/t/edit/substitutions"


@pytest.fixture
def desk(school, htmx_editor):
    return htmx_editor(URL)


def hidden(html: str, name: str) -> list[str]:
    return re.findall(rf'name="{name}" value="([^"]*)"', html)


def test_the_desk_is_linked_from_the_editor_and_opens_as_a_page(school, desk):
    assert URL in desk.plain.get("/t/edit").get_data(as_text=True)
    page = desk.plain.get(URL)
    assert page.status_code == 200 and "<html" in page.get_data(as_text=True) and "Register an absence" in page.get_data(as_text=True)


def test_register_assign_all_apply_and_undo(school, desk):
    registered = desk.post(f"{URL}/absences", {"who": f"staff:{school['x']}", "start": "2026-12-07", "end": "2026-12-11",
                                              "status": "sick", "reason": "Flu"})
    html = registered.get_data(as_text=True)
    assert registered.status_code == 200, html
    assert "<html" not in html and html.count('data-testid="affected-lesson"') == 5 and "Flu" in html

    preview = desk.post(f"{URL}/assign").get_data(as_text=True)
    assert "0 clashes created" in preview
    covers = hidden(preview, "cover")
    assert len(covers) == 5

    applied = desk.post(f"{URL}/apply", {"token": hidden(preview, "token")[0], "cover": covers})
    assert applied.status_code == 200 and applied.headers["HX-Trigger"] == "timetable-changed"
    assert "Applied (change" in applied.get_data(as_text=True)
    assert all(values(school["timetable"], 50, slot)["substitute"] in (school["y"], school["z"]) for slot in school["lessons"])

    change_id = db.session.scalar(select(db.func.max(ChangeSet.id)))
    undone = desk.post(f"{URL}/undo/{change_id}")
    assert undone.status_code == 200 and "Undone" in undone.get_data(as_text=True)
    assert all(values(school["timetable"], 50, slot)["substitute"] is None for slot in school["lessons"])


def test_a_bad_absence_is_shown_by_field_and_writes_nothing(school, desk):
    answer = desk.post(f"{URL}/absences", {"who": f"staff:{school['x']}", "start": "2026-12-11", "end": "2026-12-07"})
    assert answer.status_code == 400 and 'data-testid="error-end"' in answer.get_data(as_text=True)
    answer = desk.post(f"{URL}/absences", {"who": "staff:999999", "start": "2026-12-07", "end": "2026-12-11"})
    assert answer.status_code == 400 and 'data-testid="error-who"' in answer.get_data(as_text=True)
    assert db.session.scalars(select(Absence)).all() == []


def test_one_candidate_or_a_cancel_is_previewed_alone(school, desk):
    html = desk.post(f"{URL}/absences", {"who": f"staff:{school['x']}", "start": "2026-12-07", "end": "2026-12-07"}).get_data(as_text=True)
    (cancel,) = hidden(html, "cancel")
    preview = desk.post(f"{URL}/assign", {"cancel": cancel}).get_data(as_text=True)
    assert "Cancelled with a note (1)" in preview and "0 clashes created" in preview
    first_candidate = hidden(html, "cover")[0]
    assert first_candidate.startswith(f"{school['lessons'][0]}:{week(50)}:")
    preview = desk.post(f"{URL}/assign", {"cover": first_candidate}).get_data(as_text=True)
    assert "Covers (1)" in preview


def test_cover_limits_are_set_on_the_desk_and_refused_when_no_count(school, desk):
    from timetable.services.cover_desk import load_limits

    saved = desk.post(f"{URL}/limits", {"per_day": "1", "per_week": "3"})
    assert saved.status_code == 200 and "1 a day, 3 a week" in saved.get_data(as_text=True)
    refused = desk.post(f"{URL}/limits", {"per_day": "-1", "per_week": "3"})
    assert refused.status_code == 400 and "from 0 to 50" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert (load_limits(school["timetable"]).per_day, load_limits(school["timetable"]).per_week) == (1, 3)


def test_a_changed_absence_shows_its_audit_and_the_desk_replans(school, desk):
    desk.post(f"{URL}/absences", {"who": f"staff:{school['x']}", "start": "2026-12-07", "end": "2026-12-07"})
    absence_id = db.session.scalar(select(Absence.id))
    html = desk.post(f"{URL}/absences/{absence_id}", {"start": "2026-12-07", "end": "2026-12-08", "reason": "Flu"}).get_data(as_text=True)
    assert html.count('data-testid="affected-lesson"') == 2
    assert "end_date 2026-12-07 → 2026-12-08" in html
    withdrawn = desk.post(f"{URL}/absences/{absence_id}", {"withdraw": "1"}).get_data(as_text=True)
    assert 'data-testid="no-absences"' in withdrawn and 'data-testid="affected-lesson"' not in withdrawn


def test_a_room_away_gets_one_click_room_changes_previewed_then_applied(school, desk):
    html = desk.post(f"{URL}/absences", {"who": f"room:{school['r1']}", "start": "2026-12-07", "end": "2026-12-07"}).get_data(as_text=True)
    solutions = hidden(html, "solution")
    monday = school["lessons"][0]
    # 102 is free at 08:00 on Monday (Physics is in the Lab at 09:00), smallest first.
    assert solutions[0] == f"room:{monday}:{week(50)}:{school['r2']}" and 'data-testid="room-lesson"' in html
    preview = desk.post(f"{URL}/assign", {"solution": solutions[0]})
    text = preview.get_data(as_text=True)
    assert preview.status_code == 200 and "0 clashes created" in text and "Other solutions (1)" in text and "→ room 102" in text
    assert hidden(text, "solution") == [solutions[0]]
    applied = desk.post(f"{URL}/apply", {"token": hidden(text, "token")[0], "solution": solutions[0]})
    assert applied.status_code == 200 and "1 room changed" in applied.get_data(as_text=True)
    assert values(school["timetable"], 50, monday)["room"] == school["r2"]


def test_a_teachers_lesson_offers_merge_move_and_room_buttons(school, desk):
    html = desk.post(f"{URL}/absences", {"who": f"staff:{school['x']}", "start": "2026-12-07", "end": "2026-12-07"}).get_data(as_text=True)
    kinds = {value.split(":")[0] for value in hidden(html, "solution")}
    # No parallel lesson at 08:00 on Monday in this school: move and room only.
    assert kinds == {"move", "room"} and 'data-testid="move-lesson"' in html


def test_bad_solutions_are_refused_on_the_desk_and_write_nothing(school, desk):
    desk.post(f"{URL}/absences", {"who": f"staff:{school['x']}", "start": "2026-12-07", "end": "2026-12-07"})
    changes = db.session.query(ChangeSet).count()
    monday = school["lessons"][0]
    for item, status in ((f"move:{monday}:{week(50)}:9:540", 400), ("room:99999:202650:1", 404),
                         # A lesson not held that week: the timetable's state refuses it (409), the desk shows why.
                         (f"room:{monday}:202630:{school['r2']}", 409), ("nonsense", 400)):
        preview = desk.post(f"{URL}/assign", {"solution": item})
        assert preview.status_code == status and 'data-testid="cover-problem"' in preview.get_data(as_text=True), item
        applied = desk.post(f"{URL}/apply", {"solution": item, "token": "x"})
        assert applied.status_code == status, item
    assert db.session.query(ChangeSet).count() == changes
