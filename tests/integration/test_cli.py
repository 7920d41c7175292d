"""Command-line tools: editor accounts and the demo timetables."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from timetable.models import Slot, Timetable, User
from timetable.rules import add_weeks, week_of
from timetable.services.catalog import current_week, get_timetable
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
    assert len(resolve_week(school, current_week(school))) == 350


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


def _demo_history(school):
    """The demo's painted history, week by week, as a newcomer would read it off the grid."""
    directory = load_directory(school.id)
    ito = next(i for i, name in directory.staff.items() if name == "C. Ito")
    moreau = next(i for i, name in directory.staff.items() if name == "A. Moreau")
    lab = next(i for i, name in directory.room.items() if name == "Language lab")

    def week(n: int) -> dict:
        occurrences = resolve_week(school, add_weeks(current_week(school), n))
        substituted = [o for o in occurrences if o.values["substitute"] == ito]
        return {
            "lessons": len(occurrences),
            "substituted": len(substituted),
            "moreau_sick": all(o.values["staff"] == (moreau,) and o.values["staff_status"] == "sick" for o in substituted),
            "notes": [o.values["note"] for o in occurrences if o.status == "temporarily_closed"],
            "in_lab": len([o for o in occurrences if o.values["room"] == lab]),
        }

    return week


def test_the_demo_school_has_history_painted_around_this_week(runner, app_ctx):
    runner.invoke(args=["demo", "load", "--without-user"])
    week = _demo_history(get_timetable("school"))
    before, last, this, following = week(-2), week(-1), week(0), week(1)

    assert this["lessons"] == 350
    assert before["substituted"] == 0 and following["substituted"] == 0
    assert this["substituted"] > 0 and this["moreau_sick"]
    assert last["substituted"] == this["substituted"] and last["moreau_sick"]
    assert this["notes"] == ["Class trip to the science museum"]
    assert last["notes"] == [] and following["notes"] == []
    assert following["in_lab"] == this["in_lab"] + 1 == week(2)["in_lab"] + 1  # a one-week room change


def test_the_demos_history_is_in_the_history_and_can_be_undone(runner, app_ctx):
    from timetable.models import ChangeSet
    from timetable.services.editing.history import apply_undo, plan_undo

    runner.invoke(args=["demo", "load", "--without-user"])
    school = get_timetable("school")
    summaries = [c.summary for c in ChangeSet.query.filter_by(timetable_id=school.id).order_by(ChangeSet.id)]
    assert summaries[2:] == [
        "A. Moreau is off sick; C. Ito stands in", "10B's class trip to the science museum",
        "9A's Tuesday lesson moves to the language lab for one week", "9A maths moves to the language lab from next term",
        "The chess club closes",
    ]
    sick = ChangeSet.query.filter_by(summary="A. Moreau is off sick; C. Ito stands in").one()
    plan = plan_undo(school, sick.id, current_week(school))
    apply_undo(school, sick.id, plan.token, None)
    assert _demo_history(school)(0)["substituted"] == 0


@pytest.mark.parametrize("moment", [
    "2027-01-01 09:00",  # a Friday in 2026-W53, a 53-week year
    "2027-01-05 09:00",  # 2027-W01
    "2027-07-20 09:00",  # the summer holidays
    "2027-08-30 09:00",  # the week of 1 September: the next school year has begun
    "2031-05-20 09:00",  # another school year
    "2035-12-31 09:00",
])
def test_the_demo_built_on_any_date_shows_a_full_week_with_its_history(runner, app_ctx, pinned_clock, moment):
    pinned_clock.move_to(datetime.fromisoformat(moment).replace(tzinfo=UTC))
    result = runner.invoke(args=["demo", "load", "--without-user"])
    assert result.exit_code == 0, result.output
    school, clinic = get_timetable("school"), get_timetable("clinic")
    assert current_week(school) == week_of(date.fromisoformat(moment[:10]))
    this = _demo_history(school)(0)
    assert this["lessons"] >= 349 and this["substituted"] > 0 and this["notes"]
    assert len(resolve_week(clinic, current_week(clinic))) == 12
    terms = school.terms
    assert terms[0].start_week <= current_week(school) <= terms[0].end_week


def test_bookings_purge_holds_deletes_only_expired_holds_and_says_how_many(runner, clinic):
    from datetime import datetime, timedelta

    from tests.integration.helpers import week
    from timetable.models import Booking
    from timetable.services.booking import hold_place

    now = datetime.now(UTC)
    for n, age in enumerate((timedelta(hours=1), timedelta(minutes=11))):
        hold_place(clinic["timetable"], clinic["class"], week(48), 0, 1, f"gone-{n}", timedelta(minutes=10), now - age)
    hold_place(clinic["timetable"], clinic["class"], week(48), 0, 1, "live", timedelta(minutes=10), now)

    result = runner.invoke(args=["bookings", "purge-holds"])
    assert result.exit_code == 0, result.output
    assert result.output == "Purged 2 expired holds.\n"
    assert Booking.query.count() == 1

    again = runner.invoke(args=["bookings", "purge-holds"])
    assert again.output == "Purged 0 expired holds.\n"
