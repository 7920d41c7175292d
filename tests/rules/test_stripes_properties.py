"""Paint, erase and normalize against a week-by-week model, over year ends and 53-week years.

The model is a list of cells: one per week of a bounded universe (2020-W40 .. 2022-W10,
crossing 2020-W53 and the end of 2021), plus one cell before it standing for every earlier
week and one after it standing for every later week, so open ends fit in. Rules in the
generated stripes and painted ranges start and end inside the universe or are open, so every
rule covers whole cells. The model's weeks are computed here from `datetime`, not with
timetable.rules.weeks, so the two are checked against each other.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from timetable.rules import Action, Rule, apply, erase, invert, normalize, paint, rule_at


def _key(day: date) -> int:
    year, week, _ = day.isocalendar()
    return year * 100 + week


_FIRST_MONDAY = date.fromisocalendar(2020, 40, 1)
_LAST_MONDAY = date.fromisocalendar(2022, 10, 1)
UNIVERSE = [_key(_FIRST_MONDAY + timedelta(weeks=i)) for i in range((_LAST_MONDAY - _FIRST_MONDAY).days // 7 + 1)]
assert 202053 in UNIVERSE and 202152 in UNIVERSE and len(UNIVERSE) == 76
BEFORE = _key(_FIRST_MONDAY - timedelta(weeks=1))  # the last week of the "before" cell
AFTER = _key(_LAST_MONDAY + timedelta(weeks=1))  # the first week of the "after" cell
LAST_CELL = len(UNIVERSE) + 1
_CELL_OF = {week: i for i, week in enumerate(UNIVERSE, start=1)}

EMPTY = object()  # an uncovered cell (a rule may hold None)
VALUES = ("a", "b", "c", None)

SETTINGS = settings(deadline=None)


def start_cell(start: int | None) -> int:
    return 0 if start is None else LAST_CELL if start == AFTER else _CELL_OF[start]


def end_cell(end: int | None) -> int:
    return LAST_CELL if end is None else 0 if end == BEFORE else _CELL_OF[end]


def start_of(cell: int) -> int | None:
    return None if cell == 0 else AFTER if cell == LAST_CELL else UNIVERSE[cell - 1]


def end_of(cell: int) -> int | None:
    return None if cell == LAST_CELL else BEFORE if cell == 0 else UNIVERSE[cell - 1]


def model_of(rules) -> list:
    cells = [EMPTY] * (LAST_CELL + 1)
    for rule in rules:
        for cell in range(start_cell(rule.start), end_cell(rule.end) + 1):
            assert cells[cell] is EMPTY, "the stripe under test overlaps"
            cells[cell] = rule.value
    return cells


def runs(cells) -> list[tuple]:
    """The merged stripe a model stands for: maximal runs of one value, as (start, end, value)."""
    result, i = [], 0
    while i <= LAST_CELL:
        j = i
        while j < LAST_CELL and cells[j + 1] is not EMPTY and cells[i] is not EMPTY and cells[j + 1] == cells[i]:
            j += 1
        if cells[i] is not EMPTY:
            result.append((start_of(i), end_of(j), cells[i]))
        i = j + 1
    return result


def shape(rules) -> list[tuple]:
    return [(rule.start, rule.end, rule.value) for rule in rules]


def touching(before: Rule, after: Rule) -> bool:
    if before.end is None or after.start is None:
        return False
    year, week = divmod(before.end, 100)
    return _key(date.fromisocalendar(year, week, 1) + timedelta(weeks=1)) == after.start


def assert_no_new_unmerged_boundary(stripe: list[Rule], result: list[Rule]) -> None:
    """Touching rules of equal value in the result only where the input had that very split.

    A legacy pair may survive a paint or erase (a remnant keeps its old boundary with its
    neighbour), but planning never creates one.
    """
    old_ends = {(rule.end, rule.value) for rule in stripe}
    old_starts = {(rule.start, rule.value) for rule in stripe}
    for first, second in zip(result, result[1:]):
        if touching(first, second) and first.value == second.value:
            assert (first.end, first.value) in old_ends and (second.start, second.value) in old_starts


@st.composite
def stripes(draw, legacy: bool = False) -> list[Rule]:
    """A stripe over the universe, in shuffled order with shuffled ids.

    Legacy stripes may keep touching rules of equal value unmerged.
    """
    cuts = sorted(draw(st.sets(st.integers(1, LAST_CELL), max_size=8)))
    segments = []
    for lo, hi in zip([0, *cuts], [*cuts, LAST_CELL + 1]):
        value = draw(st.sampled_from((EMPTY, *VALUES)))
        if not legacy and segments and segments[-1][2] is not EMPTY and value is not EMPTY and segments[-1][2] == value:
            segments[-1][1] = hi - 1
        else:
            segments.append([lo, hi - 1, value])
    covered = [segment for segment in segments if segment[2] is not EMPTY]
    ids = draw(st.permutations(range(1, len(covered) + 1)))
    rules = [Rule(rule_id, start_of(lo), end_of(hi), value) for rule_id, (lo, hi, value) in zip(ids, covered)]
    return draw(st.permutations(rules))


@st.composite
def ranges(draw, stripe: list[Rule]) -> tuple[int | None, int | None]:
    """A week range, often starting or ending at a rule's bound or right beside it."""
    near = sorted({week for rule in stripe for week in (rule.start, rule.end) if week in _CELL_OF})
    near = sorted({UNIVERSE[max(0, min(len(UNIVERSE) - 1, _CELL_OF[w] - 1 + d))] for w in near for d in (-1, 0, 1)})
    week = st.none() | st.sampled_from(UNIVERSE) | (st.sampled_from(near) if near else st.nothing())
    start, end = draw(week), draw(week)
    if start is not None and end is not None and start > end:
        start, end = end, start
    return start, end


