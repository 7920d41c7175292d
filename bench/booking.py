"""Benchmark: bookings per second (hold, then confirm) with 1 and 8 concurrent clients, beside libres; and a race for 5 places.

Workload: 40 weekly slots of capacity 5 over 5 weeks — 200 occurrences, 1000 places — every
place booked once, in a shuffled order, by 1 then by 8 clients (each run on weeks of its own).
A booking is the visitor's two steps, each its own transaction: hold a place under a lock code,
then confirm it with a name and an email. The clients are threads of this process calling the
booking services directly, each in its own app context with its own connection — the web layer
is left out so that the comparison with libres, a library, is of like with like.

The same workload then runs through libres 1.4.0 (allocations with quota 5; reserve into a
session, then confirm the session and approve), in its own virtualenv (.bench/libres-venv,
created on first use: libres needs SQLAlchemy 2.1, Timetable pins 2.0) by bench/libres_driver.py,
on its own scratch database of the same PostgreSQL server. libres needs PostgreSQL, so without
BENCH_POSTGRES_URL that part is skipped (and said so).

Last, the contention run: 50 clients released together each try to book one place of a
5-place occurrence; the figures are places taken, bookings, refusals ("full") and errors.
Run from the repository root:

    .venv/bin/python bench/booking.py                         # SQLite files in a temporary folder
    BENCH_POSTGRES_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/booking.py
                                                              # scratch databases on that server, and libres
"""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from timetable import clock, create_app  # noqa: E402
from timetable.database import write_transaction  # noqa: E402
from timetable.extensions import db  # noqa: E402
from timetable.models import Booking, Timetable  # noqa: E402
from timetable.rules import add_weeks, monday_of, week_of  # noqa: E402
from timetable.services.booking import Full, confirm_booking, hold_place  # noqa: E402
from timetable.services.creation import create_slot, create_timetable  # noqa: E402
from timetable.services.errors import ServiceError  # noqa: E402

SLOTS = 40
WEEKS_PER_RUN = 5
CAPACITY = 5
CLIENTS = (1, 8)
CONTENDERS = 50
# Booking refuses what has begun, so the bench books from next week on, whatever today is.
FIRST_WEEK = add_weeks(week_of(clock.today("Europe/Paris")), 1)
LEASE = timedelta(minutes=10)
LIBRES = ("libres==1.4.0", "psycopg2-binary==2.9.13")
LIBRES_VENV = ROOT / ".bench" / "libres-venv"


def say(message: str) -> None:
    print(message, flush=True)


def scratch_databases(names: list[str]) -> tuple[dict[str, str], callable]:
    """Empty databases by name (SQLite files, or on BENCH_POSTGRES_URL's server), and the function that drops them."""
    server = os.environ.get("BENCH_POSTGRES_URL")
    if not server:
        folder = tempfile.mkdtemp(prefix="timetable-bench-")
        return {name: f"sqlite:///{folder}/{name}.sqlite" for name in names}, lambda: None
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()

    base = make_url(server)
    return {name: base.set(database=name).render_as_string(hide_password=False) for name in names}, drop


def slot_values(n: int) -> dict:
    """Slot n: weekday n % 5 + 1, hour 8 + n // 5, an hour long (bench/libres_driver.py lays them out alike)."""
    return {"weekday": n % 5 + 1, "start": (8 + n // 5) * 60, "duration": 60, "title": f"Class {n}", "capacity": CAPACITY}


def build(url: str):
    """The app on `url`, migrated, with the benchmark timetable (40 slots) and the race timetable (1 slot)."""
    # One connection per contender, so that the race is between transactions, not for the pool.
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True,
                      "SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": CONTENDERS + 5, "max_overflow": 5}})
    with app.app_context():
        upgrade()
        with write_transaction():
            bench = create_timetable("bench", "Bench clinic", "Europe/Paris", published=True)
            slots = [create_slot(bench, slot_values(n), FIRST_WEEK).id for n in range(SLOTS)]
            race = create_timetable("race", "Race clinic", "Europe/Paris", published=True)
            race_slot = create_slot(race, slot_values(0), FIRST_WEEK).id
        ids = {"bench": bench.id, "slots": slots, "race": race.id, "race_slot": race_slot}
    return app, ids


