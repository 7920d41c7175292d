"""Benchmark: import the largest FET example (about 1,500 activities), then undo it.

The file is FET's own `United-Arab-Emirates/IBDP-School-2016.fet` from Debian's fet-data: 1,585
activities, all placed already (locked), 5 days of hours named "Period 1"…, so the periods are
given with --periods. It is imported into an empty timetable from 2027-W02; the figures are the
wall-clock seconds of: parsing the file, planning (read-only), applying (one transaction, one
ChangeSet), planning the undo and applying it. Target: under 10 s each on the 2-core machine.
Run from the repository root:

    .venv/bin/python bench/import.py                          # a SQLite file in a temporary folder
    BENCH_POSTGRES_URL=postgresql+psycopg://user@host/db .venv/bin/python bench/import.py
                                                              # a scratch database on that server
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("SECRET_KEY", "bench")

from flask_migrate import upgrade  # noqa: E402
from sqlalchemy import func, select  # noqa: E402

from bench.week_view import database_urls, say  # noqa: E402
from timetable import create_app  # noqa: E402
from timetable.extensions import db  # noqa: E402
from timetable.imports.fet import parse_fet, read_periods  # noqa: E402
from timetable.models import Slot, SlotRule, Timetable  # noqa: E402
from timetable.rules import parse_week  # noqa: E402
from timetable.services.editing import apply_undo, plan_undo  # noqa: E402
from timetable.services.importing import ImportOptions, apply_import, plan_import  # noqa: E402
from timetable.services.resolution import resolve_week  # noqa: E402

EXAMPLE = Path("/usr/share/doc/fet-data/examples/FET-5-official/United-Arab-Emirates/IBDP-School-2016.fet")
FROM = parse_week("2027-W02")


def periods_for(count: int) -> str:
    """`count` periods of 45 minutes with 5 minutes between them from 07:30."""
    start = 7 * 60 + 30
    return ",".join(f"{(s := start + 50 * n) // 60:02d}:{s % 60:02d}-{(s + 45) // 60:02d}:{(s + 45) % 60:02d}" for n in range(count))


def timed(label: str, work):
    began = time.perf_counter()
    result = work()
    say(f"  {label:<22} {time.perf_counter() - began:6.2f} s")
    return result


def main() -> None:
    if not EXAMPLE.exists():
        sys.exit(f"{EXAMPLE} is missing: install Debian's fet-data (scripts/install-system-deps).")
    urls, drop = database_urls("timetable_bench_import")
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": urls[0], "TESTING": True})
        with app.app_context():
            upgrade()
            data = EXAMPLE.read_bytes()
            say(f"{EXAMPLE.name}: {len(data):,} bytes, on {db.engine.dialect.name}")
            fet = timed("parse", lambda: parse_fet(data))
            options = ImportOptions(FROM, read_periods(periods_for(len(fet.hours))))
            plan = timed("plan", lambda: plan_import("ibdp", fet, options))
            say(f"  ({len(plan.create)} slots to create, {sum(map(len, plan.resources.values()))} resources, "
                f"{len(plan.clashes)} clashes, {len(plan.unused)} not imported)")
            _plan, change = timed("apply", lambda: apply_import("ibdp", fet, options))
            timetable = db.session.scalar(select(Timetable).where(Timetable.slug == "ibdp"))
            say(f"  ({db.session.scalar(select(func.count()).select_from(Slot))} slots, "
                f"{db.session.scalar(select(func.count()).select_from(SlotRule))} rules, "
                f"{len(resolve_week(timetable, FROM))} occurrences in the first week)")
            undo = timed("plan the undo", lambda: plan_undo(timetable, change.id, FROM))
            timed("apply the undo", lambda: apply_undo(timetable, change.id, undo.token, None))
            say(f"  ({len(resolve_week(timetable, FROM))} occurrences after the undo)")
    finally:
        drop()


if __name__ == "__main__":
    main()
