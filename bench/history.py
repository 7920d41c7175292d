"""Give a bench database years of past changes, written through the app's one write path.

The benches compare the demo "as built" with the demo carrying `factor` times as many slot
rules. The extra rules are one-week changes in the years before the demo, every other week,
each recorded as a change set like a scheduler's edit (plan, apply, history) — never rows
inserted beside the write path.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from typing import Any

from sqlalchemy import func, select

from timetable import clock
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import Slot, SlotRule, Timetable
from timetable.rules import add_weeks
from timetable.services.demo import SchoolYear
from timetable.services.editing import EditRequest, record_requests

# Weeks painted per recorded change: each change paints one parameter of every slot of a timetable.
WEEKS_PER_CHANGE = 5


def add_past_history(app, factor: int, params: Sequence[str], value_of: Callable[[str, int], Any],
                     say: Callable[[str], None]) -> None:
    """Add (factor - 1) × the demo's slot rules to the school (what the benches measure); week n
    back paints params[n % len(params)]."""
    with app.app_context():
        existing = db.session.scalar(select(func.count()).select_from(SlotRule))
        slots: dict[int, list[int]] = defaultdict(list)
        school = select(Timetable.id).where(Timetable.slug == "school").scalar_subquery()
        for slot_id, timetable_id in db.session.execute(
                select(Slot.id, Slot.timetable_id).where(Slot.timetable_id == school).order_by(Slot.id)):
            slots[timetable_id].append(slot_id)
        per_slot = -(-existing * (factor - 1) // sum(len(ids) for ids in slots.values()))
        first = SchoolYear.around(clock.today("Europe/Paris")).lessons_from
        weeks = [add_weeks(first, -2 * (n + 1)) for n in range(per_slot)]
        for timetable_id, ids in slots.items():
            timetable = db.session.get_one(Timetable, timetable_id)
            for chunk in range(0, per_slot, WEEKS_PER_CHANGE):
                requests = [
                    EditRequest("slot", tuple(ids), params[n % len(params)], weeks[n], weeks[n],
                                value_of(params[n % len(params)], n))
                    for n in range(chunk, min(chunk + WEEKS_PER_CHANGE, per_slot))
                ]
                with write_transaction():
                    record_requests(timetable, requests, f"Past changes {chunk + 1}–{chunk + len(requests)}", None)
                say(f"  history of {timetable.slug}: {chunk + len(requests)}/{per_slot} weeks")
