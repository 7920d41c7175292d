"""Live events: how fast a committed change reaches an open SSE stream, and what an idle stream costs.

Starts its own gunicorn (gthread worker class) on a scratch database:
  * SQLite temp file by default: one worker process, events delivered in-process after commit;
  * with BENCH_POSTGRES_URL (a PostgreSQL server URL): a scratch database on it and 2 worker
    processes, so events go through NOTIFY/LISTEN and usually cross processes.

(a) latency: one SSE stream held open; N holds (distinct lock codes) POSTed one after another
    through /api/timetables/<slug>/holds; for each, the time from the response (≈ commit) and from
    the request's start to the matching "event: hold" line on the stream. Compared with the seed
    system's 10-second monitoring cycle.
(b) idle connections: K idle SSE streams opened; the workers' RSS (VmRSS) before and after.

    .venv/bin/python bench/live.py
    scripts/with-postgres bash -c 'export BENCH_POSTGRES_URL=$TEST_DATABASE_URL; .venv/bin/python bench/live.py'
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from timetable import clock  # noqa: E402
from timetable.rules import add_weeks, format_week, week_of  # noqa: E402

N = int(os.environ.get("BENCH_N", "100"))
IDLE_STEPS = tuple(int(k) for k in os.environ.get("BENCH_IDLE", "50,100,200").split(","))
THREADS = 256
SEED_CYCLE_MS = 10_000  # the seed system's monitoring cycle
# Two weeks ahead: holds are refused on occurrences that have begun.
WEEK_KEY = add_weeks(week_of(clock.today("Europe/Paris")), 2)
WEEK = format_week(WEEK_KEY)
SLUG = "bench"


def progress(message: str) -> None:
    print(message, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def prepare_database(tmp: Path) -> tuple[str, callable]:
    """A scratch database with the schema and one published timetable with one big slot; (url, drop)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    server_url = os.environ.get("BENCH_POSTGRES_URL")
    if server_url:
        name = f"tt_bench_live_{uuid.uuid4().hex[:8]}"
        admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        url = make_url(server_url).set(database=name).render_as_string(hide_password=False)

        def drop():
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()
    else:
        url = f"sqlite:///{tmp / 'live.sqlite'}"

        def drop():
            """Nothing to drop: the SQLite file goes with its temporary folder."""

    from flask_migrate import upgrade

    from timetable import create_app
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.services.creation import create_slot, create_timetable

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        with write_transaction():
            timetable = create_timetable(SLUG, "Live bench", "Europe/Paris", published=True)
            slot = create_slot(timetable, {"weekday": 1, "start": 600, "duration": 60, "title": "Big class",
                                           "capacity": 10 * N}, WEEK_KEY)
        ids = timetable.id, slot.id
        db.session.remove()
        db.engine.dispose()
    return url, drop, ids


def start_gunicorn(url: str, port: int, workers: int, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-live")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            [str(gunicorn), "-k", "gthread", "--threads", str(THREADS), "-w", str(workers),
             "-b", f"127.0.0.1:{port}", "--timeout", "120", "wsgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file,
        )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1):
                pass
            if len(worker_pids(server.pid)) == workers:
                return server
        except OSError:
            pass
        time.sleep(0.1)
    raise SystemExit("gunicorn not ready within 30 s")


