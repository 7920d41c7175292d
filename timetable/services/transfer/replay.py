"""Import: rebuild a timetable from a `timetable/1` document by replaying its history.

The plan (`plan_import`) reads and checks the whole document and says what it would create;
it writes nothing. `apply_import` then, in one transaction, creates the timetable, its
calendar, resources and slots, and replays every change of the history through the one write
path (`record_changes`), so the History page lists the same changes and each can be undone.
Stripes the history does not explain (a timetable older than its history) are set by one last
change of kind "import".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from ...database import write_transaction
from ...extensions import db
from ...models import BellChange, Course, Group, Holiday, Room, Slot, Staff, Term, Timetable, User, WeekCycle, WeekLabelOverride
from ...rules import Rule, apply, format_week, get_parameter
from ...rules.compare import transform
from ..bells import encode_grids, load_grids, replace_grids
from ..creation import create_timetable
from ..recording import record_changes
from ..stripes import OWNER_FIELDS, RULE_MODELS, SLOT, StripeChange, StripeKey, load_stripes
from . import map_refs
from .reading import Document, StripeRules, check_settings, read_document

MODELS = {"staff": Staff, "room": Room, "group": Group, "course": Course}
Progress = Callable[[str], None]


@dataclass(frozen=True)
class ImportPlan:
    slug: str
    document: Document

    @property
    def lines(self) -> list[str]:
        d = self.document
        resources = ", ".join(f"{len(rows)} {kind}" for kind, rows in d.resources.items())
        weeks = [w for c in d.history for s in c.stripes for r in s.after for w in r[:2] if w is not None]
        span = f" ({format_week(min(weeks))} to {format_week(max(weeks))})" if weeks else ""
        return [
            f"Timetable “{d.settings['name']}” at /{self.slug} ({d.settings['time_zone']}) would be created.",
            f"Calendar: {len(d.terms)} terms, {len(d.holidays)} holidays, a cycle of {d.cycle.length} week(s).",
            f"Bell times: {len(d.bells)} grid(s).",
            f"Resources: {resources}.",
            f"Slots: {len(d.slots)}, with {sum(1 for k in d.stripes if k[0] == SLOT)} stripes.",
            f"History: {len(d.history)} changes to replay{span}, each kept as a change of the History page.",
        ]


def plan_import(data: bytes | str, slug: str | None = None, name: str | None = None) -> ImportPlan:
    """Check the document (and that its timetable can be created) and say what importing it would do.

    `slug` and `name` replace the document's, to import a copy beside the original."""
    document = read_document(data)
    if name:
        document.settings["name"] = name
    slug = slug or document.settings["slug"]
    check_settings(document.settings, slug)
    return ImportPlan(slug, document)


def apply_import(plan: ImportPlan, *, progress: Progress | None = None) -> Timetable:
    """Create the timetable and replay its history, all in one transaction (nothing is written on error)."""
    document, say = plan.document, progress or (lambda _line: None)
    with write_transaction():
        columns = check_settings(document.settings, plan.slug)
        timetable = create_timetable(columns.pop("slug"), columns.pop("name"), columns.pop("time_zone"), **columns)
        _calendar(timetable, document)
        ids = _resources(timetable, document)
        say(f"created {sum(len(v) for v in ids.values())} resources and slots")
        _replay(timetable, document, ids, say)
        _reconcile(timetable, document, ids)
    say("done")
    return timetable


def _calendar(timetable: Timetable, document: Document) -> None:
    db.session.add_all(Term(timetable_id=timetable.id, name=name, start_week=start, end_week=end) for name, start, end in document.terms)
    db.session.add_all(Holiday(timetable_id=timetable.id, name=h.name, start_date=h.start, end_date=h.end) for h in document.holidays)
    cycle = document.cycle
    if cycle.length > 1 or cycle.start_week is not None:
        db.session.add(WeekCycle(timetable_id=timetable.id, length=cycle.length, start_week=cycle.start_week))
    if cycle.length > 1:
        db.session.add_all(WeekLabelOverride(timetable_id=timetable.id, week=w, label=label) for w, label in cycle.overrides.items())


