"""The pure cover core: when an absence touches a lesson, who is there, and why a colleague is refused."""

from __future__ import annotations

from datetime import date

from timetable.rules.cover import Away, CoverWorld, Lesson, Limits

MONDAY = date(2026, 12, 7)


def lesson(slot_id: int, start: int, staff: tuple[int, ...], *, substitute=None, groups=(1,), day=MONDAY, room=None) -> Lesson:
    return Lesson(slot_id, 202650, day, start, start + 50, staff, substitute, groups, None, room)


def test_an_absence_for_part_of_a_day_touches_only_the_lessons_it_overlaps():
    away = Away(1, "staff", 7, MONDAY, MONDAY, 9 * 60, 10 * 60)
    assert not away.touches(lesson(1, 8 * 60, (7,)))  # 08:00–08:50 ends before 09:00
    assert away.touches(lesson(2, 9 * 60 + 30, (7,)))
    assert away.touches(lesson(3, 9 * 60 + 30, (3, 7)))  # a team: one of them is away
    assert not away.touches(lesson(4, 9 * 60 + 30, (7,), day=date(2026, 12, 8)))


def test_the_substitute_is_who_is_there_and_a_group_away_frees_its_teacher():
    covered = lesson(1, 8 * 60, (7,), substitute=8)
    assert covered.teachers == (8,)
    trip = Away(2, "group", 1, MONDAY, MONDAY)
    world = CoverWorld([covered, lesson(2, 10 * 60, (9,))], [trip], [7, 8, 9])
    assert not world.takes_place(covered)
    assert world.candidate(lesson(3, 8 * 60, (5,), groups=(2,)), 8).eligible  # their covered lesson's class is away


def test_a_colleague_covering_or_at_their_limit_is_refused_with_the_reason():
    covering = lesson(1, 8 * 60, (7,), substitute=8)
    world = CoverWorld([covering], [], [8], limits=Limits(per_day=1, per_week=5))
    refused = world.candidate(lesson(2, 8 * 60 + 30, (5,), groups=(2,)), 8)
    assert not refused.eligible and refused.reasons[0].startswith("busy:")
    later = world.candidate(lesson(3, 13 * 60, (5,), groups=(2,)), 8)
    assert later.reasons == ("already 1 covers that day (limit 1)",)
