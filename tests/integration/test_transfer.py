"""The whole-timetable JSON export and its import: a round trip through an empty database, and bad files."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import func, select

from tests.clock import weeks_ahead
from tests.conftest import build_app
from tests.factories import paint
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import ChangeSet, SlotRule, Timetable
from timetable.rules import calendar as calendar_rules
from timetable.rules.periods import BellGrid, Period
from timetable.services.accounts import create_user
from timetable.services.calendar import CalendarSpec, TermSpec, replace_calendar
from timetable.services.catalog import get_timetable
from timetable.services.creation import create_slots, create_timetable
from timetable.services.editing import apply_undo, list_history, plan_undo, record_requests
from timetable.services.editing.bell_changes import apply_bells
from timetable.services.editing.planning import EditRequest
from timetable.services.resolution import load_directory, resolve_week
from timetable.services.resources import add_resource, change_resource
from timetable.services.transfer.document import export_document
from timetable.services.transfer.reading import TransferError
from timetable.services.transfer.replay import apply_import, plan_import

W = weeks_ahead


def _grid(from_week: int, first_start: int) -> BellGrid:
    return BellGrid(from_week, tuple(Period(day, start, start + 50, name) for day in range(1, 6)
                                     for name, start in (("1", first_start), ("2", first_start + 60))))


def build_timetable() -> Timetable:
    """A school with a calendar, bell times that move, resources (one retired), slots, edits and an undo."""
    alice = create_user("alice", "password-1234", is_admin=True)
    with write_transaction():
        timetable = create_timetable("north", "North school", "Europe/Paris", published=True, shown_weekdays="1,2,3,4,5,6")
    replace_calendar(timetable, CalendarSpec(
        terms=[TermSpec("Autumn", W(-10), W(5)), TermSpec("Spring", W(6), W(20))],
        holidays=[calendar_rules.Holiday("Winter break", date(2026, 12, 21), date(2027, 1, 1))],
        cycle=calendar_rules.Cycle(2, W(-10), {W(3): "A"}),
    ))
    apply_bells(timetable, [_grid(W(-10), 8 * 60)], None, alice.id)
    maths = add_resource(timetable, "courses", {"name": "Maths"})
    french = add_resource(timetable, "courses", {"name": "Français"})
    ann = add_resource(timetable, "staff", {"name": "Ann", "short_name": "AN", "email": "ann@example.org", "courses": [maths.id]})
    bob = add_resource(timetable, "staff", {"name": "Bob", "courses": [maths.id, french.id]})
    room1 = add_resource(timetable, "rooms", {"name": "101", "capacity": 30, "features": ["projector"]})
    lab = add_resource(timetable, "rooms", {"name": "Lab"})
    old = add_resource(timetable, "rooms", {"name": "Old hut"})
    group = add_resource(timetable, "groups", {"name": "7A", "size": 28})
    with write_transaction():
        record_requests(timetable, [EditRequest("course", (maths.id,), "duration", None, None, 50)], "Maths lasts 50 min", alice.id)
        slots, _ = create_slots(timetable, [
            {"course": maths.id, "weekday": 1, "start": 8 * 60, "staff": ann.id, "room": room1.id, "group": group.id},
            {"course": french.id, "weekday": 3, "start": 9 * 60, "staff": bob.id, "room": old.id, "group": group.id,
             "cycle_weeks": "A", "note": "=not a formula"},
        ], W(-10), user_id=alice.id)
        paint(timetable, "slot", slots[0].id, "room", W(1), W(1), lab.id)  # a one-week edit
        paint(timetable, "slot", slots[0].id, "staff_status", W(2), W(3), "sick")
        paint(timetable, "slot", slots[0].id, "substitute", W(2), W(3), bob.id)
        paint(timetable, "slot", slots[1].id, "room", W(2), None, room1.id)
        paint(timetable, "slot", slots[1].id, "status", W(4), W(4), "temporarily_closed")
        paint(timetable, "slot", slots[1].id, "title", W(5), None, "Français renforcé")
    change_resource(timetable, "rooms", old.id, {"retired_from_week": W(2)})
    undone = db.session.scalar(select(func.max(ChangeSet.id)))
    plan = plan_undo(timetable, undone, W(5))
    apply_undo(timetable, undone, plan.token, alice.id)
    # The bells move from W(6): slots starting with period 1 follow, through the same write path.
    apply_bells(timetable, [_grid(W(-10), 8 * 60), _grid(W(6), 8 * 60 + 15)], None, None)
    return get_timetable("north")


def _comparable(document: dict) -> dict:
    document = json.loads(json.dumps(document))
    document.pop("exported_at")
    return document


@pytest.fixture
def empty_app(make_database_url):
    other = build_app(make_database_url("import"))
    yield other
    with other.app_context():
        db.engine.dispose()


def test_an_export_imported_into_an_empty_database_exports_the_same_document(app_ctx, empty_app):
    timetable = build_timetable()
    exported = export_document(timetable)
    weeks = [W(n) for n in (-10, 1, 2, 4, 5, 6, 12)]
    resolved = {week: [(o.slot_id, dict(o.values)) for o in resolve_week(timetable, week)] for week in weeks}
    names = load_directory(timetable.id)
    history = [(c.kind, c.summary) for c in list_history(timetable)]
    assert exported["format"] == "timetable/1"
    assert {"undo", "bells", "create", "edit"} <= {c["kind"] for c in exported["history"]}
    assert any(c["bells"] and len(c["bells"]["after"]) == 2 for c in exported["history"])

    with empty_app.app_context():
        create_user("alice", "password-1234", is_admin=True)
        text = json.dumps(exported)
        plan = plan_import(text)
        assert "North school" in plan.lines[0] and f"History: {len(exported['history'])} changes" in plan.lines[-1]
        assert db.session.scalar(select(func.count(Timetable.id))) == 0  # the plan wrote nothing
        imported = apply_import(plan)
        again = export_document(imported)
        assert _comparable(again) == _comparable(exported)
        # The weeks read the same (ids differ only by how the database numbered them).
        new_names = load_directory(imported.id)
        for week in weeks:
            got = [(o.values["weekday"], o.values["start"], o.values["duration"], o.values["status"], o.values["title"],
                    new_names.name("room", o.values["room"]), new_names.name("staff", o.values["staff"]),
                    new_names.name("staff", o.values["substitute"])) for o in resolve_week(imported, week)]
            want = [(v["weekday"], v["start"], v["duration"], v["status"], v["title"], names.name("room", v["room"]),
                     names.name("staff", v["staff"]), names.name("staff", v["substitute"])) for _id, v in resolved[week]]
            assert got == want, week
        # History reads the same, by the same people, and its last change can be undone.
        assert [(c.kind, c.summary) for c in list_history(imported)] == history
        assert {c.user.username for c in list_history(imported) if c.user} == {"alice"}
        last = list_history(imported)[1]  # the newest change is the bells' move; undo the one before it
        undo = plan_undo(imported, last.id, W(5))
        apply_undo(imported, last.id, undo.token, None)
        assert list_history(imported)[0].kind == "undo"


def test_the_slots_stripes_come_from_the_replayed_history_not_a_final_patch(app_ctx, empty_app):
    exported = export_document(build_timetable())
    with empty_app.app_context():
        imported = apply_import(plan_import(json.dumps(exported), "copy"))
        assert imported.slug == "copy"
        kinds = [c.kind for c in list_history(imported)]
        assert "import" not in kinds and len(kinds) == len(exported["history"])


def test_stripes_the_history_does_not_explain_are_set_by_one_import_change(app_ctx, empty_app):
    exported = export_document(build_timetable())
    exported["history"] = []  # a timetable older than its history
    with empty_app.app_context():
        imported = apply_import(plan_import(json.dumps(exported)))
        [change] = list_history(imported)
        assert change.kind == "import"
        again = export_document(imported)
        assert again["slots"] == exported["slots"] and again["bells"] == exported["bells"]
        assert again["resources"] == exported["resources"]


def _document() -> dict:
    return export_document(build_timetable())


@pytest.mark.parametrize(("damage", "message"), [
    (lambda d: "{\"format\": \"timetable/1\",\n \"timetable\": [}", "line 2, column"),
    (lambda d: json.dumps({**d, "format": "timetable/9"}), "format: 'timetable/9' is not a format this version reads"),
    (lambda d: json.dumps({**d, "slots": [{**d["slots"][0], "stripes": {"staff": [[None, None, "99"]]}}, *d["slots"][1:]]}),
     "slots[0].stripes.staff[0][2]: staff 99 is not in the document's staff list"),
    (lambda d: json.dumps({**d, "history": [{**d["history"][0], "stripes": [{"owner": "slot", "id": 42, "param": "room",
                                                                           "before": [], "after": []}]}]}),
     "history[0].stripes[0].id: slot 42 is not in the document"),
    (lambda d: json.dumps({**d, "calendar": {**d["calendar"], "terms": [{"name": "X", "start_week": "2026-W99", "end_week": "2027-W01"}]}}),
     "calendar.terms[0].start_week: '2026-W99' is not an ISO week"),
    (lambda d: json.dumps({**d, "slots": [{"id": 1, "stripes": {"colour": []}}]}), "slots[0].stripes.colour: unknown parameter"),
    (lambda d: json.dumps({**d, "resources": {**d["resources"], "rooms": [{"id": 1, "name": "Lab \ud800"}]}}),
     "resources.rooms[0].name: contains a lone surrogate"),
    (lambda d: json.dumps({**d, "history": [d["history"][1], d["history"][0]]}),
     "history[1].id: changes must be listed once each, in increasing id order"),
])
def test_a_bad_file_is_refused_naming_the_place_and_writes_nothing(app_ctx, damage, message):
    text = damage(_document())
    before = db.session.scalar(select(func.count(SlotRule.id)))
    with pytest.raises(TransferError) as refused:
        apply_import(plan_import(text, "copy"))
    assert message in str(refused.value)
    assert db.session.scalar(select(func.count(SlotRule.id))) == before
    assert db.session.scalar(select(Timetable.id).where(Timetable.slug == "copy")) is None


def test_a_file_over_the_size_limit_is_refused(app_ctx, monkeypatch):
    monkeypatch.setattr("timetable.services.transfer.reading.MAX_DOCUMENT_BYTES", 100)
    with pytest.raises(TransferError, match="at most 100 bytes"):
        plan_import(json.dumps(_document()))


def test_an_existing_slug_is_refused(app_ctx):
    text = json.dumps(_document())
    with pytest.raises(TransferError, match="timetable.slug: Another timetable already has the slug “north”"):
        plan_import(text)


def test_the_commands_export_plan_and_apply(app_ctx, runner, tmp_path):
    build_timetable()
    out = tmp_path / "north.json"
    exported = runner.invoke(args=["timetables", "export", "north", "--format", "json", "--output", str(out)])
    assert exported.exit_code == 0, exported.output
    taken = runner.invoke(args=["timetables", "import", str(out), "--format", "json", "--slug", "north-copy"])
    assert taken.exit_code != 0 and "timetable.name: Another timetable is already called “North school”" in taken.output
    copy = ["--slug", "north-copy", "--name", "North copy"]
    planned = runner.invoke(args=["timetables", "import", str(out), "--format", "json", *copy])
    assert planned.exit_code == 0, planned.output
    assert "Nothing was written" in planned.output and "Slots: 2" in planned.output
    assert db.session.scalar(select(Timetable.id).where(Timetable.slug == "north-copy")) is None
    applied = runner.invoke(args=["timetables", "import", str(out), *copy, "--apply"])
    assert applied.exit_code == 0, applied.output
    assert "Imported “North copy” at /north-copy" in applied.output
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "timetable/1", "timetable": ')
    refused = runner.invoke(args=["timetables", "import", str(bad), "--slug", "x", "--apply"])
    assert refused.exit_code != 0 and "malformed JSON" in refused.output
