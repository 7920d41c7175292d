"""The last-change marker: every committed change of what readers see moves it, and nothing else does."""

from __future__ import annotations

import pytest

from tests.integration.helpers import week
from timetable.extensions import db
from timetable.models import Room, Timetable


def revision(timetable_id: int) -> int:
    db.session.expire_all()
    return db.session.get(Timetable, timetable_id).revision


def test_a_recorded_change_moves_the_marker_once_and_a_rollback_not_at_all(school):
    from tests.factories import paint
    from timetable.database import write_transaction

    timetable = school["timetable"]
    before = revision(timetable.id)
    with write_transaction():
        paint(timetable, "slot", school["lessons"][0], "note", week(50), week(50), "Quiz")
    after = revision(timetable.id)
    assert after == before + 1
    assert db.session.get(Timetable, timetable.id).changed_at is not None

    with pytest.raises(RuntimeError), write_transaction():
        paint(timetable, "slot", school["lessons"][0], "note", week(51), week(51), "Never")
        raise RuntimeError("abandoned")
    assert revision(timetable.id) == after


def test_renaming_a_room_and_a_hold_move_the_marker(school, clinic):
    from timetable.database import write_transaction
    from timetable.services import booking as bk

    timetable = school["timetable"]
    before = revision(timetable.id)
    with write_transaction():
        db.session.get(Room, school["r1"]).name = "101 (renamed)"
    assert revision(timetable.id) == before + 1

    other = revision(school["timetable"].id)
    clinic_before = revision(clinic["timetable"].id)
    bk.hold_place(clinic["timetable"], clinic["class"], week(48), 0, 1, "lock-1", bk.DEFAULT_HOLD_LEASE)
    assert revision(clinic["timetable"].id) == clinic_before + 1
    assert revision(school["timetable"].id) == other  # another timetable's marker stays


def test_a_new_timetable_starts_at_a_random_revision(app_ctx):
    from timetable.database import write_transaction
    from timetable.services.creation import create_timetable

    with write_transaction():
        first = create_timetable("a", "A", "Europe/Paris", published=True)
        second = create_timetable("b", "B", "Europe/Paris", published=True)
    assert first.revision != second.revision


def test_setup_revision_moves_with_changes_beyond_rules_and_stays_with_rules_alone(school):
    from tests.factories import paint
    from timetable.database import write_transaction

    timetable_id = school["timetable"].id
    setup = db.session.get(Timetable, timetable_id).setup_revision
    with write_transaction():
        paint(db.session.get(Timetable, timetable_id), "slot", school["lessons"][0], "note", week(50), week(50), "Quiz")
    assert revision(timetable_id) > setup and db.session.get(Timetable, timetable_id).setup_revision == setup
    with write_transaction():
        db.session.get(Room, school["r1"]).name = "101 (renamed)"
    assert db.session.get(Timetable, timetable_id).setup_revision == revision(timetable_id)
