"""Benchmark: resolve and render one week of the demo school, as built and with 10× its history.

What is rendered is the editor's default page, `/school/edit?week=…`: the master overview (every
class a row), as a full page. It is timed three times per round, in this order:
* "made from nothing": with every cache of this process emptied first (the first request after a
  restart, or for a week nobody has opened);
* "made after a change": the first request after a real change, a note on one lesson of the week
  planned and applied through the JSON API like any edit (not timed; two notes taken in turn, so
  every round does the same work) — what a scheduler waits for after each edit, the page of the
  revision before still known to the process (services/kept_weeks.py);
* "again", in the same revision (every other request: the week back and forth, reloads, another
  scheduler opening it).

Two databases are built — the demo as it is, and the demo with ten times as many rules in the
years before it — and measured in alternating rounds, so that machine noise hits both alike.
Run from the repository root:

    .venv/bin/python bench/week_view.py                       # SQLite files in a temporary folder
    BENCH_POSTGRES_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/week_view.py
                                                              # two scratch databases on that server

Prints medians in milliseconds, wall-clock and CPU (time.process_time: the test client runs the app
in this process, so it is the server's own work whatever else the machine is busy with), their
ratio, and the load average; the goal is a ratio near 1, because resolving a week reads the rules
that cover it, not the history behind it.
"""

from __future__ import annotations

import os
import re
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import create_engine, func, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from bench import history  # noqa: E402
from timetable import clock, create_app  # noqa: E402
from timetable.extensions import db  # noqa: E402
from timetable.models import SlotRule, Timetable  # noqa: E402
from timetable.rules import format_week, parse_week, week_of  # noqa: E402
from timetable.services.accounts import create_user  # noqa: E402
from timetable.services.demo import load_demo  # noqa: E402
from timetable.services.resolution import resolve_week  # noqa: E402

# This week: the demo paints its history around it (a sick teacher, a class trip).
WEEK = format_week(week_of(clock.today("Europe/Paris")))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "40"))
HISTORY_FACTOR = 10


def say(message: str) -> None:
    print(message, flush=True)


def load_average() -> str:
    return " ".join(f"{n:.2f}" for n in os.getloadavg())


def forget_rendered() -> None:
    """Empty this process's caches of what was made for the page, as after a restart."""
    from timetable.services import deviations
    from timetable.services.kept_weeks import kept_weeks
    from timetable.views.overview_cards import card_cache
    from timetable.views.overview_page import last_made, overview_cache

    overview_cache.clear()
    last_made.clear()
    card_cache.clear()
    deviations._known.clear()
    kept_weeks.clear()


class Timer:
    """Wall-clock and CPU milliseconds of what runs inside `with`."""

    def __enter__(self):
        self.started, self.started_cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *_):
        self.wall = (time.perf_counter() - self.started) * 1000
        self.cpu = (time.process_time() - self.started_cpu) * 1000


def database_urls(prefix: str = "timetable_bench") -> tuple[list[str], callable]:
    """Two empty scratch databases (as built, with history) and the function that drops them."""
    server = os.environ.get("BENCH_POSTGRES_URL")
    if not server:
        folder = tempfile.mkdtemp(prefix="timetable-bench-")
        return [f"sqlite:///{folder}/as_built.sqlite", f"sqlite:///{folder}/history.sqlite"], lambda: None
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    names = [f"{prefix}_as_built", f"{prefix}_history"]
    with admin.connect() as conn:
        for name in names:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))

    def drop() -> None:
        with admin.connect() as conn:
            for name in names:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    base = make_url(server)
    return [base.set(database=name).render_as_string(hide_password=False) for name in names], drop


def build(url: str, label: str):
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True})
    with app.app_context():
        upgrade()
        say(f"  {label}: loading the demo school…")
        load_demo(lambda step: None)
        create_user("bench", "bench-password", is_admin=True)
    client = app.test_client()
    # Through the login form, as a person: a session is a row the server can end, not just a cookie.
    page = client.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    logged_in = client.post("/login", data={"username": "bench", "password": "bench-password", "csrf_token": csrf})
    assert logged_in.status_code == 303, logged_in.status_code
    return app, client


def add_past_history(app, factor: int) -> None:
    """Add (factor - 1) × the demo's slot rules as one-week notes in the years before the demo."""
    history.add_past_history(app, factor, ("note",), lambda param, n: f"past change {n}", say)


