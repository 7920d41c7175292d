"""Demo data: a secondary school and a small clinic, with some history already painted in."""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select

from ..database import write_transaction
from ..extensions import db
from ..models import Course, CourseRule, Group, Room, SlotRule, Staff, Term, Timetable
from ..rules import add_weeks, parse_week
from .creation import create_course, create_slot, create_timetable
from .resolution import resolve_week
from .stripes import paint_rules

Progress = Callable[[str], None]

SCHOOL_SLUG = "school"
CLINIC_SLUG = "clinic"

SCHOOL_YEAR = (parse_week("2026-W36"), parse_week("2027-W26"))
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


def load_demo(progress: Progress = lambda step: None, *, replace: bool = False, seed: int = 7) -> DemoReport:
    """Build the demo timetables that are missing (or all of them with `replace`), one transaction each."""
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
            report.slots += build(progress, random.Random(seed))
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


def _build_school(progress: Progress, rng: random.Random) -> int:
    first, last = SCHOOL_YEAR
    timetable = create_timetable(
        SCHOOL_SLUG, "Lycée Jean Moulin (demo)", "Europe/Paris", published=True,
        shown_weekdays="1,2,3,4,5", day_start=8 * 60, day_end=17 * 60,
    )
    db.session.add_all([
        Term(timetable_id=timetable.id, name="School year 2026/27", start_week=first, end_week=last),
        Term(timetable_id=timetable.id, name="Autumn term", start_week=first, end_week=parse_week("2026-W51")),
        Term(timetable_id=timetable.id, name="Spring term", start_week=parse_week("2027-W02"), end_week=parse_week("2027-W13")),
        Term(timetable_id=timetable.id, name="Summer term", start_week=parse_week("2027-W15"), end_week=last),
    ])
    teacher_names = sorted({t for _, teachers, *_ in SUBJECTS.values() for t in teachers} | set(EXTRA_STAFF))
    staff = _resources(timetable, Staff, teacher_names)
    rooms = _resources(timetable, Room, ROOMS)
    groups = _resources(timetable, Group, CLASSES)
    progress(f"school: {len(staff)} teachers, {len(rooms)} rooms, {len(groups)} classes")

    courses: dict[tuple[str, str], Course] = {}
    for class_index, class_name in enumerate(CLASSES):
        for subject, (_hours, _teachers, _kind, colour) in SUBJECTS.items():
            room = _room(subject, class_index) or ROOMS[class_index]
            courses[(class_name, subject)] = create_course(
                timetable, f"{subject} {class_name}",
                {"staff": staff[_teacher(subject, class_index)], "room": rooms[room],
                 "group": groups[class_name], "color": colour, "duration": LESSON_MINUTES},
                start_week=first, end_week=last,
            )
    progress(f"school: {len(courses)} courses")

    lessons = _plan_school_week(rng)
    slots_by_key = {}
    for index, (class_name, subject, day, period) in enumerate(sorted(lessons, key=lambda l: (l[0], l[2], l[3]))):
        slot = create_slot(
            timetable,
            {"weekday": day, "start": PERIODS[period], "course": courses[(class_name, subject)].id},
            first, last,
        )
        slots_by_key[(class_name, day, period)] = slot
        if index % 50 == 49:
            progress(f"school: {index + 1} lessons placed")
    clubs = [
        ("Chess club", "C. Ito", "Library", 3, 4, "#64748b"),
        ("Study support", "D. Novak", "Library", 4, 6, "#64748b"),
    ]
    for title, teacher, room, day, period, colour in clubs:
        slot = create_slot(
            timetable,
            {"weekday": day, "start": PERIODS[period], "duration": LESSON_MINUTES, "title": title,
             "staff": staff[teacher], "room": rooms[room], "color": colour, "capacity": 16},
            first, last,
        )
        slots_by_key[(title, day, period)] = slot
    progress(f"school: {len(slots_by_key)} weekly lessons over {len(list(_weeks(first, last)))} weeks")

    _paint_school_history(timetable, staff, rooms, courses, slots_by_key)
    progress("school: substitutions, a room change and a closed lesson painted in")
    return len(slots_by_key)


def _weeks(first: int, last: int):
    week = first
    while week <= last:
        yield week
        week = add_weeks(week, 1)


