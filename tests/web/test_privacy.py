"""Privacy: anonymous visitors see only the public parameters, whatever the output.

Every parameter of rules/params.py is walked, so a new one is covered as soon as it exists:
it is given a sample value on a slot of a published timetable, and each anonymous output is
read — the week page (whole and as an htmx fragment), the booking page, the week API, the
availability API, the day's changes (page, fragment and API), the iCalendar feeds, a booking
made through the API and its private page, and the live stream while the parameter is edited.
A public value must show; a private one must never.
"""

from __future__ import annotations

import json
import threading
from datetime import timedelta
from typing import Any

import pytest

from tests.clock import weeks_ahead
from tests.conftest import HTMX
from timetable.formatting import day_label, hhmm
from timetable.rules import PARAMETERS, format_week, monday_of
from timetable.rules.params import COLOR, DURATION, ENUM, LABELS, REF, REFS, TEXT, TIME, WEEKDAY

WEEK_KEY = weeks_ahead(1)  # next week on the pinned clock: open for booking
WEEK = format_week(WEEK_KEY)
LATER_KEY = weeks_ahead(2)
BASE = {"weekday": 2, "start": 600, "duration": 60, "capacity": 3}  # Tuesday 10:00–11:00, 3 places
NOT_SHOWN = object()


def sample(name: str, refs: dict[str, int]):
    """A value of the parameter that differs from its default and from the base slot's."""
    parameter = PARAMETERS[name]
    kind = parameter.kind
    if kind == TEXT:
        return f"sample-{name}-text"
    if kind in (REF, REFS):
        return refs[name]  # a set of two for staff and groups (team teaching, a joint class)
    if kind == TIME:
        return 13 * 60 + 35
    if kind == DURATION:
        return 20
    if kind == WEEKDAY:
        return 3
    if kind == ENUM:
        return next(value for value, _ in parameter.choices if value != parameter.default)
    if kind == COLOR:
        return "#a1b2c3"
    if kind == LABELS:
        return "A"  # the sampled timetable runs an A/B cycle whose week A is WEEK
    return 2  # COUNT: below the base capacity of 3


# How a public value shows on the visitors' pages, where its display text is not what shows.
# A new public parameter of such a kind fails here until someone says how visitors see it.
SHOWN_AS = {
    "capacity": lambda value: f'data-free="{value}"',
    "max_places_per_booking": lambda value: f"At most {value} places per booking.",
    "booking_approval": lambda value: "the organisers approve it before it is confirmed",
    # An A-week lesson shows in week A, under the week's label.
    "cycle_weeks": lambda value: f"Week {value}",
}


# The public parameters a calendar event shows in its own words (summary, location, description).
FEED_SHOWS = ("title", "group", "staff", "substitute", "room", "note")


def evidence(name: str, value, refs_named: dict[str, dict[int, str]]) -> str:
    """Text that is on the visitors' pages when the parameter's value reaches them."""
    if name in SHOWN_AS:
        return SHOWN_AS[name](value)
    kind = PARAMETERS[name].kind
    if kind == REF:
        return refs_named[name][value]
    if kind == REFS:
        return ", ".join(refs_named[name][member] for member in value)
    if kind == TIME:
        return hhmm(value)
    if kind == DURATION:
        return hhmm(BASE["start"] + value)  # the end of the occurrence, or of its first appointment
    if kind == WEEKDAY:
        return day_label(monday_of(WEEK_KEY) + timedelta(days=value - 1))
    if kind in (TEXT, ENUM, COLOR):
        return PARAMETERS[name].display(value)
    raise AssertionError(f"say in SHOWN_AS how visitors see the public parameter {name!r}")


def forbidden(name: str, value, refs_named: dict[str, dict[int, str]]) -> list[str]:
    """Every form in which a private value could leak: as stored, as displayed, by name."""
    parameter = PARAMETERS[name]
    texts = {parameter.encode(value), parameter.display(value)}
    if parameter.kind == REF:
        texts.add(refs_named[name][value])
    if parameter.kind == REFS:
        texts.update(refs_named[name][member] for member in value)
    return sorted(text for text in texts if text)