def edited_lesson(app, week: int) -> tuple[int, bool]:
    """A lesson of the week whose card shows its note (one not open, if the week has one), else the first;
    and whether its card shows the note."""
    with app.app_context():
        school = db.session.scalar(select(Timetable).where(Timetable.slug == "school"))
        occurrences = resolve_week(school, week)
        shown = [o.slot_id for o in occurrences if o.status != "open" and not o.off]
        return (shown[0], True) if shown else (occurrences[0].slot_id, False)


def change_note(client, headers: dict, lesson: int, round_number: int) -> None:
    """A real one-lesson change through the write path (plan, apply, history, live event): a note this week."""
    body = {"slots": [lesson], "week": WEEK,
            "edits": [{"param": "note", "value": f"bench note {round_number % 2}", "start": WEEK, "end": WEEK}]}
    planned = client.post("/api/timetables/school/plan", json=body, headers=headers)
    assert planned.status_code == 200, planned.get_json()
    applied = client.post("/api/timetables/school/apply", json={**body, "token": planned.get_json()["token"]}, headers=headers)
    assert applied.status_code == 201, applied.get_json()


def rule_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(SlotRule))


def main() -> None:
    urls, cleanup = database_urls()
    engine = "PostgreSQL" if os.environ.get("BENCH_POSTGRES_URL") else "SQLite"
    say(f"Week view benchmark on {engine}: week {WEEK}, {ROUNDS} alternating rounds")
    try:
        (plain_app, plain_client), (history_app, history_client) = build(urls[0], "as built"), build(urls[1], "history")
        add_past_history(history_app, HISTORY_FACTOR)
        week = parse_week(WEEK)
        edits = {}
        for label, app, client in (("plain", plain_app, plain_client), ("history", history_app, history_client)):
            edits[label] = (*edited_lesson(app, week), {"X-CSRFToken": client.get("/api/session").get_json()["csrf_token"]})
        kinds = (("resolve", "resolve the week"), ("changed", "made after a change"), ("again", "again, same revision"),
                 ("made", "made from nothing"))
        timings: dict[tuple[str, str, str], list[float]] = {
            (kind, label, clock_): [] for kind, _ in kinds for label in ("plain", "history") for clock_ in ("wall", "cpu")}
        say(f"  measuring… (load average {load_average()})")
        for round_number in range(ROUNDS + 1):
            for label, app, client in (("plain", plain_app, plain_client), ("history", history_app, history_client)):
                with app.app_context():
                    school = db.session.scalar(select(Timetable).where(Timetable.slug == "school"))
                    with Timer() as resolved:
                        resolve_week(school, week)
                lesson, note_shown, headers = edits[label]
                measured = {"resolve": resolved}
                # The caches are the process's, both databases' alike: each round empties them, makes the
                # page from nothing, then changes a note and makes the page again, as the scheduler sees it.
                for kind in ("made", "changed", "again"):
                    if kind == "made":
                        forget_rendered()
                    if kind == "changed":
                        change_note(client, headers, lesson, round_number)
                    with Timer() as measured[kind]:
                        response = client.get(f"/school/edit?week={WEEK}")
                    assert response.status_code == 200 and b'data-testid="overview"' in response.data, response.status_code
                    if kind == "changed" and note_shown:  # the change shows
                        assert f"bench note {round_number % 2}".encode() in response.data
                if round_number:  # round 0 warms caches and connections
                    for kind, timer in measured.items():
                        timings[(kind, label, "wall")].append(timer.wall)
                        timings[(kind, label, "cpu")].append(timer.cpu)
            if round_number % 10 == 0:
                say(f"  round {round_number}/{ROUNDS}")

        def median(kind, label, clock_):
            return statistics.median(timings[(kind, label, clock_)])

        plain_rules, history_rules = rule_count(plain_app), rule_count(history_app)
        say("")
        say(f"{'':44}{'as built':>12}{f'{HISTORY_FACTOR}x history':>14}{'ratio':>8}")
        say(f"{'slot rules in the database':44}{plain_rules:>12}{history_rules:>14}{history_rules / plain_rules:>8.1f}")
        for clock_ in ("wall", "cpu"):
            for kind, title in kinds:
                a, b = median(kind, "plain", clock_), median(kind, "history", clock_)
                say(f"{f'{title} (ms, {clock_})':44}{a:>12.2f}{b:>14.2f}{b / a:>8.2f}")
        say(f"load average at the end: {load_average()}")
        for app in (plain_app, history_app):
            with app.app_context():
                db.engine.dispose()
    finally:
        cleanup()


if __name__ == "__main__":
    main()
