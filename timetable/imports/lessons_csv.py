"""Read a CSV file of lessons, one row per lesson, into plain data (docs/csv-import.md describes the format).

UTF-8 with or without a byte-order mark; comma or semicolon, whichever the header line holds
more of. Header names are case-insensitive (spaces and hyphens read as underscores, accents dropped) and a few
aliases are accepted (`ALIASES`); a canonical name wins over an alias, so our own CSV export,
which has both `day` and `weekday`, reads its `weekday`. Columns the format does not know are
left out and listed in `LessonsCsv.unused`.

Pure (no Flask, no database). Any row it cannot use refuses the whole file: `LessonsCsvError`
names the line (and the column), so an import never brings in half a spreadsheet.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass, field

from ..rules import PARAMETERS, WEEKDAYS, format_week, parse_week
from ..rules.calendar import parse_labels
from ..rules.errors import RulesError
from ..rules.params import text_problem
from .fet import Unused

# The largest file read (as TIMETABLE_MAX_IMPORT_BYTES): a school's year is a few hundred rows of 100 bytes.
MAX_CSV_BYTES = 10 * 1024 * 1024
# Several groups or teachers in one cell: "9A|9B". Names may hold commas and plus signs ("Moreau, A.", "C++").
SEPARATOR = "|"

COLUMNS = ("weekday", "start", "end", "duration", "title", "course", "groups", "staff", "room",
           "first_week", "last_week", "cycle_weeks", "ref")
REQUIRED = ("weekday", "start")
ALIASES = {
    "day": "weekday", "jour": "weekday",
    "start_time": "start", "begin": "start", "debut": "start",
    "end_time": "end", "fin": "end",
    "minutes": "duration", "length": "duration", "duree": "duration",
    "subject": "course", "matiere": "course", "titre": "title",
    "group": "groups", "class": "groups", "classes": "groups", "classe": "groups", "groupe": "groups", "groupes": "groups",
    "teacher": "staff", "teachers": "staff", "enseignant": "staff", "enseignants": "staff", "salle": "room",
    "from_week": "first_week", "to_week": "last_week",
    "cycle": "cycle_weeks", "weeks": "cycle_weeks",
    "id": "ref", "external_ref": "ref",
}

_FRENCH_DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DAY_NAMES: dict[str, int] = {}
for _number, (_english, _french) in enumerate(zip(WEEKDAYS, _FRENCH_DAYS), start=1):
    for _name in (_english.lower(), _english[:3].lower(), _french, _french[:3], str(_number)):
        DAY_NAMES[_name] = _number

_TIME = re.compile(r"(\d{1,2}):(\d{2})", re.ASCII)
_MINUTES = re.compile(r"\d{1,4}", re.ASCII)


class LessonsCsvError(ValueError):
    """The file cannot be imported; the message names the line (and column)."""


@dataclass(frozen=True)
class Lesson:
    """One row: when (weekday, minutes since midnight), what, for whom, by whom, where, over which weeks."""

    line: int
    weekday: int
    start: int
    duration: int
    title: str = ""
    course: str | None = None
    groups: tuple[str, ...] = ()
    staff: tuple[str, ...] = ()
    room: str | None = None
    first_week: int | None = None
    last_week: int | None = None
    cycle_weeks: str = ""  # canonical labels, "A,B"; "" = every week
    ref: str | None = None


@dataclass(frozen=True)
class LessonsCsv:
    lessons: tuple[Lesson, ...]
    delimiter: str = ","
    unused: tuple[Unused, ...] = field(default=())


def _text(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise LessonsCsvError(f"the file has {len(data):,} bytes; at most {MAX_CSV_BYTES:,} are read (10 MiB)")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[:error.start].count(b"\n") + 1
        raise LessonsCsvError(f"line {line}: byte {error.start + 1} is not UTF-8; save the file as “CSV UTF-8”") from None
    return text


def _delimiter(header: str) -> str:
    return ";" if header.count(";") > header.count(",") else ","


def _plain(text: str) -> str:
    """Without accents, so "Début" and "Matière" read as debut and matiere."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _header(cells: list[str]) -> tuple[dict[str, int], list[Unused]]:
    """Column index of each canonical column the header names; the others are unused."""
    found: dict[str, int] = {}
    aliased: dict[str, int] = {}
    unused = []
    for index, cell in enumerate(cells):
        key = re.sub(r"[\s\-]+", "_", _plain(cell.strip().lower()))
        if key in COLUMNS:
            if key in found:
                raise LessonsCsvError(f"line 1: the column “{key}” is there twice")
            found[key] = index
        elif key in ALIASES:
            aliased.setdefault(ALIASES[key], index)
        elif key:
            unused.append(Unused(f"column “{cell.strip()}”", "not a column of the lessons format, not read"))
    for key, index in aliased.items():
        found.setdefault(key, index)
    missing = [name for name in REQUIRED if name not in found]
    if "end" not in found and "duration" not in found:
        missing.append("end or duration")
    if "title" not in found and "course" not in found:
        missing.append("title or course")
    if missing:
        raise LessonsCsvError(f"line 1: the header has no column {', '.join(missing)} (columns: {', '.join(COLUMNS)})")
    return found, unused


def parse_weekday(text: str) -> int | None:
    """1–7 from "1", "Monday", "mon", "lundi", "lun" (any case); None when it is none of them."""
    return DAY_NAMES.get(text.strip().lower())


def parse_time(text: str) -> int | None:
    """Minutes since midnight from "08:30" or "8:30"; None when it is no time of day."""
    match = _TIME.fullmatch(text.strip())
    if not match or int(match[1]) > 23 or int(match[2]) > 59:
        return None
    return int(match[1]) * 60 + int(match[2])


