"""Staff and groups are sets: team teaching and joint classes keep every member, and clashes,
filters, reference checks, retirement, display and feeds see each one."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.integration.helpers import values, week
from timetable.database import write_transaction
from timetable.extensions import db
from timetable.models import Group, SlotRule, Staff
from timetable.services.creation import create_slot
from timetable.services.editing import EditRequest, record_requests
from timetable.services.editing.previews import week_clashes
from timetable.services.errors import ServiceError
from timetable.services.resolution import WeekFilter, load_directory, resolve_week
from timetable.services.resources import uses_from


@pytest.fixture
def team(school):
    """X and Y teach 7A and 7B together on Tuesday at 10:00 from 2026-W40."""
    timetable = school["timetable"]
    with write_transaction():
        a, b = Group(timetable_id=timetable.id, name="7A"), Group(timetable_id=timetable.id, name="7B")
        db.session.add_all([a, b])
        db.session.flush()
        slot = create_slot(timetable, {"title": "Project", "weekday": 2, "start": 600, "duration": 60,
                                       "staff": [school["y"], school["x"]], "group": (b.id, a.id)}, week(40))
    return {**school, "team": slot.id, "7a": a.id, "7b": b.id}


def test_a_set_is_stored_in_canonical_text_and_resolves_to_a_sorted_tuple(team):
    stored = db.session.scalars(select(SlotRule.value).where(SlotRule.slot_id == team["team"], SlotRule.param == "staff")).one()
    assert stored == f"{team['x']},{team['y']}"
    v = values(team["timetable"], 48, team["team"])
    assert v["staff"] == (team["x"], team["y"])
    assert v["group"] == (team["7a"], team["7b"])


def test_a_value_stored_as_one_id_before_sets_reads_as_a_set_of_one(team):
    # The course's staff was written as the single id "1" style text: no data migration is needed.
    assert db.session.scalars(select(SlotRule.value).where(SlotRule.param == "staff")).all()
    maths_lesson = team["lessons"][0]
    assert values(team["timetable"], 48, maths_lesson)["staff"] == (team["x"],)


def test_filters_match_any_member(team):
    occurrences = resolve_week(team["timetable"], week(48))
    for wanted in (WeekFilter(staff=team["y"]), WeekFilter(staff=team["x"]), WeekFilter(group=team["7b"]),
                   WeekFilter(group=team["7a"])):
        assert team["team"] in [o.slot_id for o in occurrences if wanted.matches(o)]
    assert team["team"] not in [o.slot_id for o in occurrences if WeekFilter(staff=team["z"]).matches(o)]


def test_clashes_see_every_member_of_a_team(team):
    timetable = team["timetable"]
    with write_transaction():
        # Y alone at the same time: Y clashes with the team lesson, X does not.
        create_slot(timetable, {"title": "Duty", "weekday": 2, "start": 630, "duration": 30, "staff": team["y"]}, week(40))
    clashes = week_clashes(timetable, week(48))
    assert [(c.kind, c.resource) for c in clashes] == [("staff", "Y")]


def test_every_member_must_exist_and_not_be_retired(team):
    timetable = team["timetable"]
    with pytest.raises(ServiceError, match="Staff: this timetable has no staff member #99999"), write_transaction():
        create_slot(timetable, {"weekday": 3, "start": 600, "staff": (team["x"], 99999)}, week(48))
    with write_transaction():
        db.session.get(Staff, team["y"]).retired_from_week = week(50)
    with pytest.raises(ServiceError, match="Y is retired from 2026-W50"), write_transaction():
        record_requests(timetable, [EditRequest("slot", (team["lessons"][0],), "staff", week(48), None, (team["x"], team["y"]))],
                        "team", None)


def test_retiring_a_member_lists_the_sets_that_still_name_them(team):
    uses = uses_from(team["timetable"], "staff", team["y"], week(48))
    assert [(u.owner_id, u.param) for u in uses] == [(team["team"], "staff")]
    uses = uses_from(team["timetable"], "groups", team["7b"], week(48))
    assert [(u.owner_id, u.param) for u in uses] == [(team["team"], "group")]


def test_a_set_is_shown_by_its_names(team):
    directory = load_directory(team["timetable"].id)
    v = values(team["timetable"], 48, team["team"])
    assert directory.name("staff", v["staff"]) == "X, Y"
    assert directory.name("group", v["group"]) == "7A, 7B"
