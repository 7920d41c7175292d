"""Benchmark: a bulk substitution through the JSON API, on the demo school as built and with 10× its history.

Forty lessons get a sick teacher and a substitute from next week to three weeks ahead: one plan and one apply
of two edits (staff_status, substitute) over the forty slots, 80 stripes. Two databases are
built as in bench/week_view.py — the demo as it is, and the demo with ten times as many slot
rules in the years before it, spread over the note, staff_status and substitute stripes so
that the stripes the edit reads and rewrites carry that history too — and measured in
alternating rounds. Each round paints the other of two values (sick with C. Ito, on leave
with D. Novak) over the same weeks, so every round does the same work: one update per stripe.
Run from the repository root:

    .venv/bin/python bench/bulk_edit.py                       # SQLite files in a temporary folder
    BENCH_POSTGRES_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/bulk_edit.py
                                                              # two scratch databases on that server

Prints medians in milliseconds of the plan call and of the apply call, and their ratio, in wall time and in
CPU time (time.process_time, which other work on the machine disturbs less), and the load average.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench")

from sqlalchemy import select  # noqa: E402

from bench import history  # noqa: E402
from bench.week_view import build, database_urls, rule_count, say  # noqa: E402
from timetable import clock  # noqa: E402
from timetable.extensions import db  # noqa: E402
from timetable.models import Staff, Timetable  # noqa: E402
from timetable.rules import add_weeks, format_week, parse_week, week_of  # noqa: E402
from timetable.services.resolution import resolve_week  # noqa: E402

# Next week to three weeks ahead, clear of the demo's painted history (last week and this week).
THIS_WEEK = week_of(clock.today("Europe/Paris"))
WEEKS = (format_week(add_weeks(THIS_WEEK, 1)), format_week(add_weeks(THIS_WEEK, 3)))
LESSONS = 40
ROUNDS = 40
HISTORY_FACTOR = 10
HISTORY_PARAMS = ("note", "staff_status", "substitute")
ABSENCES = (("sick", "C. Ito"), ("leave", "D. Novak"))


def add_past_history(app, factor: int) -> None:
    """Add (factor - 1) × the demo's slot rules as one-week rules in the years before the demo.

    As in bench/week_view.py, but the rules take turns between the note, staff status and
    substitute stripes: each slot's stripes then hold some ten past absences the edit must read past.
    """
    with app.app_context():
        school = db.session.scalar(select(Timetable.id).where(Timetable.slug == "school"))
        substitute = db.session.scalar(select(Staff.id).where(Staff.timetable_id == school, Staff.name == "C. Ito"))
    values = {"note": "past change", "staff_status": "sick", "substitute": substitute}
    history.add_past_history(app, factor, HISTORY_PARAMS, lambda param, n: values[param], say)


def choose_lessons(app) -> tuple[list[int], dict[str, int]]:
    """Forty lessons of the first teachers (by id) who are present all through the weeks, and the two substitutes."""
    with app.app_context():
        school = db.session.scalar(select(Timetable).where(Timetable.slug == "school"))
        start, end = (parse_week(w) for w in WEEKS)
        # The week before and after too: an absence touching the edited weeks would merge with it.
        weeks = [add_weeks(start, -1), start, add_weeks(start, 1), end, add_weeks(end, 1)]
        absent: set[int] = set()
        by_staff: dict[int, list[int]] = defaultdict(list)
        for week in weeks:
            for occurrence in resolve_week(school, week):
                values = occurrence.values
                if values["staff_status"] != "present" or values["substitute"] is not None:
                    absent.add(values["staff"])
                if week == start:
                    by_staff[values["staff"]].append(occurrence.slot_id)
        lessons = [slot for staff in sorted(by_staff) if staff not in absent for slot in sorted(by_staff[staff])]
        staff = {name: db.session.scalar(select(Staff.id).where(Staff.timetable_id == school.id, Staff.name == name))
                 for _, name in ABSENCES}
    assert len(lessons) >= LESSONS, len(lessons)
    return lessons[:LESSONS], staff


def substitution(lessons: list[int], staff: dict[str, int], round_number: int) -> dict:
    status, substitute = ABSENCES[round_number % 2]
    start, end = WEEKS
    return {"slots": lessons, "week": start, "edits": [
        {"param": "staff_status", "value": status, "start": start, "end": end},
        {"param": "substitute", "value": staff[substitute], "start": start, "end": end},
    ]}


def main() -> None:
    urls, cleanup = database_urls("timetable_bench_bulk")
    engine = "PostgreSQL" if os.environ.get("BENCH_POSTGRES_URL") else "SQLite"
    say(f"Bulk edit benchmark on {engine}: {LESSONS} lessons × 2 parameters over {WEEKS[0]}–{WEEKS[1]}, "
        f"{ROUNDS} alternating rounds")
    try:
        databases = {"plain": build(urls[0], "as built"), "history": build(urls[1], "history")}
        add_past_history(databases["history"][0], HISTORY_FACTOR)
        setups = {}
        for label, (app, client) in databases.items():
            lessons, staff = choose_lessons(app)
            csrf = client.get("/api/session").get_json()["csrf_token"]
            setups[label] = (client, lessons, staff, {"X-CSRFToken": csrf})
        plain_rules, history_rules = rule_count(databases["plain"][0]), rule_count(databases["history"][0])
        timings = {(kind, label): [] for kind in ("plan", "apply", "plan cpu", "apply cpu") for label in databases}
        stripes = 0
        load_before = os.getloadavg()
        say("  measuring…")
        for round_number in range(ROUNDS + 1):
            for label, (client, lessons, staff, headers) in setups.items():
                body = substitution(lessons, staff, round_number)
                started, started_cpu = time.perf_counter(), time.process_time()
                planned = client.post("/api/timetables/school/plan", json=body, headers=headers)
                plan_done, plan_done_cpu = time.perf_counter(), time.process_time()
                assert planned.status_code == 200, planned.get_json()
                plan = planned.get_json()
                started_apply, started_apply_cpu = time.perf_counter(), time.process_time()
                applied = client.post("/api/timetables/school/apply", json={**body, "token": plan["token"]}, headers=headers)
                applied_done, applied_done_cpu = time.perf_counter(), time.process_time()
                assert applied.status_code == 201, applied.get_json()
                stripes = len(plan["changes"])
                if round_number:  # round 0 warms caches and connections, and paints the weeks the first time
                    assert all(len(change["actions"]) == 1 for change in plan["changes"]), "a round did more work"
                    timings[("plan", label)].append((plan_done - started) * 1000)
                    timings[("apply", label)].append((applied_done - started_apply) * 1000)
                    timings[("plan cpu", label)].append((plan_done_cpu - started_cpu) * 1000)
                    timings[("apply cpu", label)].append((applied_done_cpu - started_apply_cpu) * 1000)
            if round_number % 10 == 0:
                say(f"  round {round_number}/{ROUNDS}")

        say("")
        say(f"{stripes} stripes change per call; figures are medians of {ROUNDS} rounds")
        say(f"{'':34}{'as built':>12}{f'{HISTORY_FACTOR}x history':>14}{'ratio':>8}")
        say(f"{'slot rules in the database':34}{plain_rules:>12}{history_rules:>14}{history_rules / plain_rules:>8.1f}")
        for kind, title in (("plan", "plan: POST …/plan (ms)"), ("apply", "apply: POST …/apply (ms)"),
                            ("plan cpu", "plan, CPU time (ms)"), ("apply cpu", "apply, CPU time (ms)")):
            a, b = statistics.median(timings[(kind, "plain")]), statistics.median(timings[(kind, "history")])
            say(f"{title:34}{a:>12.1f}{b:>14.1f}{b / a:>8.2f}")
        # Wall time counts waiting for a core: on a busy machine compare the CPU time (time.process_time).
        load_after = os.getloadavg()
        say(f"load average (1 min) {load_before[0]:.2f} before measuring, {load_after[0]:.2f} after, on {os.cpu_count()} cores")
        for app, _client in databases.values():
            with app.app_context():
                db.engine.dispose()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