def _paint_school_history(timetable, staff, rooms, courses, slots_by_key) -> None:
    """What a real term accumulates: a sick teacher replaced, a one-week room swap, a cancelled lesson."""
    sick_from, sick_to = parse_week("2026-W47"), parse_week("2026-W48")
    substitute = staff["C. Ito"]  # free whenever A. Moreau teaches: no clash created
    last_week = SCHOOL_YEAR[1]
    sick_courses = {c.id for (class_name, subject), c in courses.items() if subject == "Maths" and _teacher(subject, CLASSES.index(class_name)) == "A. Moreau"}
    for occurrence in resolve_week(timetable, sick_from):
        if occurrence.values["course"] in sick_courses:
            for param, value in (("staff_status", "sick"), ("substitute", substitute)):
                paint_rules(SlotRule, occurrence.slot_id, timetable.id, param, sick_from, sick_to, value)

    one_week = parse_week("2026-W48")
    room_change = slots_by_key[("9A", 2, 0)]
    paint_rules(SlotRule, room_change.id, timetable.id, "room", one_week, one_week, rooms["Language lab"])

    trip_week = parse_week("2026-W47")
    trip = slots_by_key[("10B", 4, 1)]
    paint_rules(SlotRule, trip.id, timetable.id, "status", trip_week, trip_week, "temporarily_closed")
    paint_rules(SlotRule, trip.id, timetable.id, "note", trip_week, trip_week, "Class trip to the science museum")

    # A course-level change: the 9A maths lessons move to the language lab after Christmas.
    paint_rules(CourseRule, courses[("9A", "Maths")].id, timetable.id, "room", parse_week("2027-W02"), last_week, rooms["Language lab"])

    chess = slots_by_key[("Chess club", 3, 4)]
    paint_rules(SlotRule, chess.id, timetable.id, "status", parse_week("2027-W10"), None, "closed")


def _build_clinic(progress: Progress, rng: random.Random) -> int:
    first = parse_week("2026-W36")
    timetable = create_timetable(
        CLINIC_SLUG, "Clinique des Tilleuls (demo)", "Europe/Paris", published=True,
        shown_weekdays="1,2,3,4,5,6", day_start=8 * 60, day_end=19 * 60,
    )
    db.session.add(Term(timetable_id=timetable.id, name="2026/27 season", start_week=first, end_week=parse_week("2027-W26")))
    staff = _resources(timetable, Staff, ["Dr C. Martin", "Dr L. Rossi", "N. Dubois (nurse)", "P. Leroy (physio)"])
    rooms = _resources(timetable, Room, ["Consultation 1", "Consultation 2", "Treatment room", "Exercise room"])
    groups = _resources(timetable, Group, ["Adults", "Children"])
    general = create_course(timetable, "General consultation", {"staff": staff["Dr C. Martin"], "room": rooms["Consultation 1"], "color": "#2563eb", "capacity": 1, "appointment_length": 20, "group": groups["Adults"]}, first)
    paediatrics = create_course(timetable, "Paediatrics", {"staff": staff["Dr L. Rossi"], "room": rooms["Consultation 2"], "color": "#16a34a", "capacity": 1, "appointment_length": 30, "group": groups["Children"]}, first)
    vaccination = create_course(timetable, "Vaccination session", {"staff": staff["N. Dubois (nurse)"], "room": rooms["Treatment room"], "color": "#d97706", "capacity": 12})
    back_care = create_course(timetable, "Back-care class", {"staff": staff["P. Leroy (physio)"], "room": rooms["Exercise room"], "color": "#7c3aed", "capacity": 8, "group": groups["Adults"]})
    blocks = [
        (general, 1, 9 * 60, 180), (general, 2, 9 * 60, 180), (general, 4, 9 * 60, 180), (general, 3, 14 * 60, 180),
        (paediatrics, 2, 13 * 60 + 30, 240), (paediatrics, 5, 13 * 60 + 30, 240), (paediatrics, 6, 9 * 60, 120),
        (vaccination, 3, 9 * 60, 120), (vaccination, 5, 9 * 60, 120),
        (back_care, 1, 18 * 60, 60), (back_care, 6, 10 * 60, 60), (back_care, 4, 18 * 60, 60),
    ]
    slots = []
    for course, day, start, minutes in blocks:
        slots.append(create_slot(timetable, {"course": course.id, "weekday": day, "start": start, "duration": minutes}, first))
    progress(f"clinic: {len(slots)} consultation blocks and classes")
    leave = parse_week("2026-W52")
    for slot, (course, *_rest) in zip(slots, blocks):
        if course is general:
            paint_rules(SlotRule, slot.id, timetable.id, "staff_status", leave, leave, "leave")
            paint_rules(SlotRule, slot.id, timetable.id, "status", leave, leave, "temporarily_closed")
            paint_rules(SlotRule, slot.id, timetable.id, "note", leave, leave, "Dr Martin is on leave this week")
    progress("clinic: a week of leave painted in")
    return len(slots)
