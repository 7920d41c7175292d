"""The CSV lessons parser alone: days, times and whole files read back, and the rows it refuses naming line and column."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timetable.imports.lessons_csv import (
    COLUMNS,
    DAY_NAMES,
    SEPARATOR,
    Lesson,
    LessonsCsvError,
    format_time,
    parse_lessons_csv,
    parse_time,
    parse_weekday,
)
from timetable.rules import WEEKDAYS, format_week, parse_week


@pytest.mark.parametrize(("text", "day"), [
    ("1", 1), ("Monday", 1), ("MON", 1), ("lundi", 1), ("Lun", 1), ("tue", 2), ("mardi", 2), ("mar", 2),
    ("Wednesday", 3), ("mer", 3), ("thu", 4), ("jeu", 4), ("fri", 5), ("Vendredi", 5), ("sat", 6), ("sam", 6),
    ("sun", 7), ("dimanche", 7), (" 7 ", 7),
])
def test_days_by_number_english_and_french_names_and_abbreviations(text, day):
    assert parse_weekday(text) == day


@pytest.mark.parametrize("text", ["0", "8", "Mo", "Funday", "", "lu", "1.0"])
def test_what_is_no_day(text):
    assert parse_weekday(text) is None


@given(st.sampled_from(sorted(DAY_NAMES)), st.randoms())
def test_any_case_of_a_day_name_reads_as_its_day(name, random):
    mixed = "".join(c.upper() if random.random() < 0.5 else c for c in name)
    assert parse_weekday(mixed) == DAY_NAMES[name]


@given(st.integers(0, 1439))
def test_times_round_trip(minutes):
    assert parse_time(format_time(minutes)) == minutes
    assert parse_time(format_time(minutes).removeprefix("0")) == minutes  # 8:30 as well as 08:30


@pytest.mark.parametrize("text", ["24:00", "8:60", "830", "8.30", "", "08:30:00", "٠٨:٣٠"])
def test_what_is_no_time(text):
    assert parse_time(text) is None


_word = st.text(st.sampled_from("abcdefghAZ09.'éß,+-"), min_size=1, max_size=8)
_name = st.lists(_word, min_size=1, max_size=3).map(" ".join)
_week = st.integers(2026, 2028).flatmap(lambda year: st.integers(1, 52).map(lambda n: parse_week(f"{year}-W{n:02d}")))


@st.composite
def lessons(draw):
    start = draw(st.integers(0, 1439 - 5))
    first = draw(st.none() | _week)
    last = draw(st.none() | _week.filter(lambda w: first is None or w >= first))
    course = draw(st.none() | _name)
    return Lesson(
        0, draw(st.integers(1, 7)), start, draw(st.integers(1, (1439 - start) // 5).map(lambda n: n * 5)),
        draw(_name if course is None else st.just("") | _name), course,
        tuple(dict.fromkeys(draw(st.lists(_name, max_size=3)))), tuple(dict.fromkeys(draw(st.lists(_name, max_size=3)))),
        draw(st.none() | _name), first, last, draw(st.sampled_from(["", "A", "A,B", "B,C"])), None,
    )


def _cells(lesson: Lesson, day_style: int, use_end: bool) -> list[str]:
    day = (str(lesson.weekday), WEEKDAYS[lesson.weekday - 1], WEEKDAYS[lesson.weekday - 1][:3].upper())[day_style]
    return [day, format_time(lesson.start), format_time(lesson.start + lesson.duration) if use_end else "",
            "" if use_end else str(lesson.duration), lesson.title, lesson.course or "", SEPARATOR.join(lesson.groups),
            SEPARATOR.join(lesson.staff), lesson.room or "", format_week(lesson.first_week) if lesson.first_week else "",
            format_week(lesson.last_week) if lesson.last_week else "", lesson.cycle_weeks.replace(",", SEPARATOR),
            lesson.ref or ""]


@settings(deadline=None, max_examples=60)
@given(st.lists(lessons(), min_size=1, max_size=6), st.sampled_from([",", ";"]), st.booleans(), st.integers(0, 2),
       st.booleans())
def test_a_written_file_reads_back_as_its_lessons(rows, delimiter, bom, day_style, use_end):
    rows = [row for row in rows if not use_end or row.start + row.duration <= 1439]
    if not rows:
        return
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\r\n")
    writer.writerow([name.upper() for name in COLUMNS])
    for lesson in rows:
        writer.writerow(_cells(lesson, day_style, use_end))
    data = (("\ufeff" if bom else "") + out.getvalue()).encode("utf-8")
    parsed = parse_lessons_csv(data)
    assert parsed.delimiter == delimiter and parsed.unused == ()
    assert list(parsed.lessons) == [
        Lesson(line, *[getattr(lesson, name) for name in list(Lesson.__dataclass_fields__)[1:]])
        for line, lesson in enumerate(rows, start=2)
    ]


HEADER = "weekday,start,end,duration,title,room,first_week,last_week,cycle_weeks\n"


@pytest.mark.parametrize(("data", "message"), [
    (b"", "the file is empty"),
    (b"\n\n", "the file is empty"),
    (HEADER.encode(), "the file has a header but no lessons"),
    (b"weekday,start,end,title,Title\n", "line 1: the column “title” is there twice"),
    (b"weekday,start,title\n", "line 1: the header has no column end or duration"),
    (b"weekday,start,end\n", "line 1: the header has no column title or course"),
    ((HEADER + "mon,08:00,09:00,45,x,,,,\n").encode(), "line 2, column duration: 45 minutes, but 08:00–09:00 is 60"),
    ((HEADER + "mon,08:00,,,x,,,,\n").encode(), "line 2, column end: give an end time or a duration"),
    ((HEADER + "mon,08:00,,1 h,x,,,,\n").encode(), "line 2, column duration: “1 h” is not a number of minutes"),
    ((HEADER + "mon,08:00,,45,,,,,\n").encode(), "line 2, column title: a lesson needs a title or a course"),
    ((HEADER + "mon,08:00,,45,x,101|102,,,\n").encode(), "line 2, column room: a lesson has one room, not 2"),
    ((HEADER + "mon,08:00,,45,x,,2027-W54,,\n").encode(), "line 2, column first_week: “2027-W54” is not an ISO week"),
    ((HEADER + "mon,08:00,,45,x,,2027-W05,2027-W04,\n").encode(), "line 2, column last_week: 2027-W04 comes before"),
    ((HEADER + "mon,08:00,,45,x,,,,A|9\n").encode(), "line 2, column cycle_weeks: '9' is not a week label"),
    ((HEADER + "mon,08:00,,45," + "x" * 201 + ",,,,\n").encode(), "line 2, column title: "),
    ((HEADER + "\nmon,08:00,,45,x,,,,,surplus\n").encode(), "line 3: 10 cells, but the header has 9 columns"),
    ((HEADER + 'mon,08:00,,45,"x"y,,,,\n').encode(), "line 2: the CSV is malformed"),
    ((HEADER + "mon,08:00,,45,x\0,,,,\n").encode(), "line 2, column title: 'x\\x00' contains a NUL character"),
    ((HEADER + "mon,08:00,,45,x,R\0,,,\n").encode(), "line 2, column room: 'R\\x00' contains a NUL character"),
    ((HEADER + 'mon,08:00,,45,"x\ny",,,,\ntue,25:00,,45,x,,,,\n').encode(), "line 4, column start: “25:00” is not a time"),
])
def test_bad_files_are_refused_naming_line_and_column(data, message):
    with pytest.raises(LessonsCsvError) as raised:
        parse_lessons_csv(data)
    assert message in str(raised.value)


def test_columns_it_does_not_know_are_listed_and_a_canonical_name_wins_over_an_alias():
    parsed = parse_lessons_csv(b"day,weekday,Start Time,minutes,Subject,Remark\nFriday,2,08:00,45,Maths,hello\n")
    assert [str(u) for u in parsed.unused] == ["column “Remark”: not a column of the lessons format, not read"]
    [lesson] = parsed.lessons
    assert (lesson.weekday, lesson.start, lesson.duration, lesson.course) == (2, 480, 45, "Maths")


def test_names_are_split_on_the_separator_with_spaces_tidied_and_repeats_dropped():
    text = 'weekday,start,duration,title,groups,staff\n1,8:00,45,x, 9A |9B|9A ," Moreau,  Anne  "\n'
    [lesson] = parse_lessons_csv(text.encode()).lessons
    assert lesson.groups == ("9A", "9B") and lesson.staff == ("Moreau, Anne",)


def test_the_parser_is_pure():
    import ast
    from pathlib import Path

    import timetable.imports.lessons_csv as module

    tree = ast.parse(Path(module.__file__).read_text(encoding="utf-8"))
    imported = {node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert imported == {"__future__", "csv", "io", "re", "unicodedata", "dataclasses", "rules", "rules.calendar",
                        "rules.errors", "rules.params", "fet"}
