"""Benchmark: the editor's master overview of the demo school, resolved and rendered on the server.

Builds the demo in a scratch database, logs a scheduler in, and asks for `/school/edit` (the
overview, as a full page and as the htmx fragment a week change fetches) N times. Run from the
repository root:

    .venv/bin/python bench/overview.py            # SQLite in a temporary folder
    BENCH_POSTGRES_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/overview.py

Prints the median and the 90th percentile in milliseconds, wall-clock and CPU, and the same for the
all-classes week grid the overview replaces (`view=grid`), each twice: "made", with every cache of
the process emptied before each request (the cards kept by content included: as after a restart;
the first request after a real change is bench/week_view.py's "made after a change"), and "again"
in the same revision (every other request). The target is a median under 50 ms; the load average is printed
beside the figures.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench")

from bench.week_view import WEEK, build, database_urls, forget_rendered, load_average, say  # noqa: E402
from timetable.extensions import db  # noqa: E402

ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
TARGET_MS = 50


def measure(client, url: str, headers: dict | None = None, marker: bytes = b'data-testid="card"',
            made: bool = False) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU milliseconds of each request (the test client runs the app in this process,
    so CPU time is the server's own work, whatever else the machine is busy with); `made`: with the
    process's caches emptied before each (not timed)."""
    wall, cpu = [], []
    for round_number in range(ROUNDS + 1):
        if made:
            forget_rendered()
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url, headers=headers or {})
        elapsed, elapsed_cpu = (time.perf_counter() - started) * 1000, (time.process_time() - started_cpu) * 1000
        assert response.status_code == 200, (url, response.status_code)
        assert marker in response.data, f"{url} shows no {marker!r}"
        if round_number:  # round 0 warms caches and connections
            wall.append(elapsed)
            cpu.append(elapsed_cpu)
    return wall, cpu


def main() -> None:
    urls, cleanup = database_urls("timetable_bench_overview")
    engine = "PostgreSQL" if os.environ.get("BENCH_POSTGRES_URL") else "SQLite"
    say(f"Overview benchmark on {engine}: demo school, week {WEEK}, median of {ROUNDS}")
    try:
        app, client = build(urls[0], "demo")
        cases = (
            ("full page, rows = classes", f"/school/edit?week={WEEK}", None),
            ("htmx fragment, rows = classes", f"/school/edit?week={WEEK}", {"HX-Request": "true"}),
            ("htmx fragment, rows = teachers", f"/school/edit?week={WEEK}&rows=staff", {"HX-Request": "true"}),
            ("htmx fragment, rows = rooms", f"/school/edit?week={WEEK}&rows=room", {"HX-Request": "true"}),
        )
        say(f"  load average {load_average()}")
        say("")
        say(f"{'resolve + render (ms)':44}{'median':>10}{'p90':>10}{'CPU median':>12}")
        medians, cpu_medians = [], []
        for made in (True, False):
            for title, url, headers in cases:
                wall, cpu = measure(client, url, headers, made=made)
                medians.append(statistics.median(wall))
                cpu_medians.append(statistics.median(cpu))
                title = f"{title}, {'made' if made else 'again'}"
                say(f"{title:44}{medians[-1]:>10.2f}{statistics.quantiles(wall, n=10)[-1]:>10.2f}{statistics.median(cpu):>12.2f}")
        # For comparison: the week grid of every class that the overview replaces as the default.
        for made in (True, False):
            wall, cpu = measure(client, f"/school/edit?week={WEEK}&view=grid", {"HX-Request": "true"}, b'data-testid="block"', made)
            title = f"(the all-classes week grid, {'made' if made else 'again'})"
            say(f"{title:44}{statistics.median(wall):>10.2f}{statistics.quantiles(wall, n=10)[-1]:>10.2f}{statistics.median(cpu):>12.2f}")
        say("")
        for what, found in (("wall-clock", max(medians)), ("CPU", max(cpu_medians))):
            say(f"slowest overview {what} median {found:.2f} ms: {'under' if found < TARGET_MS else 'OVER'} the {TARGET_MS} ms target")
        say("(On a machine busy with other work the wall-clock time includes waiting for a core; the CPU time does not.)")
        say(f"load average at the end: {load_average()}")
        with app.app_context():
            db.engine.dispose()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
