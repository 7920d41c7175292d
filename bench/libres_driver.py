"""Benchmark driver for libres (run by bench/booking.py in its own venv): the same booking workload, through libres.

libres 1.4.0 needs SQLAlchemy 2.1 while Timetable pins 2.0, so this script runs in a separate
virtualenv (.bench/libres-venv) and never imports Timetable. It is given a PostgreSQL DSN of an
empty scratch database and the workload's shape, prints progress lines on stderr, and one JSON
object with the figures on stdout:

    python bench/libres_driver.py --dsn postgresql+psycopg2://user@host/db --slots 40 --weeks 5 \\
        --capacity 5 --clients 1,8 --contenders 50

Workload, as in bench/booking.py: one resource per slot, one allocation per slot and week with
quota = capacity (libres's places), every place booked once in a shuffled order by 1 or 8
threads. A booking is libres's two steps, each its own transaction: reserve into a browser
session (the "shopping cart"), then confirm the session's reservations and approve them, which
writes the reserved slots. libres runs SERIALIZABLE transactions, so a transaction that loses a
race fails on commit; as an application must, the driver retries it (and counts the retries).
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import threading
import time
from datetime import date, datetime, timedelta
from uuid import uuid4
from zoneinfo import ZoneInfo

import libres
from libres.context.session import SERIALIZABLE, SessionProvider
from libres.db.models import ReservedSlot
from libres.modules import errors
from sqlalchemy import create_engine, exc, func, select
from sqlalchemy.orm import scoped_session, sessionmaker

ZONE = "Europe/Paris"
MAX_ATTEMPTS = 200
FIRST_MONDAY = date.min  # set from --first-monday: the week bench/booking.py books first


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def slot_times(slot: int, week: int) -> tuple[datetime, datetime]:
    """Slot n: weekday n % 5, hour 8 + n // 5 (as bench/booking.py lays them out), `week` weeks after the first."""
    day = FIRST_MONDAY + timedelta(weeks=week, days=slot % 5)
    start = datetime(day.year, day.month, day.day, 8 + slot // 5, tzinfo=ZoneInfo(ZONE))
    return start, start + timedelta(hours=1)


class Retried(Exception):
    """A transaction failed MAX_ATTEMPTS times."""


def in_transaction(scheduler, work, counters: dict, lock: threading.Lock):
    """Run work() and commit; on a serialization failure or a lost race on a key, roll back and run it again."""
    for attempt in range(1, MAX_ATTEMPTS + 1):
        try:
            result = work()
            scheduler.commit()
            return result
        except (exc.OperationalError, exc.IntegrityError, exc.InternalError):
            # SERIALIZABLE: another transaction won; PK of reserved_slots: another took that mirror.
            scheduler.rollback()
            with lock:
                counters["retries"] += 1
            time.sleep(random.random() * 0.002 * min(attempt, 10))  # jitter, so that the losers do not collide again
        except BaseException:
            scheduler.rollback()
            raise
    raise Retried()


def book(scheduler, start: datetime, end: datetime, email: str, counters: dict, lock: threading.Lock) -> None:
    """Reserve into a session, then confirm and approve: two transactions, as a hold then a confirmation."""
    session_id = uuid4()
    token = in_transaction(scheduler, lambda: scheduler.reserve(email, (start, end), session_id=session_id), counters, lock)

    def confirm():
        scheduler.queries.confirm_reservations_for_session(session_id)
        return scheduler.approve_reservations(token)

    in_transaction(scheduler, confirm, counters, lock)


def session_provider(dsn: str, connections: int) -> SessionProvider:
    """libres's own provider (SERIALIZABLE, as it requires), with a pool big enough for every contender."""
    provider = SessionProvider(dsn)
    provider.engine.dispose()
    provider.engine = create_engine(dsn, pool_size=connections, max_overflow=5, isolation_level=SERIALIZABLE)
    provider.session = scoped_session(sessionmaker(bind=provider.engine))
    return provider


def setup(context, slots: int, weeks: int, capacity: int) -> None:
    for slot in range(slots):
        scheduler = libres.new_scheduler(context, f"slot-{slot}", ZONE)
        if slot == 0:
            scheduler.setup_database()
        scheduler.allocate([slot_times(slot, week) for week in range(weeks)], quota=capacity)
        scheduler.commit()
    contention = libres.new_scheduler(context, "race", ZONE)
    contention.allocate(slot_times(0, 0), quota=capacity)
    contention.commit()


def throughput(context, slots: int, weeks: range, capacity: int, clients: int) -> dict:
    tasks = [(slot, week, place) for slot in range(slots) for week in weeks for place in range(capacity)]
    random.Random(clients).shuffle(tasks)
    pending = iter(tasks)
    lock = threading.Lock()
    counters = {"retries": 0, "failures": 0, "done": 0}
    schedulers = {slot: libres.new_scheduler(context, f"slot-{slot}", ZONE) for slot in range(slots)}

    def client(number: int) -> None:
        own = {slot: scheduler.clone() for slot, scheduler in schedulers.items()}
        while True:
            with lock:
                task = next(pending, None)
            if task is None:
                break
            slot, week, place = task
            start, end = slot_times(slot, week)
            try:
                book(own[slot], start, end, f"c{number}-{slot}-{week}-{place}@example.org", counters, lock)
                with lock:
                    counters["done"] += 1
            except (errors.LibresError, Retried):
                with lock:
                    counters["failures"] += 1
        own[0].session.close()

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    return {"clients": clients, "bookings": counters["done"], "seconds": elapsed,
            "per_second": counters["done"] / elapsed, "retries": counters["retries"], "failures": counters["failures"]}


def contention(context, contenders: int, capacity: int) -> dict:
    """`contenders` threads each try once to book one place of the `race` allocation (quota = capacity)."""
    start, end = slot_times(0, 0)
    lock = threading.Lock()
    counters = {"retries": 0}
    outcomes: list[str] = []
    barrier = threading.Barrier(contenders)

    def contender(number: int) -> None:
        scheduler = libres.new_scheduler(context, "race", ZONE)
        barrier.wait()
        try:
            book(scheduler, start, end, f"r{number}@example.org", counters, lock)
            outcome = "booked"
        except (errors.AlreadyReservedError, errors.NotReservableError):
            outcome = "refused"
        except BaseException as error:  # noqa: BLE001 — counted, the figure is the point
            outcome = f"error: {type(error).__name__}"
        finally:
            scheduler.session.close()
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(contenders)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    scheduler = libres.new_scheduler(context, "race", ZONE)
    taken = scheduler.session.scalar(select(func.count()).select_from(ReservedSlot).where(
        ReservedSlot.resource.in_([a.resource for a in scheduler.managed_allocations()])))
    scheduler.session.close()
    return {"contenders": contenders, "capacity": capacity, "booked": outcomes.count("booked"),
            "refused": outcomes.count("refused"), "errors": len([o for o in outcomes if o.startswith("error")]),
            "error_kinds": sorted({o for o in outcomes if o.startswith("error")}),
            "places_taken": taken, "retries": counters["retries"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dsn", required=True)
    parser.add_argument("--slots", type=int, default=40)
    parser.add_argument("--weeks", type=int, default=5, help="weeks per run")
    parser.add_argument("--capacity", type=int, default=5)
    parser.add_argument("--clients", default="1,8")
    parser.add_argument("--contenders", type=int, default=50)
    parser.add_argument("--first-monday", type=date.fromisoformat, required=True,
                        help="the Monday of the first week booked (bench/booking.py passes next week's)")
    args = parser.parse_args()
    global FIRST_MONDAY
    FIRST_MONDAY = args.first_monday
    runs = [int(n) for n in args.clients.split(",")]

    context = libres.registry.register_context("timetable_bench")
    context.set_setting("dsn", args.dsn)
    # One connection per contender, so that the race is between transactions, not for the pool.
    context.set_service("session_provider", lambda ctx: session_provider(args.dsn, args.contenders + 5), cache=True)
    say(f"  libres {libres.__version__}: {args.slots} resources × {args.weeks * len(runs)} weekly allocations "
        f"(quota {args.capacity}), one more for the contention run…")
    setup(context, args.slots, args.weeks * len(runs), args.capacity)

    results = {"libres": libres.__version__, "runs": []}
    for n, clients in enumerate(runs):
        weeks = range(n * args.weeks, (n + 1) * args.weeks)
        say(f"  libres: {clients} client{'s' if clients > 1 else ''} booking "
            f"{args.slots * args.weeks * args.capacity} places…")
        results["runs"].append(throughput(context, args.slots, weeks, args.capacity, clients))
        run = results["runs"][-1]
        say(f"    {run['bookings']} bookings in {run['seconds']:.1f} s ({run['retries']} retried transactions)")
    say(f"  libres: {args.contenders} concurrent bookings of {args.capacity} places…")
    results["contention"] = contention(context, args.contenders, args.capacity)
    print(json.dumps(results), flush=True)


if __name__ == "__main__":
    main()
