"""After a bulk write of rules (a new timetable, an import), reading a stripe is planned on what the table holds.

On PostgreSQL the write refreshes the planner's statistics in its own transaction; before that the
planner read a stripe through the exclusion constraint's index by parameter alone, scanning every rule
of that parameter. SQLite picks the stripe index with or without statistics.
"""

from __future__ import annotations

from sqlalchemy import event, func, select, text

from tests.clock import pinned
from timetable.extensions import db
from timetable.models import Slot, SlotRule, Timetable
from timetable.rules import parse_week
from timetable.services.demo import load_demo
from timetable.services.stripes import SLOT, load_stripes


def _stripe_read(slot_ids: list[int]) -> tuple[str, object]:
    """The statement (and its parameters) reading these slots' start times (every slot sets one) for an edit, with locks."""
    seen: list[tuple[str, object]] = []

    def capture(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().startswith("SELECT") and "slot_rules" in statement:
            seen.append((statement, parameters))

    event.listen(db.engine, "before_cursor_execute", capture)
    try:
        load_stripes([(SLOT, slot_id, "start") for slot_id in slot_ids], for_update=True,
                     window=(parse_week("2026-W48"), parse_week("2026-W52")))
    finally:
        event.remove(db.engine, "before_cursor_execute", capture)
    assert len(seen) == 1, seen
    return seen[0]


def test_after_a_bulk_write_a_stripe_is_read_through_the_stripe_index(app_ctx):
    with pinned():
        load_demo()
    school = db.session.scalar(select(Timetable.id).where(Timetable.slug == "school"))
    slot_ids = list(db.session.scalars(select(Slot.id).where(Slot.timetable_id == school).order_by(Slot.id).limit(40)))
    statement, parameters = _stripe_read(slot_ids)
    connection = db.session.connection()
    if connection.dialect.name == "postgresql":
        rules = db.session.scalar(select(func.count()).select_from(SlotRule))
        estimated = db.session.scalar(text("SELECT reltuples FROM pg_class WHERE relname = 'slot_rules'"))
        assert estimated >= 0.9 * rules, (estimated, rules)
        plan = "\n".join(row[0] for row in connection.exec_driver_sql("EXPLAIN " + statement, parameters))
        # On a table this small a sequential scan is right; on a large one the stripe index is (bench/bulk_edit.py).
        assert "ex_slot_rules_no_overlap" not in plan, plan
    else:
        plan = "\n".join(str(row[-1]) for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters))
        assert "ix_slot_rules_stripe" in plan, plan
    db.session.rollback()
