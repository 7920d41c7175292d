"""Fifty visitors racing for five places through a real multi-process gunicorn server: never one place too many.

The server runs `wsgi:app` in 4 worker processes of 4 threads each against a database this
test prepares (a SQLite file, or a scratch PostgreSQL database when TEST_DATABASE_URL is set),
so the capacity check is raced by separate processes holding separate connections, as in
production — not by threads sharing one interpreter's locks.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC
from pathlib import Path

import pytest

from tests.clock import wall_now, wall_weeks_ahead
from tests.conftest import build_app
from timetable.rules import format_week

pytestmark = pytest.mark.wall_clock

ROOT = Path(__file__).resolve().parents[2]
CLIENTS = 50
CAPACITY = 5
WORKERS = 4
READY_WITHIN = 20  # seconds for gunicorn to start answering /healthz
# The server runs in other processes on the wall clock, so the weeks count from it: the
# first round books next week's occurrence, the second round the one after (a unit of its own).
ROUND_1_KEY, ROUND_2_KEY = wall_weeks_ahead(1), wall_weeks_ahead(2)
ROUND_1, ROUND_2 = format_week(ROUND_1_KEY), format_week(ROUND_2_KEY)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def call(url: str, body: dict | None = None) -> tuple[int, dict]:
    """GET (or POST JSON) and return the status and the JSON answer, errors included."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, json.loads(response.read() or b"{}")
    except urllib.error.HTTPError as error:
        text = error.read()
        try:
            return error.code, json.loads(text)
        except ValueError:
            return error.code, {"raw": text.decode(errors="replace")}


