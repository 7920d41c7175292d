"""What a plan would do, in words: the values that change per slot, the customisations kept, the clashes."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from sqlalchemy import select, union

from ...extensions import db
from ...formatting import hhmm, spans_text, weekday_name
from ...models import CourseRule, SlotRule, Timetable
from ...rules import (
    CLASH_KINDS,
    PARAMETERS,
    STATUS_CLOSED,
    Placement,
    find_clashes,
    format_span,
    get_parameter,
    inherit,
    next_week,
    previous_week,
    ref_ids,
    union_spans,
    value_in_week,
)
from ...rules.compare import UNCOVERED, breakpoints, differences, segments, value_from
from ..booking import BookingLine, booked_changes
from ..resolution import (
    REFERENCE_KINDS,
    Directory,
    Occurrence,
    WeekRules,
    load_directory,
    occurrences_of,
    read_week,
    resolve_week,
)
from ..stripes import COURSE, SLOT, StripeChange, StripeKey, load_stripes, slots_of_courses

MAX_CLASH_WEEKS = 12


def describe(param: str, value: Any, directory: Directory) -> str:
    """A value as people read it: names for references, "08:30" for times, "—" when not set."""
    if param == "cycle_weeks" and value in (UNCOVERED, None, ""):
        return "Every week"  # not set means every week of the cycle
    if value is UNCOVERED or value is None or value == "":
        return "—"
    if param in REFERENCE_KINDS:
        return directory.name(REFERENCE_KINDS[param], value)
    return get_parameter(param).display(value)


@dataclass(frozen=True)
class DiffLine:
    slot_id: int
    label: str
    param: str
    start: int | None
    end: int | None
    old: str
    new: str

    @property
    def weeks(self) -> str:
        return format_span(self.start, self.end)

    def __str__(self) -> str:
        return f"{self.label} · {PARAMETERS[self.param].label.lower()} {self.old} → {self.new} · {self.weeks}"


@dataclass(frozen=True)
class KeptLine:
    """A slot that keeps its own value where its course changes (seed 003's customisation)."""

    slot_id: int
    label: str
    param: str
    start: int | None
    end: int | None
    own: str
    course_new: str

    @property
    def weeks(self) -> str:
        return format_span(self.start, self.end)

    def __str__(self) -> str:
        return f"{self.label} · keeps its own {PARAMETERS[self.param].label.lower()} {self.own} (course: {self.course_new}) · {self.weeks}"


Span = tuple[int, int | None]


@dataclass(frozen=True)
class ClashLine:
    kind: str
    resource: str
    weekday: int
    first: str
    second: str
    # The stretches of weeks the clash holds over: (first, last), last None = for ever.
    weeks: tuple[Span, ...]

    def __str__(self) -> str:
        return f"{self.resource} in both {self.first} and {self.second} ({weekday_name(self.weekday)}, {spans_text(self.weeks)})"


@dataclass(frozen=True)
class Preview:
    lines: tuple[DiffLine, ...] = ()
    kept: tuple[KeptLine, ...] = ()
    clashes_created: tuple[ClashLine, ...] = ()
    clashes_removed: tuple[ClashLine, ...] = ()
    # Where clashes were looked for: the grid is the same throughout each of these stretches.
    clash_weeks: tuple[Span, ...] = field(default=())
    slot_ids: frozenset[int] = frozenset()
    bookings: tuple[BookingLine, ...] = ()


def slot_label(occurrence: Occurrence | None, slot_id: int, directory: Directory) -> str:
    if occurrence is None:
        return f"Slot {slot_id}"
    return f"{occurrence.title(directory)} · {weekday_name(occurrence.weekday, short=True)} {hhmm(occurrence.start)}"


class _World:
    """The stripes a preview reads, as they stand before the plan or as it leaves them."""

    def __init__(self, stripes: dict[StripeKey, list]):
        self.stripes = stripes

    def stripe(self, key: StripeKey) -> list:
        return self.stripes.get(key, [])

    def resolved(self, slot_id: int, param: str, week: int | None) -> tuple[Any, str]:
        return value_in_week(
            param, week, lambda name: self.stripe((SLOT, slot_id, name)),
            lambda course, name: self.stripe((COURSE, course, name)),
        )


def _worlds(changes: list[StripeChange], loaded: dict[StripeKey, list]) -> tuple[_World, _World]:
    before, after = dict(loaded), dict(loaded)
    for change in changes:
        before[change.key] = list(change.before)
        after[change.key] = list(change.after)
    return _World(before), _World(after)


def _is_new(slot_id: int) -> bool:
    """Slots a plan creates carry a negative id until they are written."""
    return slot_id < 0


@dataclass
class _Findings:
    lines: list[DiffLine] = field(default_factory=list)
    kept: list[KeptLine] = field(default_factory=list)
    # The first week each slot changes in: where a slot that is absent this week gets its label.
    first_weeks: dict[int, int] = field(default_factory=dict)


def build_preview(timetable: Timetable, changes: list[StripeChange], reference_week: int) -> Preview:
    """Describe the changes slot by slot, with customisations kept and clashes created or removed."""
    directory = load_directory(timetable.id)
    affected = _affected_slots(changes)
    before, after, courses = _load_worlds(changes, affected)
    found = _Findings()
    for param in sorted(affected):
        for slot_id in sorted(affected[param]):
            _compare_slot(before, after, slot_id, param, courses, directory, found)

    weeks = _ResolvedWeeks(timetable, {change.key: list(change.after) for change in changes})
    slot_ids = {line.slot_id for line in found.lines} | {line.slot_id for line in found.kept}
    labels = _labels(weeks, slot_ids, reference_week, found.first_weeks, directory)
    lines = _merge([replace(line, label=labels[line.slot_id]) for line in found.lines])
    kept = _merge([replace(line, label=labels[line.slot_id]) for line in found.kept])

    clash_weeks = _clash_weeks(timetable, lines, reference_week)
    created, removed = _clash_changes(weeks, clash_weeks, directory)
    return Preview(tuple(lines), tuple(kept), tuple(created), tuple(removed), tuple(clash_weeks),
                   frozenset(line.slot_id for line in lines), tuple(booked_changes(timetable, lines)))


class _ResolvedWeeks:
    """Slots of weeks resolved as they are and as the plan would leave them, each at most once per preview.

    A preview needs few slots of a week: the ones the plan touches, the ones that can clash with
    them, the ones it names. Each week is read once, and only the slots asked for are resolved,
    not the hundreds of the week (what most of a plan's time used to go to).
    """

    def __init__(self, timetable: Timetable, overrides: dict[StripeKey, list]):
        self.timetable, self.overrides = timetable, overrides
        self._found: dict[tuple[bool, int], dict[int, Occurrence | None]] = {}
        self._read: dict[int, WeekRules] = {}
        self._touched: dict[int, set[int]] = {}
        self._needs: dict[int, dict[int, _Needs]] = {}

    def rules(self, week: int) -> WeekRules:
        if week not in self._read:
            self._read[week] = read_week(self.timetable, week)
        return self._read[week]

    def before(self, week: int, slot_ids: Iterable[int]) -> dict[int, Occurrence]:
        """The slots that occur in the week as it stands (closed ones included), by id."""
        found = self._found.setdefault((False, week), {})
        slot_ids = list(slot_ids)
        missing = [slot_id for slot_id in slot_ids if slot_id not in found]
        if missing:
            rules = self.rules(week)
            subset = replace(rules, slot_values={i: rules.slot_values[i] for i in missing if i in rules.slot_values})
            resolved = {o.slot_id: o for o in occurrences_of(subset, include_closed=True)}
            found.update((slot_id, resolved.get(slot_id)) for slot_id in missing)
        return _occurring(found, slot_ids)

    def after(self, week: int, slot_ids: Iterable[int]) -> dict[int, Occurrence]:
        """The slots that occur in the week as the plan leaves it (closed ones included), by id."""
        key = (True, week)
        if key not in self._found:
            # Only slots the plan touches (their own stripes, or their course's) can read otherwise.
            rules = self.rules(week)
            touched = self.touched(week)
            subset = replace(rules, slot_values={k: v for k, v in rules.slot_values.items() if k in touched})
            changed = {o.slot_id: o for o in occurrences_of(subset, include_closed=True, overrides=self.overrides)}
            self._found[key] = {slot_id: changed.get(slot_id) for slot_id in touched | changed.keys()}
        found = self._found[key]
        slot_ids = list(slot_ids)
        unchanged = self.before(week, [slot_id for slot_id in slot_ids if slot_id not in found])
        return {**unchanged, **_occurring(found, slot_ids)}

    def touched(self, week: int) -> set[int]:
        """The slots the plan may change in the week, new ones included."""
        if week not in self._touched:
            slots = {owner_id for owner, owner_id, _param in self.overrides if owner == SLOT}
            courses = {owner_id for owner, owner_id, _param in self.overrides if owner == COURSE}
            if courses:
                slot_values = self.rules(week).slot_values
                slots |= {slot_id for slot_id, values in slot_values.items() if values.get("course") in courses}
            self._touched[week] = slots
        return self._touched[week]

    def needs(self, week: int) -> dict[int, _Needs]:
        """Every slot's time and resources in the week as it stands: the few parameters a clash reads, not all."""
        if week not in self._needs:
            rules = self.rules(week)
            needs = {}
            for slot_id, own in rules.slot_values.items():
                course = own.get("course")
                inherited = rules.course_values.get(course, {}) if course is not None else {}
                values = {name: inherit(name, own.get(name, UNCOVERED), inherited.get(name, UNCOVERED))[0]
                          for name in _NEEDED}
                if values["weekday"] is None or values["start"] is None:
                    continue
                # The teachers planned and their substitute both: a superset of who is there.
                resources = {kind: ref_ids(values[kind]) for kind in CLASH_KINDS}
                resources["staff"] += ref_ids(values["substitute"])
                needs[slot_id] = _Needs(values["weekday"], values["start"], values["start"] + (values["duration"] or 0),
                                        resources)
            self._needs[week] = needs
        return self._needs[week]


# What a slot occupies in a week, read cheaply to find the slots that can clash with a plan's.
_NEEDED = ("weekday", "start", "duration", "staff", "substitute", "room", "group")


@dataclass(frozen=True)
class _Needs:
    weekday: int
    start: int
    end: int
    resources: dict[str, tuple[int, ...]]


def _occurring(found: dict[int, Occurrence | None], slot_ids: Iterable[int]) -> dict[int, Occurrence]:
    occurring = {}
    for slot_id in slot_ids:
        occurrence = found.get(slot_id)
        if occurrence is not None:
            occurring[slot_id] = occurrence
    return occurring


def _affected_slots(changes: list[StripeChange]) -> dict[str, set[int]]:
    """Per changed parameter, the slots whose value may change: their own, or their course's."""
    affected: dict[str, set[int]] = {}
    for param in {change.param for change in changes}:
        slots = {c.owner_id for c in changes if c.param == param and c.owner == SLOT}
        slots |= slots_of_courses({c.owner_id for c in changes if c.param == param and c.owner == COURSE})
        affected[param] = slots
    return affected


def _load_worlds(changes: list[StripeChange], affected: dict[str, set[int]]) -> tuple[_World, _World, set[int]]:
    """The stripes before and after the plan that the affected slots read, and the courses involved."""
    all_slots = set().union(*affected.values()) if affected else set()
    keys: set[StripeKey] = {(SLOT, slot_id, "course") for slot_id in all_slots}
    keys |= {(SLOT, slot_id, param) for param, slots in affected.items() for slot_id in slots}
    course_keys = {key for key in keys if key[2] == "course"}
    course_stripes = load_stripes(course_keys)
    courses = {rule.value for rules in course_stripes.values() for rule in rules if rule.value is not None}
    courses |= {c.owner_id for c in changes if c.owner == COURSE}
    keys |= {(COURSE, course_id, param) for course_id in courses for param in affected if param != "course"}
    # The changed stripes come with the plan, as far as it read them: their whole history is not read again.
    changed = {change.key for change in changes}
    before, after = _worlds(changes, {**course_stripes, **load_stripes(keys - course_keys - changed)})
    return before, after, courses


def _compare_slot(before: _World, after: _World, slot_id: int, param: str, courses: set[int],
                  directory: Directory, found: _Findings) -> None:
    """Record where one parameter of one slot reads differently, and where it keeps its own value."""
    for seg_start, seg_end in _changed_segments(before, after, slot_id, param):
        old, old_source = before.resolved(slot_id, param, seg_start)
        new, _ = after.resolved(slot_id, param, seg_start)
        if _is_new(slot_id):
            if after.resolved(slot_id, "weekday", seg_start)[0] is None:
                continue  # a slot being created is described only where it will occur
            old = UNCOVERED
        if old != new:
            found.lines.append(DiffLine(slot_id, "", param, seg_start, seg_end,
                                        describe(param, old, directory), describe(param, new, directory)))
            if seg_start is not None:
                found.first_weeks.setdefault(slot_id, seg_start)
        elif old_source == SLOT and param != "course":
            course = value_from(before.stripe((SLOT, slot_id, "course")), seg_start)
            if course not in courses:
                continue
            course_old = value_from(before.stripe((COURSE, course, param)), seg_start)
            course_new = value_from(after.stripe((COURSE, course, param)), seg_start)
            if course_old != course_new:
                found.kept.append(KeptLine(slot_id, "", param, seg_start, seg_end,
                                           describe(param, old, directory), describe(param, course_new, directory)))


def _changed_segments(before: _World, after: _World, slot_id: int, param: str) -> list[tuple[int | None, int | None]]:
    """The stretches of weeks, each read by one set of rules, where the slot's value may change.

    Resolved values can only differ where one of the stripes the slot reads changed: walk those
    weeks, not the whole history of the stripes.
    """
    own_keys: list[StripeKey] = [(SLOT, slot_id, param), (SLOT, slot_id, "course")]
    if _is_new(slot_id):
        own_keys.append((SLOT, slot_id, "weekday"))
    slot_courses = {rule.value for world in (before, after) for rule in world.stripe((SLOT, slot_id, "course"))}
    keys = own_keys + [(COURSE, course_id, param) for course_id in slot_courses if course_id is not None]
    stripes = [world.stripe(key) for world in (before, after) for key in keys]
    footprint = union_spans(
        (difference.start, difference.end)
        for key in keys
        for difference in differences(before.stripe(key), after.stripe(key))
    )
    return [segment for lo, hi in footprint for segment in segments(breakpoints(stripes, lo, hi), hi)]


def _clash_weeks(timetable: Timetable, lines, reference_week: int) -> list[Span]:
    """The stretches of changed weeks over which the week grid stays the same, first ones first.

    Inside a changed stretch, the grid can only differ in a week where some rule of the
    timetable (or of the plan) starts or ends, so each such week opens a new stretch and one
    week per stretch is enough to find its clashes. At most MAX_CLASH_WEEKS stretches are
    checked. A change open towards the past is checked from the reference week on.
    """
    spans: list[Span] = []
    for start, end in union_spans((line.start, line.end) for line in lines):
        lo = start if start is not None else reference_week
        if end is not None and lo > end:
            lo = end
        points = {lo}
        points.update(line.start for line in lines if line.start is not None and line.start > lo and (end is None or line.start <= end))
        for model in (SlotRule, CourseRule):
            points.update(_starts_after(model, timetable.id, lo, end))
            ends = select(model.end_week).where(model.timetable_id == timetable.id, model.end_week >= lo)
            if end is not None:
                ends = ends.where(model.end_week < end)
            last_weeks = db.session.scalars(ends.distinct().order_by(model.end_week).limit(MAX_CLASH_WEEKS))
            points.update(next_week(week) for week in last_weeks if week is not None)
        ordered = sorted(points)
        spans += [(p, previous_week(ordered[i + 1]) if i + 1 < len(ordered) else end) for i, p in enumerate(ordered)]
    return spans[:MAX_CLASH_WEEKS]


def _starts_after(model, timetable_id: int, lo: int, end: int | None) -> list[int]:
    """The first MAX_CLASH_WEEKS weeks in (lo, end] where a rule starts.

    A rule starting after `lo` also ends after it, or never: asked that way, in two halves as
    when resolving a week, the database reads a range of the index (timetable_id, end_week,
    start_week) and never the past history, however long.
    """
    halves = []
    for ending in (model.end_week > lo, model.end_week.is_(None)):
        half = select(model.start_week.label("week")).where(model.timetable_id == timetable_id, ending, model.start_week > lo)
        halves.append(half if end is None else half.where(model.start_week <= end))
    weeks = union(*halves).subquery()
    return list(db.session.scalars(select(weeks.c.week).order_by(weeks.c.week).limit(MAX_CLASH_WEEKS)))


def _add_span(spans: list[Span], span: Span) -> None:
    """Append a stretch, joining it to the previous one when they touch."""
    if spans and spans[-1][1] is not None and next_week(spans[-1][1]) == span[0]:
        spans[-1] = (spans[-1][0], span[1])
    else:
        spans.append(span)


def _merge(lines):
    """Join consecutive segments of one slot and parameter that read the same."""
    merged = []
    for line in lines:
        if merged and _continues(merged[-1], line):
            merged[-1] = replace(merged[-1], end=line.end)
        else:
            merged.append(line)
    return merged


def _continues(last, line) -> bool:
    words = ("old", "new") if isinstance(last, DiffLine) else ("own", "course_new")
    return (
        (last.slot_id, last.param) == (line.slot_id, line.param)
        and last.end is not None
        and line.start is not None
        and next_week(last.end) == line.start
        and all(getattr(last, word) == getattr(line, word) for word in words)
    )


def _labels(weeks: _ResolvedWeeks, slot_ids, reference_week, first_weeks, directory) -> dict[int, str]:
    """"Maths 7A · Mon 08:00" for each slot as it stands in the reference week (after the plan for a new one)."""
    occurrences = weeks.before(reference_week, slot_ids)
    if not slot_ids <= occurrences.keys():  # a slot that only occurs after the plan (a new one, a move into this week)
        occurrences.update(weeks.after(reference_week, slot_ids - occurrences.keys()))
    labels = {}
    missing = defaultdict(list)
    for slot_id in slot_ids:
        if slot_id in occurrences:
            labels[slot_id] = slot_label(occurrences[slot_id], slot_id, directory)
        elif slot_id in first_weeks:
            missing[first_weeks[slot_id]].append(slot_id)
        else:
            labels[slot_id] = slot_label(None, slot_id, directory)
    for week, ids in list(missing.items())[:MAX_CLASH_WEEKS]:
        found = weeks.after(week, ids)
        for slot_id in ids:
            labels[slot_id] = slot_label(found.get(slot_id), slot_id, directory)
    for slot_id in slot_ids:
        labels.setdefault(slot_id, slot_label(None, slot_id, directory))
    return labels


def placements(occurrences) -> list[Placement]:
    return [
        Placement(o.slot_id, o.weekday, o.start, o.end, staff=o.present_staff, room=o.values["room"], group=o.values["group"])
        for o in occurrences
        if o.status == "open" and not o.off  # a holiday or the week cycle cancels it
    ]


def _clash_candidates(weeks: _ResolvedWeeks, week: int) -> set[int]:
    """The slots of the week that can be in a clash the plan creates or removes.

    Such a clash pairs a slot the plan touches with another slot that needs one of its
    resources on the same weekday at an overlapping time, before or after the plan; clashes
    between two untouched slots are the same on both sides and cancel out. So only those
    other slots are resolved in full.
    """
    touched = weeks.touched(week)
    windows: dict[tuple[str, int, int], list[tuple[int, int]]] = defaultdict(list)
    for occurrences in (weeks.before(week, touched), weeks.after(week, touched)):
        for placement in placements(occurrences.values()):
            for kind in CLASH_KINDS:
                for resource in ref_ids(getattr(placement, kind)):
                    windows[(kind, resource, placement.weekday)].append((placement.start, placement.end))
    candidates = set(touched)
    for slot_id, needs in weeks.needs(week).items():
        if any(needs.start < last and first < needs.end
               for kind, resources in needs.resources.items() for resource in resources
               for first, last in windows.get((kind, resource, needs.weekday), ())):
            candidates.add(slot_id)
    return candidates


def _clash_changes(weeks: _ResolvedWeeks, spans, directory) -> tuple[list[ClashLine], list[ClashLine]]:
    created: dict[tuple, list[Span]] = defaultdict(list)
    removed: dict[tuple, list[Span]] = defaultdict(list)
    for span in spans:
        week = span[0]
        candidates = _clash_candidates(weeks, week)
        before = set(find_clashes(placements(weeks.before(week, candidates).values())))
        after = set(find_clashes(placements(weeks.after(week, candidates).values())))
        for clash in after - before:
            _add_span(created[(clash.kind, clash.resource, clash.weekday, clash.first, clash.second)], span)
        for clash in before - after:
            _add_span(removed[(clash.kind, clash.resource, clash.weekday, clash.first, clash.second)], span)

    def label(slot_id: int) -> str:
        # As the slot first occurs in the stretches checked: before the plan, else after it.
        for first, _last in spans:
            for occurrence in (weeks.before(first, [slot_id]).get(slot_id), weeks.after(first, [slot_id]).get(slot_id)):
                if occurrence is not None and occurrence.status != STATUS_CLOSED:
                    return slot_label(occurrence, slot_id, directory)
        return slot_label(None, slot_id, directory)

    def lines(found):
        return [
            ClashLine(kind, directory.name(kind, resource), weekday, label(first), label(second), tuple(stretches))
            for (kind, resource, weekday, first, second), stretches in sorted(found.items())
        ]

    return lines(created), lines(removed)


def week_clashes(timetable: Timetable, week: int, occurrences: list[Occurrence] | None = None) -> list[ClashLine]:
    """The clashes of one week as people read them."""
    directory = load_directory(timetable.id)
    occurrences = resolve_week(timetable, week) if occurrences is None else occurrences
    by_id: dict[Hashable, Occurrence] = {o.slot_id: o for o in occurrences}

    def label(key: Hashable) -> str:
        occurrence = by_id[key]
        return slot_label(occurrence, occurrence.slot_id, directory)

    return [
        ClashLine(c.kind, directory.name(c.kind, c.resource), c.weekday, label(c.first), label(c.second), ((week, week),))
        for c in find_clashes(placements(occurrences))
    ]
