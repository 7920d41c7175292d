"""Painting and erasing rule stripes: worked examples, edge cases and errors."""

from __future__ import annotations

import pytest

from timetable.rules import (
    Action,
    InvalidAction,
    InvalidRange,
    InvalidStripe,
    InvalidWeek,
    OverlappingRules,
    Rule,
    RulesError,
    apply,
    erase,
    invert,
    normalize,
    paint,
    rule_at,
    validate_stripe,
    value_at,
)

delete, update, insert = Action.delete, Action.update, Action.insert


def ids_from(first: int):
    """An id factory for `apply`, as a database sequence would hand them out."""
    counter = iter(range(first, first + 1000))
    return lambda: next(counter)


def applied_step_by_step(rules, actions):
    """Apply actions one at a time, as statements, checking every intermediate stripe."""
    new_id = ids_from(1000)
    for action in actions:
        rules = apply(rules, [action], new_id)  # raises OverlappingRules on a transient overlap
    return rules


def shape(rules):
    return [(rule.start, rule.end, rule.value) for rule in rules]


# The article's picture: rule 2 lies inside the painted weeks, rules 1 and 3 stick out.
ARTICLE = [
    Rule(1, 202601, 202610, "mon"),
    Rule(2, 202612, 202614, "tue"),
    Rule(3, 202615, 202630, "thu"),
]


def test_article_example_reuses_the_covered_rule_instead_of_delete_plus_insert():
    actions = paint(ARTICLE, 202606, 202615, "wed")

    assert actions == [
        update(1, 202601, 202605, "mon"),
        update(3, 202616, 202630, "thu"),
        update(2, 202606, 202615, "wed"),
    ]
    assert applied_step_by_step(ARTICLE, actions) == [
        Rule(1, 202601, 202605, "mon"),
        Rule(2, 202606, 202615, "wed"),
        Rule(3, 202616, 202630, "thu"),
    ]


def test_the_plan_does_not_depend_on_the_order_of_the_input():
    assert paint(list(reversed(ARTICLE)), 202606, 202615, "wed") == paint(ARTICLE, 202606, 202615, "wed")


@pytest.mark.parametrize(
    ("stripe",                                   "start",  "end",   "value", "actions"),
    [
        # the same value over a whole rule, inside it, or over an open one: nothing to do
        ([Rule(1, 202601, 202620, "a")],             202601,   202620,  "a",     []),
        ([Rule(1, 202601, 202620, "a")],             202605,   202606,  "a",     []),
        ([Rule(1, None, None, "a")],                 None,     202606,  "a",     []),
        ([Rule(1, None, None, "a")],                 None,     None,    "a",     []),
        # values compare with ==
        ([Rule(1, 202601, 202620, 1)],               202605,   202606,  1.0,     []),
        # a new value in the middle splits the rule: 1 old rule changes, 3 appear
        ([Rule(1, 202601, 202620, "a")],             202605,   202606,  "x",     [update(1, 202601, 202604, "a"),
                                                                                   insert(202605, 202606, "x"),
                                                                                   insert(202607, 202620, "a")]),
        # into an empty stripe, and beside a rule with a gap: a plain insert
        ([],                                         202605,   202606,  "x",     [insert(202605, 202606, "x")]),
        ([Rule(1, 202601, 202605, "x")],             202607,   202608,  "x",     [insert(202607, 202608, "x")]),
        # touching a rule of the same value: that rule grows
        ([Rule(1, 202601, 202605, "x")],             202606,   202608,  "x",     [update(1, 202601, 202608, "x")]),
        ([Rule(1, 202609, 202612, "x")],             202606,   202608,  "x",     [update(1, 202606, 202612, "x")]),
        # merging both neighbours over a different value: keep the first, drop the others
        ([Rule(1, 202601, 202605, "x"),
          Rule(2, 202606, 202610, "y"),
          Rule(3, 202611, 202620, "x")],             202606,   202610,  "x",     [delete(2),
                                                                                   delete(3),
                                                                                   update(1, 202601, 202620, "x")]),
        # exactly over one rule with a new value: the rule is updated in place
        ([Rule(1, 202601, 202605, "x"),
          Rule(2, 202606, 202610, "y"),
          Rule(3, 202611, 202620, "z")],             202606,   202610,  "w",     [update(2, 202606, 202610, "w")]),
        # over many rules: one is reused, the others deleted
        ([Rule(1, 202601, 202602, "a"),
          Rule(2, 202603, 202604, "b"),
          Rule(3, 202606, 202607, "c"),
          Rule(4, 202608, 202609, "d")],             202601,   202609,  "z",     [delete(2),
                                                                                   delete(3),
                                                                                   delete(4),
                                                                                   update(1, 202601, 202609, "z")]),
        # a rule of the painted value inside the range is the one reused
        ([Rule(1, 202601, 202602, "a"),
          Rule(2, 202603, 202604, "z"),
          Rule(3, 202606, 202607, "c")],             202601,   202609,  "z",     [delete(1),
                                                                                   delete(3),
                                                                                   update(2, 202601, 202609, "z")]),
    ],
)
def test_paint(stripe, start, end, value, actions):
    assert paint(stripe, start, end, value) == actions
    result = applied_step_by_step(stripe, actions)
    assert rule_at(result, start or 202601).value == value