def worker_pids(master: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    except OSError:
        return []


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


class Stream:
    """An SSE stream read in a thread: the arrival time of every event's data line."""

    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        self.connection.request("GET", f"/{SLUG}/events")
        self.response = self.connection.getresponse()
        assert self.response.status == 200
        self.events: list[tuple[float, str, dict]] = []
        self.opened = threading.Event()
        self.arrived = threading.Condition()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        kind = None
        try:
            while line := self.response.fp.readline():
                now = time.perf_counter()
                text = line.decode().rstrip("\n")
                if text.startswith("retry:"):
                    self.opened.set()
                elif text.startswith("event: "):
                    kind = text[7:]
                elif text.startswith("data: ") and kind:
                    with self.arrived:
                        self.events.append((now, kind, json.loads(text[6:])))
                        self.arrived.notify_all()
                    kind = None
        except (OSError, ValueError, AttributeError):
            return

    def wait_count(self, count: int, timeout: float) -> bool:
        with self.arrived:
            return self.arrived.wait_for(lambda: len(self.events) >= count, timeout)

    def close(self) -> None:
        try:
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        except (OSError, AttributeError):
            pass
        self.connection.close()


def hold(port: int, slot_id: int, lock_code: str) -> None:
    body = json.dumps({"slot_id": slot_id, "week": WEEK, "lock_code": lock_code}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/timetables/{SLUG}/holds", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"hold refused: {error.code} {error.read()[:300]!r}")


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def wait_listening(url: str, workers: int) -> None:
    """On PostgreSQL, wait until the workers LISTEN (each starts its relay with its first stream)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(url)
    deadline = time.monotonic() + 10
    try:
        while time.monotonic() < deadline:
            with engine.connect() as conn:
                count = conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :n AND query LIKE 'LISTEN %'"),
                                     {"n": make_url(url).database}).scalar_one()
            if count >= workers:
                return
            time.sleep(0.1)
        progress(f"  (only {count} of {workers} workers LISTEN; events from the others would be lost)")
    finally:
        engine.dispose()


def open_idle(port: int) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10)
    sock.sendall(f"GET /{SLUG}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    received = b""
    while b"retry:" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise OSError("stream closed before its first chunk")
        received += chunk
    return sock


def main() -> None:
    postgres = bool(os.environ.get("BENCH_POSTGRES_URL"))
    workers = 2 if postgres else 1
    progress(f"live events bench: {'PostgreSQL (NOTIFY/LISTEN)' if postgres else 'SQLite (in-process)'}, "
             f"gunicorn -k gthread --threads {THREADS} -w {workers}, N={N} holds")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url, drop, (timetable_id, slot_id) = prepare_database(tmp)
        port = free_port()
        server = start_gunicorn(url, port, workers, tmp / "gunicorn.log")
        idle: list[socket.socket] = []
        stream = None
        try:
            progress(f"  gunicorn master {server.pid}, workers {worker_pids(server.pid)}")
            # (a) latency ---------------------------------------------------------------------
            stream = Stream(port)
            if not stream.opened.wait(10):
                raise SystemExit("the stream never opened")
            if postgres:
                # The stream attached to one worker; a hold served by the other one starts nothing there,
                # but its NOTIFY reaches the listening worker anyway: only the streaming worker must LISTEN.
                wait_listening(url, 1)
            from_response, from_request, lost = [], [], 0
            for i in range(N):
                started = time.perf_counter()
                hold(port, slot_id, f"bench-{i}-{uuid.uuid4().hex[:6]}")
                returned = time.perf_counter()
                if not stream.wait_count(i + 1 - lost, 5):
                    lost += 1
                    continue
                arrived, kind, data = stream.events[i - lost]
                assert kind == "hold" and data["timetable"] == timetable_id and data["spans"] == [[WEEK_KEY, WEEK_KEY]], data
                from_response.append((arrived - returned) * 1000)
                from_request.append((arrived - started) * 1000)
                if (i + 1) % 25 == 0:
                    progress(f"  {i + 1}/{N} holds, median so far {statistics.median(from_request):.1f} ms from request start")
            p50, p95 = percentile(from_request, 0.5), percentile(from_request, 0.95)
            progress("(a) commit-to-receipt latency over the stream")
            progress(f"  from response received (≈ commit): p50 {percentile(from_response, 0.5):.2f} ms, "
                     f"p95 {percentile(from_response, 0.95):.2f} ms (negative = the event beat the HTTP response)")
            progress(f"  from request start:                p50 {p50:.2f} ms, p95 {p95:.2f} ms")
            progress(f"  events lost: {lost} of {N}")
            progress(f"  vs the seed system's {SEED_CYCLE_MS / 1000:.0f} s monitoring cycle (a change waits 5 s on average, "
                     f"10 s at worst): p50 is {SEED_CYCLE_MS / 2 / p50:,.0f}x faster than its average wait, "
                     f"p95 {SEED_CYCLE_MS / p95:,.0f}x faster than its worst")
            stream.close()
            stream = None

            # (b) idle connections -------------------------------------------------------------
            progress(f"(b) idle SSE connections (gthread: one worker thread per open stream, {THREADS} threads x {workers} workers)")
            time.sleep(1)
            pids = worker_pids(server.pid)
            base = sum(rss_kib(p) for p in pids)
            progress(f"  0 idle streams: workers' RSS {base / 1024:.1f} MiB")
            for target in IDLE_STEPS:
                if target > THREADS * workers - 8:
                    progress(f"  {target} streams: more than the worker threads allow, skipped")
                    continue
                while len(idle) < target:
                    idle.append(open_idle(port))
                time.sleep(1)
                rss = sum(rss_kib(p) for p in pids)
                progress(f"  {target} idle streams: workers' RSS {rss / 1024:.1f} MiB, "
                         f"+{(rss - base) / target:.0f} KiB per connection")
            progress("  Why gthread: no monkey-patching (gevent/eventlet would have to patch psycopg and threads),")
            progress("  and psycopg's blocking calls are fine in threads; a stream costs a thread (its stack is mostly")
            progress("  untouched virtual memory, hence the small RSS per connection). The limit is threads x workers")
            progress(f"  open streams (here {THREADS * workers}), past which new pages queue for a free thread.")
        finally:
            if stream is not None:
                stream.close()
            for sock in idle:
                sock.close()
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            drop()


if __name__ == "__main__":
    main()
