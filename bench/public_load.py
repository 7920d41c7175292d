"""Benchmark: the public week page under the 07:55 rush, against a real gunicorn on 127.0.0.1.

Builds a scratch database with the demo (SQLite temporary file, or a scratch database on
BENCH_POSTGRES_URL), starts gunicorn with the production worker (`timetable.serving.Worker`) and
BENCH_WORKERS worker processes (2), then loads `/school?week=<this week>` with 1 and 16 clients
(threads on keep-alive connections), each a bounded number of requests (BENCH_REQUESTS per
client, 150; every phase also stops after BENCH_SECONDS, 60):
  * cold: plain GETs, a full page each time (the server may answer from its page cache);
  * revalidating: GETs with the If-None-Match of the page's ETag, as a browser's reload sends.
Prints req/s, p50 and p95 per phase. Then it checks that no page is stale after a change: it
paints a note on one lesson of that week through the write path, and asks again on fresh
connections (both workers) with and without the old ETag: every answer must show the note.

    .venv/bin/python bench/public_load.py
    TIMETABLE_PAGE_CACHE=0 .venv/bin/python bench/public_load.py     # the server without its page cache (as before)
    scripts/with-postgres bash -c 'export BENCH_POSTGRES_URL=$TEST_DATABASE_URL; .venv/bin/python bench/public_load.py'
"""

from __future__ import annotations

import http.client
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.live import free_port, prepare_database, progress, start_gunicorn  # noqa: E402
from timetable import clock  # noqa: E402
from timetable.rules import format_week, week_of  # noqa: E402

WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
REQUESTS = int(os.environ.get("BENCH_REQUESTS", "150"))
SECONDS = float(os.environ.get("BENCH_SECONDS", "60"))
WEEK_KEY = week_of(clock.today("Europe/Paris"))
PATH = f"/school?week={format_week(WEEK_KEY)}"


def get(conn: http.client.HTTPConnection, etag: str | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    conn.request("GET", PATH, headers={"If-None-Match": etag} if etag else {})
    response = conn.getresponse()
    return response.status, response.headers, response.read()


def phase(port: int, clients: int, etag: str | None) -> dict:
    """`clients` threads, each REQUESTS requests on its own connection; latencies in ms."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    deadline = time.monotonic() + SECONDS
    expected = 304 if etag else 200

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        mine, bad = [], 0
        for _ in range(REQUESTS):
            if time.monotonic() > deadline:
                break
            started = time.perf_counter()
            try:
                status, _, _ = get(conn, etag)
            except OSError:
                bad += 1
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                continue
            mine.append((time.perf_counter() - started) * 1000)
            bad += status != expected
        conn.close()
        with lock:
            latencies.extend(mine)
            errors[0] += bad

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "requests": len(latencies), "errors": errors[0], "rps": len(latencies) / elapsed,
        "p50": statistics.median(latencies), "p95": latencies[int(0.95 * (len(latencies) - 1))],
    }


def change_and_check(url: str, port: int, old_etag: str, round_: int) -> list[str]:
    """Paint a note on a lesson of the measured week; every worker must show it at once."""
    from timetable import create_app
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Timetable
    from timetable.services.editing import EditRequest, record_requests
    from timetable.services.resolution import resolve_week

    note = f"Bench change {round_} {time.time_ns()}"
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench"})
    with app.app_context():
        timetable = db.session.query(Timetable).filter_by(slug="school").one()
        slot_id = resolve_week(timetable, WEEK_KEY)[0].slot_id
        with write_transaction():
            record_requests(timetable, [EditRequest("slot", (slot_id,), "note", WEEK_KEY, WEEK_KEY, note)], "bench", None)
        db.session.remove()
        db.engine.dispose()
    problems = []
    for attempt in range(4 * WORKERS):  # fresh connections land on every worker
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        status, _, body = get(conn, old_etag if attempt % 2 else None)
        conn.close()
        if status != 200 or note.encode() not in body:
            problems.append(f"attempt {attempt}: status {status}, note {'shown' if note.encode() in body else 'MISSING'}")
    return problems


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        url, drop, _ = prepare_database(Path(tmp))
        port = free_port()
        server = start_gunicorn(url, port, WORKERS, Path(tmp) / "gunicorn.log", ready_seconds=120)
        try:
            progress(f"gunicorn, {WORKERS} workers, page cache {'off' if os.environ.get('TIMETABLE_PAGE_CACHE') == '0' else 'on'}; "
                     f"GET {PATH}, {REQUESTS} requests per client")
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            status, headers, body = get(conn)
            conn.close()
            assert status == 200, status
            etag = headers.get("ETag")
            progress(f"  page: {len(body) // 1024} KiB, ETag {etag}")
            for clients in (1, 16):
                for label, tag in (("cold", None), ("revalidating", etag)):
                    if label == "revalidating" and not etag:
                        continue  # a server without ETags: nothing to revalidate
                    r = phase(port, clients, tag)
                    progress(f"  {clients:>2} client(s), {label:<12}: {r['rps']:7.1f} req/s  p50 {r['p50']:6.1f} ms  "
                             f"p95 {r['p95']:6.1f} ms  ({r['requests']} requests, {r['errors']} unexpected)")
            stale = []
            for round_ in range(3):
                stale += change_and_check(url, port, etag or "", round_)
            progress("  after a change: " + ("no stale page (every worker, with and without the old ETag)" if not stale
                                             else "STALE: " + "; ".join(stale)))
            if stale:
                raise SystemExit(1)
        finally:
            server.terminate()
            server.wait(30)
            drop()


if __name__ == "__main__":
    main()