@pytest.mark.parametrize(
    ("stripe",                                   "start",  "end",   "value", "actions"),
    [
        ([Rule(1, None, 202610, "a"),
          Rule(2, 202615, None, "b")],               None,     None,    "x",     [delete(2),
                                                                                   update(1, None, None, "x")]),
        ([Rule(2, 202615, None, "b")],               202620,   None,    "x",     [update(2, 202615, 202619, "b"),
                                                                                   insert(202620, None, "x")]),
        # the old rule keeps its own remnant; the open-started run is the new one
        ([Rule(1, None, 202610, "a")],               None,     202605,  "x",     [update(1, 202606, 202610, "a"),
                                                                                   insert(None, 202605, "x")]),
        ([Rule(1, None, 202610, "x")],               202611,   None,    "x",     [update(1, None, None, "x")]),
        ([Rule(1, None, 202610, "x"),
          Rule(2, 202611, None, "y")],               202611,   None,    "x",     [delete(2),
                                                                                   update(1, None, None, "x")]),
        ([Rule(1, None, None, "a")],                 202605,   202606,  "x",     [update(1, None, 202604, "a"),
                                                                                   insert(202605, 202606, "x"),
                                                                                   insert(202607, None, "a")]),
    ],
)
def test_paint_with_open_ends(stripe, start, end, value, actions):
    assert paint(stripe, start, end, value) == actions
    applied_step_by_step(stripe, actions)


@pytest.mark.parametrize(
    ("stripe",                           "start",  "end",   "actions"),
    [
        # the week after 2020-W53 is 2021-W01: touching across a 53-week year end
        ([Rule(1, 202050, 202053, "x")],     202101,   202105,  [update(1, 202050, 202105, "x")]),
        ([Rule(1, 202150, 202152, "x")],     202201,   202203,  [update(1, 202150, 202203, "x")]),
        ([Rule(1, 202201, 202203, "x")],     202150,   202152,  [update(1, 202150, 202203, "x")]),
        # 2020-W52 and 2021-W01 do not touch: 2020-W53 lies between them
        ([Rule(1, 202050, 202052, "x")],     202101,   202105,  [insert(202101, 202105, "x")]),
        ([Rule(1, 202650, 202652, "x")],     202701,   202705,  [insert(202701, 202705, "x")]),
    ],
)
def test_touching_is_decided_by_the_calendar_not_by_plus_one(stripe, start, end, actions):
    assert paint(stripe, start, end, "x") == actions


@pytest.mark.parametrize(
    ("start",  "end",    "value", "actions"),
    [
        # nothing lies before 0001-W01 or after 9999-W52, so no remnant is left there
        (101,      202605,   "x",     [update(1, 202606, None, "a"), insert(101, 202605, "x")]),
        (202605,   999952,   "x",     [update(1, None, 202604, "a"), insert(202605, 999952, "x")]),
        (101,      999952,   "x",     [update(1, 101, 999952, "x")]),
        (101,      202605,   "a",     []),
        (202605,   999952,   "a",     []),
    ],
)
def test_painting_at_the_edges_of_the_calendar(start, end, value, actions):
    stripe = [Rule(1, None, None, "a")]
    assert paint(stripe, start, end, value) == actions
    applied_step_by_step(stripe, actions)


def test_erasing_at_the_edges_of_the_calendar():
    stripe = [Rule(1, None, None, "a")]
    assert erase(stripe, 101, 202605) == [update(1, 202606, None, "a")]
    assert erase(stripe, 202605, 999952) == [update(1, None, 202604, "a")]
    assert erase(stripe, 101, 999952) == [delete(1)]