@pytest.fixture
def sampled(app, request):
    """A published timetable with one slot whose parameter `request.param` holds its sample value."""
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Group, Room, Staff, Timetable
    from timetable.rules.calendar import Cycle
    from timetable.services.calendar import CalendarSpec, replace_calendar
    from timetable.services.creation import create_course, create_slot, create_timetable

    name = request.param
    with app.app_context():
        with write_transaction():
            timetable_id = create_timetable("p", "Privacy school", "Europe/Paris", published=True).id
        replace_calendar(db.session.get(Timetable, timetable_id), CalendarSpec(cycle=Cycle(2, WEEK_KEY)))
    with app.app_context(), write_transaction():
        timetable = db.session.get(Timetable, timetable_id)
        teacher = Staff(timetable_id=timetable.id, name="Base teacher")
        db.session.add(teacher)
        refs: dict[str, Any] = {}
        # Names by parameter: ids repeat across kinds.
        refs_named: dict[str, dict[int, str]] = {}
        for param, parameter in PARAMETERS.items():
            if parameter.kind == REFS:
                model = {"staff": Staff, "group": Group}[parameter.ref]
                members = [model(timetable_id=timetable.id, name=f"Sample {param}"),
                           model(timetable_id=timetable.id, name=f"Second sample {param}")]
                db.session.add_all(members)
                db.session.flush()
                refs[param] = tuple(sorted(member.id for member in members))
                refs_named[param] = {member.id: member.name for member in members}
                continue
            if parameter.kind != REF:
                continue
            if parameter.ref == "course":
                refs[param] = create_course(timetable, f"Sample {param}", {}).id
                refs_named[param] = {refs[param]: f"Sample {param}"}
                continue
            model = {"staff": Staff, "room": Room, "group": Group}[parameter.ref]
            resource = model(timetable_id=timetable.id, name=f"Sample {param}")
            db.session.add(resource)
            db.session.flush()
            refs[param] = resource.id
            refs_named[param] = {resource.id: resource.name}
        db.session.flush()
        value = sample(name, refs)
        slot = create_slot(timetable, {**BASE, "staff": teacher.id, name: value} if name != "staff" else {**BASE, name: value}, 202640)
        return {"name": name, "value": value, "slot": slot.id, "timetable_id": timetable.id, "refs": refs,
                "refs_named": refs_named}


def anonymous_outputs(client, slot_id: int) -> dict[str, str]:
    """What an anonymous visitor can read about the slot's week, by output."""
    outputs = {
        "week page": client.get(f"/p?week={WEEK}"),
        "week fragment": client.get(f"/p?week={WEEK}", headers=HTMX),
        "booking page": client.get(f"/p/book/{slot_id}?week={WEEK}"),
        "week API": client.get(f"/api/timetables/p/weeks/{WEEK}"),
        "availability API": client.get(f"/api/timetables/p/weeks/{WEEK}/availability"),
        # The day's changes (Tuesday and Wednesday, where the sampled weekday moves the lesson to) and the feeds.
        "changes page": client.get(f"/p/changes?date={monday_of(WEEK_KEY) + timedelta(days=1)}"),
        "changes fragment": client.get(f"/p/changes?date={monday_of(WEEK_KEY) + timedelta(days=2)}", headers=HTMX),
        "changes API": client.get(f"/api/timetables/p/changes?date={monday_of(WEEK_KEY) + timedelta(days=1)}"),
        # The readers' pages: the chooser, the week of the slot's teacher, its room and the lesson's details.
        "chooser": client.get("/p/timetables"),
        "teacher's week": client.get(f"/p/teacher/Base%20teacher?week={WEEK}", follow_redirects=True),
        "lesson details": client.get(f"/p/lesson/{slot_id}?week={WEEK}"),
        "changes board": client.get(f"/p/changes/board?date={monday_of(WEEK_KEY) + timedelta(days=1)}"),
        "calendar feed": client.get("/p/calendar.ics"),
        "filtered calendar feed": client.get("/p/calendar.ics?staff=1"),
    }
    texts = {}
    for output, response in outputs.items():
        # The booking page of an occurrence that is not bookable says why, with a 400.
        # The booking page of an occurrence that is not bookable says why, with a 400; a closed lesson has no details.
        assert response.status_code == 200 or (output == "booking page" and response.status_code == 400) or (
            output == "lesson details" and response.status_code == 404), (output, response.status_code)
        texts[output] = response.get_data(as_text=True)
        if output.endswith("feed"):
            # iCalendar folds long lines and escapes commas and semicolons: read it unfolded and unescaped.
            texts[output] = texts[output].replace("\r\n ", "").replace("\\,", ",").replace("\\;", ";")
    held = client.post("/api/timetables/p/holds", json={"slot_id": slot_id, "week": WEEK, "lock_code": "privacy"})
    if held.status_code == 201:  # bookable (a closed occurrence is not)
        booked = client.post("/api/timetables/p/confirm", json={"lock_code": "privacy", "name": "Ada", "email": "ada@example.org"})
        assert booked.status_code == 201, booked.get_json()
        texts["booking API"] = booked.get_data(as_text=True)
        booking = booked.get_json()["booking"]
        page = client.get(f"/p/bookings/{booking['reference']}?key={booking['key']}")
        assert page.status_code == 200
        texts["private booking page"] = page.get_data(as_text=True)
    return texts


