"""Command-line tools: editor accounts and the demo timetables."""

from __future__ import annotations

from timetable.models import Slot, Timetable, User
from timetable.rules import parse_week
from timetable.services.catalog import get_timetable
from timetable.services.resolution import load_directory, resolve_week


def test_users_create_hashes_the_password_and_refuses_duplicates(runner, app_ctx):
    result = runner.invoke(args=["users", "create", "marie", "--password", "correct horse", "--display-name", "Marie C."])
    assert result.exit_code == 0, result.output
    user = User.query.filter_by(username="marie").one()
    assert user.display_name == "Marie C."
    assert user.password_hash != "correct horse" and user.check_password("correct horse")

    again = runner.invoke(args=["users", "create", "marie", "--password", "another one"])
    assert again.exit_code != 0
    assert "already exists" in again.output
    assert User.query.count() == 1


def test_users_create_refuses_a_short_password(runner, app_ctx):
    result = runner.invoke(args=["users", "create", "bob", "--password", "short"])
    assert result.exit_code != 0
    assert "at least 8 characters" in result.output
    assert User.query.count() == 0


def test_demo_load_shows_progress_and_builds_both_timetables(runner, app_ctx):
    result = runner.invoke(args=["demo", "load"])
    assert result.exit_code == 0, result.output
    assert "[ 1] school:" in result.output and "clinic:" in result.output
    assert "scheduler" in result.output and "timetable-demo" in result.output
    assert {t.slug for t in Timetable.query.all()} == {"school", "clinic"}

    school = get_timetable("school")
    directory = load_directory(school.id)
    assert (len(directory.staff), len(directory.room), len(directory.group)) == (30, 20, 12)
    assert len(resolve_week(school, parse_week("2026-W47"))) == 350


def test_demo_load_is_idempotent_and_replace_rebuilds(runner, app_ctx):
    runner.invoke(args=["demo", "load"])
    slots = Slot.query.count()
    again = runner.invoke(args=["demo", "load"])
    assert again.exit_code == 0
    assert "Kept the existing school, clinic" in again.output
    assert "already exists" in again.output
    assert Slot.query.count() == slots

    replaced = runner.invoke(args=["demo", "load", "--replace"])
    assert replaced.exit_code == 0, replaced.output
    assert "Created school, clinic" in replaced.output
    assert Slot.query.count() == slots
    assert Timetable.query.count() == 2


def test_the_demo_school_has_history_painted_in(runner, app_ctx):
    runner.invoke(args=["demo", "load", "--without-user"])
    school = get_timetable("school")
    directory = load_directory(school.id)
    ito = next(i for i, name in directory.staff.items() if name == "C. Ito")
    moreau = next(i for i, name in directory.staff.items() if name == "A. Moreau")

    def substituted(week: str):
        return [o for o in resolve_week(school, parse_week(week)) if o.values["substitute"] == ito]

    assert substituted("2026-W46") == [] and substituted("2026-W49") == []
    sick_week = substituted("2026-W47")
    assert sick_week and all(o.values["staff"] == moreau and o.values["staff_status"] == "sick" for o in sick_week)
    assert len(substituted("2026-W48")) == len(sick_week)

    notes = [o for o in resolve_week(school, parse_week("2026-W47")) if o.status == "temporarily_closed"]
    assert [o.values["note"] for o in notes] == ["Class trip to the science museum"]
    assert not any(o.status != "open" for o in resolve_week(school, parse_week("2026-W49")))

    language_lab = next(i for i, name in directory.room.items() if name == "Language lab")
    in_lab = {week: len([o for o in resolve_week(school, parse_week(week)) if o.values["room"] == language_lab])
              for week in ("2026-W47", "2026-W48", "2026-W49")}
    assert in_lab["2026-W48"] == in_lab["2026-W47"] + 1 == in_lab["2026-W49"] + 1


def test_bookings_purge_holds_deletes_only_expired_holds_and_says_how_many(runner, clinic):
    from datetime import datetime, timedelta, timezone

    from timetable.models import Booking
    from timetable.services.booking import hold_place
    from tests.integration.helpers import week

    now = datetime.now(timezone.utc)
    for n, age in enumerate((timedelta(hours=1), timedelta(minutes=11))):
        hold_place(clinic["timetable"], clinic["class"], week(48), 0, 1, f"gone-{n}", timedelta(minutes=10), now - age)
    hold_place(clinic["timetable"], clinic["class"], week(48), 0, 1, "live", timedelta(minutes=10), now)

    result = runner.invoke(args=["bookings", "purge-holds"])
    assert result.exit_code == 0, result.output
    assert result.output == "Purged 2 expired holds.\n"
    assert Booking.query.count() == 1

    again = runner.invoke(args=["bookings", "purge-holds"])
    assert again.output == "Purged 0 expired holds.\n"
