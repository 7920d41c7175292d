"""The school calendar as an overlay: holidays and the A/B cycle filter every week, stripes stay as they are."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.clock import PINNED_NOW
from tests.factories import paint
from tests.integration.helpers import all_rules, week
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import Booking, ChangeSet, Term
from timetable.rules.calendar import Cycle, Holiday
from timetable.services import booking as bk
from timetable.services.calendar import CalendarSpec, TermSpec, calendar_spec, load_calendar, replace_calendar
from timetable.services.errors import ServiceError
from timetable.services.resolution import resolve_slot, resolve_week

WEDNESDAY_W48 = date(2026, 11, 25)


def weekdays_in(timetable, n, **kwargs):
    return sorted(o.weekday for o in resolve_week(timetable, week(n), **kwargs))


def test_a_holiday_hides_the_occurrences_on_its_dates_and_writes_no_rule(school):
    timetable = school["timetable"]
    rules_before, changes_before = all_rules(), db.session.scalar(select(func.count(ChangeSet.id)))
    replace_calendar(timetable, CalendarSpec(holidays=[Holiday("Founders' day", WEDNESDAY_W48, WEDNESDAY_W48)]))

    assert weekdays_in(timetable, 48) == [1, 1, 2, 4, 5]  # Monday has Maths and Physics; no Wednesday
    assert weekdays_in(timetable, 49) == [1, 1, 2, 3, 4, 5]
    marked = {o.weekday: o.off for o in resolve_week(timetable, week(48), include_closed=True)}
    assert marked[3] == "Holiday: Founders' day" and marked[2] is None
    # The slot's history is not polluted: the same rules, no new change in the history.
    assert all_rules() == rules_before
    assert db.session.scalar(select(func.count(ChangeSet.id))) == changes_before


def test_booking_is_refused_on_a_holiday_and_the_refusal_writes_nothing(clinic):
    timetable = clinic["timetable"]
    monday_w48 = date(2026, 11, 23)
    assert bk.week_availability(timetable, week(48), None, PINNED_NOW)[clinic["class"]]
    replace_calendar(timetable, CalendarSpec(holidays=[Holiday("Bank holiday", monday_w48, monday_w48)]))

    assert clinic["class"] not in bk.week_availability(timetable, week(48), None, PINNED_NOW)
    with pytest.raises(ServiceError) as caught:
        bk.hold_place(timetable, clinic["class"], week(48), 0, 1, "visitor", timedelta(minutes=10), PINNED_NOW)
    assert "2026-11-23 (Holiday: Bank holiday): booking is closed" in str(caught.value)
    assert db.session.scalar(select(func.count(Booking.id))) == 0
    # The week after is bookable as before.
    assert bk.hold_place(timetable, clinic["class"], week(49), 0, 1, "visitor", timedelta(minutes=10), PINNED_NOW)


def test_an_a_only_slot_takes_place_in_week_a_and_not_in_week_b(school):
    timetable, monday = school["timetable"], school["lessons"][0]
    replace_calendar(timetable, CalendarSpec(cycle=Cycle(2, week(48))))
    with write_transaction():
        paint(timetable, "slot", monday, "cycle_weeks", week(48), None, "A")

    def has_monday(n):
        return monday in {o.slot_id for o in resolve_week(timetable, week(n))}

    assert [has_monday(n) for n in (47, 48, 49, 50, 51)] == [True, True, False, True, False]
    off = resolve_slot(timetable, monday, week(49))
    assert off is not None and off.off == "Week A only (this is week B)"
    # The parameter has a history like any other: before 2026-W48 it ran every week.
    assert resolve_slot(timetable, monday, week(47)).values["cycle_weeks"] == ""


def test_a_holiday_week_does_not_advance_the_cycle(school):
    timetable = school["timetable"]
    monday_w49 = date(2026, 11, 30)
    replace_calendar(timetable, CalendarSpec(
        holidays=[Holiday("Winter break", monday_w49, monday_w49 + timedelta(days=4))],
        cycle=Cycle(2, week(48), {week(51): "A"}),
    ))
    calendar = load_calendar(timetable)
    assert [calendar.label(week(n)) for n in (48, 49, 50, 51, 52)] == ["A", None, "B", "A", "B"]
    assert resolve_week(timetable, week(49)) == []


def test_replacing_the_calendar_replaces_all_of_it(school):
    timetable = school["timetable"]
    replace_calendar(timetable, CalendarSpec(
        terms=[TermSpec("Autumn", week(40), week(51)), TermSpec("Year", week(40), week(52))],
        holidays=[Holiday("Break", WEDNESDAY_W48, WEDNESDAY_W48)],
        cycle=Cycle(2, week(48), {week(50): "A"}),
    ))
    replace_calendar(timetable, CalendarSpec(terms=[TermSpec("Spring", week(50), week(52))]))
    spec = calendar_spec(timetable)
    assert [t.name for t in spec.terms] == ["Spring"]
    assert spec.holidays == () and spec.cycle.length == 1


def test_a_duplicate_term_name_is_refused_and_nothing_changes(school):
    timetable = school["timetable"]
    replace_calendar(timetable, CalendarSpec(terms=[TermSpec("Autumn", week(40), week(51))]))
    with pytest.raises(ServiceError, match="two terms are called “autumn”"):
        replace_calendar(timetable, CalendarSpec(
            terms=[TermSpec("Autumn", week(40), week(45)), TermSpec("autumn", week(46), week(51))],
        ))
    assert [t.name for t in db.session.scalars(select(Term))] == ["Autumn"]


def test_an_a_week_lesson_and_a_b_week_lesson_in_one_room_do_not_clash(school):
    from timetable.services.creation import create_slot
    from timetable.services.editing.previews import week_clashes

    timetable, maths_monday = school["timetable"], school["lessons"][0]
    replace_calendar(timetable, CalendarSpec(cycle=Cycle(2, week(48))))
    with write_transaction():
        other = create_slot(timetable, {"weekday": 1, "start": 8 * 60, "duration": 50, "room": school["r1"], "title": "Art"}, week(48))
    assert [c.kind for c in week_clashes(timetable, week(48))] == ["room"]
    with write_transaction():
        paint(timetable, "slot", maths_monday, "cycle_weeks", week(48), None, "A")
        paint(timetable, "slot", other.id, "cycle_weeks", week(48), None, "B")
    assert week_clashes(timetable, week(48)) == [] and week_clashes(timetable, week(49)) == []
    assert {o.slot_id for o in resolve_week(timetable, week(48)) if o.weekday == 1 and o.start == 480} == {maths_monday}
    assert {o.slot_id for o in resolve_week(timetable, week(49)) if o.weekday == 1 and o.start == 480} == {other.id}
