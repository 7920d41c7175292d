"""Live events: what 1,000 idle SSE streams cost one server process, and how fast events reach them.

Starts its own gunicorn with the production worker (`timetable.serving.Worker`: uvicorn, streams
served on the event loop, see timetable/asgi.py) and ONE worker process, on a scratch database
holding the demo school (for a real week page) and a small bookable timetable:
  * SQLite temp file by default: events delivered in-process after commit;
  * with BENCH_POSTGRES_URL (a PostgreSQL server URL): a scratch database on it; events go
    through NOTIFY/LISTEN.

(a) latency: one SSE stream held open; N holds (distinct lock codes) POSTed one after another
    through /api/timetables/<slug>/holds; for each, the time from the response (≈ commit) and from
    the request's start to the matching "event: hold" line on the stream. Compared with the seed
    system's 10-second monitoring cycle.
(b) load: K idle streams (BENCH_STREAMS, 1,000) opened from BENCH_ADDRESSES loopback addresses
    (50: 20 each, under the default per-address cap), then, while they stay open:
    the week page of the demo school and /healthz, R requests each (BENCH_REQUESTS, 200): p50/p95,
    errors (non-200, or no answer within 3 s); the worker's resident memory (VmRSS);
    E holds (BENCH_EVENTS, 5), each timed from its request's start to its arrival on every stream.

    .venv/bin/python bench/live.py
    scripts/with-postgres bash -c 'export BENCH_POSTGRES_URL=$TEST_DATABASE_URL; .venv/bin/python bench/live.py'
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import selectors
import socket
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
STREAMS = int(os.environ.get("BENCH_STREAMS", "1000"))
ADDRESSES = int(os.environ.get("BENCH_ADDRESSES", "50"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "200"))
EVENTS = int(os.environ.get("BENCH_EVENTS", "5"))
REQUEST_TIMEOUT = 3.0
WORKER = "timetable.serving.Worker"
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
    from timetable.services.demo import load_demo

    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        upgrade()
        progress("  loading the demo school (its week page is measured under load)…")
        load_demo()
        with write_transaction():
            timetable = create_timetable(SLUG, "Live bench", "Europe/Paris", published=True)
            slot = create_slot(timetable, {"weekday": 1, "start": 600, "duration": 60, "title": "Big class",
                                           "capacity": 10 * N}, WEEK_KEY)
        ids = timetable.id, slot.id
        db.session.remove()
        db.engine.dispose()
    return url, drop, ids


def start_gunicorn(url: str, port: int, workers: int, log: Path, ready_seconds: float = 30) -> subprocess.Popen:
    # The bench plays a hundred visitors from one address: the per-client booking limits (issue 14)
    # would refuse its holds after the third, so they are lifted for its server only.
    env = dict(os.environ, DATABASE_URL=url, SECRET_KEY="bench-live", TIMETABLE_BOOKING_HOLDS_PER_CLIENT="1000000",
               TIMETABLE_BOOKING_RATE_LIMIT="1000000 per minute")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            [str(gunicorn), "-k", WORKER, "-w", str(workers), "-b", f"127.0.0.1:{port}", "--timeout", "120", "asgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file,
        )
    deadline = time.monotonic() + ready_seconds
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
    raise SystemExit(f"gunicorn not ready within {ready_seconds:.0f} s:\n{log.read_text()[-3000:]}")


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
        with contextlib.suppress(OSError, AttributeError):
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.connection.close()


def hold(port: int, slot_id: int, lock_code: str) -> None:
    body = json.dumps({"slot_id": slot_id, "week": WEEK, "lock_code": lock_code}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/api/timetables/{SLUG}/holds", data=body,
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()
    except urllib.error.HTTPError as error:
        raise SystemExit(f"hold refused: {error.code} {error.read()[:300]!r}") from error


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


def open_idle(port: int, source: str) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", port), timeout=10, source_address=(source, 0))
    sock.sendall(f"GET /{SLUG}/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n".encode())
    received = b""
    while b"retry:" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            raise OSError("stream closed before its first chunk")
        if not received and not chunk.startswith(b"HTTP/1.1 200"):
            raise OSError(f"stream refused: {chunk.splitlines()[0]!r}")
        received += chunk
    return sock


def timed_gets(port: int, path: str, count: int) -> tuple[list[float], int]:
    """`count` GETs one after another, each on a new connection: (milliseconds of those that answered 200, errors)."""
    times, errors = [], 0
    for _ in range(count):
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=REQUEST_TIMEOUT) as response:
                response.read()
                ok = response.status == 200
        except OSError:
            ok = False
        elapsed = (time.perf_counter() - started) * 1000
        if ok and elapsed <= REQUEST_TIMEOUT * 1000:
            times.append(elapsed)
        else:
            errors += 1
    return times, errors


def event_to_all(port: int, slot_id: int, sockets: list[socket.socket], lock_code: str) -> tuple[list[float], ...]:
    """Make one hold; ms from its request's start, from its response (≈ commit) and from its first arrival (on any
    stream: the fan-out's own spread) to its arrival on each stream; and the streams it missed within 10 s."""
    selector = selectors.DefaultSelector()
    for sock in sockets:
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, bytearray())
    started = time.perf_counter()
    returned: list[float] = []

    def post() -> None:
        hold(port, slot_id, lock_code)
        returned.append(time.perf_counter())

    poster = threading.Thread(target=post)
    poster.start()
    arrived: list[float] = []
    waiting = len(sockets)
    deadline = started + 10
    try:
        while waiting and time.perf_counter() < deadline:
            for key, _ in selector.select(timeout=0.5):
                buffer = key.data
                try:
                    chunk = key.fileobj.recv(65536)
                except BlockingIOError:
                    continue
                if not chunk:
                    raise SystemExit("a stream closed during the bench")
                buffer += chunk
                if b"event: hold" in buffer:
                    arrived.append(time.perf_counter())
                    selector.unregister(key.fileobj)
                    waiting -= 1
    finally:
        poster.join()
        selector.close()
        for sock in sockets:
            sock.setblocking(True)
    first = min(arrived, default=started)
    return ([(t - started) * 1000 for t in arrived], [(t - returned[0]) * 1000 for t in arrived],
            [(t - first) * 1000 for t in arrived], waiting)


