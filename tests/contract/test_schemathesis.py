"""The API keeps its published contract: Schemathesis fuzzes every operation of /api/openapi.json in-process.

Every check runs on every operation, "valid data is accepted" (positive_data_acceptance) included: no
server error, status codes, content types, response schemas and headers, schema-valid data accepted
(2xx, 3xx, 401, 403, 404, 409, 429), schema-violating data rejected. Once anonymously and once as an
editor with a Bearer token. Nothing is left out: the OpenAPI document states what the server enforces
wherever JSON Schema can (a value typed by its parameter, reserved slugs, patterns, exclusive fields),
and a refusal about the timetable's state is a 409, not a 400.

Positive cases are drawn on the slug as drawn and again on the demo school, so that acceptance is
judged on a timetable with rows, not only on 404s. What JSON Schema cannot state is kept by shaping
positive cases only (negative ones stay as drawn), each shaping saying which rule it keeps: orders
between two fields (start <= end), periods that do not overlap, a real CSV file for the import, and
ids that name the timetable's own rows. Hypothesis is derandomized and each operation gets a few
examples, so the tier is reproducible and bounded in time; the clock is the suite's pinned clock.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from tests.conftest import build_app
from timetable.rules import PARAMETERS, parse_week
from timetable.rules.calendar import CYCLE_LABELS

pytestmark = pytest.mark.contract

# Few examples per operation: the tier must stay within a few minutes on a small CI machine.
FUZZ = settings(
    max_examples=25,
    derandomize=True,
    deadline=None,
    database=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture(scope="module")
def contract_app(make_database_url):
    """The demo's timetables and accounts on a database of this tier's own, which the fuzzing may write to."""
    from tests.clock import pinned
    from timetable.services.demo import load_demo
    from timetable.services.demo_accounts import ensure_demo_accounts

    app = build_app(make_database_url("contract"))
    with app.app_context(), pinned():
        load_demo()
        ensure_demo_accounts("timetable-demo")
    yield app
    with app.app_context():
        from timetable.extensions import db

        db.engine.dispose()


@pytest.fixture(scope="module")
def editor_token(contract_app):
    """The demo administrator's personal API token, sent as a Bearer header (no cookie, no CSRF token)."""
    from timetable.services.accounts import find_user
    from timetable.services.api_tokens import create_token

    with contract_app.app_context():
        _row, token = create_token(find_user("scheduler").id, "contract fuzzing")
    return token


# Positive cases only: where the server checks a rule JSON Schema cannot state (an order between two fields, a
# file's bytes), these shape a schema-valid case so that it keeps the rule. Negative cases are left as drawn.


def _week(text: str) -> int:
    return parse_week(text)


def _ordered(item: dict, first: str, last: str, key=_week) -> None:
    # start <= end: JSON Schema cannot compare the values of two fields.
    both = isinstance(item, dict) and item.get(first) is not None and item.get(last) is not None
    if both and key(item[first]) > key(item[last]):
        item[first], item[last] = item[last], item[first]


def _edits_in_order(case) -> None:
    # Each edit's start must not come after its end (marshmallow's check_edit compares them).
    for edit in (case.body or {}).get("edits", []):
        _ordered(edit, "start", "end")


def _slots_in_order(case) -> None:
    # New slots' start week must not come after their end week (check_range compares them).
    _ordered(case.body, "start", "end")


def _day_in_order(case) -> None:
    # The day's first hour must come before its last (08:00–18:00 by default): two fields, or a field and a default.
    body = case.body
    if isinstance(body, dict) and body.get("day_start", "08:00") >= body.get("day_end", "18:00"):
        body.pop("day_start", None)
        body.pop("day_end", None)


# Text, not bytes: Schemathesis judges a body holding bytes it did not generate as negative.
CSV_FILE = "weekday,start,duration,title\nMonday,08:00,45,Assembly\nTuesday,09:00,50,Choir\n"


def _real_file(case) -> None:
    # The file must be a timetable file (bytes JSON Schema cannot describe): a small CSV, read as CSV (the name sent,
    # "file", has no extension to tell its format by). Its `periods` are FET-only, and their ranges' order is cross-field.
    if isinstance(case.body, dict):
        case.body = {**{k: v for k, v in case.body.items() if k != "periods"}, "file": CSV_FILE, "format": "csv"}