def test_remnants_across_a_53_week_year_end_get_real_bounds():
    stripe = [Rule(1, 202050, 202105, "a")]
    assert paint(stripe, 202101, 202102, "x") == [
        update(1, 202050, 202053, "a"),
        insert(202101, 202102, "x"),
        insert(202103, 202105, "a"),
    ]


@pytest.mark.parametrize(
    ("stripe",                                   "start",  "end",   "actions"),
    [
        ([Rule(1, 202601, 202620, "a")],             202605,   202606,  [update(1, 202601, 202604, "a"),
                                                                          insert(202607, 202620, "a")]),
        ([Rule(1, 202601, 202620, "a")],             202601,   202620,  [delete(1)]),
        ([Rule(1, 202601, 202620, "a")],             202615,   None,    [update(1, 202601, 202614, "a")]),
        ([Rule(1, 202601, 202620, "a")],             None,     202605,  [update(1, 202606, 202620, "a")]),
        ([Rule(1, 202601, 202620, "a")],             202621,   202630,  []),
        ([],                                         None,     None,    []),
        ([Rule(1, None, 202610, "a"),
          Rule(2, 202612, 202614, "b"),
          Rule(3, 202615, None, "c")],               202606,   202615,  [delete(2),
                                                                          update(1, None, 202605, "a"),
                                                                          update(3, 202616, None, "c")]),
        ([Rule(1, None, 202610, "a"),
          Rule(2, 202615, None, "b")],               None,     None,    [delete(1), delete(2)]),
    ],
)
def test_erase(stripe, start, end, actions):
    assert erase(stripe, start, end) == actions
    result = applied_step_by_step(stripe, actions)
    for week in (start, end):
        if week is not None:
            assert rule_at(result, week) is None


def test_erase_in_the_middle_of_an_open_rule_keeps_both_open_remnants():
    actions = erase([Rule(1, None, None, "a")], 202605, 202606)
    assert actions == [update(1, None, 202604, "a"), insert(202607, None, "a")]


# Legacy stripes may hold touching rules of equal value that were never merged.
LEGACY = [
    Rule(1, 202601, 202603, "x"),
    Rule(2, 202604, 202606, "x"),
    Rule(3, 202607, 202609, "y"),
    Rule(4, 202620, 202622, "z"),
    Rule(5, 202623, 202625, "z"),
]


def test_painting_merges_the_whole_legacy_chain_the_painted_run_reaches():
    assert paint(LEGACY, 202607, 202609, "x") == [delete(2), delete(3), update(1, 202601, 202609, "x")]


def test_painting_leaves_legacy_chains_elsewhere_alone():
    assert paint(LEGACY, 202612, 202612, "z") == [insert(202612, 202612, "z")]


def test_painting_inside_a_legacy_chain_merges_it_even_if_no_week_changes_value():
    # Documented choice: afterwards the painted range always lies inside one rule.
    assert paint(LEGACY, 202605, 202605, "x") == [delete(2), update(1, 202601, 202606, "x")]


def test_erasing_never_merges():
    assert erase(LEGACY, 202608, 202608) == [update(3, 202607, 202607, "y"), insert(202609, 202609, "y")]


def test_normalize_merges_every_legacy_chain_keeping_the_first_rule():
    actions = normalize(LEGACY)
    assert actions == [
        delete(2),
        delete(5),
        update(1, 202601, 202606, "x"),
        update(4, 202620, 202625, "z"),
    ]
    assert shape(applied_step_by_step(LEGACY, actions)) == [
        (202601, 202606, "x"),
        (202607, 202609, "y"),
        (202620, 202625, "z"),
    ]
    assert normalize(apply(LEGACY, actions)) == []