def summary(times: list[float]) -> str:
    return f"p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms" if times else "no answer"


def measure_latency(port: int, url: str, postgres: bool, timetable_id: int, slot_id: int) -> None:
    """(a) one stream; N holds, each timed to its event."""
    stream = Stream(port)
    try:
        if not stream.opened.wait(10):
            raise SystemExit("the stream never opened")
        if postgres:
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
        p50, p95 = percentile(from_request, 0.5), percentile(from_request, 0.95)
        progress("(a) commit-to-receipt latency over one stream")
        progress(f"  from response received (≈ commit): p50 {percentile(from_response, 0.5):.2f} ms, "
                 f"p95 {percentile(from_response, 0.95):.2f} ms (negative = the event beat the HTTP response)")
        progress(f"  from request start:                p50 {p50:.2f} ms, p95 {p95:.2f} ms")
        progress(f"  events lost: {lost} of {N}")
        progress(f"  vs the seed system's {SEED_CYCLE_MS / 1000:.0f} s monitoring cycle (a change waits 5 s on average, "
                 f"10 s at worst): p50 is {SEED_CYCLE_MS / 2 / p50:,.0f}x faster than its average wait, "
                 f"p95 {SEED_CYCLE_MS / p95:,.0f}x faster than its worst")
    finally:
        stream.close()


def measure_load(port: int, worker: int, slot_id: int, idle: list[socket.socket]) -> bool:
    """(b) K idle streams open: page and /healthz latency, memory, an event to every stream. True if on target."""
    progress(f"(b) {STREAMS} idle streams from {ADDRESSES} addresses, one worker process ({WORKER})")
    time.sleep(1)
    base = rss_kib(worker)
    week_path = f"/school?week={format_week(week_of(clock.today('Europe/Paris')))}"
    before, _ = timed_gets(port, week_path, 50)
    progress(f"  0 streams: worker RSS {base / 1024:.1f} MiB; week page {summary(before)}")
    opened = time.perf_counter()
    for i in range(STREAMS):
        idle.append(open_idle(port, f"127.0.1.{i % ADDRESSES + 1}"))
    progress(f"  {STREAMS} streams opened in {time.perf_counter() - opened:.1f} s")
    time.sleep(1)
    page, page_errors = timed_gets(port, week_path, REQUESTS)
    health, health_errors = timed_gets(port, "/healthz", REQUESTS)
    rss = rss_kib(worker)
    delivered: list[float] = []
    spread: list[float] = []
    after_response: list[float] = []
    missed = 0
    for i in range(EVENTS):
        arrived, since_response, since_first, lost = event_to_all(port, slot_id, idle, f"load-{i}-{uuid.uuid4().hex[:6]}")
        delivered += arrived
        spread += since_first
        after_response += since_response
        missed += int(lost)
    progress(f"  week page of the demo school ({REQUESTS} GETs): {summary(page)}, errors {page_errors}")
    progress(f"  /healthz ({REQUESTS} GETs):                     {summary(health)}, errors {health_errors}")
    progress(f"  worker RSS with {STREAMS} streams open: {rss / 1024:.1f} MiB (+{(rss - base) / STREAMS:.1f} KiB per stream)")
    progress(f"  {EVENTS} events x {STREAMS} streams, request start -> arrival: {summary(delivered)}, "
             f"max {max(delivered, default=0):.1f} ms, missed {missed}")
    progress(f"  the same, hold response received (≈ commit) -> arrival: {summary(after_response)}")
    progress(f"  the same, first stream's arrival -> each stream's arrival (the fan-out): {summary(spread)}")
    progress(f"  load average of the machine: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} CPUs)")
    on_target = (bool(page) and bool(health) and percentile(page, 0.95) < 100 and percentile(health, 0.95) < 100
                 and page_errors == health_errors == missed == 0 and rss < 300 * 1024
                 and bool(delivered) and percentile(delivered, 0.95) < 200)
    progress(f"  targets (p95 < 100 ms, no error, RSS < 300 MiB, events p95 < 200 ms): {'met' if on_target else 'NOT met'}")
    return on_target


def main() -> None:
    postgres = bool(os.environ.get("BENCH_POSTGRES_URL"))
    progress(f"live events bench: {'PostgreSQL (NOTIFY/LISTEN)' if postgres else 'SQLite (in-process)'}, "
             f"gunicorn -k {WORKER} -w 1, N={N} holds")
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        url, drop, (timetable_id, slot_id) = prepare_database(tmp)
        port = free_port()
        server = start_gunicorn(url, port, 1, tmp / "gunicorn.log")
        idle: list[socket.socket] = []
        on_target = False
        try:
            [worker] = worker_pids(server.pid)
            progress(f"  gunicorn master {server.pid}, worker {worker}")
            measure_latency(port, url, postgres, timetable_id, slot_id)
            on_target = measure_load(port, worker, slot_id, idle)
        finally:
            for sock in idle:
                sock.close()
            server.terminate()
            try:
                server.wait(timeout=15)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            drop()
        sys.exit(0 if on_target else 1)


if __name__ == "__main__":
    main()
