"""Staff, rooms, groups and courses of a timetable: create, rename, give details, retire.

Nothing is deleted: a resource is retired from a week, after which no edit may assign it
(services.references); its name still shows in the weeks before. The retire preview lists
what still uses it from that week on, for the scheduler to reassign in bulk.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from ..database import write_transaction
from ..extensions import db
from ..models import Course, Group, Room, Staff, Timetable
from ..rules import PARAMETERS
from .creation import create_course
from .errors import NotFound
from .references import KIND_WORDS, REF_MODELS
from .resolution import load_directory, resolve_slot
from .stripes import SLOT, rules_naming
from .timetables import InvalidFields, TakenFields, refuse

# The API's and the page's names of the kinds (plural) and the reference kind each holds.
KINDS = {"staff": "staff", "rooms": "room", "groups": "group", "courses": "course"}
# The details each kind has besides its name and retirement week.
DETAILS = {"staff": ("short_name", "email", "courses"), "room": ("capacity", "features"), "group": ("size",), "course": ()}

Resource = Staff | Room | Group | Course


def ref_kind(kind: str) -> str:
    """"rooms" → "room"; NotFound for anything that is not a kind of resource."""
    if kind not in KINDS:
        raise NotFound(f"“{kind}” is not a kind of resource (staff, rooms, groups, courses).")
    return KINDS[kind]


def list_resources(timetable: Timetable, kind: str) -> list[Resource]:
    model = REF_MODELS[ref_kind(kind)]
    return list(db.session.scalars(select(model).where(model.timetable_id == timetable.id).order_by(model.name)))


def get_resource(timetable: Timetable, kind: str, resource_id: int) -> Resource:
    return _get(timetable, ref_kind(kind), resource_id)


def _get(timetable: Timetable, kind: str, resource_id: int) -> Resource:
    model = REF_MODELS[kind]
    found = db.session.scalar(select(model).where(model.timetable_id == timetable.id, model.id == resource_id))
    if found is None:
        raise NotFound(f"This timetable has no {kind} #{resource_id}.")
    return found  # type: ignore[return-value]  # the model of `kind`


def _check(timetable: Timetable, kind: str, values: Mapping[str, Any], resource: Resource | None) -> tuple[dict[str, str], dict[str, str]]:
    """The invalid values' problems, and the taken name's."""
    errors: dict[str, str] = {}
    taken: dict[str, str] = {}
    model = REF_MODELS[kind]
    if "name" in values:
        name = (values["name"] or "").strip()
        if not name or len(name) > 200:
            errors["name"] = "Give a name of 1 to 200 characters."
        elif db.session.scalar(select(model.id).where(
            model.timetable_id == timetable.id, func.lower(model.name) == name.lower(), model.id != (resource.id if resource else 0),
        )):
            taken["name"] = _taken(kind, name).fields["name"][0]
    if values.get("courses"):
        ids = set(values["courses"])
        known = set(db.session.scalars(select(Course.id).where(Course.timetable_id == timetable.id, Course.id.in_(ids))))
        if missing := sorted(ids - known):
            errors["courses"] = f"This timetable has no course {', '.join(f'#{i}' for i in missing)}."
    return errors, taken


def _assign(resource: Resource, values: Mapping[str, Any]) -> None:
    for name, value in values.items():
        if name == "courses":
            resource.courses = list(db.session.scalars(select(Course).where(Course.id.in_(value or []))))
        elif name == "name":
            resource.name = value.strip()
        elif name == "features":
            resource.features = [tag.strip() for tag in value or [] if tag.strip()]
        else:
            setattr(resource, name, value)


def _allowed(kind: str, values: Mapping[str, Any]) -> dict[str, Any]:
    unknown = [name for name in values if name not in ("name", "retired_from_week", *DETAILS[kind])]
    if unknown:
        raise InvalidFields({name: f"A {KIND_WORDS[kind]} has no “{name}”." for name in unknown})
    return dict(values)


def add_resource(timetable: Timetable, kind: str, values: Mapping[str, Any], *, user_id: int | None = None) -> Resource:
    """Create a staff member, room, group or course (a course through the write path: its history starts)."""
    kind = ref_kind(kind)
    values = _allowed(kind, values)
    if not values.get("name"):
        raise InvalidFields({"name": "Give a name of 1 to 200 characters."})
    try:
        with write_transaction():
            refuse(*_check(timetable, kind, values, None))
            resource: Resource
            if kind == "course":
                resource = create_course(timetable, values["name"].strip(), {}, user_id=user_id)
            else:
                resource = REF_MODELS[kind](timetable_id=timetable.id, name=values["name"].strip())
                db.session.add(resource)
            _assign(resource, {k: v for k, v in values.items() if k != "name"})
            db.session.flush()
    except IntegrityError:
        raise _taken(kind, values["name"]) from None
    return resource


def change_resource(timetable: Timetable, kind: str, resource_id: int, values: Mapping[str, Any]) -> Resource:
    """Rename, change details, retire from a week (or bring back with None), in one transaction."""
    kind = ref_kind(kind)
    values = _allowed(kind, values)
    try:
        with write_transaction():
            resource = _get(timetable, kind, resource_id)
            refuse(*_check(timetable, kind, values, resource))
            _assign(resource, values)
    except IntegrityError:
        # A concurrent request took the name between the check and the write.
        raise _taken(kind, values.get("name", "")) from None
    return resource


def _taken(kind: str, name: str) -> TakenFields:
    return TakenFields({"name": f"This timetable already has a {kind} called “{name.strip()}”."})


@dataclass(frozen=True)
class Use:
    """A stripe that still assigns the resource from the retirement week on."""

    owner: str
    owner_id: int
    param: str
    start: int | None
    end: int | None
    label: str


def uses_from(timetable: Timetable, kind: str, resource_id: int, week: int) -> list[Use]:
    """What still assigns this resource in `week` or later: slots and course defaults, with their weeks."""
    kind = ref_kind(kind)
    resource = _get(timetable, kind, resource_id)
    params = [name for name, parameter in PARAMETERS.items() if parameter.ref == kind]
    directory = load_directory(timetable.id)
    uses = []
    for owner, owner_id, param, start, end in rules_naming(timetable.id, params, resource.id, week):
        if owner == SLOT:
            occurrence = resolve_slot(timetable, owner_id, start or week)
            label = occurrence.title(directory) if occurrence else f"Slot {owner_id}"
        else:
            label = f"Course {directory.name('course', owner_id)} (default of its slots)"
        uses.append(Use(owner, owner_id, param, start, end, label))
    return uses