def format_time(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _names(text: str) -> tuple[str, ...]:
    return tuple(dict.fromkeys(name for part in text.split(SEPARATOR) if (name := " ".join(part.split()))))


class _Row:
    """The cells of one row by column, and the place to name in errors."""

    def __init__(self, line: int, cells: list[str], columns: dict[str, int]) -> None:
        self.line, self.cells, self.columns = line, cells, columns

    def get(self, column: str) -> str:
        index = self.columns.get(column)
        return self.cells[index].strip() if index is not None and index < len(self.cells) else ""

    def error(self, column: str, message: str) -> LessonsCsvError:
        return LessonsCsvError(f"line {self.line}, column {column}: {message}")


def _when(row: _Row) -> tuple[int, int, int]:
    day_text = row.get("weekday")
    weekday = parse_weekday(day_text)
    if weekday is None:
        raise row.error("weekday", f"unknown day “{day_text}” (1–7, Monday…Sunday, Mon…Sun, lundi…dimanche)")
    start = parse_time(row.get("start"))
    if start is None:
        raise row.error("start", f"“{row.get('start')}” is not a time like 08:30")
    end_text, duration_text = row.get("end"), row.get("duration")
    duration = None
    if duration_text:
        if not _MINUTES.fullmatch(duration_text):
            raise row.error("duration", f"“{duration_text}” is not a number of minutes")
        duration = int(duration_text)
    if end_text:
        end = parse_time(end_text)
        if end is None:
            raise row.error("end", f"“{end_text}” is not a time like 09:15")
        if end <= start:
            raise row.error("end", f"{end_text} is not after the start {format_time(start)}")
        if duration is not None and duration != end - start:
            raise row.error("duration", f"{duration} minutes, but {format_time(start)}–{end_text} is {end - start}")
        duration = end - start
    if duration is None:
        raise row.error("end", "give an end time or a duration")
    column = "duration" if duration_text else "end"
    if duration % 5 or not 5 <= duration <= 1440:
        raise row.error(column, f"a lesson lasts 5 to 1440 minutes in steps of 5, not {duration}")
    return weekday, start, duration


def _weeks(row: _Row) -> tuple[int | None, int | None]:
    weeks: list[int | None] = []
    for column in ("first_week", "last_week"):
        text = row.get(column)
        try:
            weeks.append(parse_week(text) if text else None)
        except RulesError:
            raise row.error(column, f"“{text}” is not an ISO week like 2027-W02") from None
    first, last = weeks
    if first is not None and last is not None and last < first:
        raise row.error("last_week", f"{format_week(last)} comes before the first week {format_week(first)}")
    return first, last


def _lesson(row: _Row) -> Lesson:
    weekday, start, duration = _when(row)
    first, last = _weeks(row)
    title, course = row.get("title"), " ".join(row.get("course").split()) or None
    if not title and not course:
        raise row.error("title", "a lesson needs a title or a course")
    try:
        PARAMETERS["title"].validate(title)
    except RulesError as error:
        raise row.error("title", str(error).removeprefix("title: ")) from None
    labels = row.get("cycle_weeks").replace(SEPARATOR, ",")
    try:
        cycle = parse_labels(labels)
    except RulesError as error:
        raise row.error("cycle_weeks", f"{error}; write A, or A|B") from None
    ref = row.get("ref") or None
    if ref is not None and len(ref) > 64:
        raise row.error("ref", "a ref has at most 64 characters")
    names = {column: _names(row.get(column)) for column in ("groups", "staff", "room")}
    if len(names["room"]) > 1:
        raise row.error("room", f"a lesson has one room, not {len(names['room'])}")
    for column, found in (*names.items(), ("course", (course,) if course else ()), ("ref", (ref,) if ref else ())):
        for name in found:
            if len(name) > 200:
                raise row.error(column, f"“{name[:20]}…” is longer than 200 characters")
            if problem := text_problem(name):
                raise row.error(column, f"{name[:20]!r} {problem}")
    return Lesson(row.line, weekday, start, duration, title, course, names["groups"], names["staff"],
                  names["room"][0] if names["room"] else None, first, last, cycle, ref)


def parse_lessons_csv(data: bytes) -> LessonsCsv:
    """Read the file; raise `LessonsCsvError` naming the line (and column) of the first row it cannot use."""
    text = _text(data)
    first_line = text.split("\n", 1)[0]
    delimiter = _delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    lessons: list[Lesson] = []
    refs: dict[str, int] = {}
    columns: dict[str, int] | None = None
    unused: list[Unused] = []
    line = 1
    try:
        for cells in reader:
            if not any(cell.strip() for cell in cells):
                line = reader.line_num + 1
                continue
            if columns is None:
                columns, unused = _header(cells)
                width = len(cells)
            else:
                if any(cell.strip() for cell in cells[width:]):
                    raise LessonsCsvError(f"line {line}: {len(cells)} cells, but the header has {width} columns "
                                          f"(is a “{delimiter}” inside a name not in quotes?)")
                lesson = _lesson(_Row(line, cells, columns))
                if lesson.ref is not None:
                    if lesson.ref in refs:
                        raise LessonsCsvError(f"line {line}, column ref: “{lesson.ref}” is already the ref of line {refs[lesson.ref]}")
                    refs[lesson.ref] = line
                lessons.append(lesson)
            line = reader.line_num + 1
    except csv.Error as error:
        raise LessonsCsvError(f"line {reader.line_num or 1}: the CSV is malformed ({error})") from None
    if columns is None:
        raise LessonsCsvError("the file is empty: it needs a header line and one line per lesson")
    if not lessons:
        raise LessonsCsvError("the file has a header but no lessons")
    return LessonsCsv(tuple(lessons), delimiter, tuple(unused))
