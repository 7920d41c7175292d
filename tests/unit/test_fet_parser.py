"""The FET parser alone: what it reads from a generated file, and the bad files it refuses with a message naming the place."""

from __future__ import annotations

import pytest

from timetable.imports.fet import MAX_FET_BYTES, FetError, hour_times, parse_fet, read_periods

ACTIVITY = """<Activity><Teacher>{teacher}</Teacher><Teacher>Ito</Teacher><Subject>Maths</Subject><Students>7A</Students>
<Students>7B</Students><Duration>2</Duration><Total_Duration>2</Total_Duration><Id>{id}</Id><Active>true</Active></Activity>"""
PLACED = """<ConstraintActivityPreferredStartingTime><Weight_Percentage>100</Weight_Percentage><Activity_Id>{id}</Activity_Id>
<Preferred_Day>{day}</Preferred_Day><Preferred_Hour>{hour}</Preferred_Hour><Permanently_Locked>true</Permanently_Locked>
<Active>true</Active></ConstraintActivityPreferredStartingTime>"""
ROOM = """<ConstraintActivityPreferredRoom><Weight_Percentage>100</Weight_Percentage><Activity_Id>{id}</Activity_Id><Room>{room}</Room>
{real}<Permanently_Locked>true</Permanently_Locked><Active>true</Active></ConstraintActivityPreferredRoom>"""


def fet(activities="", time="", space="", days=("Mon", "Tue"), hours=("8:00-8:45", "8:50-9:35", "9.40 - 10.25")) -> bytes:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<fet version="6.0.0">
<Days_List>{''.join(f'<Day><Name>{d}</Name></Day>' for d in days)}</Days_List>
<Hours_List>{''.join(f'<Hour><Name>{h}</Name></Hour>' for h in hours)}</Hours_List>
<Subjects_List><Subject><Name>Maths</Name></Subject></Subjects_List>
<Teachers_List><Teacher><Name>Moreau</Name></Teacher><Teacher><Name>Ito</Name></Teacher></Teachers_List>
<Students_List><Year><Name>7</Name><Group><Name>7A</Name><Subgroup><Name>7A1</Name></Subgroup></Group>
<Group><Name>7B</Name></Group></Year></Students_List>
<Activities_List>{activities}</Activities_List>
<Rooms_List><Room><Name>101</Name></Room><Room><Name>Lab</Name></Room>
<Room><Name>V</Name><Virtual>true</Virtual></Room></Rooms_List>
<Time_Constraints_List>{time}</Time_Constraints_List>
<Space_Constraints_List>{space}</Space_Constraints_List>
</fet>""".encode()


def test_a_placed_activity_keeps_every_teacher_and_students_set_and_its_real_rooms():
    data = fet(ACTIVITY.format(teacher="Moreau", id=7) + ACTIVITY.format(teacher="Moreau", id=8),
               PLACED.format(id=7, day="Tue", hour="8:50-9:35"),
               ROOM.format(id=7, room="V", real="<Number_of_Real_Rooms>2</Number_of_Real_Rooms><Real_Room>Lab</Real_Room>"
                                             "<Real_Room>101</Real_Room>"))
    parsed = parse_fet(data)
    [activity] = parsed.activities
    assert (activity.id, activity.teachers, activity.students, activity.subject) == ("7", ("Moreau", "Ito"), ("7A", "7B"), "Maths")
    assert (activity.day, activity.hour, activity.duration, activity.rooms) == (1, 1, 2, ("Lab", "101"))
    assert parsed.students == ("7", "7A", "7A1", "7B")
    assert parsed.rooms == ("101", "Lab")
    assert [str(u) for u in parsed.unused] == ["Activity 8: not placed (no starting time at 100 % in the file)"]


@pytest.mark.parametrize(("name", "times"), [
    ("07:50 - 08:05", (470, 485)), ("9.30 - 11.00", (570, 660)), ("8:00-8:45", (480, 525)),
    ("1º 07:30-08:10", (450, 490)), ("Pd1 08h00-08h40", (480, 520)), ("Period 1", None), ("1", None), ("10:00 - 09:00", None),
])
def test_hour_names_with_times(name, times):
    assert hour_times(name) == times


def test_periods_option_needs_one_range_per_hour():
    assert read_periods("08:00-08:45, 08:50-09:35") == ((480, 525), (530, 575))
    with pytest.raises(ValueError, match="period 2 “9:00” is not a time range"):
        read_periods("08:00-08:45,9:00")


@pytest.mark.parametrize(("data", "message"), [
    (b"<fet><Days_List><Day><Name>Mon</Name></Day>\n<Hours_List></fet>", "line 2, column"),
    (fet(ACTIVITY.format(teacher="Moreau", id=7)), "no activity is placed: the file holds no placement"),
    (fet(ACTIVITY.format(teacher="Moreau", id=7), PLACED.format(id=7, day="Funday", hour="8:00-8:45")),
     "ConstraintActivityPreferredStartingTime of activity 7: unknown day “Funday” (the days are Mon, Tue)"),
    (fet(ACTIVITY.format(teacher="Moreau", id=7), PLACED.format(id=7, day="Mon", hour="13:00")),
     "ConstraintActivityPreferredStartingTime of activity 7: unknown hour “13:00”"),
    (fet(ACTIVITY.format(teacher="Moreau", id=7) * 2, PLACED.format(id=7, day="Mon", hour="8:00-8:45")),
     "Activity 7: the activity id 7 is used twice"),
    (fet(days=("Mon", "Mon")), "<Day> “Mon” is named twice"),
    (b"<timetable/>", "the root element is <timetable>, not <fet>"),
    (b'<!DOCTYPE fet [<!ENTITY x "y">]><fet>&x;</fet>', "forbidden construct"),
])
def test_bad_files_are_refused_naming_the_line_or_element(data, message):
    with pytest.raises(FetError) as caught:
        parse_fet(data)
    assert message in str(caught.value)


def test_a_file_over_the_size_limit_is_refused_before_it_is_read():
    with pytest.raises(FetError, match="at most 16,777,216 are read"):
        parse_fet(b" " * (MAX_FET_BYTES + 1))
