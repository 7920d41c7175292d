"""Live events: announced with the transaction, delivered on commit only, to the right timetable."""

from __future__ import annotations

import queue
import threading
from datetime import timedelta

import pytest

from tests.clock import weeks_ahead
from tests.integration.helpers import week
from timetable.services import booking as bk
from timetable.services.editing import EditRequest, apply_plan, plan_edit
from timetable.services.editing.applying import StalePlan
from timetable.services.live import LiveEvent, broker, watchers


def next_event(subscription: queue.Queue, timeout: float = 5.0) -> LiveEvent:
    return subscription.get(timeout=timeout)


@pytest.fixture
def subscription(app, school):
    """A subscriber to the small school, with this process's listener running (PostgreSQL)."""
    watchers.ensure_started(app)
    timetable_id = school["timetable"].id
    subscription = broker.subscribe(timetable_id)
    yield subscription
    broker.unsubscribe(timetable_id, subscription)


def test_an_applied_edit_announces_the_weeks_it_changed(school, subscription):
    request = [EditRequest("slot", (school["lessons"][0],), "note", week(48), week(50), "Exam")]
    apply_plan(school["timetable"], request, plan_edit(school["timetable"], request, week(48)).token, None)
    event = next_event(subscription)
    assert (event.kind, event.spans) == ("change", ((week(48), week(50)),))
    assert event.concerns(week(49)) and not event.concerns(week(51))


def test_a_refused_edit_announces_nothing(school, subscription):
    request = [EditRequest("slot", (school["lessons"][0],), "note", week(48), week(48), "A")]
    plan = plan_edit(school["timetable"], request, week(48))
    apply_plan(school["timetable"], request, plan.token, None)
    next_event(subscription)
    with pytest.raises(StalePlan):
        apply_plan(school["timetable"], request, plan.token, None)  # stale now: rolled back
    with pytest.raises(queue.Empty):
        next_event(subscription, timeout=1.0)


def test_other_timetables_do_not_hear_it(app, school, clinic):
    watchers.ensure_started(app)
    clinic_events = broker.subscribe(clinic["timetable"].id)
    try:
        request = [EditRequest("slot", (school["lessons"][0],), "note", week(48), week(48), "A")]
        apply_plan(school["timetable"], request, plan_edit(school["timetable"], request, week(48)).token, None)
        with pytest.raises(queue.Empty):
            next_event(clinic_events, timeout=1.0)
    finally:
        broker.unsubscribe(clinic["timetable"].id, clinic_events)


def test_holds_and_bookings_travel_as_their_own_events(app, clinic):
    watchers.ensure_started(app)
    events = broker.subscribe(clinic["timetable"].id)
    try:
        bk.hold_place(clinic["timetable"], clinic["class"], weeks_ahead(2), 0, 1, "v", timedelta(minutes=10))
        hold = next_event(events)
        assert (hold.kind, hold.spans) == ("hold", ((weeks_ahead(2), weeks_ahead(2)),))
        bk.confirm_booking(clinic["timetable"], "v", "V", "v@example.org")
        assert next_event(events).kind == "booking"
    finally:
        broker.unsubscribe(clinic["timetable"].id, events)


def test_the_event_stream_sends_what_concerns_the_timetable(app, client, school):
    response = client.get("/t/events", buffered=False)
    assert response.status_code == 200 and response.mimetype == "text/event-stream"
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    request = [EditRequest("slot", (school["lessons"][0],), "note", week(48), week(48), "Live")]
    apply_plan(school["timetable"], request, plan_edit(school["timetable"], request, week(48)).token, None)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(next(chunks)), daemon=True)
    reader.start()
    reader.join(timeout=5)
    assert received and received[0].startswith(b"event: change\ndata: ")
    assert b'"spans": [[%d, %d]]' % (week(48), week(48)) in received[0]
    response.close()


def test_an_unpublished_timetable_streams_only_to_editors(client, school):
    from timetable.extensions import db

    school["timetable"].published = False
    db.session.commit()
    assert client.get("/t/events").status_code == 404


def test_a_hold_that_runs_out_is_announced_without_any_request(app, clinic):
    watchers.ensure_started(app)
    events = broker.subscribe(clinic["timetable"].id)
    try:
        bk.hold_place(clinic["timetable"], clinic["class"], weeks_ahead(2), 0, 1, "brief", timedelta(seconds=1))
        assert next_event(events).kind == "hold"  # the hold itself
        expired = next_event(events, timeout=5.0)  # then, about a second later, its expiry
        assert (expired.kind, expired.spans) == ("hold", ((weeks_ahead(2), weeks_ahead(2)),))
    finally:
        broker.unsubscribe(clinic["timetable"].id, events)


def test_disconnect_all_ends_open_streams(client, school):
    response = client.get("/t/events", buffered=False)
    chunks = iter(response.response)
    next(chunks)
    broker.disconnect_all()
    with pytest.raises(StopIteration):
        next(chunks)


def test_a_hold_that_runs_out_offers_its_place_to_the_waiting_list_without_cron(app, clinic):
    from timetable.extensions import db
    from timetable.models import Booking

    watchers.ensure_started(app)
    events = broker.subscribe(clinic["timetable"].id)
    try:
        slot, week_key = clinic["class"], weeks_ahead(3)
        for n in range(4):
            bk.hold_place(clinic["timetable"], slot, week_key, 0, 1, f"long-{n}", timedelta(minutes=10))
        bk.hold_place(clinic["timetable"], slot, week_key, 0, 1, "brief", timedelta(seconds=1))
        waiting, _ = bk.join_waiting_list(clinic["timetable"], slot, week_key, 0, 1, "W", "w@example.org")
        deadline = 10
        while deadline > 0:
            next_event(events, timeout=5.0)
            db.session.rollback()  # end this test's read snapshot (SQLite WAL) to see the watcher's commit
            if db.session.get(Booking, waiting.id).status == "offered":
                break
            deadline -= 1
        assert db.session.get(Booking, waiting.id).status == "offered"
    finally:
        broker.unsubscribe(clinic["timetable"].id, events)


def test_a_calendar_change_announces_every_week(school, subscription):
    from datetime import date

    from timetable.rules.calendar import Holiday
    from timetable.services.calendar import CalendarSpec, replace_calendar

    replace_calendar(school["timetable"], CalendarSpec(holidays=[Holiday("Break", date(2026, 11, 25), date(2026, 11, 25))]))
    event = next_event(subscription)
    assert (event.kind, event.spans) == ("change", ((None, None),))