def _periods_in_order(case) -> None:
    # A bell grid's periods end after they start, do not overlap on a day and have distinct names there; grids start
    # in distinct weeks: orders and uniqueness across items, which JSON Schema cannot state. Keep those that fit.
    seen_weeks = set()
    grids = []
    for grid in (case.body or {}).get("schedules", []):
        if _week(grid["from_week"]) in seen_weeks:
            continue
        seen_weeks.add(_week(grid["from_week"]))
        kept: list[dict] = []
        for period in grid["periods"]:
            start, end = _minutes(period["start"]), _minutes(period["end"])
            same_day = [p for p in kept if p["weekday"] == period["weekday"]]
            if start < end and all(p["name"] != period["name"] and (end <= _minutes(p["start"]) or _minutes(p["end"]) <= start)
                                   for p in same_day):
                kept.append(period)
        grids.append({**grid, "periods": kept})
    if isinstance(case.body, dict) and "schedules" in case.body:
        case.body["schedules"] = grids


def _minutes(text: str) -> int:
    hours, minutes = re.split("[:hH.]", text.strip())
    return int(hours) * 60 + int(minutes)


def _absence_in_order(case) -> None:
    # An absence's last day must not come before its first (366 days at most), and until after from: two fields' relations.
    body = case.body
    if not isinstance(body, dict):
        return
    _ordered(body, "start", "end", key=date.fromisoformat)
    if isinstance(body.get("start"), str) and isinstance(body.get("end"), str):  # and lasts at most 366 days
        body["end"] = min(date.fromisoformat(body["end"]), date.fromisoformat(body["start"]) + timedelta(days=365)).isoformat()
    if isinstance(body.get("from"), str) and isinstance(body.get("until"), str):
        _ordered(body, "from", "until", key=_minutes)
        if _minutes(body["from"]) == _minutes(body["until"]):
            del body["from"], body["until"]


def _calendar_in_order(case) -> None:
    # Terms and holidays end after they start, a holiday lasts at most 366 days, term names are distinct, and the
    # weeks overridden are distinct and labelled within the cycle's length: relations JSON Schema cannot state.
    body = case.body
    if not isinstance(body, dict) or not isinstance(body.get("terms"), list):
        return
    names: set[str] = set()
    terms = []
    for term in body["terms"]:
        if term["name"].strip().casefold() not in names:
            names.add(term["name"].strip().casefold())
            _ordered(term, "start", "end")
            terms.append(term)
    body["terms"] = terms
    for holiday in body["holidays"]:
        _ordered(holiday, "start", "end", key=date.fromisoformat)
        first = date.fromisoformat(holiday["start"])
        holiday["end"] = min(date.fromisoformat(holiday["end"]), first + timedelta(days=365)).isoformat()
    cycle = body["cycle"]
    labels = CYCLE_LABELS[:cycle["length"]] if cycle["length"] > 1 else ""
    weeks: set[int] = set()
    overrides = []
    for override in cycle.get("overrides", []):
        if override["label"] in labels and _week(override["week"]) not in weeks:
            weeks.add(_week(override["week"]))
            overrides.append(override)
    cycle["overrides"] = overrides


# Where a body names the timetable's own rows (ids of its staff, rooms, groups, courses, slots and absences, its terms,
# its cycle's weeks), a drawn id names a row of that timetable, picked by the drawn value: which rows a timetable has
# is its state, which no schema can list. On a slug that names no timetable nothing changes (the answer is a 404).
Rows = dict


def _rows(app, slug: str) -> Rows | None:
    from sqlalchemy import select

    from timetable.extensions import db
    from timetable.models import Absence, Course, Group, Room, Slot, Staff, Term, Timetable, WeekCycle

    with app.app_context():
        timetable = db.session.scalar(select(Timetable).where(Timetable.slug == slug))
        if timetable is None:
            return None

        def ids(model, *where):
            return list(db.session.scalars(select(model.id).where(model.timetable_id == timetable.id, *where).order_by(model.id)))

        in_use = [(kind, model) for kind, model in (("staff", Staff), ("room", Room), ("group", Group), ("course", Course))]
        rows = {kind: ids(model, model.retired_from_week.is_(None)) for kind, model in in_use}
        rows["slot"] = ids(Slot)
        rows["absence"] = ids(Absence, Absence.withdrawn.is_(False))
        rows["terms"] = list(db.session.scalars(select(Term.name).where(Term.timetable_id == timetable.id).order_by(Term.id)))
        cycle = db.session.get(WeekCycle, timetable.id)
        rows["cycle"] = cycle.length if cycle is not None and cycle.length > 1 else 1
        db.session.remove()
    return rows


