"""The stripe store: the only code that turns rule rows (and stored change stripes) into rules and back.

It reads stripes — whole, or only the rules reaching into a window of weeks, locked for a
writer — and the rules covering one week of a timetable, and it carries out a plan's actions
on the rows. Writers never call `write_actions` themselves: they go through
`services.recording.record_changes`, which also keeps the history and announces the change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any

from sqlalchemy import and_, bindparam, delete, insert, or_, select, text, union_all, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.sql.elements import BindParameter

from ..database import is_postgresql
from ..extensions import db
from ..models import Course, CourseRule, Slot, SlotRule
from ..rules import REFS, Action, Rule, get_parameter

SLOT, COURSE = "slot", "course"
RULE_MODELS: dict[str, type[SlotRule] | type[CourseRule]] = {SLOT: SlotRule, COURSE: CourseRule}
OWNER_MODELS: dict[str, type[Slot] | type[Course]] = {SLOT: Slot, COURSE: Course}
OWNER_FIELDS = {SLOT: "slot_id", COURSE: "course_id"}

StripeKey = tuple[str, int, str]  # (owner kind, owner id, parameter)
Window = tuple[int | None, int | None]  # (first week, last week); None = open


@dataclass(frozen=True)
class StripeChange:
    """One stripe as it is and as a plan leaves it, with the fewest actions in between."""

    owner: str
    owner_id: int
    param: str
    before: tuple[Rule, ...]
    actions: tuple[Action, ...]
    after: tuple[Rule, ...]

    @property
    def key(self) -> StripeKey:
        return (self.owner, self.owner_id, self.param)


def _owner_column(owner: str):
    model = RULE_MODELS[owner]
    return getattr(model, OWNER_FIELDS[owner])


def load_stripes(
    keys: Iterable[StripeKey], *, for_update: bool = False, window: Window | None = None
) -> dict[StripeKey, list[Rule]]:
    """Load many stripes in one query per (owner kind, parameter); missing ones come back empty.

    With a `window`, only the rules reaching into it are loaded: an edit of a few weeks reads
    the same few rules however long the history. With `for_update` on PostgreSQL the rows are
    locked until the transaction ends.
    """
    stripes: dict[StripeKey, list[Rule]] = {key: [] for key in keys}
    wanted: dict[tuple[str, str], set[int]] = defaultdict(set)
    for owner, owner_id, param in stripes:
        wanted[(owner, param)].add(owner_id)
    for (owner, param), owner_ids in wanted.items():
        model = RULE_MODELS[owner]
        owner_column = _owner_column(owner)
        # Plain columns, never ORM objects: rules are written by statements (write_actions), so
        # no stale copy of a rule can linger in the session.
        query = (select(owner_column, model.id, model.start_week, model.end_week, model.value)
                 .where(owner_column.in_(owner_ids), model.param == param).order_by(model.id))
        if window is not None:
            first, last = window
            if first is not None:
                query = query.where(or_(model.end_week.is_(None), model.end_week >= first))
            if last is not None:
                query = query.where(or_(model.start_week.is_(None), model.start_week <= last))
        if for_update and is_postgresql():
            query = query.with_for_update()
        decode = get_parameter(param).decode
        for owner_id, rule_id, start, end, value in db.session.execute(query):
            stripes[(owner, owner_id, param)].append(Rule(rule_id, start, end, decode(value)))
    return stripes


# A change writing this many stripes at once (an import, a new timetable, a large undo) refreshes
# the rule tables' planner statistics (see refresh_statistics).
BULK_STRIPES = 500


def refresh_statistics() -> None:
    """Let PostgreSQL's planner see the rules just written in bulk, inside the caller's transaction.

    Until the rule tables are analyzed, the planner guesses: it reads a stripe through the
    exclusion constraint's index by parameter alone, scanning every rule of that parameter
    (3 ms instead of 0.4 for forty slots of the 10× history bench), where the stripe index
    (slot, parameter, start) reads just their rules. Autovacuum analyzes a minute or so after a
    bulk load; this makes the edits right after an import as fast as later ones. SQLite needs
    no statistics here (its stripe reads use the stripe index regardless).
    """
    if is_postgresql():
        db.session.execute(text(f"ANALYZE {SlotRule.__tablename__}, {CourseRule.__tablename__}"))


def _covering(model, week: int, columns: Sequence, *conditions):
    """Rules covering `week` (and the conditions), as one statement.

    Two halves joined by UNION ALL — rules ending in or after the week, rules that never
    end — so that each half is a range scan of the index (timetable_id, end_week,
    start_week) on any engine, with or without planner statistics: past history, however
    long, is not read. (An OR of the two conditions makes SQLite scan every rule of the
    timetable until ANALYZE has run.)
    """
    starts_by_then = or_(model.start_week <= week, model.start_week.is_(None))
    ending_later = select(*columns).where(*conditions, model.end_week >= week, starts_by_then)
    never_ending = select(*columns).where(*conditions, model.end_week.is_(None), starts_by_then)
    return union_all(ending_later, never_ending)


def covering_values(
    owner: str, timetable_id: int, week: int, owner_ids: Sequence[int] | None = None,
) -> dict[int, dict[str, Any]]:
    """The value of every rule covering `week`, by owner then parameter, for a whole timetable
    (or only `owner_ids`): what resolving a week reads, in one statement whatever the owners."""
    model = RULE_MODELS[owner]
    conditions = [model.timetable_id == timetable_id]
    if owner_ids is not None:
        conditions.append(_owner_column(owner).in_(owner_ids))
    by_owner: dict[int, dict[str, Any]] = defaultdict(dict)
    # Plain columns, not ORM objects: a week of a large school is thousands of rules, read per page.
    columns = (_owner_column(owner), model.param, model.value)
    # Values repeat (one room, one weekday for many slots) and are immutable: decode each once.
    decoded: dict[tuple[str, str], Any] = {}
    # Fetched at once (.all()): row by row costs a call per row, and a week is thousands.
    for owner_id, param, value in db.session.execute(_covering(model, week, columns, *conditions)).all():
        key = (param, value)
        if key not in decoded:
            decoded[key] = get_parameter(param).decode(value)
        by_owner[owner_id][param] = decoded[key]
    return by_owner


def covering_values_by_week(
    owner: str, timetable_id: int, weeks: Sequence[int], owner_ids: Sequence[int] | None = None,
) -> dict[int, dict[int, dict[str, Any]]]:
    """`covering_values` for each of `weeks` (ascending), from one statement: the rules that touch the span,
    read once. What a feed of a year of weeks, or the usual week's eight, reads instead of a statement per week."""
    if not weeks:
        return {}
    first, last = weeks[0], weeks[-1]
    model = RULE_MODELS[owner]
    columns = (_owner_column(owner), model.param, model.value, model.start_week, model.end_week)
    conditions = [model.timetable_id == timetable_id, or_(model.start_week <= last, model.start_week.is_(None))]
    if owner_ids is not None:
        conditions.append(_owner_column(owner).in_(owner_ids))
    # As _covering: two halves, each a range scan of (timetable_id, end_week, start_week).
    ending_later = select(*columns).where(*conditions, model.end_week >= first)
    never_ending = select(*columns).where(*conditions, model.end_week.is_(None))
    decoded: dict[tuple[str, str], Any] = {}
    rules = []
    for owner_id, param, value, start, end in db.session.execute(union_all(ending_later, never_ending)).all():
        key = (param, value)
        if key not in decoded:
            decoded[key] = get_parameter(param).decode(value)
        rules.append((owner_id, param, decoded[key], start, end))
    found: dict[int, dict[int, dict[str, Any]]] = {}
    for week in weeks:
        by_owner: dict[int, dict[str, Any]] = defaultdict(dict)
        for owner_id, param, value, start, end in rules:
            if (start is None or start <= week) and (end is None or end >= week):
                by_owner[owner_id][param] = value
        found[week] = by_owner
    return found


