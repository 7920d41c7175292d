"""Benchmark: the substitution desk's solver against a greedy first-free baseline, on the demo school.

Two cases, from next week on whatever the date: B. Laurent absent for three weeks (45 lessons),
and F. Bonnet, K. Walker and N. Garnier absent on the same Tuesday. The absences are not
stored and nothing is applied: both methods plan cover for the same lessons. For each it
prints the lessons covered, the largest cover load on one teacher, and the median time to plan
(reading the weeks and the absences, then assigning); for the solver also the time of the
preview (the plan through the write path's plan_edit, with its clash check). Run from the
repository root:

    .venv/bin/python bench/substitution.py                    # a SQLite file in a temporary folder
    BENCH_POSTGRES_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/substitution.py

Targets (issue 15): under 1 s to plan 3 weeks × one teacher, under 300 ms for one day × 3 teachers.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.week_view import database_urls, say  # noqa: E402
from timetable import clock, create_app  # noqa: E402
from timetable.extensions import db  # noqa: E402
from timetable.models import Absence, Staff  # noqa: E402
from timetable.rules import add_weeks, monday_of, week_of  # noqa: E402
from timetable.services.catalog import get_timetable  # noqa: E402
from timetable.services.cover_assignment import greedy, plan_cover, solve  # noqa: E402
from timetable.services.cover_desk import load_desk  # noqa: E402
from timetable.services.demo import load_demo  # noqa: E402

ROUNDS = 5
TARGETS_MS = {"3 weeks × 1 teacher": 1000, "1 day × 3 teachers": 300}


def _away(absence_id: int, staff_id: int, start: date, end: date) -> Absence:
    return Absence(id=absence_id, timetable_id=0, kind="staff", resource_id=staff_id, start_date=start, end_date=end,
                   start_minute=None, end_minute=None, status="sick", reason="", withdrawn=False)


def cases(staff: dict[str, int], today: date) -> dict[str, list[Absence]]:
    monday = monday_of(add_weeks(week_of(today), 1))
    return {
        "3 weeks × 1 teacher": [_away(-1, staff["B. Laurent"], monday, monday + timedelta(days=18))],
        "1 day × 3 teachers": [_away(-2 - n, staff[name], monday + timedelta(days=1), monday + timedelta(days=1))
                               for n, name in enumerate(("F. Bonnet", "K. Walker", "N. Garnier"))],
    }


def measure(timetable, absences, today, method):
    """Median milliseconds to read the desk and assign, and the last assignment."""
    times, assignment, desk = [], None, None
    for _ in range(ROUNDS):
        db.session.expire_all()
        started = time.perf_counter()
        desk = load_desk(timetable, absences, today, with_candidates=False)
        assignment = method(desk)
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times), assignment, desk


def main() -> None:
    urls, drop = database_urls("timetable_bench_substitution")
    app = create_app({"SQLALCHEMY_DATABASE_URI": urls[0], "TESTING": True})
    try:
        with app.app_context():
            upgrade()
            say("loading the demo school…")
            load_demo(lambda step: None)
            timetable = get_timetable("school")
            staff = {s.name: s.id for s in db.session.scalars(select(Staff).where(Staff.timetable_id == timetable.id))}
            today = clock.today(timetable.time_zone)
            say(f"{'case':<22} {'method':<8} {'covered':>9} {'max load':>9} {'plan ms':>9} {'preview ms':>11}  target")
            for name, absences in cases(staff, today).items():
                for label, method in (("solver", solve), ("greedy", greedy)):
                    ms, assignment, desk = measure(timetable, absences, today, method)
                    preview = ""
                    if label == "solver":
                        started = time.perf_counter()
                        plan = plan_cover(timetable, assignment.covers)
                        preview = f"{(time.perf_counter() - started) * 1000:.0f}"
                        assert plan.preview.clashes_created == (), plan.preview.clashes_created
                    target = TARGETS_MS[name]
                    verdict = f"< {target} ms {'ok' if ms < target else 'MISSED'}" if label == "solver" else ""
                    say(f"{name:<22} {label:<8} {len(assignment.covers):>4}/{len(desk.open):<4} {assignment.largest_load:>9}"
                        f" {ms:>9.0f} {preview:>11}  {verdict}")
    finally:
        with app.app_context():
            db.engine.dispose()
        drop()


if __name__ == "__main__":
    main()
