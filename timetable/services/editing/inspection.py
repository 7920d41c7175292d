"""What the slot panel shows: each parameter's value this week, where it comes from, its history."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from ...extensions import db
from ...models import Term, Timetable
from ...rules import PARAMETERS, add_weeks, iter_weeks, value_in_week
from ..resolution import Directory, load_directory
from ..stripes import COURSE, SLOT, load_stripes
from .planning import check_owners
from .previews import describe

STRIP_WEEKS_AROUND = 13  # when the week is in no term: a quarter before and after


@dataclass(frozen=True)
class StripCell:
    week: int
    text: str
    source: str
    shade: int  # which colour the cell takes: equal values share one

    @property
    def changed(self) -> bool:
        return self.source == SLOT


@dataclass(frozen=True)
class ParameterView:
    name: str
    label: str
    value: Any
    text: str
    source: str
    strip: tuple[StripCell, ...]


@dataclass(frozen=True)
class OwnerView:
    owner: str
    owner_id: int
    week: int
    first_week: int
    last_week: int
    term: Term | None
    course_id: int | None
    parameters: tuple[ParameterView, ...]
    directory: Directory

    def parameter(self, name: str) -> ParameterView:
        return next(p for p in self.parameters if p.name == name)


def term_of(timetable: Timetable, week: int) -> Term | None:
    """The shortest named term containing the week (a term rather than the whole school year)."""
    terms = db.session.scalars(
        select(Term).where(Term.timetable_id == timetable.id, Term.start_week <= week, Term.end_week >= week)
    ).all()
    return min(terms, key=lambda term: (term.end_week - term.start_week, term.id), default=None)


def inspect_owner(timetable: Timetable, owner: str, owner_id: int, week: int) -> OwnerView:
    """Every parameter of a slot (or course) in `week`, and its history over the week's term."""
    check_owners(timetable, owner, (owner_id,))
    term = term_of(timetable, week)
    first, last = (term.start_week, term.end_week) if term else (add_weeks(week, -STRIP_WEEKS_AROUND), add_weeks(week, STRIP_WEEKS_AROUND))
    own = load_stripes({(owner, owner_id, param) for param in PARAMETERS if not (owner == COURSE and param == "course")})
    courses: set[int] = set()
    if owner == SLOT:
        courses = {rule.value for rule in own[(SLOT, owner_id, "course")] if rule.value is not None}
    inherited = load_stripes({(COURSE, course_id, param) for course_id in courses for param in PARAMETERS if param != "course"})
    directory = load_directory(timetable.id)
    weeks = list(iter_weeks(first, last))

    def resolve(param: str, at: int) -> tuple[Any, str]:
        return value_in_week(
            param, at, lambda name: own.get((owner, owner_id, name), []),
            (lambda course, name: inherited.get((COURSE, course, name), [])) if owner == SLOT else None,
        )

    views = []
    for name, parameter in PARAMETERS.items():
        if owner == COURSE and name == "course":
            continue
        shades: dict[str, int] = {}
        cells = []
        for at in weeks:
            value, source = resolve(name, at)
            text = describe(name, value, directory)
            cells.append(StripCell(at, text, source, shades.setdefault(text, len(shades))))
        value, source = resolve(name, week)
        views.append(ParameterView(name, parameter.label, value, describe(name, value, directory), source, tuple(cells)))
    course_id = resolve("course", week)[0] if owner == SLOT else owner_id
    return OwnerView(owner, owner_id, week, first, last, term, course_id, tuple(views), directory)
