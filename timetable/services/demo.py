"""Demo data: a secondary school and a small clinic, with some history already painted in."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from .. import clock
from ..database import write_transaction
from ..extensions import db
from ..models import Group, Room, SlotRule, Staff, Term, Timetable
from ..rules import add_weeks, format_week, next_week, previous_week, week_of
from .creation import create_courses, create_slots, create_timetable
from .editing import EditRequest, record_requests
from .resolution import resolve_week
from .stripes import COURSE, SLOT

Progress = Callable[[str], None]

SCHOOL_SLUG = "school"
CLINIC_SLUG = "clinic"

DEMO_TIME_ZONE = "Europe/Paris"
PERIODS = (8 * 60, 8 * 60 + 55, 10 * 60, 10 * 60 + 55, 13 * 60 + 30, 14 * 60 + 25, 15 * 60 + 20)
LESSON_MINUTES = 50
CLASSES = ("7A", "7B", "8A", "8B", "9A", "9B", "10A", "10B", "11A", "11B", "12A", "12B")

# subject: (hours a week per class, teachers, room kind, colour)
SUBJECTS = {
    "Maths": (5, ["A. Moreau", "B. Laurent", "C. Girard", "D. Roux", "E. Fontaine"], "home", "#3b6fd8"),
    "French": (5, ["F. Bonnet", "G. Mercier", "H. Lambert", "I. Faure", "J. Chevalier"], "home", "#c2410c"),
    "English": (3, ["K. Walker", "L. Hughes", "M. Price"], "home", "#0f766e"),
    "History": (3, ["N. Garnier", "O. Perrin", "P. Robin"], "home", "#7c3aed"),
    "Physics": (2, ["Q. Caron", "R. Meunier"], "Lab 1", "#0369a1"),
    "Technology": (1, ["Q. Caron", "R. Meunier"], "home", "#475569"),
    "Biology": (2, ["S. Dupuis", "T. Lemoine"], "Lab 2", "#15803d"),
    "PE": (3, ["U. Barbier", "V. Renard", "W. Colin"], "sports", "#b45309"),
    "Art": (1, ["X. Vidal"], "Art studio", "#db2777"),
    "Music": (1, ["Y. Noël"], "Music room", "#9333ea"),
    "Spanish": (3, ["Z. Ortega", "A. Ruiz", "B. Serrano"], "home", "#dc2626"),
}
EXTRA_STAFF = ("C. Ito", "D. Novak")
ROOMS = tuple(f"{100 + n}" for n in range(1, 13)) + (
    "Lab 1", "Lab 2", "Gym", "Sports hall", "Art studio", "Music room", "Language lab", "Library",
)


@dataclass
class DemoReport:
    created: list[str]
    skipped: list[str]
    slots: int = 0
    rules: int = 0


def existing_demo_slugs() -> list[str]:
    return list(db.session.scalars(select(Timetable.slug).where(Timetable.slug.in_([SCHOOL_SLUG, CLINIC_SLUG]))))


@dataclass(frozen=True)
class SchoolYear:
    """The demo's school year, laid around today so that a newcomer's first page has its history.

    It runs from the week of 1 September to the week before the next one, so every date
    belongs to exactly one year and the switch-over falls at the end of the summer.
    """

    first: int
    last: int
    this_week: int
    terms: tuple[tuple[str, int, int], ...]

    @classmethod
    def around(cls, today: date) -> SchoolYear:
        starts = today.year if week_of(today) >= week_of(date(today.year, 9, 1)) else today.year - 1
        first = week_of(date(starts, 9, 1))
        last = previous_week(week_of(date(starts + 1, 9, 1)))
        summer_ends = week_of(date(starts + 1, 7, 4))
        terms = (
            (f"School year {starts}/{str(starts + 1)[2:]}", first, last),
            ("Autumn term", first, week_of(date(starts, 12, 18))),
            ("Spring term", week_of(date(starts + 1, 1, 4)), week_of(date(starts + 1, 3, 31))),
            ("Summer term", week_of(date(starts + 1, 4, 15)), summer_ends),
            ("Summer school", next_week(summer_ends), last),
        )
        return cls(first, last, week_of(today), terms)

    @property
    def lessons_from(self) -> int:
        """The first week with lessons: the year's first, or last week in the year's first week,
        so that "last week" (when the demo's sick teacher fell ill) always has lessons."""
        return min(self.first, previous_week(self.this_week))

    def ahead(self, weeks: int) -> int:
        return add_weeks(self.this_week, weeks)

    def next_term_start(self) -> int:
        """The first week of the next term, or a month ahead when this is the year's last term."""
        later = [start for _name, start, _end in self.terms[1:] if start > self.this_week]
        return min(later) if later else self.ahead(4)


def load_demo(progress: Progress = lambda step: None, *, replace: bool = False, seed: int = 7) -> DemoReport:
    """Build the demo timetables that are missing (or all of them with `replace`), one transaction each.

    Their dates follow the clock: the school year that contains today, with its history
    painted around the current week, and a clinic that opens this week.
    """
    year = SchoolYear.around(clock.today(DEMO_TIME_ZONE))
    report = DemoReport(created=[], skipped=[])
    for slug, build in ((SCHOOL_SLUG, _build_school), (CLINIC_SLUG, _build_clinic)):
        with write_transaction() as session:
            existing = session.scalar(select(Timetable).where(Timetable.slug == slug))
            if existing is not None and not replace:
                report.skipped.append(slug)
                progress(f"{slug}: already there, kept as it is")
                continue
            if existing is not None:
                progress(f"{slug}: removing the existing copy")
                session.delete(existing)
                session.flush()
            report.slots += build(progress, random.Random(seed), year)
            report.created.append(slug)
    report.rules = db.session.query(SlotRule).count()
    return report


def _resources(timetable: Timetable, model, names) -> dict[str, int]:
    rows = [model(timetable_id=timetable.id, name=name) for name in names]
    db.session.add_all(rows)
    db.session.flush()
    return {row.name: row.id for row in rows}


def _plan_school_week(rng: random.Random) -> list[tuple[str, str, int, int]]:
    """Place every lesson in a (weekday, period) cell with no clash of class, teacher or special room.

    Greedy with random order; a failed attempt starts again with the next shuffle, so the
    result is deterministic for a seed.
    """
    cells = [(day, period) for day in range(1, 6) for period in range(len(PERIODS)) if not (day == 3 and period >= 4)]
    for _attempt in range(200):
        teacher_busy: set[tuple[str, int, int]] = set()
        room_busy: set[tuple[str, int, int]] = set()
        placed: list[tuple[str, str, int, int]] = []
        ok = True
        for class_index, class_name in enumerate(CLASSES):
            lessons = [
                subject for subject, (hours, *_rest) in SUBJECTS.items() for _ in range(hours)
            ]
            rng.shuffle(lessons)
            free = set(cells)
            per_day: dict[tuple[int, str], int] = {}
            for subject in sorted(lessons, key=lambda s: -SUBJECTS[s][0]):
                teacher = _teacher(subject, class_index)
                room = _room(subject, class_index)
                options = [
                    cell for cell in free
                    if (teacher, *cell) not in teacher_busy and (room is None or (room, *cell) not in room_busy)
                ]
                if not options:
                    ok = False
                    break
                options.sort(key=lambda cell: (per_day.get((cell[0], subject), 0), rng.random()))
                cell = options[0]
                free.discard(cell)
                teacher_busy.add((teacher, *cell))
                if room is not None:
                    room_busy.add((room, *cell))
                per_day[(cell[0], subject)] = per_day.get((cell[0], subject), 0) + 1
                placed.append((class_name, subject, *cell))
            if not ok:
                break
        if ok:
            return placed
    raise RuntimeError("could not place the demo school's lessons without clashes")


def _teacher(subject: str, class_index: int) -> str:
    teachers = SUBJECTS[subject][1]
    return teachers[class_index % len(teachers)]


def _room(subject: str, class_index: int) -> str | None:
    """The special room a lesson needs, or None for the class's own room."""
    kind = SUBJECTS[subject][2]
    if kind == "home":
        return None
    if kind == "sports":
        return "Gym" if class_index % 2 == 0 else "Sports hall"
    return kind


def _build_school(progress: Progress, rng: random.Random, year: SchoolYear) -> int:
    timetable = create_timetable(
        SCHOOL_SLUG, "Lycée Jean Moulin (demo)", DEMO_TIME_ZONE, published=True,
        shown_weekdays="1,2,3,4,5", day_start=8 * 60, day_end=17 * 60,
    )
    db.session.add_all([
        Term(timetable_id=timetable.id, name=name, start_week=start, end_week=end) for name, start, end in year.terms
    ])
    teacher_names = sorted({t for _, teachers, *_ in SUBJECTS.values() for t in teachers} | set(EXTRA_STAFF))
    staff = _resources(timetable, Staff, teacher_names)
    rooms = _resources(timetable, Room, ROOMS)
    groups = _resources(timetable, Group, CLASSES)
    progress(f"school: {len(staff)} teachers, {len(rooms)} rooms, {len(groups)} classes")

    course_keys = [(class_name, subject) for class_name in CLASSES for subject in SUBJECTS]
    course_rows = create_courses(timetable, [
        (f"{subject} {class_name}", {
            "staff": staff[_teacher(subject, class_index)],
            "room": rooms[_room(subject, class_index) or ROOMS[class_index]],
            "group": groups[class_name], "color": SUBJECTS[subject][3], "duration": LESSON_MINUTES,
        })
        for class_index, class_name in enumerate(CLASSES) for subject in SUBJECTS
    ], year.lessons_from, summary=f"Courses of the {year.terms[0][0].lower()}")
    courses = dict(zip(course_keys, course_rows))
    progress(f"school: {len(courses)} courses")

    lessons = sorted(_plan_school_week(rng), key=lambda lesson: (lesson[0], lesson[2], lesson[3]))
    clubs = [
        ("Chess club", "C. Ito", "Library", 3, 4, "#64748b"),
        ("Study support", "D. Novak", "Library", 4, 6, "#64748b"),
    ]
    keys = [(class_name, day, period) for class_name, _subject, day, period in lessons]
    keys += [(title, day, period) for title, _teacher, _room, day, period, _colour in clubs]
    values = [
        {"weekday": day, "start": PERIODS[period], "course": courses[(class_name, subject)].id}
        for class_name, subject, day, period in lessons
    ] + [
        {"weekday": day, "start": PERIODS[period], "duration": LESSON_MINUTES, "title": title,
         "staff": staff[teacher], "room": rooms[room], "color": colour, "capacity": 16}
        for title, teacher, room, day, period, colour in clubs
    ]
    # Open-ended, as a school's timetable stays until someone changes it: a demo opened after
    # the school year still shows a full week.
    slots, _change = create_slots(timetable, values, year.lessons_from, summary=f"Weekly lessons of the {year.terms[0][0].lower()}")
    slots_by_key = dict(zip(keys, slots))
    progress(f"school: {len(slots)} weekly lessons from {format_week(year.lessons_from)} on")

    _paint_school_history(timetable, year, staff, rooms, courses, slots_by_key)
    progress(f"school: history painted around {format_week(year.this_week)}: "
             "a substitution, a class trip, a room change, a course change and a club closing")
    return len(slots)


def _paint_school_history(timetable, year: SchoolYear, staff, rooms, courses, slots_by_key) -> None:
    """What a real term accumulates, each as a change of its own in the History (and undoable):
    a teacher off sick last week and this week with a stand-in, a class trip this week, a room
    change next week, a course change from next term and a club that closes later this year."""
    def record(summary: str, *requests: EditRequest) -> None:
        record_requests(timetable, requests, summary, None)

    this_week = year.this_week
    sick_from = previous_week(this_week)
    sick_courses = {
        c.id for (class_name, subject), c in courses.items()
        if subject == "Maths" and _teacher(subject, CLASSES.index(class_name)) == "A. Moreau"
    }
    sick_slots = tuple(sorted(
        o.slot_id for o in resolve_week(timetable, this_week) if o.values["course"] in sick_courses
    ))
    record("A. Moreau is off sick; C. Ito stands in",
           EditRequest(SLOT, sick_slots, "staff_status", sick_from, this_week, "sick"),
           EditRequest(SLOT, sick_slots, "substitute", sick_from, this_week, staff["C. Ito"]))

    trip = slots_by_key[("10B", 4, 1)].id
    record("10B's class trip to the science museum",
           EditRequest(SLOT, (trip,), "status", this_week, this_week, "temporarily_closed"),
           EditRequest(SLOT, (trip,), "note", this_week, this_week, "Class trip to the science museum"))

    next_one = year.ahead(1)
    record("9A's Tuesday lesson moves to the language lab for one week",
           EditRequest(SLOT, (slots_by_key[("9A", 2, 0)].id,), "room", next_one, next_one, rooms["Language lab"]))

    record("9A maths moves to the language lab from next term",
           EditRequest(COURSE, (courses[("9A", "Maths")].id,), "room", year.next_term_start(), None,
                       rooms["Language lab"]))

    record("The chess club closes",
           EditRequest(SLOT, (slots_by_key[("Chess club", 3, 4)].id,), "status", year.ahead(8), None, "closed"))


def _build_clinic(progress: Progress, rng: random.Random, year: SchoolYear) -> int:
    """A clinic that opens this week: its consultations and classes are bookable in the weeks ahead."""
    opening = year.this_week
    timetable = create_timetable(
        CLINIC_SLUG, "Clinique des Tilleuls (demo)", DEMO_TIME_ZONE, published=True,
        shown_weekdays="1,2,3,4,5,6", day_start=8 * 60, day_end=19 * 60,
    )
    db.session.add(Term(timetable_id=timetable.id, name="This season", start_week=opening, end_week=add_weeks(opening, 51)))
    staff = _resources(timetable, Staff, ["Dr C. Martin", "Dr L. Rossi", "N. Dubois (nurse)", "P. Leroy (physio)"])
    rooms = _resources(timetable, Room, ["Consultation 1", "Consultation 2", "Treatment room", "Exercise room"])
    groups = _resources(timetable, Group, ["Adults", "Children"])
    general, paediatrics, vaccination, back_care = create_courses(timetable, [
        ("General consultation", {"staff": staff["Dr C. Martin"], "room": rooms["Consultation 1"], "color": "#2563eb",
                                  "capacity": 1, "appointment_length": 20, "group": groups["Adults"]}),
        ("Paediatrics", {"staff": staff["Dr L. Rossi"], "room": rooms["Consultation 2"], "color": "#16a34a",
                         "capacity": 1, "appointment_length": 30, "group": groups["Children"]}),
        ("Vaccination session", {"staff": staff["N. Dubois (nurse)"], "room": rooms["Treatment room"],
                                 "color": "#d97706", "capacity": 12, "max_places_per_booking": 2}),
        ("Back-care class", {"staff": staff["P. Leroy (physio)"], "room": rooms["Exercise room"], "color": "#7c3aed",
                             "capacity": 8, "group": groups["Adults"]}),
    ], opening, summary="The clinic's services")
    blocks = [
        (general, 1, 9 * 60, 180), (general, 2, 9 * 60, 180), (general, 4, 9 * 60, 180), (general, 3, 14 * 60, 180),
        (paediatrics, 2, 13 * 60 + 30, 240), (paediatrics, 5, 13 * 60 + 30, 240), (paediatrics, 6, 9 * 60, 120),
        (vaccination, 3, 9 * 60, 120), (vaccination, 5, 9 * 60, 120),
        (back_care, 1, 18 * 60, 60), (back_care, 6, 10 * 60, 60), (back_care, 4, 18 * 60, 60),
    ]
    slots, _change = create_slots(timetable, [
        {"course": course.id, "weekday": day, "start": start, "duration": minutes} for course, day, start, minutes in blocks
    ], opening, summary="Consultation blocks and classes")
    progress(f"clinic: {len(slots)} consultation blocks and classes from {format_week(opening)} on")
    leave = add_weeks(opening, 4)
    general_slots = tuple(slot.id for slot, (course, *_rest) in zip(slots, blocks) if course is general)
    record_requests(timetable, [
        EditRequest(SLOT, general_slots, "staff_status", leave, leave, "leave"),
        EditRequest(SLOT, general_slots, "status", leave, leave, "temporarily_closed"),
        EditRequest(SLOT, general_slots, "note", leave, leave, "Dr Martin is on leave this week"),
    ], "Dr Martin's week of leave", None)
    progress(f"clinic: a week of leave in {format_week(leave)}")
    return len(slots)