def _resources(timetable: Timetable, document: Document) -> dict[str, dict[int, int]]:
    """Rows for the resources and slots, created in the document's id order; {kind: {document id: new id}}."""
    rows: dict[str, dict[int, object]] = {}
    for kind in ("course", "staff", "room", "group"):
        model = MODELS[kind]
        rows[kind] = {}
        for values in sorted(document.resources[kind], key=lambda v: v["id"]):
            row = model(timetable_id=timetable.id, name=values["name"], retired_from_week=values["retired_from_week"])
            for name, value in values.items():
                if name not in ("id", "name", "retired_from_week", "courses"):
                    setattr(row, name, value)
            db.session.add(row)
            db.session.flush()
            rows[kind][values["id"]] = row
    for values in document.resources["staff"]:
        rows["staff"][values["id"]].courses = [rows["course"][c] for c in values["courses"]]  # type: ignore[attr-defined]
    slots = {}
    for slot_id in sorted(document.slots):
        slot = Slot(timetable_id=timetable.id)
        db.session.add(slot)
        db.session.flush()
        slots[slot_id] = slot.id
    ids = {kind: {file_id: row.id for file_id, row in found.items()} for kind, found in rows.items()}  # type: ignore[attr-defined]
    ids[SLOT] = slots
    return ids


def _target(param: str, rules: StripeRules, ids: dict[str, dict[int, int]]) -> list[Rule]:
    ref = get_parameter(param).ref
    return [Rule(None, start, end, map_refs(value, ids[ref]) if ref else value) for start, end, value in rules]


def _stripe_changes(wanted: dict[StripeKey, list[Rule]]) -> list[StripeChange]:
    """What turns each stripe as it is now into the wanted one (locked rows, in the caller's transaction)."""
    current = load_stripes(wanted, for_update=True)
    changes = []
    for key, target in wanted.items():
        before = tuple(sorted(current[key], key=lambda r: (r.start is not None, r.start or 0)))
        actions = transform(before, target)
        if actions:
            changes.append(StripeChange(*key, before, tuple(actions), tuple(apply(before, actions))))
    return changes


def _replay(timetable: Timetable, document: Document, ids: dict[str, dict[int, int]], say: Progress) -> None:
    users: dict[str, int] = {name: user_id for name, user_id in db.session.execute(select(User.username, User.id))}
    replayed: dict[int, int] = {}
    for number, change in enumerate(document.history, start=1):
        wanted = {(s.owner, ids[s.owner][s.owner_id], s.param): _target(s.param, s.after, ids) for s in change.stripes}
        change_set = record_changes(timetable, _stripe_changes(wanted), change.summary, users.get(change.user or ""),
                                    kind=change.kind, undoes_id=replayed.get(change.undoes) if change.undoes else None)
        change_set.created_at = change.created_at
        db.session.flush()
        if change.bells is not None:
            before, after = change.bells
            replace_grids(timetable, after)
            db.session.add(BellChange(change_set_id=change_set.id, before=encode_grids(before), after=encode_grids(after)))
            db.session.flush()
        replayed[change.id] = change_set.id
        if number % 100 == 0:
            say(f"replayed {number} of {len(document.history)} changes")


def _reconcile(timetable: Timetable, document: Document, ids: dict[str, dict[int, int]]) -> None:
    """Set what the history does not explain: stripes and bell grids that differ from the document's."""
    wanted = {(owner, ids[owner][owner_id], param): _target(param, rules, ids)
              for (owner, owner_id, param), rules in document.stripes.items()}
    for owner, model in RULE_MODELS.items():
        column = getattr(model, OWNER_FIELDS[owner])
        # A stripe the history left that the document does not list is emptied.
        for owner_id, param in db.session.execute(select(column, model.param).where(model.timetable_id == timetable.id).distinct()):
            wanted.setdefault((owner, owner_id, param), [])
    changes = _stripe_changes(wanted)
    grids_differ = load_grids(timetable.id) != document.bells
    if not changes and not grids_differ:
        return
    change_set = record_changes(timetable, changes, "Import: the stripes and bell times as exported", None, kind="import")
    if grids_differ:
        before = load_grids(timetable.id)
        replace_grids(timetable, document.bells)
        db.session.add(BellChange(change_set_id=change_set.id, before=encode_grids(before), after=encode_grids(document.bells)))
    db.session.flush()

