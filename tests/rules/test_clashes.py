"""Clash detection: one teacher, room or group in two overlapping occurrences of a week."""

from __future__ import annotations

from timetable.rules import Clash, Placement, find_clashes


def place(key, weekday=1, start=480, end=530, staff=None, room=None, group=None):
    return Placement(key, weekday, start, end, staff=staff, room=room, group=group)


def test_overlapping_occurrences_sharing_a_teacher_clash_once_per_resource():
    clashes = find_clashes([place(2, staff=7, room=1), place(1, start=500, end=560, staff=7, room=1)])
    assert clashes == [Clash("room", 1, 1, 1, 2), Clash("staff", 7, 1, 1, 2)]


def test_touching_occurrences_other_days_and_other_resources_do_not_clash():
    assert find_clashes([
        place(1, staff=7), place(2, start=530, end=580, staff=7),  # back to back
        place(3, weekday=2, staff=7),                              # another day
        place(4, staff=8, room=2, group=3),                        # other people and rooms
    ]) == []


def test_three_way_overlap_gives_every_pair():
    clashes = find_clashes([place(k, start=480 + 10 * k, end=600, group=5) for k in (1, 2, 3)])
    assert [(c.first, c.second) for c in clashes] == [(1, 2), (1, 3), (2, 3)]


def test_a_long_occurrence_clashes_with_a_later_one_inside_it_past_a_short_one():
    clashes = find_clashes([place("long", start=480, end=720, room=9), place("short", start=490, end=500, room=9),
                            place("late", start=700, end=710, room=9)])
    assert {(c.first, c.second) for c in clashes} == {("long", "short"), ("late", "long")}


def test_empty_resources_and_zero_length_occurrences_are_ignored():
    assert find_clashes([place(1), place(2), place(3, start=480, end=480, staff=1), place(4, staff=1)]) == []


def test_every_member_of_a_set_of_staff_or_groups_is_checked():
    # Team teaching (staff 3 and 7) against 7 alone; a joint class (groups 4 and 5) against 5 alone.
    clashes = find_clashes([
        place(1, staff=(3, 7), group=(4, 5)),
        place(2, start=500, end=560, staff=(7,), group=(5,)),
        place(3, start=500, end=560, staff=(8,), group=(6,)),  # shares no member: no clash
    ])
    assert clashes == [Clash("group", 5, 1, 1, 2), Clash("staff", 7, 1, 1, 2)]


def test_two_sets_sharing_two_members_clash_once_per_member():
    clashes = find_clashes([place(1, staff=(3, 7)), place(2, staff=(3, 7, 9))])
    assert [(c.kind, c.resource) for c in clashes] == [("staff", 3), ("staff", 7)]
