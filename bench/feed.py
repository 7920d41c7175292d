"""Benchmark: the whole-school calendar feed (`/school/calendar.ics`), cold and warm.

Builds the demo in a scratch database (a temporary SQLite file, or a scratch database it creates
and drops on the server at BENCH_POSTGRES_URL), then times through the test client, in this process:
  * cold: the first build of the feed in a fresh process cache (feed and serialized events emptied);
  * warm: the same feed again after a change (the feed cache misses, the serialized events hit);
  * cached: the same request again (served from the feed cache);
for the whole school and for one class. `BENCH_PROFILE=1` prints cProfile's top 25 of one cold build.

    .venv/bin/python bench/feed.py
    BENCH_DB=/tmp/demo.sqlite .venv/bin/python bench/feed.py      # keep (and reuse) the demo database in that file
    BENCH_POSTGRES_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/feed.py

The goal: a cold whole-school build well under the ~30 s a calendar app waits (under 3 s on the demo).
"""

from __future__ import annotations

import cProfile
import os
import pstats
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench")

from flask_migrate import upgrade  # noqa: E402

from timetable import create_app  # noqa: E402
from timetable.services.demo import load_demo  # noqa: E402


def say(message: str) -> None:
    print(message, flush=True)


def make_app():
    """The app on a database holding the demo; and the function that drops the database afterwards."""
    server = os.environ.get("BENCH_POSTGRES_URL")
    drop = lambda: None  # noqa: E731
    if server:
        from sqlalchemy import create_engine, text
        from sqlalchemy.engine import make_url

        name = "timetable_bench_feed"
        admin = create_engine(server, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            conn.execute(text(f'CREATE DATABASE "{name}"'))

        def drop() -> None:
            with admin.connect() as conn:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            admin.dispose()

        url, fresh = make_url(server).set(database=name).render_as_string(hide_password=False), True
    else:
        path = os.environ.get("BENCH_DB") or f"{tempfile.mkdtemp(prefix='timetable-feed-')}/demo.sqlite"
        url, fresh = f"sqlite:///{path}", not Path(path).exists()
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "TESTING": True, "RATELIMIT_ENABLED": False})
    if fresh:
        with app.app_context():
            upgrade()
            say("loading the demo…")
            load_demo(lambda step: None)
    return app, drop


def forget() -> None:
    """Empty this process's feed caches: the next build is a cold one."""
    from timetable.services import feeds as feed_service
    from timetable.views.feeds import feed_cache

    feed_cache.clear()
    feed_service._event_texts = feed_service._EventTexts()


def timed(client, path: str) -> tuple[str, int]:
    """"wall ms (this process's CPU ms)", and the feed's event count. On a busy machine the CPU time is the steadier one."""
    started, cpu = time.perf_counter(), time.process_time()
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    took = f"{(time.perf_counter() - started) * 1000:5.0f} ms ({(time.process_time() - cpu) * 1000:5.0f} CPU)"
    return took, response.get_data().count(b"BEGIN:VEVENT")


def class_path(app) -> str:
    from sqlalchemy import select

    from timetable.extensions import db
    from timetable.models import Group, Timetable

    with app.app_context():
        group = db.session.scalar(select(Group.id).join(Timetable, Timetable.id == Group.timetable_id)
                                  .where(Timetable.slug == "school", Group.name == "9A"))
    return f"/school/calendar.ics?group={group}"


def touch_school(app) -> None:
    """A change the feed's marker sees (the timetable's name), so the next request builds again."""
    from sqlalchemy import select

    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Timetable

    with app.app_context(), write_transaction():
        school = db.session.scalar(select(Timetable).where(Timetable.slug == "school"))
        school.name = school.name.rstrip(".") + ("." if not school.name.endswith(".") else "")


def main() -> None:
    app, drop = make_app()
    try:
        run(app)
    finally:
        with app.app_context():
            from timetable.extensions import db

            db.engine.dispose()
        drop()


def run(app) -> None:
    client = app.test_client()
    if os.environ.get("BENCH_PROFILE"):
        forget()
        profile = cProfile.Profile()
        profile.enable()
        client.get("/school/calendar.ics")
        profile.disable()
        pstats.Stats(profile).sort_stats("cumulative").print_stats(25)
    for label, path in (("whole school", "/school/calendar.ics"), ("class 9A", class_path(app))):
        forget()
        cold, events = timed(client, path)
        touch_school(app)
        warm, _ = timed(client, path)
        cached, _ = timed(client, path)
        say(f"{label:>12}: {events:5d} events · cold {cold} · warm (after a change) {warm} · cached {cached}")


if __name__ == "__main__":
    main()
