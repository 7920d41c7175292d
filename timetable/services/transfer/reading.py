"""Reading a `timetable/1` document: every field checked, every reference resolved, with its place.

`read_document` turns bytes into a `Document` of plain values (weeks as keys, minutes, decoded
parameter values whose references are still the document's own ids), or raises `TransferError`
naming the place: `history[12].stripes[0].after[1]: …`. Nothing here writes.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from ...rules import PARAMETERS, Rule, RulesError, get_parameter, parse_week
from ...rules import calendar as calendar_rules
from ...rules.params import text_problem
from ...rules.periods import BellGrid, Period, validate_grids
from ...rules.stripes import validate_stripe
from ..errors import ServiceError
from ..stripes import COURSE, SLOT
from ..timetables import _columns as settings_columns
from ..timetables import _errors as settings_errors
from . import FORMAT, MAX_DOCUMENT_BYTES, ref_ids

KINDS = (("staff", "staff"), ("rooms", "room"), ("groups", "group"), ("courses", "course"))
CHANGE_KINDS_MAX = 20


class TransferError(ServiceError):
    """A document that cannot be imported; the message names the place."""


StripeRules = tuple[tuple[int | None, int | None, Any], ...]


@dataclass(frozen=True)
class StripeEdit:
    owner: str
    owner_id: int  # the document's id
    param: str
    after: StripeRules


@dataclass(frozen=True)
class Change:
    id: int
    created_at: datetime
    user: str | None
    kind: str
    summary: str
    undoes: int | None
    stripes: tuple[StripeEdit, ...]
    bells: tuple[tuple[BellGrid, ...], tuple[BellGrid, ...]] | None


@dataclass
class Document:
    settings: dict[str, Any]
    terms: list[tuple[str, int, int]]
    holidays: list[calendar_rules.Holiday]
    cycle: calendar_rules.Cycle
    bells: tuple[BellGrid, ...]
    resources: dict[str, list[dict[str, Any]]]  # kind (staff, room, group, course) → rows with "id"
    stripes: dict[tuple[str, int, str], StripeRules] = field(default_factory=dict)
    slots: list[int] = field(default_factory=list)
    history: list[Change] = field(default_factory=list)


def fail(path: str, message: str) -> TransferError:
    return TransferError(f"{path}: {message}")


def _obj(value: Any, path: str) -> dict:
    if not isinstance(value, dict):
        raise fail(path, "must be an object")
    return value


def _list(value: Any, path: str) -> list:
    if not isinstance(value, list):
        raise fail(path, "must be a list")
    return value


def _text(value: Any, path: str, max_length: int, *, optional: bool = False) -> str | None:
    if value is None and optional:
        return None
    if not isinstance(value, str) or not value.strip() and not optional or len(value) > max_length:
        raise fail(path, f"must be a text of 1 to {max_length} characters")
    if problem := text_problem(value):
        raise fail(path, problem)
    return value


def _int(value: Any, path: str, low: int = 1, high: int = 2**31 - 1, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise fail(path, f"must be a whole number from {low} to {high}")
    return value


def _week(value: Any, path: str, *, optional: bool = False) -> int | None:
    if value is None and optional:
        return None
    try:
        if not isinstance(value, str):
            raise RulesError("not a text")
        return parse_week(value)
    except RulesError:
        raise fail(path, f"{value!r} is not an ISO week such as 2026-W47") from None


def _clock(value: Any, path: str, *, high: int = 1439) -> int:
    if isinstance(value, str) and len(value) == 5 and value[2] == ":" and value[:2].isdigit() and value[3:].isdigit():
        minutes = int(value[:2]) * 60 + int(value[3:])
        if int(value[3:]) < 60 and minutes <= high:
            return minutes
    raise fail(path, f"{value!r} is not a time such as 08:30")


def _date(value: Any, path: str) -> date:
    try:
        return date.fromisoformat(value)
    except (TypeError, ValueError):
        raise fail(path, f"{value!r} is not a date such as 2026-12-21") from None


def parse_json(data: bytes | str) -> Any:
    """The JSON of a document, refused when too large or malformed (with its line and column)."""
    size = len(data.encode() if isinstance(data, str) else data)
    if size > MAX_DOCUMENT_BYTES:
        raise TransferError(f"The file is {size} bytes; a document may have at most {MAX_DOCUMENT_BYTES} bytes (50 MiB).")
    try:
        return json.loads(data)
    except UnicodeDecodeError as error:
        raise TransferError(f"The file is not UTF-8 text (byte {error.start}).") from None
    except json.JSONDecodeError as error:
        raise TransferError(f"line {error.lineno}, column {error.colno}: malformed JSON: {error.msg}.") from None


def read_document(data: bytes | str) -> Document:
    """Parse and check a whole document; TransferError names the first place that is wrong."""
    raw = _obj(parse_json(data), "document")
    if raw.get("format") != FORMAT:
        raise fail("format", f"{raw.get('format')!r} is not a format this version reads (it reads {FORMAT!r})")
    document = Document(_settings(_obj(raw.get("timetable"), "timetable")), [], [], calendar_rules.Cycle(), (), {})
    _calendar(document, _obj(raw.get("calendar", {}), "calendar"))
    document.bells = _grids(raw.get("bells", []), "bells")
    _resources(document, _obj(raw.get("resources", {}), "resources"))
    for index, slot in enumerate(_list(raw.get("slots", []), "slots")):
        path = f"slots[{index}]"
        slot = _obj(slot, path)
        slot_id = _int(slot.get("id"), f"{path}.id")
        assert slot_id is not None
        if slot_id in document.slots:
            raise fail(f"{path}.id", f"slot {slot_id} is listed twice")
        document.slots.append(slot_id)
        _owner_stripes(document, SLOT, slot_id, slot.get("stripes", {}), f"{path}.stripes")
    _history(document, _list(raw.get("history", []), "history"))
    return document


def _settings(raw: dict) -> dict[str, Any]:
    values = {
        "slug": raw.get("slug"), "name": raw.get("name"), "time_zone": raw.get("time_zone"),
        "published": raw.get("published", False), "weekdays": raw.get("weekdays", [1, 2, 3, 4, 5]),
        "day_start": _clock(raw.get("day_start", "08:00"), "timetable.day_start"),
        "day_end": _clock(raw.get("day_end", "18:00"), "timetable.day_end", high=1440),
    }
    if not isinstance(values["published"], bool):
        raise fail("timetable.published", "must be true or false")
    if not isinstance(values["name"], str) or not isinstance(values["slug"], str) or not isinstance(values["weekdays"], list):
        raise fail("timetable", "needs a slug and a name (texts) and weekdays (a list)")
    return values


def check_settings(settings: dict[str, Any], slug: str) -> dict[str, Any]:
    """The timetable's columns for `slug`, refused when the slug is taken or a setting is wrong (needs the database)."""
    values = {**settings, "slug": slug}
    invalid, taken = settings_errors(values, None)
    if errors := {**invalid, **taken}:
        raise TransferError("; ".join(f"timetable.{name}: {problem}" for name, problem in errors.items()))
    return settings_columns(values)


