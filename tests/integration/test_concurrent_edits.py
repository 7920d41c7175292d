"""Writers racing on one stripe: never overlapping rules, never a lost acknowledged edit."""

from __future__ import annotations

import itertools
import threading

from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import Timetable
from timetable.rules import Rule, add_weeks, apply, iter_weeks, paint, parse_week, validate_stripe, value_at
from timetable.services.creation import create_slot, create_timetable
from timetable.services.editing import EditRequest, StalePlan, apply_plan, plan_edit
from timetable.services.errors import ServiceError
from timetable.services.stripes import load_stripes

WRITERS = 6
EDITS_EACH = 5
FIRST = parse_week("2026-W50")  # the window crosses 2026-W53 into 2027
WINDOW = 6


def test_concurrent_writers_of_one_stripe(app):
    with app.app_context():
        with write_transaction():
            timetable = create_timetable("race", "Race", "UTC")
            slot = create_slot(timetable, {"weekday": 1, "start": 480}, None)
        timetable_id, slot_id = timetable.id, slot.id

    acknowledged: list[tuple[int, int, int, str]] = []  # (change set id, first week, last week, value)
    failures: list[BaseException] = []
    retries = [0]
    lock = threading.Lock()
    start_together = threading.Barrier(WRITERS)

    def writer(number: int) -> None:
        try:
            with app.app_context():
                timetable = db.session.get(Timetable, timetable_id)
                start_together.wait()
                for edit in range(EDITS_EACH):
                    # Every writer paints three-week ranges into one shared window, starting
                    # from an empty stripe: inserts race with inserts, updates with deletes.
                    week = add_weeks(FIRST, (number + 2 * edit) % WINDOW)
                    last = add_weeks(week, 2)
                    value = "same" if number % 2 else f"w{number}e{edit}"
                    request = [EditRequest("slot", (slot_id,), "note", week, last, value)]
                    for _attempt in range(200):
                        plan = plan_edit(timetable, request, week)
                        try:
                            change_set = apply_plan(timetable, request, plan.token, None)
                        except StalePlan:
                            with lock:
                                retries[0] += 1
                            continue
                        except ServiceError as error:
                            # Another writer already painted the same value there: nothing to do.
                            assert str(error).startswith("Nothing to apply"), error
                            break
                        with lock:
                            acknowledged.append((change_set.id, week, last, value))
                        break
                    else:
                        raise AssertionError(f"writer {number} never got edit {edit} in")
        except BaseException as error:  # report in the main thread
            failures.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not failures, failures
    assert len(acknowledged) > WRITERS

    with app.app_context():
        stripe = load_stripes({("slot", slot_id, "note")})[("slot", slot_id, "note")]
        validate_stripe(stripe)  # raises on any overlap
    # Replaying the acknowledged edits one by one, in the order they were applied, gives
    # exactly the stored stripe: no edit was lost, none half-applied.
    expected: list[Rule] = []
    new_ids = itertools.count(1)
    for _id, first, last, value in sorted(acknowledged):
        expected = apply(expected, paint(expected, first, last, value), new_id=lambda: next(new_ids))
    for week in iter_weeks(add_weeks(FIRST, -1), add_weeks(FIRST, WINDOW + 3)):
        assert value_at(stripe, week) == value_at(expected, week), week