def book(timetable: Timetable, slot_id: int, week: int, lock_code: str) -> None:
    hold_place(timetable, slot_id, week, 0, 1, lock_code, LEASE)
    confirm_booking(timetable, lock_code, "Bench visitor", f"{lock_code}@example.org")


def throughput(app, ids: dict, weeks: list[int], clients: int) -> dict:
    tasks = [(slot, week, place) for slot in ids["slots"] for week in weeks for place in range(CAPACITY)]
    random.Random(clients).shuffle(tasks)
    pending = iter(tasks)
    lock = threading.Lock()
    counters = {"done": 0, "full": 0, "failures": 0}

    def client(number: int) -> None:
        with app.app_context():
            timetable = db.session.get(Timetable, ids["bench"])
            while True:
                with lock:
                    task = next(pending, None)
                if task is None:
                    break
                slot, week, place = task
                try:
                    book(timetable, slot, week, f"c{clients}-{number}-{slot}-{week}-{place}")
                    outcome = "done"
                except Full:
                    outcome = "full"
                except ServiceError:
                    outcome = "failures"
                with lock:
                    counters[outcome] += 1

    started = time.perf_counter()
    threads = [threading.Thread(target=client, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    with app.app_context():
        confirmed = db.session.execute(
            select(Booking.slot_id, Booking.week, func.sum(Booking.places))
            .where(Booking.status == "confirmed", Booking.week.in_(weeks)).group_by(Booking.slot_id, Booking.week)
        ).all()
    assert len(confirmed) == len(ids["slots"]) * len(weeks) and all(n == CAPACITY for *_, n in confirmed), confirmed
    return {"clients": clients, "bookings": counters["done"], "seconds": elapsed,
            "per_second": counters["done"] / elapsed, "full": counters["full"], "failures": counters["failures"]}


def contention(app, ids: dict) -> dict:
    """CONTENDERS clients released together each hold, then confirm, one place of a 5-place occurrence."""
    outcomes: list[str] = []
    lock = threading.Lock()
    barrier = threading.Barrier(CONTENDERS)

    def contender(number: int) -> None:
        with app.app_context():
            timetable = db.session.get(Timetable, ids["race"])
            barrier.wait()
            try:
                book(timetable, ids["race_slot"], FIRST_WEEK, f"race-{number}")
                outcome = "booked"
            except Full:
                outcome = "refused"
            except BaseException as error:  # noqa: BLE001 — counted, the figure is the point
                outcome = f"error: {type(error).__name__}: {error}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=contender, args=(n,)) for n in range(CONTENDERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with app.app_context():
        taken = db.session.scalar(select(func.coalesce(func.sum(Booking.places), 0)).where(
            Booking.timetable_id == ids["race"], Booking.status.in_(("confirmed", "held"))))
    errors = sorted({o for o in outcomes if o.startswith("error")})
    return {"contenders": CONTENDERS, "capacity": CAPACITY, "booked": outcomes.count("booked"),
            "refused": outcomes.count("refused"), "errors": len([o for o in outcomes if o.startswith("error")]),
            "error_kinds": errors, "places_taken": taken}


def libres_python() -> Path:
    """The libres virtualenv's interpreter, creating the venv on first use."""
    python = LIBRES_VENV / "bin" / "python"
    check = [str(python), "-c", "import libres, psycopg2; print(libres.__version__)"]
    if python.exists() and subprocess.run(check, capture_output=True, text=True).stdout.strip() == "1.4.0":
        return python
    say(f"  creating {LIBRES_VENV.relative_to(ROOT)} with {' '.join(LIBRES)}…")
    subprocess.run([sys.executable, "-m", "venv", str(LIBRES_VENV)], check=True)
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", *LIBRES], check=True)
    return python


def run_libres(url: str) -> dict:
    # libres is documented with psycopg2; Timetable uses psycopg 3.
    dsn = make_url(url).set(drivername="postgresql+psycopg2").render_as_string(hide_password=False)
    python = libres_python()
    done = subprocess.run(
        [str(python), str(ROOT / "bench" / "libres_driver.py"), "--dsn", dsn, "--slots", str(SLOTS),
         "--weeks", str(WEEKS_PER_RUN), "--capacity", str(CAPACITY), "--clients", ",".join(map(str, CLIENTS)),
         "--contenders", str(CONTENDERS), "--first-monday", monday_of(FIRST_WEEK).isoformat()],
        stdout=subprocess.PIPE, text=True, check=True, timeout=600,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    postgres = bool(os.environ.get("BENCH_POSTGRES_URL"))
    engine = "PostgreSQL" if postgres else "SQLite (no BENCH_POSTGRES_URL: files in a temporary folder)"
    places = SLOTS * WEEKS_PER_RUN * CAPACITY
    say(f"Booking benchmark on {engine}: {SLOTS} slots × {WEEKS_PER_RUN} weeks of {CAPACITY} places = {places} "
        f"bookings (hold + confirm) per run, with {' then '.join(map(str, CLIENTS))} clients; "
        f"then {CONTENDERS} clients racing for {CAPACITY} places")
    say("Timetable: the booking services called in-process, one thread and app context per client")
    names = ["timetable_bench_booking"] + (["timetable_bench_libres"] if postgres else [])
    urls, cleanup = scratch_databases(names)
    try:
        say("  building the timetables…")
        app, ids = build(urls["timetable_bench_booking"])
        runs = []
        for n, clients in enumerate(CLIENTS):
            weeks = [add_weeks(FIRST_WEEK, n * WEEKS_PER_RUN + w) for w in range(WEEKS_PER_RUN)]
            say(f"  Timetable: {clients} client{'s' if clients > 1 else ''} booking {places} places…")
            runs.append(throughput(app, ids, weeks, clients))
            say(f"    {runs[-1]['bookings']} bookings in {runs[-1]['seconds']:.1f} s")
        say(f"  Timetable: {CONTENDERS} concurrent bookings of {CAPACITY} places…")
        race = contention(app, ids)
        with app.app_context():
            db.engine.dispose()

        libres = None
        if postgres:
            libres = run_libres(urls["timetable_bench_libres"])
        else:
            say("  libres: skipped — the libres comparison needs PostgreSQL (set BENCH_POSTGRES_URL)")

        say("")
        say(f"Bookings per second on {'PostgreSQL' if postgres else 'SQLite'} (hold + confirm; {places} places per run)")
        say(f"{'':24}{'Timetable':>12}{'libres':>12}{'Timetable/libres':>18}")
        for n, run in enumerate(runs):
            label = f"{run['clients']} client{'s' if run['clients'] > 1 else ''}"
            if libres:
                other = libres["runs"][n]
                say(f"{label:24}{run['per_second']:>12.1f}{other['per_second']:>12.1f}"
                    f"{run['per_second'] / other['per_second']:>18.2f}")
            else:
                say(f"{label:24}{run['per_second']:>12.1f}{'—':>12}{'—':>18}")
        if libres:
            retries = ", ".join(f"{r['retries']} with {r['clients']} client{'s' if r['clients'] > 1 else ''}"
                                for r in libres["runs"])
            say(f"  libres transactions retried after a serialization failure or a lost key race: {retries}")
            failed = sum(r["failures"] for r in libres["runs"])
            if failed:
                say(f"  libres bookings that failed outright: {failed}")
        failed = sum(r["full"] + r["failures"] for r in runs)
        if failed:
            say(f"  Timetable bookings refused or failed: {failed}")

        say("")
        say(f"Contention: {CONTENDERS} clients released together, each booking one place of {CAPACITY}")
        say(f"{'':24}{'Timetable':>12}{'libres':>12}")
        for key, title in (("places_taken", "places taken"), ("booked", "booked"), ("refused", "refused (full)"),
                           ("errors", "errors")):
            other = f"{libres['contention'][key]:>12}" if libres else f"{'—':>12}"
            say(f"{title:24}{race[key]:>12}{other}")
        if libres:
            say(f"{'retried transactions':24}{'—':>12}{libres['contention']['retries']:>12}")
        for kind in race["error_kinds"] + (libres["contention"]["error_kinds"] if libres else []):
            say(f"  error: {kind}")
    finally:
        cleanup()


if __name__ == "__main__":
    main()