def _calendar(document: Document, raw: dict) -> None:
    names: set[str] = set()
    for index, term in enumerate(_list(raw.get("terms", []), "calendar.terms")):
        path = f"calendar.terms[{index}]"
        term = _obj(term, path)
        name = _text(term.get("name"), f"{path}.name", 100)
        start, end = _week(term.get("start_week"), f"{path}.start_week"), _week(term.get("end_week"), f"{path}.end_week")
        assert name is not None and start is not None and end is not None
        if end < start:
            raise fail(path, "the term ends before it starts")
        if name.strip().casefold() in names:
            raise fail(f"{path}.name", f"two terms are called “{name}”")
        names.add(name.strip().casefold())
        document.terms.append((name, start, end))
    for index, holiday in enumerate(_list(raw.get("holidays", []), "calendar.holidays")):
        path = f"calendar.holidays[{index}]"
        holiday = _obj(holiday, path)
        try:
            document.holidays.append(calendar_rules.Holiday(
                _text(holiday.get("name"), f"{path}.name", 100) or "", _date(holiday.get("start"), f"{path}.start"),
                _date(holiday.get("end"), f"{path}.end")))
        except RulesError as error:
            raise fail(path, str(error)) from None
    cycle = _obj(raw.get("cycle", {}), "calendar.cycle")
    overrides = {_week(week, f"calendar.cycle.overrides.{week}"): label
                 for week, label in _obj(cycle.get("overrides", {}), "calendar.cycle.overrides").items()}
    try:
        document.cycle = calendar_rules.Cycle(
            _int(cycle.get("length", 1), "calendar.cycle.length", 1, 26) or 1,
            _week(cycle.get("start_week"), "calendar.cycle.start_week", optional=True), overrides)  # type: ignore[arg-type]
    except RulesError as error:
        raise fail("calendar.cycle", str(error)) from None


