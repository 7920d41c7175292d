"""One client racing itself: holds sent at once on different occurrences never exceed its share."""

from __future__ import annotations

import threading
from datetime import timedelta

from tests.clock import weeks_ahead
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import Booking, Timetable
from timetable.services.booking import Client, Full, hold_place
from timetable.services.creation import create_slot, create_timetable
from timetable.services.errors import LimitReached

RACERS = 8
LIMIT = 3


def test_concurrent_holds_of_one_client_on_different_units_stop_at_its_limit(app):
    # Each hold is on an occurrence of its own, so the units' locks do not serialize them:
    # only the per-client lock (PostgreSQL) or BEGIN IMMEDIATE (SQLite) keeps the count exact.
    week = weeks_ahead(1)
    with app.app_context():
        with write_transaction():
            timetable = create_timetable("race", "Race", "Europe/Paris", published=True)
            slots = [create_slot(timetable, {"weekday": 1 + n % 5, "start": 600 + 60 * (n // 5), "duration": 30, "capacity": 5},
                                 202640).id for n in range(RACERS)]
        timetable_id = timetable.id

    outcomes: list[str] = []
    failures: list[BaseException] = []
    start_together = threading.Barrier(RACERS)
    lock = threading.Lock()

    def racer(number: int) -> None:
        try:
            with app.app_context():
                timetable = db.session.get(Timetable, timetable_id)
                start_together.wait()
                try:
                    hold_place(timetable, slots[number], week, 0, 1, f"code-{number}", timedelta(minutes=10),
                               client=Client.at("10.0.0.66", holds=LIMIT))
                    outcome = "held"
                except (LimitReached, Full) as error:
                    outcome = type(error).__name__
                with lock:
                    outcomes.append(outcome)
        except BaseException as error:  # report in the main thread
            failures.append(error)

    threads = [threading.Thread(target=racer, args=(n,)) for n in range(RACERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not failures, failures
    assert sorted(outcomes) == ["LimitReached"] * (RACERS - LIMIT) + ["held"] * LIMIT
    with app.app_context():
        assert db.session.query(Booking).filter_by(status="held").count() == LIMIT
