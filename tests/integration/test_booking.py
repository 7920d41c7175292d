"""Booking: holds under lock codes, confirmation, expiry, waiting list, approval, refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.clock import PINNED_NOW
from tests.factories import paint
from tests.integration.helpers import week
from timetable.database import write_transaction
from timetable.models import Booking
from timetable.services import booking as bk
from timetable.services.errors import NotFound, ServiceError

T0 = PINNED_NOW  # the Friday before week(48): booking is open in week(48)
LEASE = timedelta(minutes=10)


def hold(clinic, lock, places=1, slot="class", at=T0, appointment=0, n=48):
    return bk.hold_place(clinic["timetable"], clinic[slot], week(n), appointment, places, lock, LEASE, at)


def free(clinic, lock=None, at=T0, slot="class", n=48):
    return [u.free for u in bk.week_availability(clinic["timetable"], week(n), lock, at)[clinic[slot]]]


def test_holds_take_places_until_their_lease_runs_out_even_without_the_purge(clinic):
    hold(clinic, "visitor-a", places=2)
    assert free(clinic) == [3]
    assert free(clinic, at=T0 + LEASE - timedelta(seconds=1)) == [3]
    assert free(clinic, at=T0 + LEASE) == [5]  # expired: never counts, purge or not
    assert Booking.query.count() == 1


def test_a_visitor_sees_their_own_hold_as_theirs(clinic):
    hold(clinic, "visitor-a", places=2)
    [mine] = bk.week_availability(clinic["timetable"], week(48), "visitor-a", T0)[clinic["class"]]
    assert (mine.free, mine.mine, mine.held_by_others) == (3, 2, 0)
    [theirs] = bk.week_availability(clinic["timetable"], week(48), "visitor-b", T0)[clinic["class"]]
    assert (theirs.mine, theirs.held_by_others) == (0, 2)


def test_holding_again_with_the_same_code_replaces_the_hold_and_extends_the_lease(clinic):
    hold(clinic, "  visitor-a ", places=2)
    again = hold(clinic, "visitor-a", places=3, at=T0 + timedelta(minutes=8))  # trimmed: same code
    assert free(clinic, at=T0 + timedelta(minutes=15)) == [2]  # still held, lease extended
    assert Booking.query.count() == 1 and again.places == 3
    hold(clinic, "visitor-a", slot="consultation", appointment=1, at=T0 + timedelta(minutes=9))
    assert free(clinic, at=T0 + timedelta(minutes=9)) == [5]  # moved to another occurrence
    assert free(clinic, slot="consultation", at=T0 + timedelta(minutes=9)) == [1, 0, 1]


def test_capacity_is_never_exceeded_and_the_refusal_writes_nothing(clinic):
    for n in range(5):
        hold(clinic, f"visitor-{n}")
    with pytest.raises(bk.Full, match="full"):
        hold(clinic, "late")
    assert Booking.query.count() == 5
    later = T0 + LEASE  # all five holds ran out: room again
    hold(clinic, "a", places=4, at=later)
    with pytest.raises(bk.Full, match="Only 1 place left"):
        hold(clinic, "b", places=2, at=later)


def test_confirm_keeps_the_held_place_and_gives_a_private_link(clinic):
    hold(clinic, "visitor-a", places=2)
    booking, key = bk.confirm_booking(clinic["timetable"], "visitor-a", "Ada", "ada@example.org", T0 + timedelta(minutes=5))
    assert booking.status == "confirmed" and booking.places == 2 and len(booking.reference) == 8
    assert booking.lock_code_hash is None and booking.expires_at is None
    assert bk.find_booking(booking.reference, key) is booking
    assert free(clinic, at=T0 + timedelta(days=1)) == [3]  # confirmed places do not expire
    with pytest.raises(NotFound):
        bk.find_booking(booking.reference, "someone-else's-guess")


def test_confirming_after_the_lease_checks_again_and_says_when_the_place_is_gone(clinic):
    hold(clinic, "slow", slot="consultation")
    late = T0 + LEASE + timedelta(minutes=1)
    hold(clinic, "quick", slot="consultation", at=late)
    with pytest.raises(bk.Full, match="Your hold ran out and the place has been taken since"):
        bk.confirm_booking(clinic["timetable"], "slow", "Slow", "slow@example.org", late)
    # A hold that ran out but whose place is still free is confirmed.
    hold(clinic, "other", slot="consultation", appointment=2)
    booking, _ = bk.confirm_booking(clinic["timetable"], "other", "O", "o@example.org", late)
    assert booking.status == "confirmed"


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda c: hold(c, "   "), ServiceError, "lock code is required"),
        (lambda c: hold(c, "v", places=0), ServiceError, "at least one place"),
        (lambda c: hold(c, "v", places=6), ServiceError, "At most 5 places"),
        (lambda c: hold(c, "v", slot="consultation", appointment=3), ServiceError, "no appointment 3"),
        (lambda c: bk.hold_place(c["timetable"], c["class"], week(40) - 1, 0, 1, "v", LEASE, T0), NotFound, "does not take place"),
        (lambda c: bk.confirm_booking(c["timetable"], "nobody", "N", "n@example.org", T0), NotFound, "No place is held"),
        (lambda c: (hold(c, "v"), bk.confirm_booking(c["timetable"], "v", "N", "not-an-email", T0)), ServiceError, "not an email address"),
        (lambda c: (hold(c, "v"), bk.confirm_booking(c["timetable"], "v", " ", "n@example.org", T0)), ServiceError, "Give a name"),
    ],
)
def test_refusals_are_clear_and_write_nothing_more(clinic, call, error, message):
    with pytest.raises(error, match=message):
        call(clinic)
    assert Booking.query.filter(Booking.status != "held").count() == 0


def test_a_closed_occurrence_cannot_be_booked(clinic):
    with write_transaction():
        paint(clinic["timetable"], "slot", clinic["class"], "status", week(48), week(48), "temporarily_closed")
        paint(clinic["timetable"], "slot", clinic["class"], "note", week(48), week(48), "Physio on leave")
    with pytest.raises(ServiceError, match=r"closed in 2026-W48 \(Physio on leave\)"):
        hold(clinic, "v")
    assert clinic["class"] not in bk.week_availability(clinic["timetable"], week(48), None, T0)
    hold(clinic, "v", n=49)


def test_the_waiting_list_is_offered_freed_places_in_order(clinic):
    for n in range(4):
        hold(clinic, f"v{n}", slot="class")
        bk.confirm_booking(clinic["timetable"], f"v{n}", f"V{n}", f"v{n}@example.org", T0)
    with pytest.raises(ServiceError, match="There is room"):
        bk.join_waiting_list(clinic["timetable"], clinic["class"], week(48), 0, 1, "Early", "e@example.org", T0)
    hold(clinic, "last", places=1)
    bk.confirm_booking(clinic["timetable"], "last", "Last", "last@example.org", T0)
    first, first_key = bk.join_waiting_list(clinic["timetable"], clinic["class"], week(48), 0, 1, "First", "f@example.org", T0)
    second, _ = bk.join_waiting_list(clinic["timetable"], clinic["class"], week(48), 0, 1, "Second", "s@example.org", T0)

    gone = Booking.query.filter_by(name="V0").one()
    bk.cancel_by_scheduler(clinic["timetable"], gone.id, T0 + timedelta(hours=1))
    assert (first.status, second.status) == ("offered", "waiting")
    assert free(clinic, at=T0 + timedelta(hours=1)) == [0]  # the offer holds the freed place
    bk.accept_offer(first.reference, first_key, T0 + timedelta(hours=2))
    assert first.status == "confirmed"


def test_a_lapsed_offer_goes_to_the_next_in_line_when_holds_are_purged(clinic):
    for n in range(5):
        hold(clinic, f"v{n}")
    waiting, _ = bk.join_waiting_list(clinic["timetable"], clinic["class"], week(48), 0, 1, "W", "w@example.org", T0)
    assert bk.purge_expired_holds(T0 + LEASE) == 5
    assert waiting.status == "offered"
    assert Booking.query.filter_by(status="held").count() == 0


def test_manual_approval_requests_then_scheduler_decides(clinic):
    with write_transaction():
        paint(clinic["timetable"], "slot", clinic["consultation"], "booking_approval", None, None, "manual")
    hold(clinic, "v", slot="consultation")
    request, _ = bk.confirm_booking(clinic["timetable"], "v", "Vi", "vi@example.org", T0)
    assert request.status == "requested"
    assert free(clinic, slot="consultation", at=T0 + timedelta(days=3)) == [0, 1, 1]  # a request takes the place
    bk.decide_request(clinic["timetable"], request.id, approve=False, now=T0)
    assert request.status == "denied"
    assert free(clinic, slot="consultation", at=T0) == [1, 1, 1]
    with pytest.raises(ServiceError, match="not awaiting approval"):
        bk.decide_request(clinic["timetable"], request.id, approve=True, now=T0)


def test_cancel_with_the_private_link_only(clinic):
    hold(clinic, "v")
    booking, key = bk.confirm_booking(clinic["timetable"], "v", "V", "v@example.org", T0)
    with pytest.raises(NotFound, match="No booking matches this link"):
        bk.cancel_booking(booking.reference, "wrong", T0)
    assert booking.status == "confirmed"
    bk.cancel_booking(booking.reference.lower(), key, T0)
    assert booking.status == "cancelled" and free(clinic) == [5]
    with pytest.raises(ServiceError, match="already cancelled"):
        bk.cancel_booking(booking.reference, key, T0)


def test_an_edit_preview_lists_the_bookings_it_moves_closes_or_shrinks(clinic):
    from timetable.services.editing import EditRequest, apply_plan, plan_edit

    for n in range(3):
        hold(clinic, f"v{n}")
        bk.confirm_booking(clinic["timetable"], f"v{n}", f"V{n}", f"v{n}@example.org", T0)
    hold(clinic, "held", at=datetime.now(UTC))
    requests = [EditRequest("slot", (clinic["class"],), "capacity", week(48), week(48), 2),
                EditRequest("slot", (clinic["class"],), "weekday", week(48), week(49), 3)]
    plan = plan_edit(clinic["timetable"], requests, week(48))
    [line] = plan.preview.bookings  # W49 has no booking
    assert line.week == week(48) and line.counts == (("confirmed", 3), ("held", 1))
    assert str(line) == ("Back care · Mon 10:00 · 2026-W48: 3 confirmed, 1 held — "
                         "capacity 5 → 2; weekday Monday → Wednesday")
    note = EditRequest("slot", (clinic["class"],), "note", week(48), week(48), "Bring a mat")
    untouched = plan_edit(clinic["timetable"], [note], week(48))
    assert untouched.preview.bookings == ()
    apply_plan(clinic["timetable"], requests, plan.token, None)
    assert Booking.query.filter_by(status="confirmed").count() == 3  # bookings are kept, not dropped


def test_raising_capacity_offers_the_new_places_to_the_waiting_list(clinic):
    from timetable.services.editing import EditRequest, apply_plan, plan_edit

    for n in range(5):
        hold(clinic, f"v{n}", at=datetime.now(UTC))
    waiting, _ = bk.join_waiting_list(clinic["timetable"], clinic["class"], week(48), 0, 1, "W", "w@example.org")
    request = [EditRequest("slot", (clinic["class"],), "capacity", week(48), week(48), 6)]
    apply_plan(clinic["timetable"], request, plan_edit(clinic["timetable"], request, week(48)).token, None)
    assert waiting.status == "offered"


def test_a_lapsed_offer_sends_the_visitor_back_in_line_and_the_place_to_the_next(clinic):
    for n in range(5):
        hold(clinic, f"v{n}")
        bk.confirm_booking(clinic["timetable"], f"v{n}", f"V{n}", f"v{n}@example.org", T0)
    first, first_key = bk.join_waiting_list(clinic["timetable"], clinic["class"], week(48), 0, 1, "First", "f@example.org", T0)
    second, _ = bk.join_waiting_list(clinic["timetable"], clinic["class"], week(48), 0, 1, "Second", "s@example.org", T0)
    bk.cancel_by_scheduler(clinic["timetable"], Booking.query.filter_by(name="V0").one().id, T0)
    assert first.status == "offered"
    too_late = T0 + bk.DEFAULT_OFFER_LEASE + timedelta(seconds=1)
    with pytest.raises(bk.Full, match="back at the end of the waiting list"):
        bk.accept_offer(first.reference, first_key, too_late)
    from timetable.extensions import db

    db.session.expire_all()  # read what was committed, not what the session remembers
    assert (db.session.get(Booking, first.id).status, db.session.get(Booking, second.id).status) == ("waiting", "offered")


def test_an_occurrence_that_has_begun_can_no_longer_be_booked(clinic):
    # The class is on Monday 2026-11-23 at 10:00 in Paris, that is 09:00 UTC.
    starts = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    hold(clinic, "early", at=starts - timedelta(minutes=1))
    with pytest.raises(ServiceError, match="already begun"):
        hold(clinic, "late", at=starts)
    with pytest.raises(ServiceError, match="already begun"):
        bk.join_waiting_list(clinic["timetable"], clinic["class"], week(48), 0, 1, "L", "l@example.org", starts)
    [unit] = bk.week_availability(clinic["timetable"], week(48), None, starts)[clinic["class"]]
    assert unit.started and unit.free == 0
    [before] = bk.week_availability(clinic["timetable"], week(48), None, starts - timedelta(minutes=1))[clinic["class"]]
    assert not before.started and before.free == 4
    # The consultation's appointments each close at their own start.
    nine_twenty = datetime(2026, 11, 24, 8, 20, tzinfo=UTC)
    units = bk.week_availability(clinic["timetable"], week(48), None, nine_twenty)[clinic["consultation"]]
    assert [u.started for u in units] == [True, True, False]