@pytest.mark.parametrize(
    ("stripe",                                           "error",           "message"),
    [
        ([Rule(1, 202601, 202610, "a"),
          Rule(2, 202605, 202620, "b")],                     OverlappingRules,  "rule 1 (2026-W01 to 2026-W10 = 'a') and "
                                                                                "rule 2 (2026-W05 to 2026-W20 = 'b') "
                                                                                "overlap: 2026-W05 to 2026-W10"),
        ([Rule(1, None, None, "a"),
          Rule(2, 202605, 202605, "b")],                     OverlappingRules,  "overlap: 2026-W05"),
        ([Rule(1, 202610, 202605, "a")],                     InvalidRange,      "rule 1 (2026-W10 to 2026-W05 = 'a'): "
                                                                                "start 2026-W10 is after end 2026-W05"),
        ([Rule(1, 202601, 202654, "a")],                     InvalidWeek,       "rule 1 (202601 to 202654 = 'a'): "
                                                                                "end 2026-W54: 2026 has 53 ISO weeks"),
        ([Rule(1, "2026-W01", None, "a")],                   InvalidWeek,       "start '2026-W01': not a week key"),
        ([Rule(1, 202601, 202602, "a"),
          Rule(1, 202605, 202606, "b")],                     InvalidStripe,     "two rules have the id 1"),
        ([Rule(None, 202601, 202602, "a")],                  InvalidStripe,     "rule None (2026-W01 to 2026-W02 = 'a') has no id"),
        ([(1, 202601, 202602, "a")],                         InvalidStripe,     "(1, 202601, 202602, 'a') is not a Rule"),
        ([Rule([1], 202601, 202602, "a")],                   InvalidStripe,     "rule [1] (2026-W01 to 2026-W02 = 'a') has an id "
                                                                                "that cannot be hashed"),
    ],
)
def test_a_bad_stripe_is_refused_with_a_message_naming_the_rules(stripe, error, message):
    before = list(stripe)
    for plan in (lambda: paint(stripe, 202601, 202602, "z"), lambda: erase(stripe, 202601, 202602)):
        with pytest.raises(error) as caught:
            plan()
        assert message in str(caught.value)
        assert isinstance(caught.value, RulesError)
    assert stripe == before


@pytest.mark.parametrize(
    ("start",  "end",    "error",       "message"),
    [
        (202610,   202605,   InvalidRange,  "painted range: start 2026-W10 is after end 2026-W05"),
        (202600,   202605,   InvalidWeek,   "painted range: start 2026-W00: week numbers start at 1"),
        (202601,   202654,   InvalidWeek,   "painted range: end 2026-W54: 2026 has 53 ISO weeks"),
        ("2026-W01", None,   InvalidWeek,   "painted range: start '2026-W01': not a week key"),
        (True,     None,     InvalidWeek,   "booleans are not weeks"),
    ],
)
def test_a_bad_range_is_refused(start, end, error, message):
    with pytest.raises(error) as caught:
        paint(ARTICLE, start, end, "z")
    assert message in str(caught.value)
    with pytest.raises(error) as caught:
        erase(ARTICLE, start, end)
    assert message.replace("painted", "erased") in str(caught.value)


def test_overlapping_rules_error_carries_both_rules():
    first, second = Rule(1, 202601, 202610, "a"), Rule(2, 202610, 202620, "b")
    with pytest.raises(OverlappingRules) as caught:
        validate_stripe([second, first])
    assert (caught.value.first, caught.value.second) == (first, second)


def test_planning_never_mutates_its_input():
    stripe = [Rule(3, 202615, 202630, "thu"), Rule(1, 202601, 202610, "mon")]
    before = list(stripe)
    paint(stripe, 202606, 202615, "wed")
    erase(stripe, 202606, 202615)
    normalize(stripe)
    apply(stripe, [delete(1)])
    assert stripe == before


def test_planning_accepts_any_iterable():
    assert paint(iter(ARTICLE), 202606, 202615, "wed") == paint(ARTICLE, 202606, 202615, "wed")


def test_validate_stripe_sorts_open_starts_first_and_allows_legacy_touching_rules():
    stripe = [Rule(2, 202604, 202606, "x"), Rule(3, 202610, None, "y"), Rule(1, None, 202603, "x")]
    assert [rule.id for rule in validate_stripe(stripe)] == [1, 2, 3]


class TestAction:
    def test_constructors(self):
        assert Action.delete(5) == Action("delete", 5, None, None, None)
        assert Action.update(5, 202601, None, "a") == Action("update", 5, 202601, None, "a")
        assert Action.insert(None, 202601, "a") == Action("insert", None, None, 202601, "a")

    @pytest.mark.parametrize(
        ("make",                                               "message"),
        [
            (lambda: Action("upsert", 1),                          "'upsert': unknown action kind"),
            (lambda: Action("insert", 7, 202601, None, "a"),       "insert with id 7"),
            (lambda: Action("update", None, 202601, None, "a"),    "update without an id"),
            (lambda: Action("delete", None),                       "delete without an id"),
            (lambda: Action("delete", 1, 202601),                  "delete of rule 1 carries bounds or a value"),
        ],
    )
    def test_malformed_actions_are_refused(self, make, message):
        with pytest.raises(InvalidAction, match=message):
            make()

    def test_actions_read_as_a_diff(self):
        assert [str(action) for action in paint(ARTICLE, 202606, 202615, "wed")] == [
            "update rule 1 to 2026-W01 to 2026-W05 = 'mon'",
            "update rule 3 to 2026-W16 to 2026-W30 = 'thu'",
            "update rule 2 to 2026-W06 to 2026-W15 = 'wed'",
        ]
        assert str(delete(4)) == "delete rule 4"
        assert str(insert(202601, None, "a")) == "insert from 2026-W01 = 'a'"