def variants(text: str) -> list[str]:
    """The text as it may appear in HTML or JSON (escaped)."""
    return [text, json.dumps(text)[1:-1], text.replace("&", "&amp;").replace("'", "&#39;")]


@pytest.mark.parametrize("sampled", list(PARAMETERS), indirect=True)
def test_every_anonymous_output_shows_public_parameters_and_hides_private_ones(client, sampled):
    name, value, refs_named = sampled["name"], sampled["value"], sampled["refs_named"]
    parameter = PARAMETERS[name]
    texts = anonymous_outputs(client, sampled["slot"])

    [occurrence] = [o for o in json.loads(texts["week API"])["occurrences"] if o["slot_id"] == sampled["slot"]]
    if parameter.public:
        assert occurrence["parameters"][name] == (list(value) if parameter.kind == REFS else value)
        shown = evidence(name, value, refs_named)
        pages = " ".join(texts[output] for output in ("week page", "booking page"))
        assert shown in pages, f"public {name} = {value!r} is not shown to visitors (looked for {shown!r})"
        assert shown in texts["week fragment"] or shown in texts["booking page"]
        if name in FEED_SHOWS:
            # Resources are named after the parameter they were made for ("Sample room"); ids repeat across kinds.
            in_feed = f"Sample {name}" if parameter.kind in (REF, REFS) else shown
            assert in_feed in texts["calendar feed"], f"public {name} = {value!r} is missing from the calendar feed"
    else:
        assert name not in occurrence["parameters"] and name not in occurrence["sources"]
        assert name not in occurrence["labels"]
        for output, text in texts.items():
            for secret in forbidden(name, value, refs_named):
                assert not any(v in text for v in variants(secret)), f"private {name} = {secret!r} leaks in the {output}"


@pytest.mark.parametrize("sampled", [name for name, p in PARAMETERS.items() if not p.public], indirect=True)
def test_readers_with_the_view_right_still_get_private_parameters(client, auth, editor, sampled):
    auth.login()
    [occurrence] = [o for o in client.get(f"/api/timetables/p/weeks/{WEEK}").get_json()["occurrences"]
                    if o["slot_id"] == sampled["slot"]]
    assert occurrence["parameters"][sampled["name"]] == sampled["value"]


@pytest.mark.parametrize("sampled", ["note"], indirect=True)
def test_live_events_on_an_anonymous_stream_carry_no_parameter_value(app, client, sampled):
    """Each parameter is edited while an anonymous stream is open: the event names the weeks, never a value."""
    from tests.factories import paint
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Timetable

    response = client.get("/p/events", buffered=False)
    assert response.status_code == 200
    chunks = iter(response.response)
    assert next(chunks).startswith(b"retry:")
    try:
        for name, parameter in PARAMETERS.items():
            if name == sampled["name"] or (parameter.kind == REF and name != "staff"):
                continue  # its own sample is set already; for references, one is enough
            value = sample(name, sampled["refs"])
            with app.app_context(), write_transaction():
                paint(db.session.get(Timetable, sampled["timetable_id"]), "slot", sampled["slot"], name, LATER_KEY, LATER_KEY, value)
            received: list[bytes] = []
            reader = threading.Thread(target=lambda into=received: into.append(next(chunks)), daemon=True)
            reader.start()
            reader.join(timeout=5)
            assert received, f"no live event after editing {name}"
            event = received[0].decode()
            assert event.startswith("event: change\ndata: ")
            data = json.loads(event.split("data: ", 1)[1])
            assert data == {"timetable": sampled["timetable_id"], "kind": "change", "spans": [[LATER_KEY, LATER_KEY]]}
            for secret in forbidden(name, value, sampled["refs_named"]):
                assert secret not in event or secret.isdigit(), f"{name} = {secret!r} travels on the anonymous stream"
    finally:
        response.close()