def _own(rows: Rows, kind: str, drawn):
    """The timetable's row of `kind` the drawn id picks (a list of ids picks one each); as drawn when it has none."""
    if isinstance(drawn, list):
        return sorted({_own(rows, kind, one) for one in drawn})
    ids = rows.get(kind) or []
    return ids[drawn % len(ids)] if ids and isinstance(drawn, int) and not isinstance(drawn, bool) else drawn


def _own_labels(rows: Rows, drawn):
    # Labels of weeks the timetable's cycle has (none without a cycle).
    if not isinstance(drawn, str):
        return drawn
    return ",".join(sorted({c for c in drawn.upper() if c in CYCLE_LABELS[:rows["cycle"]]})) if rows["cycle"] > 1 else ""


def _own_values(rows: Rows, values: dict) -> None:
    """A slot's parameter values (an edit's, a new slot's) naming the timetable's resources and cycle weeks."""
    for param, value in list(values.items()):
        parameter = PARAMETERS.get(param)
        if parameter is not None and parameter.ref is not None and value is not None:
            values[param] = _own(rows, parameter.ref, value)
        elif param == "cycle_weeks" and value is not None:
            values[param] = _own_labels(rows, value)


def _own_edits(rows: Rows, case) -> None:
    _edits_in_order(case)
    body = case.body
    if "slots" in body:
        body["slots"] = _own(rows, "slot", body["slots"])
    if "course" in body:
        body["course"] = _own(rows, "course", body["course"])
    for edit in body.get("edits", []):
        shaped_edit = {edit["param"]: edit.get("value")}
        _own_values(rows, shaped_edit)
        if "value" in edit:
            edit["value"] = shaped_edit[edit["param"]]


def _own_new_slots(rows: Rows, case) -> None:
    _slots_in_order(case)
    for values in case.body.get("slots", []):
        _own_values(rows, values)


def _own_absence(rows: Rows, case) -> bool:
    # Who or what is absent is one of the timetable's staff, rooms or groups: of the kind drawn, else of one it has.
    # first_period/last_period name periods of its bell grid in those weeks, which the drawn dates cannot know: left out.
    _absence_in_order(case)
    case.body.pop("first_period", None)
    case.body.pop("last_period", None)
    for kind in ("staff", "room", "group"):
        if case.body.get(kind) is not None:
            drawn = case.body.pop(kind)
            kind = next((other for other in (kind, "staff", "room", "group") if rows[other]), None)
            if kind is None:
                return False  # a timetable with no staff, rooms or groups has no one to be absent
            case.body[kind] = _own(rows, kind, drawn)
    return True


def _own_cover(rows: Rows, case) -> None:
    # Items name lessons that must take place in the week they name (the timetable's occurrences): left out, so the
    # solver plans the cover; the absences named are the timetable's; from <= until.
    body = case.body
    body.pop("items", None)
    if "absences" in body:
        body["absences"] = _own(rows, "absence", body["absences"])
    _ordered(body, "from", "until", key=date.fromisoformat)


def _own_courses(rows: Rows, case) -> None:
    # The courses a person can teach are the timetable's (none on a timetable without courses).
    if isinstance(case.body.get("courses"), list):
        case.body["courses"] = _own(rows, "course", case.body["courses"]) if rows["course"] else []


def _own_term(rows: Rows, case) -> None:
    if case.query and case.query.get("term") and rows["terms"]:
        case.query = {**case.query, "term": rows["terms"][len(case.query["term"]) % len(rows["terms"])]}


OWN_ROWS = {
    "POST /api/timetables/{slug}/absences": _own_absence,
    "PATCH /api/timetables/{slug}/absences/{absence_id}": _own_absence,
    "GET /api/timetables/{slug}/cover-statistics": _own_term,
    "POST /api/timetables/{slug}/staff": _own_courses,
    "PATCH /api/timetables/{slug}/staff/{resource_id}": _own_courses,
    "POST /api/timetables/{slug}/cover/plan": _own_cover,
    "POST /api/timetables/{slug}/plan": _own_edits,
    "POST /api/timetables/{slug}/apply": _own_edits,
    "POST /api/timetables/{slug}/slots/{slot_id}/plan": _own_edits,
    "POST /api/timetables/{slug}/slots/{slot_id}/apply": _own_edits,
    "POST /api/timetables/{slug}/slots/plan": _own_new_slots,
    "POST /api/timetables/{slug}/slots/apply": _own_new_slots,
}