def slots_of_courses(course_ids: set[int]) -> set[int]:
    """Slots that belong to any of these courses in some week."""
    if not course_ids:
        return set()
    encoded = [get_parameter("course").encode(course_id) for course_id in course_ids]
    return set(db.session.scalars(select(SlotRule.slot_id).where(SlotRule.param == "course", SlotRule.value.in_(encoded))))


def write_actions(owner: str, owner_id: int, timetable_id: int, param: str, actions: Sequence[Action]) -> list[int]:
    """Carry out a plan's actions on the rule rows of one stripe, inside the caller's transaction.

    Returns the ids the inserted rules received, in the order of the inserts (what
    `invert` needs to undo them).
    """
    statements = _rule_statements(owner)
    parameter = get_parameter(param)
    inserted: list[int] = []
    db.session.flush()
    # Straight on the connection: the rows are never ORM objects, so the ORM's statement path
    # (most of an apply's time, at one statement per action) has nothing to do.
    connection = db.session.connection()
    # One statement per action, in the plan's order: that order never overlaps midway, which
    # PostgreSQL's exclusion constraint checks statement by statement.
    for action in actions:
        if action.kind == "delete":
            connection.execute(statements.delete, {"b_rule": action.id, "b_owner": owner_id})
        elif action.kind == "update":
            updated = connection.execute(statements.update, {
                "b_rule": action.id, "b_owner": owner_id, "b_param": param,
                "b_start": action.start, "b_end": action.end, "b_value": parameter.encode(action.value)})
            if updated.rowcount != 1:
                raise LookupError(f"rule {action.id} is not part of the {param} stripe of {owner} {owner_id}")
        elif action.kind == "insert":
            inserted.append(connection.execute(statements.insert, {
                "b_owner": owner_id, "b_timetable": timetable_id, "b_param": param,
                "b_start": action.start, "b_end": action.end, "b_value": parameter.encode(action.value)}).scalar_one())
        else:
            raise ValueError(f"unknown action kind {action.kind!r}")
    return inserted