class TestApply:
    def test_new_rules_get_ids_from_the_factory_or_none(self):
        actions = [insert(202640, None, "b"), insert(None, 202501, "z")]
        assert apply(ARTICLE, actions, ids_from(10))[0] == Rule(11, None, 202501, "z")
        assert apply(ARTICLE, actions)[-1] == Rule(None, 202640, None, "b")

    @pytest.mark.parametrize(
        ("actions",                                     "error",            "message"),
        [
            ([delete(9)],                                   InvalidAction,      "delete rule 9: there is no rule 9"),
            ([update(9, 202601, 202602, "a")],              InvalidAction,      "there is no rule 9"),
            ([delete(1), delete(1)],                        InvalidAction,      "there is no rule 1"),
            ([insert(202605, 202606, "x")],                 OverlappingRules,   "overlap: 2026-W05 to 2026-W06"),
            ([update(1, 202601, 202612, "mon")],            OverlappingRules,   "rule 1 (2026-W01 to 2026-W12 = 'mon') and rule 2"),
            ([insert(202660, 202661, "x")],                 InvalidWeek,        "2026-W60: 2026 has 53 ISO weeks"),
            (["delete 1"],                                  InvalidAction,      "'delete 1' is not an Action"),
        ],
    )
    def test_impossible_actions_are_refused(self, actions, error, message):
        with pytest.raises(error) as caught:
            apply(ARTICLE, actions)
        assert message in str(caught.value)

    def test_a_taken_id_is_refused(self):
        with pytest.raises(InvalidAction, match="the new id 2 is already taken"):
            apply(ARTICLE, [insert(202640, None, "b")], lambda: 2)


def test_invert_undoes_a_plan_through_the_same_stripes_backwards():
    actions = [delete(2), *paint([Rule(1, 202601, 202610, "mon"), Rule(3, 202615, 202630, "thu")], 202605, 202606, "x")]
    after = applied_step_by_step(ARTICLE, actions)
    inserted = [rule.id for rule in after if rule.id not in {1, 2, 3}]
    undo = invert(ARTICLE, actions, inserted)
    assert undo[0] == delete(inserted[-1])
    restored = applied_step_by_step(after, undo)
    assert shape(restored) == shape(ARTICLE)


@pytest.mark.parametrize(
    ("actions",                           "inserted_ids",  "message"),
    [
        ([insert(202640, None, "b")],         [],              "1 inserts but 0 inserted ids"),
        ([delete(9)],                         [],              "there is no rule 9"),
        ([update(1, 202601, 202605, "a"),
          delete(1)],                         [],              "rule 1 is changed twice"),
    ],
)
def test_invert_refuses_what_it_cannot_undo(actions, inserted_ids, message):
    with pytest.raises(InvalidAction, match=message):
        invert(ARTICLE, actions, inserted_ids)


@pytest.mark.parametrize(
    ("week",  "value"),
    [
        (202601,  "mon"),
        (202610,  "mon"),
        (202611,  None),
        (202614,  "tue"),
        (202630,  "thu"),
        (202631,  None),
    ],
)
def test_value_at(week, value):
    assert value_at(ARTICLE, week) == value


def test_rule_at_tells_an_uncovered_week_from_a_rule_holding_none():
    stripe = [Rule(1, None, 202610, None), Rule(2, 202615, None, "b")]
    assert rule_at(stripe, 190001) == Rule(1, None, 202610, None)
    assert rule_at(stripe, 202612) is None
    assert rule_at(stripe, 999952).id == 2
    assert value_at(stripe, 202601) is None and value_at(stripe, 202612) is None


def test_rule_at_checks_the_week_and_overlaps_it_meets():
    with pytest.raises(InvalidWeek, match="2026-W54"):
        rule_at(ARTICLE, 202654)
    with pytest.raises(OverlappingRules, match="both cover 2026-W05"):
        rule_at([Rule(1, 202601, 202610, "a"), Rule(2, 202605, 202606, "b")], 202605)