SHAPING = {
    "POST /api/timetables/{slug}/absences": _absence_in_order,
    "PATCH /api/timetables/{slug}/absences/{absence_id}": _absence_in_order,
    "PUT /api/timetables/{slug}/calendar": _calendar_in_order,
    "POST /api/timetables": _day_in_order,
    "PATCH /api/timetables/{slug}": _day_in_order,
    "POST /api/timetables/{slug}/slots/{slot_id}/plan": _edits_in_order,
    "POST /api/timetables/{slug}/slots/{slot_id}/apply": _edits_in_order,
    "POST /api/timetables/{slug}/plan": _edits_in_order,
    "POST /api/timetables/{slug}/apply": _edits_in_order,
    "POST /api/timetables/{slug}/slots/plan": _slots_in_order,
    "POST /api/timetables/{slug}/slots/apply": _slots_in_order,
    "POST /api/timetables/{slug}/imports": _real_file,
    "POST /api/timetables/{slug}/periods/plan": _periods_in_order,
    "PUT /api/timetables/{slug}/periods": _periods_in_order,
}


def shaped(app, label: str):
    """Shape a positive case of the operation `label`, on the timetable its slug names (if any)."""
    shape, own = SHAPING.get(label), OWN_ROWS.get(label)

    def apply(case):
        if shape is not None:
            shape(case)
        if own is not None and isinstance(case.body, dict) or own is _own_term:
            rows = _rows(app, (case.path_parameters or {}).get("slug", ""))
            if rows is not None and own(rows, case) is False:
                return None  # no valid case exists on this timetable: drawn again
        return case

    return apply


def kept(case) -> bool:
    return case is not None


# Positive cases run twice: on a slug as drawn (mostly no timetable: 404) and on the demo school, so that "valid data is
# accepted" judges each operation on a timetable with rows, not only its 404.
DEMO_SLUG = "school"


def on_the_school(case):
    if case.path_parameters and "slug" in case.path_parameters:
        case.path_parameters = {**case.path_parameters, "slug": DEMO_SLUG}
        if isinstance(case.body, dict) and case.operation.label == "PATCH /api/timetables/{slug}":
            # Not a rule of the server: the school keeps its address, so that the operations fuzzed after this one find it.
            case.body.pop("slug", None)
    return case


def checked(cases):
    """A Hypothesis test sending each case drawn and running all checks on its answer."""

    @FUZZ
    @given(case=cases)
    def check(case):
        case.call_and_validate()

    return check


def fuzz(app, token: str | None = None) -> None:
    """Run every operation's positive and negative cases through all checks; fail listing what broke, operation by operation."""
    from timetable.extensions import limiter

    limiter.reset()  # the booking routes' rate limits are tested elsewhere; here every request must be judged
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    if token is not None:
        # Schemathesis's own auth provider, so that its auth checks know the credential and can leave it out.
        class BearerToken:
            def get(self, case, context):
                return token

            def set(self, case, data, context):
                case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}

        schema.auth.auth(refresh_interval=None)(BearerToken)
    failures = []
    for result in schema.get_all_operations():
        operation = result.ok()
        auth_storage = schema.auth if token is not None else None
        positive = operation.as_strategy(GenerationMode.POSITIVE, auth_storage=auth_storage)
        negative = operation.as_strategy(GenerationMode.NEGATIVE, auth_storage=auth_storage)
        shape = shaped(app, operation.label)
        cases = st.one_of(positive.map(shape).filter(kept), positive.map(on_the_school).map(shape).filter(kept), negative)
        try:
            checked(cases)()
        except BaseExceptionGroup as failure:  # what Schemathesis found, gathered over all operations
            failures.append(f"{operation.label}: {failure}")
    assert not failures, "\n\n".join(failures)


def test_the_api_keeps_its_contract_for_anonymous_callers(contract_app):
    fuzz(contract_app)


def test_the_api_keeps_its_contract_for_an_editor_with_a_token(contract_app, editor_token):
    fuzz(contract_app, editor_token)