def write_changes(timetable_id: int, changes: Sequence[StripeChange]) -> list[list[int]]:
    """Carry out the actions of many stripes, inside the caller's transaction; the ids inserted, per change, in order.

    Each stripe's actions still run in its plan's order, one statement each (see `write_actions`).
    Stripes share no rows, so the n-th actions of all stripes run together: one executemany per
    kind of action, a round trip to the database per step rather than per action.
    """
    keys = [change.key for change in changes]
    if len(set(keys)) < len(keys):  # one stripe changed twice: keep the changes' order exactly
        return [write_actions(c.owner, c.owner_id, timetable_id, c.param, c.actions) for c in changes]
    db.session.flush()
    connection = db.session.connection()
    inserted: list[list[int]] = [[] for _ in changes]
    for step in range(max((len(change.actions) for change in changes), default=0)):
        batches: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = defaultdict(list)
        for index, change in enumerate(changes):
            if step < len(change.actions):
                action = change.actions[step]
                batches[(change.owner, action.kind)].append((index, _bound(change, action, timetable_id)))
        for (owner, kind), rows in sorted(batches.items()):
            statements = _rule_statements(owner)
            if kind == "insert":  # one at a time: each hands back its new id
                for index, values in rows:
                    inserted[index].append(connection.execute(statements.insert, values).scalar_one())
                continue
            result = connection.execute(statements.update if kind == "update" else statements.delete,
                                        [values for _index, values in rows])
            if kind == "update" and result.rowcount != len(rows):
                raise LookupError(f"{len(rows) - result.rowcount} of the rules to update are no longer part of their stripes")
    return inserted


def _bound(change: StripeChange, action: Action, timetable_id: int) -> dict[str, Any]:
    """The values of the statement carrying out one action."""
    if action.kind == "delete":
        return {"b_rule": action.id, "b_owner": change.owner_id}
    values = {"b_owner": change.owner_id, "b_param": change.param, "b_start": action.start, "b_end": action.end,
              "b_value": get_parameter(change.param).encode(action.value)}
    if action.kind == "update":
        return {**values, "b_rule": action.id}
    if action.kind == "insert":
        return {**values, "b_timetable": timetable_id}
    raise ValueError(f"unknown action kind {action.kind!r}")


def is_new_stripe(change: StripeChange) -> bool:
    """A change that only inserts rules into an empty stripe (a new slot's or course's first rules)."""
    return not change.before and all(action.kind == "insert" for action in change.actions)


def insert_new_stripes(timetable_id: int, changes: Sequence[StripeChange]) -> list[list[int]]:
    """Write the rules of many new stripes in one batched INSERT per owner kind; the ids, per change, in order.

    Rules of an empty stripe cannot overlap the rows of another stripe, so unlike `write_actions`
    they need no statement of their own: a 1,500-slot import writes ten thousand rules at once.
    """
    db.session.flush()
    inserted: list[list[int]] = [[] for _ in changes]
    for owner in sorted({change.owner for change in changes}):
        model = RULE_MODELS[owner]
        rows, where = [], []
        for index, change in enumerate(changes):
            if change.owner != owner:
                continue
            encode = get_parameter(change.param).encode
            for action in change.actions:
                rows.append({OWNER_FIELDS[owner]: change.owner_id, "timetable_id": timetable_id, "param": change.param,
                             "start_week": action.start, "end_week": action.end, "value": encode(action.value)})
                where.append(index)
        if not rows:
            continue
        connection = db.session.connection()
        connection.execute(insert(model), rows)  # one executemany, no RETURNING: SQLite would send it row by row
        # The stripes were empty, so their rows now are exactly the ones inserted; a rule is known by its first week.
        owner_column = _owner_column(owner)
        owners = sorted({change.owner_id for change in changes if change.owner == owner})
        found: dict[tuple[int, str, int | None], int] = {}
        for first in range(0, len(owners), 500):
            part = owners[first:first + 500]
            query = select(model.id, owner_column, model.param, model.start_week).where(
                model.timetable_id == timetable_id, owner_column.in_(part))
            found.update({(owner_id, param, start): rule_id for rule_id, owner_id, param, start in connection.execute(query)})
        for index in sorted(set(where)):
            change = changes[index]
            inserted[index] = [found[(change.owner_id, change.param, action.start)] for action in change.actions]
    return inserted