def _grids(raw: Any, path: str) -> tuple[BellGrid, ...]:
    grids = []
    for index, grid in enumerate(_list(raw, path)):
        where = f"{path}[{index}]"
        grid = _obj(grid, where)
        periods = []
        for number, period in enumerate(_list(grid.get("periods", []), f"{where}.periods")):
            at = f"{where}.periods[{number}]"
            period = _obj(period, at)
            periods.append(Period(_int(period.get("weekday"), f"{at}.weekday", 1, 7) or 1, _clock(period.get("start"), f"{at}.start"),
                                  _clock(period.get("end"), f"{at}.end", high=1440), _text(period.get("name"), f"{at}.name", 40) or ""))
        grids.append(BellGrid(_week(grid.get("from_week"), f"{where}.from_week") or 0, tuple(sorted(periods))))
    try:
        return validate_grids(grids)
    except RulesError as error:
        raise fail(path, str(error)) from None


def _resources(document: Document, raw: dict) -> None:
    for plural, kind in KINDS:
        rows: list[dict[str, Any]] = []
        seen_ids: set[int | None] = set()
        seen_names: set[str | None] = set()
        for index, row in enumerate(_list(raw.get(plural, []), f"resources.{plural}")):
            path = f"resources.{plural}[{index}]"
            row = _obj(row, path)
            row_id = _int(row.get("id"), f"{path}.id")
            name = _text(row.get("name"), f"{path}.name", 200)
            if row_id in seen_ids:
                raise fail(f"{path}.id", f"{kind} {row_id} is listed twice")
            if name in seen_names:
                raise fail(f"{path}.name", f"two {plural} are called “{name}”")
            seen_ids.add(row_id)
            seen_names.add(name)
            values: dict[str, Any] = {"id": row_id, "name": name,
                      "retired_from_week": _week(row.get("retired_from_week"), f"{path}.retired_from_week", optional=True)}
            if kind == "staff":
                values["short_name"] = _text(row.get("short_name"), f"{path}.short_name", 20, optional=True)
                values["email"] = _text(row.get("email"), f"{path}.email", 200, optional=True)
                courses = _list(row.get("courses", []), f"{path}.courses")
                values["courses"] = [_int(c, f"{path}.courses[{i}]") for i, c in enumerate(courses)]
            elif kind == "room":
                values["capacity"] = _int(row.get("capacity"), f"{path}.capacity", 0, optional=True)
                features = _list(row.get("features", []), f"{path}.features")
                values["features"] = [_text(f, f"{path}.features[{i}]", 200) for i, f in enumerate(features)]
            elif kind == "group":
                values["size"] = _int(row.get("size"), f"{path}.size", 0, optional=True)
            rows.append(values)
        document.resources[kind] = rows
    course_ids = {row["id"] for row in document.resources["course"]}
    for index, row in enumerate(document.resources["staff"]):
        for number, course in enumerate(row["courses"]):
            if course not in course_ids:
                raise fail(f"resources.staff[{index}].courses[{number}]", f"course {course} is not in resources.courses")
    for index, row in enumerate(raw.get("courses", [])):
        course_id = document.resources["course"][index]["id"]
        _owner_stripes(document, COURSE, course_id, row.get("stripes", {}), f"resources.courses[{index}].stripes")


def _known_ids(document: Document, kind: str) -> set[int]:
    return set(document.slots) if kind == SLOT else {row["id"] for row in document.resources[kind]}


