"""The chooser readers open a school on: its classes, teachers and rooms, each linking to its own week.

Stable URLs: `/<slug>/class/<id>`, `/<slug>/teacher/<id>`, `/<slug>/room/<id>`; the resource's
name works in place of the id (`/school/class/10B`), ids are what links use, since a name can
be changed. A timetable with many classes or rooms opens on the chooser at `/<slug>`; one with
few (the clinic) opens on its week as before. The chooser is always at `/<slug>/timetables`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask import url_for
from werkzeug.exceptions import NotFound

from ..models import Timetable
from ..rules import format_week
from ..services.resolution import Directory
from .ids import parse_id

# Path word -> (filter name, what one is called, what the section is called).
KINDS = {"class": ("group", "Class", "Classes"), "teacher": ("staff", "Teacher", "Teachers"), "room": ("room", "Room", "Rooms")}
PATH_WORDS = {filter_name: word for word, (filter_name, _one, _many) in KINDS.items()}

# A timetable with more classes or rooms than this opens on the chooser: side by side, a week of
# seven or more columns of lessons is too narrow to read. The clinic (2 groups, 4 rooms) opens on its week.
MAX_COLUMNS_FOR_WEEK = 6


@dataclass(frozen=True)
class Entry:
    resource_id: int
    name: str
    url: str
    shown: bool  # matches the search (every entry is listed; the others hidden, so the page's filter can bring them back)


@dataclass(frozen=True)
class Section:
    word: str  # "class", "teacher", "room"
    title: str
    entries: tuple[Entry, ...]

    @property
    def shown(self) -> int:
        return sum(1 for entry in self.entries if entry.shown)


@dataclass(frozen=True)
class Chooser:
    timetable: Timetable
    sections: tuple[Section, ...]
    query: str
    week_url: str  # the whole week, every class side by side

    @property
    def found(self) -> int:
        return sum(section.shown for section in self.sections)


def _current(directory: Directory, filter_name: str, week: int) -> dict[int, str]:
    """The resources of a kind not retired by `week`, by name."""
    names = getattr(directory, filter_name)

    def active(rid: int) -> bool:
        retired = directory.retired_from(filter_name, rid)
        return retired is None or retired > week

    return {rid: name for rid, name in names.items() if active(rid)}


def opens_on_chooser(directory: Directory, week: int) -> bool:
    return max(len(_current(directory, "group", week)), len(_current(directory, "room", week))) > MAX_COLUMNS_FOR_WEEK


def matches(name: str, query: str) -> bool:
    """Every word of the query is in the name, whatever the case: "moreau", "10 b", "lab"."""
    folded = name.casefold()
    return all(word in folded for word in query.casefold().split())


def build_chooser(timetable: Timetable, directory: Directory, week: int, query: str) -> Chooser:
    sections = []
    for word, (filter_name, _one, many) in KINDS.items():
        current = _current(directory, filter_name, week)
        entries = tuple(
            Entry(rid, name, url_for("readers.resource_week", slug=timetable.slug, kind=word, ref=rid), matches(name, query))
            for rid, name in sorted(current.items(), key=lambda item: _natural(item[1]))
        )
        sections.append(Section(word, many, entries))
    return Chooser(timetable, tuple(sections), query, url_for("public.week", slug=timetable.slug, week=format_week(week)))


def _natural(name: str) -> tuple:
    """7A before 10B, as people count classes."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part.casefold()) for part in re.split(r"(\d+)", name) if part)


def find_resource(directory: Directory, word: str, ref: str) -> tuple[str, int]:
    """The (filter name, id) a class/teacher/room path names, by id or by name; a clear 404 otherwise."""
    if word not in KINDS:
        raise NotFound(f"“{word}” is not a kind of timetable: use class, teacher or room.")
    filter_name, one, _many = KINDS[word]
    names = getattr(directory, filter_name)
    resource_id = parse_id(ref)
    if resource_id in names:
        return filter_name, resource_id
    folded = ref.strip().casefold()
    for rid, name in names.items():
        if name.casefold() == folded:
            return filter_name, rid
    raise NotFound(f"There is no {one.lower()} “{ref}” in this timetable. The timetable's page lists them all.")