def all_at_once(work, count: int) -> list:
    """Run work(n) for n in range(count) in threads released together; return the results in order."""
    results: list = [None] * count
    start = threading.Barrier(count)

    def run(n: int) -> None:
        start.wait()
        try:
            results[n] = work(n)
        except BaseException as error:  # reported by the caller
            results[n] = error

    threads = [threading.Thread(target=run, args=(n,)) for n in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a client never got an answer"
    errors = [r for r in results if isinstance(r, BaseException)]
    assert not errors, errors[:3]
    return results


@pytest.fixture
def prepared_database(make_database_url):
    """A migrated database with a published timetable of one slot of capacity 5, from next week on."""
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.services.creation import create_slot, create_timetable

    url = make_database_url("contention")
    app = build_app(url)
    with app.app_context():
        with write_transaction():
            timetable = create_timetable("race", "Race clinic", "Europe/Paris", published=True)
            slot = create_slot(timetable, {"weekday": 1, "start": 600, "duration": 60, "title": "Back care",
                                           "capacity": CAPACITY}, ROUND_1_KEY)
        slot_id = slot.id
        db.session.remove()
        db.engine.dispose()  # the server's processes open their own connections
    yield app, url, slot_id
    with app.app_context():
        db.engine.dispose()  # close what the checks opened, before the database is dropped


@pytest.fixture
def server(prepared_database):
    """Gunicorn serving wsgi:app on a free port; killed however the test ends."""
    app, url, slot_id = prepared_database
    port = free_port()
    # Fifty visitors, all on 127.0.0.1 here: the per-address limits on hoarding would take them for one.
    env = {**os.environ, "DATABASE_URL": url, "SECRET_KEY": "contention-test-secret",
           "TIMETABLE_BOOKING_HOLDS_PER_CLIENT": "1000", "TIMETABLE_BOOKING_WAITING_PER_ADDRESS": "1000",
           "TIMETABLE_BOOKING_RATE_LIMIT": "10000 per minute"}
    log = tempfile.TemporaryFile()  # noqa: SIM115 -- closed in the finally below, after gunicorn ends
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(WORKERS), "--worker-class", "gthread", "--threads", "4",
         "--bind", f"127.0.0.1:{port}", "--timeout", "60", "--graceful-timeout", "2", "wsgi:app"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + READY_WITHIN
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"gunicorn exited with {process.returncode}:\n{log.read().decode(errors='replace')}")
            try:
                if call(f"{base}/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"gunicorn did not answer /healthz within {READY_WITHIN} s")
            time.sleep(0.1)
        yield app, base, slot_id
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
        log.seek(0)
        output = log.read().decode(errors="replace")
        log.close()
        # A worker that crashed or timed out is a failure even if every answer looked right.
        assert "Traceback" not in output and "WORKER TIMEOUT" not in output, output[-4000:]


def live_places(app, slot_id: int, week: int) -> dict[str, int]:
    """Places per status on one occurrence, counting holds only while their lease runs."""
    from sqlalchemy import select

    from timetable.extensions import db
    from timetable.models import Booking

    now = wall_now()
    with app.app_context():
        rows = db.session.execute(
            select(Booking.status, Booking.expires_at, Booking.places).where(Booking.slot_id == slot_id, Booking.week == week)
        ).all()
        db.session.remove()
    counts: dict[str, int] = {}
    for status, expires_at, places in rows:
        if expires_at is not None and expires_at.replace(tzinfo=expires_at.tzinfo or UTC) <= now:
            status = f"{status} (expired)"
        counts[status] = counts.get(status, 0) + places
    return counts


def test_fifty_concurrent_visitors_never_get_more_than_five_places(server):
    app, base, slot_id = server
    started = time.monotonic()

    def hold(n: int, week: str = ROUND_1):
        return call(f"{base}/api/timetables/race/holds",
                    {"slot_id": slot_id, "week": week, "lock_code": f"visitor-{n}"})

    # Round 1: fifty holds at once on five places.
    answers = all_at_once(hold, CLIENTS)
    statuses = [status for status, _ in answers]
    assert not [a for a in answers if a[0] >= 500], [a for a in answers if a[0] >= 500][:3]
    assert statuses.count(201) == CAPACITY, answers
    assert statuses.count(409) == CLIENTS - CAPACITY, answers
    assert all(body["error"]["message"] == "This is full: no place left." and body["error"]["waiting_list"]
               for status, body in answers if status == 409)
    assert live_places(app, slot_id, ROUND_1_KEY) == {"held": CAPACITY}
    winners = {n for n, (status, _) in enumerate(answers) if status == 201}

    # Round 2, fifty at once again: the five winners confirm; of the others, half try to book the
    # next week's occurrence (hold then confirm, or queue when refused), half queue for this one.
    def confirm_or_book(n: int):
        contact = {"name": f"Visitor {n}", "email": f"v{n}@example.org"}
        if n in winners:
            return ("confirm", *call(f"{base}/api/timetables/race/confirm", {"lock_code": f"visitor-{n}", **contact}))
        if n % 2:
            return ("queue", *call(f"{base}/api/timetables/race/waiting-list",
                                   {"slot_id": slot_id, "week": ROUND_1, **contact}))
        status, body = hold(n, ROUND_2)
        if status == 201:
            return ("book", *call(f"{base}/api/timetables/race/confirm", {"lock_code": f"visitor-{n}", **contact}))
        assert status == 409, body
        return ("book-queue", *call(f"{base}/api/timetables/race/waiting-list",
                                    {"slot_id": slot_id, "week": ROUND_2, **contact}))

    outcomes = all_at_once(confirm_or_book, CLIENTS)
    assert not [o for o in outcomes if o[1] >= 500], [o for o in outcomes if o[1] >= 500][:3]
    assert all(status == 201 for _, status, _ in outcomes), [o for o in outcomes if o[1] != 201][:3]
    by_kind: dict[str, list[str]] = {}
    for kind, _, body in outcomes:
        by_kind.setdefault(kind, []).append(body["booking"]["status"])
    booking_round = sum(1 for n in range(CLIENTS) if n not in winners and not n % 2)
    assert by_kind["confirm"] == ["confirmed"] * CAPACITY
    assert set(by_kind["queue"]) == {"waiting"}
    assert by_kind["book"] == ["confirmed"] * min(CAPACITY, booking_round)
    assert set(by_kind.get("book-queue", ["waiting"])) == {"waiting"}
    assert len(by_kind["book"]) + len(by_kind.get("book-queue", [])) == booking_round

    first = live_places(app, slot_id, ROUND_1_KEY)
    second = live_places(app, slot_id, ROUND_2_KEY)
    assert first == {"confirmed": CAPACITY, "waiting": len(by_kind["queue"])}
    assert second == {"confirmed": CAPACITY, "waiting": booking_round - CAPACITY}
    # The server's own count agrees, and nobody ever saw more than the capacity taken.
    for week in (ROUND_1, ROUND_2):
        status, body = call(f"{base}/api/timetables/race/weeks/{week}/availability")
        [unit] = body["units"]
        assert (status, unit["taken"], unit["free"]) == (200, CAPACITY, 0)
    assert time.monotonic() - started < 30