def painted(cells: list, start, end, value) -> list:
    cells = list(cells)
    for cell in range(start_cell(start), end_cell(end) + 1):
        cells[cell] = value
    return cells


def carried_out(stripe: list[Rule], actions: list[Action]) -> list[Rule]:
    """Apply the actions one by one, as a database would run them statement by statement.

    `apply` validates every intermediate stripe, so this fails on a transient overlap.
    """
    counter = iter(range(1000, 2000))
    result = apply(stripe, [])  # sorted, even when there is nothing to do
    for action in actions:
        result = apply(result, [action], lambda: next(counter))
    return result


def check_plan(stripe: list[Rule], actions: list[Action], result: list[Rule], *, one_widening: bool = True) -> None:
    """The guarantees every plan keeps, whatever it was for.

    Paint and erase widen at most one rule, last among the updates (normalize widens each
    chain's first rule, but only over the rules deleted before it).
    """
    kinds = [action.kind for action in actions]
    assert kinds == sorted(kinds, key=["delete", "update", "insert"].index), "deletes, updates, inserts"
    old_shapes = {(rule.start, rule.end, rule.value) for rule in stripe}
    new_shapes = {(rule.start, rule.end, rule.value) for rule in result}
    by_id = {rule.id: rule for rule in stripe}
    named = [action.id for action in actions if action.kind != "insert"]
    assert len(named) == len(set(named)), "each old rule is acted on at most once"
    # Untouched rules survive as they were; every rule acted on really changes.
    for rule in stripe:
        if rule.id not in named:
            assert rule in result
    widening = []
    for action in actions:
        if action.kind == "update":
            old = by_id[action.id]
            assert (old.start, old.end, old.value) != (action.start, action.end, action.value)
            if start_cell(action.start) < start_cell(old.start) or end_cell(action.end) > end_cell(old.end):
                widening.append(action)
    # Why the order is safe statement by statement (carried_out checks it too).
    assert not one_widening or len(widening) <= 1 and (not widening or widening[0] == [a for a in actions if a.kind == "update"][-1])
    # Minimal: max(|old rules that change|, |new rules that appear|) actions.
    changed_old = [rule for rule in stripe if rule not in result]
    appeared = [rule for rule in result if (rule.start, rule.end, rule.value) not in old_shapes]
    assert len(actions) == max(len(changed_old), len(appeared))
    assert len(new_shapes) == len(result)