def is_whole_delete(change: StripeChange) -> bool:
    """A change that only deletes rules (undoing a creation or an import empties the stripe)."""
    return bool(change.actions) and all(action.kind == "delete" for action in change.actions)


def delete_rules_of(changes: Sequence[StripeChange], chunk: int = 500) -> None:
    """Carry out many changes that only delete rules, a few statements per owner kind: deleting cannot overlap."""
    db.session.flush()
    for owner in sorted({change.owner for change in changes}):
        model = RULE_MODELS[owner]
        owner_column = _owner_column(owner)
        pairs = [(action.id, change.owner_id) for change in changes if change.owner == owner for action in change.actions]
        for first in range(0, len(pairs), chunk):
            part = pairs[first:first + chunk]
            result: CursorResult = db.session.connection().execute(
                delete(model).where(model.id.in_([rule for rule, _ in part]), owner_column.in_({o for _, o in part})))
            if result.rowcount != len(part):
                raise LookupError(f"{len(part) - result.rowcount} of the rules to delete are no longer part of their stripes")


@dataclass(frozen=True)
class _RuleStatements:
    delete: Any
    update: Any
    insert: Any


@cache
def _rule_statements(owner: str) -> _RuleStatements:
    """The three statements writing rules, built once: a plan writes hundreds of rules."""
    model = RULE_MODELS[owner]
    owner_column = _owner_column(owner)
    rule: BindParameter[int] = bindparam("b_rule")
    owner_id: BindParameter[int] = bindparam("b_owner")
    return _RuleStatements(
        delete=delete(model).where(model.id == rule, owner_column == owner_id)
        .execution_options(synchronize_session=False),
        update=update(model).where(model.id == rule, owner_column == owner_id, model.param == bindparam("b_param"))
        .values(start_week=bindparam("b_start"), end_week=bindparam("b_end"), value=bindparam("b_value"))
        .execution_options(synchronize_session=False),
        insert=insert(model).values({
            OWNER_FIELDS[owner]: owner_id, "timetable_id": bindparam("b_timetable"), "param": bindparam("b_param"),
            "start_week": bindparam("b_start"), "end_week": bindparam("b_end"), "value": bindparam("b_value"),
        }).returning(model.id),
    )


def encode_rules(param: str, rules: Iterable[Rule]) -> list:
    """Rules as a change stripe stores them: [start, end, value] with values encoded as in the rows."""
    encode = get_parameter(param).encode
    return [[rule.start, rule.end, encode(rule.value)] for rule in rules]


def decode_rules(param: str, stored: list) -> list[Rule]:
    decode = get_parameter(param).decode
    return [Rule(index, start, end, decode(value)) for index, (start, end, value) in enumerate(stored)]


def encode_actions(param: str, actions: Iterable[Action]) -> list:
    encode = get_parameter(param).encode
    return [[a.kind, a.id, a.start, a.end, None if a.kind == "delete" else encode(a.value)] for a in actions]


def rules_naming(
    timetable_id: int, params: Sequence[str], value: Any, from_week: int,
) -> list[tuple[str, int, str, int | None, int | None]]:
    """Rules of slots and courses that set one of `params` to `value` in `from_week` or later:
    (owner kind, owner id, parameter, start, end), the start cut to `from_week`."""
    found = []
    for owner, model in RULE_MODELS.items():
        column = _owner_column(owner)
        encoded = [get_parameter(param).encode(value) for param in params if get_parameter(param).kind != REFS]
        # A set of ids ("3,7") names each member: match the id alone, first, last or in between.
        member = str(value)
        in_sets = [param for param in params if get_parameter(param).kind == REFS]
        naming = or_(
            model.value.in_(encoded),
            and_(model.param.in_(in_sets), or_(model.value == member, model.value.like(f"{member},%"),
                                               model.value.like(f"%,{member}"), model.value.like(f"%,{member},%"))),
        )
        rows = db.session.execute(
            select(column, model.param, model.start_week, model.end_week)
            .where(model.timetable_id == timetable_id, model.param.in_(params), naming,
                   or_(model.end_week.is_(None), model.end_week >= from_week))
            .order_by(column, model.param, model.start_week)
        )
        for owner_id, param, start, end in rows:
            found.append((owner, owner_id, param, from_week if start is None or start < from_week else start, end))
    return found
