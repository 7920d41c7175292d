"""Undo may not bring a retired staff member, room, group or course back into the weeks it is retired from.

A school retires the Lab from 2026-W50 and reassigns its lessons; undoing that reassignment would
put the Lab back. It is refused with a 400 naming the room, at the preview and at apply, and
writes nothing. Undo that only touches weeks before the retirement, or takes the room away, still works.
"""

from __future__ import annotations

from tests.web.test_api_editing import api, api_school, edit  # noqa: F401  (fixtures)


def retire(client, room_id: int, week: str | None):
    response = client.client.patch(f"/api/timetables/t/rooms/{room_id}", json={"retired_from_week": week},
                                   headers={"X-CSRFToken": client.csrf})
    assert response.status_code == 200, response.get_json()


def rules(app):
    from sqlalchemy import select

    from timetable.extensions import db
    from timetable.models import ChangeSet, SlotRule

    with app.app_context():
        return (sorted((r.slot_id, r.param, r.start_week, r.end_week, r.value) for r in db.session.scalars(select(SlotRule))),
                db.session.query(ChangeSet).count())


def test_undoing_a_reassignment_that_would_put_a_retired_room_back_is_refused_and_writes_nothing(app, api, api_school):  # noqa: F811
    monday, lab, room_101 = api_school["lessons"][0], api_school["r3"], api_school["r1"]
    api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("room", lab, start="2026-W48", end=None)]})
    retire(api, lab, "2026-W50")
    _, reassign = api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("room", room_101, start="2026-W50", end=None)]})
    before = rules(app)

    plan = api.post(f"/changes/{reassign['id']}/undo/plan", {"week": "2026-W50"})
    assert plan.status_code == 400
    error = plan.get_json()["error"]
    assert error["fields"] == {"room": [error["message"]]}
    assert error["message"].startswith("Room: Lab is retired from 2026-W50")
    assert f"undoing change {reassign['id']} would assign it again" in error["message"]
    # Apply refuses too, whatever token it is sent (the resource may have been retired since the preview).
    applied = api.post(f"/changes/{reassign['id']}/undo", {"token": "any"})
    assert applied.status_code == 400 and "Lab is retired from 2026-W50" in applied.get_json()["error"]["message"]
    assert rules(app) == before
    assert api.week("2026-W51")[monday]["room"] == room_101

    # Brought back (not retired any more), the same undo goes through.
    retire(api, lab, None)
    plan = api.post(f"/changes/{reassign['id']}/undo/plan", {"week": "2026-W50"})
    assert plan.status_code == 200, plan.get_json()
    assert api.post(f"/changes/{reassign['id']}/undo", {"token": plan.get_json()["token"]}).status_code == 201
    assert api.week("2026-W51")[monday]["room"] == lab


def test_undo_that_puts_a_retired_room_back_only_before_its_retirement_or_takes_it_away_still_works(app, api, api_school):  # noqa: F811
    monday, lab, room_102 = api_school["lessons"][0], api_school["r3"], api_school["r2"]
    _, to_lab = api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("room", lab, start="2026-W48", end=None)]})
    _, w48 = api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("room", room_102, start="2026-W48", end="2026-W49")]})
    retire(api, lab, "2026-W50")

    # Lab back in W48–W49 only: weeks before its retirement.
    plan = api.post(f"/changes/{w48['id']}/undo/plan", {"week": "2026-W48"})
    assert plan.status_code == 200, plan.get_json()
    assert api.post(f"/changes/{w48['id']}/undo", {"token": plan.get_json()["token"]}).status_code == 201
    assert api.week("2026-W49")[monday]["room"] == lab
    # Undoing the move to the Lab takes it away from the retired weeks: allowed.
    plan = api.post(f"/changes/{to_lab['id']}/undo/plan", {"week": "2026-W48"})
    assert plan.status_code == 200, plan.get_json()
    assert api.post(f"/changes/{to_lab['id']}/undo", {"token": plan.get_json()["token"]}).status_code == 201
    assert api.week("2026-W51")[monday]["room"] == api_school["r1"]  # the course's room again


def test_undo_may_not_put_a_retired_teacher_back_into_one_later_week_either(app, api, api_school):  # noqa: F811
    """The Monday lesson has X of its own; Y covers W51; X retires from W50; undoing the cover would bring X back in W51."""
    monday = api_school["lessons"][0]
    api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("staff", api_school["x"], start="2026-W40", end=None)]})
    _, cover = api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("staff", api_school["y"], start="2026-W51", end="2026-W51")]})
    response = api.client.patch(f"/api/timetables/t/staff/{api_school['x']}", json={"retired_from_week": "2026-W50"},
                                headers={"X-CSRFToken": api.csrf})
    assert response.status_code == 200, response.get_json()
    before = rules(app)
    plan = api.post(f"/changes/{cover['id']}/undo/plan", {"week": "2026-W51"})
    assert plan.status_code == 400
    assert plan.get_json()["error"]["fields"].keys() == {"staff"}
    assert plan.get_json()["error"]["message"].startswith("Staff: X is retired from 2026-W50")
    assert rules(app) == before


def test_the_editor_shows_why_an_undo_is_refused_in_its_preview_and_writes_nothing(app, api, api_school):  # noqa: F811
    """The history page's "Undo…" (htmx) gets the reason in the preview region, not an error page."""
    monday, lab = api_school["lessons"][0], api_school["r3"]
    api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("room", lab, start="2026-W48", end=None)]})
    retire(api, lab, "2026-W50")
    _, reassign = api.plan_and_apply(f"/slots/{monday}", {"edits": [edit("room", api_school["r1"], start="2026-W50", end=None)]})
    before = rules(app)
    htmx = {"HX-Request": "true", "X-CSRFToken": api.csrf}
    for path in (f"/t/edit/changes/{reassign['id']}/undo/plan?week=2026-W50", f"/t/edit/changes/{reassign['id']}/undo?week=2026-W50"):
        response = api.client.post(path, data={"token": "any"}, headers=htmx)
        body = response.get_data(as_text=True)
        assert response.status_code == 400, body
        assert 'data-testid="undo-refused"' in body and "<header" not in body
        assert "Room: Lab is retired from 2026-W50" in body
    # Without JavaScript, the editor page opens with the reason in its preview.
    page = api.client.post(f"/t/edit/changes/{reassign['id']}/undo/plan?week=2026-W50", data={"csrf_token": api.csrf})
    assert page.status_code == 400 and 'data-testid="undo-refused-message"' in page.get_data(as_text=True)
    assert rules(app) == before