def read_rules(document: Document, param: str, raw: Any, path: str) -> StripeRules:
    """[[start, end, value], …] → rules with decoded values, references checked against the document."""
    try:
        parameter = get_parameter(param)
    except RulesError as error:
        raise fail(path, str(error)) from None
    known = _known_ids(document, parameter.ref) if parameter.ref else set()
    rules = []
    for index, rule in enumerate(_list(raw, path)):
        at = f"{path}[{index}]"
        if not isinstance(rule, list) or len(rule) != 3:
            raise fail(at, "must be [start week, end week, value]")
        start, end = _week(rule[0], f"{at}[0]", optional=True), _week(rule[1], f"{at}[1]", optional=True)
        try:
            value = parameter.decode(rule[2])
        except RulesError as error:
            raise fail(f"{at}[2]", str(error)) from None
        for ref in ref_ids(value) if parameter.ref else ():
            if ref not in known:
                raise fail(f"{at}[2]", f"{parameter.ref} {ref} is not in the document's {parameter.ref} list")
        rules.append((start, end, value))
    try:
        validate_stripe(Rule(None, start, end, value) for start, end, value in rules)
    except RulesError as error:
        raise fail(path, str(error)) from None
    return tuple(rules)


def _owner_stripes(document: Document, owner: str, owner_id: int, raw: Any, path: str) -> None:
    for param, rules in _obj(raw, path).items():
        if param not in PARAMETERS:
            raise fail(f"{path}.{param}", f"unknown parameter (known: {', '.join(PARAMETERS)})")
        document.stripes[(owner, owner_id, param)] = read_rules(document, param, rules, f"{path}.{param}")


def _moment(value: Any, path: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise fail(path, f"{value!r} is not a moment such as 2026-11-20T09:30:00Z") from None
    if moment.tzinfo is None:
        raise fail(path, "a moment must carry its time zone (Z for UTC)")
    return moment.astimezone(UTC)


def _history(document: Document, raw: list) -> None:
    seen: set[int] = set()
    last = 0
    for index, change in enumerate(raw):
        path = f"history[{index}]"
        change = _obj(change, path)
        change_id = _int(change.get("id"), f"{path}.id")
        assert change_id is not None
        if change_id <= last:
            raise fail(f"{path}.id", "changes must be listed once each, in increasing id order")
        last = change_id
        undoes = _int(change.get("undoes"), f"{path}.undoes", optional=True)
        if undoes is not None and undoes not in seen:
            raise fail(f"{path}.undoes", f"change {undoes} is not an earlier change of the history")
        seen.add(change_id)
        stripes, keys = [], set()
        for number, stripe in enumerate(_list(change.get("stripes", []), f"{path}.stripes")):
            at = f"{path}.stripes[{number}]"
            stripe = _obj(stripe, at)
            owner = stripe.get("owner")
            if owner not in (SLOT, COURSE):
                raise fail(f"{at}.owner", "must be “slot” or “course”")
            owner_id = _int(stripe.get("id"), f"{at}.id")
            if owner_id not in _known_ids(document, owner):
                raise fail(f"{at}.id", f"{owner} {owner_id} is not in the document")
            param = stripe.get("param")
            if not isinstance(param, str) or param not in PARAMETERS:
                raise fail(f"{at}.param", f"unknown parameter {param!r}")
            if (owner, owner_id, param) in keys:
                raise fail(at, "the same stripe twice in one change")
            keys.add((owner, owner_id, param))
            read_rules(document, param, stripe.get("before", []), f"{at}.before")
            stripes.append(StripeEdit(owner, owner_id or 0, param, read_rules(document, param, stripe.get("after"), f"{at}.after")))
        bells = change.get("bells")
        if bells is not None:
            bells = _obj(bells, f"{path}.bells")
            bells = (_grids(bells.get("before", []), f"{path}.bells.before"), _grids(bells.get("after"), f"{path}.bells.after"))
        document.history.append(Change(
            change_id, _moment(change.get("created_at"), f"{path}.created_at"),
            _text(change.get("user"), f"{path}.user", 80, optional=True), _text(change.get("kind"), f"{path}.kind", CHANGE_KINDS_MAX) or "",
            _text(change.get("summary"), f"{path}.summary", 100_000) or "", undoes, tuple(stripes), bells))