@SETTINGS
@given(st.data())
def test_paint_on_a_merged_stripe_gives_the_merged_model(data):
    stripe = data.draw(stripes())
    start, end = data.draw(ranges(stripe))
    value = data.draw(st.sampled_from(VALUES))
    before = list(stripe)

    actions = paint(stripe, start, end, value)

    assert stripe == before, "the input is not mutated"
    result = carried_out(stripe, actions)
    expected = painted(model_of(stripe), start, end, value)
    assert shape(result) == runs(expected), "the result is the model, merged"
    check_plan(stripe, actions, result)
    assert (actions == []) == (expected == model_of(stripe)), "[] exactly when nothing changes"
    assert paint(list(reversed(stripe)), start, end, value) == actions, "the plan is stable"


@SETTINGS
@given(st.data())
def test_paint_on_a_legacy_stripe_merges_the_run_it_reaches(data):
    stripe = data.draw(stripes(legacy=True))
    start, end = data.draw(ranges(stripe))
    value = data.draw(st.sampled_from(VALUES))

    actions = paint(stripe, start, end, value)

    result = carried_out(stripe, actions)
    expected = painted(model_of(stripe), start, end, value)
    assert model_of(result) == expected
    check_plan(stripe, actions, result)
    # The painted range lies inside one rule, exactly as long as the model's run around it.
    probe = start if start is not None else end if end is not None else UNIVERSE[0]
    run = rule_at(result, probe)
    assert (run.start, run.end, run.value) in runs(expected)
    assert_no_new_unmerged_boundary(stripe, result)


@SETTINGS
@given(st.data())
def test_erase_gives_the_model_with_the_range_uncovered(data):
    legacy = data.draw(st.booleans())
    stripe = data.draw(stripes(legacy=legacy))
    start, end = data.draw(ranges(stripe))
    before = list(stripe)

    actions = erase(stripe, start, end)

    assert stripe == before
    result = carried_out(stripe, actions)
    expected = painted(model_of(stripe), start, end, EMPTY)
    assert model_of(result) == expected
    if not legacy:
        assert shape(result) == runs(expected)
    check_plan(stripe, actions, result)
    assert (actions == []) == (expected == model_of(stripe))
    assert_no_new_unmerged_boundary(stripe, result)


@SETTINGS
@given(stripes(legacy=True))
def test_normalize_merges_every_chain_with_the_fewest_actions(stripe):
    actions = normalize(stripe)

    result = carried_out(stripe, actions)
    assert shape(result) == runs(model_of(stripe))
    check_plan(stripe, actions, result, one_widening=False)
    assert normalize(result) == []


@SETTINGS
@given(st.data())
def test_a_sequence_of_paints_and_erases_tracks_the_model_and_inverts(data):
    stripe = data.draw(stripes())
    cells = model_of(stripe)
    counter = iter(range(100, 10_000))
    for _ in range(data.draw(st.integers(1, 5))):
        start, end = data.draw(ranges(stripe))
        if data.draw(st.booleans()):
            value = data.draw(st.sampled_from(VALUES))
            actions = paint(stripe, start, end, value)
            cells = painted(cells, start, end, value)
        else:
            actions = erase(stripe, start, end)
            cells = painted(cells, start, end, EMPTY)
        result = apply(stripe, actions, lambda: next(counter))
        assert shape(result) == runs(cells)

        inserted = [rule.id for rule in result if rule.id not in {old.id for old in stripe}]
        undo = invert(stripe, actions, inserted)
        assert shape(carried_out(result, undo)) == shape(apply(stripe, [])), "the inverse restores the stripe"
        stripe = result
