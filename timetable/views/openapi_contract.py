"""What the server enforces across fields, added to the OpenAPI document marshmallow's schemas produce.

Marshmallow checks these in `validates_schema` hooks, which apispec cannot see: a bulk edit names
`slots` or `course` (not both), and an edit gives `value` unless it has `erase: true`, a value of the
type its `param` holds (one `oneOf` branch per parameter). A new slot's values are typed the same
way, by parameter. Week parameters in paths and queries get the week pattern the schemas' week
fields carry.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from ..rules import PARAMETERS
from ..rules.params import COLOR, COUNT, DURATION, ENUM, LABELS, MAX_INTEGER, REF, REFS, TEXT, TIME, WEEKDAY, Parameter
from ..schemas import TEXT_REGEX
from ..schemas_absences import RESOURCE_FIELDS, TYPED_TIME_REGEX
from ..schemas_cover import NEEDS
from ..schemas_editing import WEEK_REGEX, WRITTEN_WEEK_REGEX
from ..schemas_setup import INPUT_SCHEMAS, WEEKDAY_SCHEMA

# A value of each kind of slot parameter, as JSON (what `Parameter.validate` takes) or, where a pattern can
# say it, as typed text (what `Parameter.parse` reads). Text the server reads more leniently ("8h30") is
# still accepted; the contract names the usual forms.
_ID = {"type": "integer", "minimum": 1, "maximum": MAX_INTEGER}
KIND_SCHEMAS: dict[str, Any] = {
    TIME: {"oneOf": [{"type": "integer", "minimum": 0, "maximum": 1439}, {"type": "string", "pattern": TYPED_TIME_REGEX}]},
    DURATION: {"type": "integer", "minimum": 5, "maximum": 1440, "multipleOf": 5},
    WEEKDAY: WEEKDAY_SCHEMA,
    REF: _ID,
    REFS: {"oneOf": [_ID, {"type": "array", "items": _ID, "minItems": 1, "maxItems": 100}]},
    COUNT: {"type": "integer", "minimum": 0, "maximum": MAX_INTEGER},
    COLOR: {"type": "string", "pattern": "^#?(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"},
    LABELS: {"type": "string", "pattern": "^[A-Za-z, ]*$", "maxLength": 100},
}


def value_schema(parameter: Parameter) -> dict[str, Any]:
    """What a value of `parameter` may be in a request (null only where the parameter takes none)."""
    if parameter.kind == ENUM:
        schema: dict[str, Any] = {"type": "string", "enum": [value for value, _label in parameter.choices]}
    elif parameter.kind == TEXT:
        schema = {"type": "string", "maxLength": parameter.max_length, "pattern": TEXT_REGEX}
    else:
        schema = deepcopy(KIND_SCHEMAS[parameter.kind])
    return nullable(schema) if parameter.nullable else schema


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema`, or null (OpenAPI 3.0 says so with `nullable` beside a `type`)."""
    if "type" in schema:
        return {**schema, "nullable": True}
    return {"anyOf": [schema, {"type": "string", "nullable": True, "enum": [None]}]}


# An edit paints a value of its parameter's type, or erases (with no value, or a null one).
VALUE_OR_ERASE = {"oneOf": [
    *({"required": ["value"], "properties": {"param": {"enum": [name]}, "erase": {"enum": [False]}, "value": value_schema(parameter)}}
      for name, parameter in PARAMETERS.items()),
    {"required": ["erase"], "properties": {"erase": {"enum": [True]}, "value": {"enum": [None]}}},
]}
# A new slot: the parameters it sets, each with a value of its type (null where it takes none); it needs a weekday and a start.
NEW_SLOT = {
    "type": "object",
    "properties": {name: value_schema(parameter) for name, parameter in PARAMETERS.items()},
    "required": ["weekday", "start"],
    "additionalProperties": False,
}

# Exactly one target: a list of slots, or a course (whose edits cannot set a course: a course has none).
NOT_A_COURSE = {"not": {"required": ["param"], "properties": {"param": {"enum": ["course"]}}}}
ONE_TARGET = {"oneOf": [{"required": ["slots"], "not": {"required": ["course"]}},
                        {"required": ["course"], "not": {"required": ["slots"]},
                         "properties": {"edits": {"items": NOT_A_COURSE}}}]}
# A cover item gives the fields its kind needs (see schemas_cover.NEEDS).
ITEM_NEEDS = {"oneOf": [{"required": list(needs), "properties": {"kind": {"enum": [kind]}}} for kind, needs in NEEDS.items()]}
# An absence names one of staff, room or group (a new one: exactly one); gives from and until both (null both for
# whole days) or neither; and times of day or periods, not both.
NOT_SEVERAL = {"not": {"anyOf": [{"required": [a, b]} for i, a in enumerate(RESOURCE_FIELDS) for b in RESOURCE_FIELDS[i + 1:]]}}
BOTH_TIMES_OR_NEITHER = {"oneOf": [
    {"required": ["from", "until"], "properties": {"from": {"type": "string"}, "until": {"type": "string"}},
     "not": {"anyOf": [{"required": ["first_period"]}, {"required": ["last_period"]}]}},
    {"required": ["from", "until"], "properties": {"from": {"enum": [None]}, "until": {"enum": [None]}}},
    {"not": {"anyOf": [{"required": ["from"]}, {"required": ["until"]}]}},
]}
ABSENCE = {"allOf": [NOT_SEVERAL, BOTH_TIMES_OR_NEITHER]}
NEW_ABSENCE_NAMES_ONE = {"anyOf": [{"required": [name]} for name in RESOURCE_FIELDS]}
# A cycle of several weeks needs the week it starts with.
CYCLE_START = {"anyOf": [{"properties": {"length": {"maximum": 1}}},
                         {"required": ["start"], "properties": {"start": {"type": "string"}}}]}
CROSS_FIELD = {
    "AbsenceInputSchema": ABSENCE,
    "CycleSchema": CYCLE_START,
    "CoverItemSchema": ITEM_NEEDS,
    "BulkEditRequestSchema": ONE_TARGET,
    "BulkApplyRequestSchema": ONE_TARGET,
    "EditSchema": VALUE_OR_ERASE,
}
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def _one_path_per_kind(document: dict[str, Any]) -> None:
    """/timetables/{slug}/{kind}… becomes one path per kind, each with its kind's body (a new one needs a name)."""
    for path in [path for path in document["paths"] if "{kind}" in path]:
        item = document["paths"].pop(path)
        for kind, schema in INPUT_SCHEMAS.items():
            copy = deepcopy(item)
            for method in HTTP_METHODS:
                operation = copy.get(method)
                if operation is None:
                    continue
                operation["parameters"] = [p for p in operation.get("parameters", []) if p.get("name") != "kind"]
                body = operation.get("requestBody", {}).get("content", {}).get("application/json")
                if body is not None:
                    body.pop("example", None)
                    reference = {"$ref": f"#/components/schemas/{schema.__name__}"}
                    body["schema"] = {"allOf": [reference], "required": ["name"]} if method == "post" else reference
            document["paths"][path.replace("{kind}", kind)] = copy


# The import form's text fields read like the JSON ones: a week, and "HH:MM-HH:MM" ranges one per FET hour.
_HOUR = "(?:[01]?[0-9]|2[0-3])[:.hH][0-5][0-9]"
_RANGE = f"{_HOUR}-(?:{_HOUR}|24[:.hH]00)"
# Its texts hold no NUL (the guard refuses any in a form), and an API client sends only the fields listed (the page's
# form adds its csrf_token and buttons, which the server leaves out; no schema can say "any name without a NUL").
IMPORT_PATTERNS = {"from_week": WEEK_REGEX, "periods": f"^{_RANGE}(?:,{_RANGE})*$", "name": TEXT_REGEX, "token": TEXT_REGEX}


def _import_fields(document: dict[str, Any]) -> None:
    form = document["paths"]["/api/timetables/{slug}/imports"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    for name, pattern in IMPORT_PATTERNS.items():
        form["properties"][name]["pattern"] = pattern
    form["additionalProperties"] = False


def _refs(node: Any) -> set[str]:
    """The component schemas `node` refers to, directly."""
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(value) for value in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(value) for value in node))
    return set()


def _written_weeks(document: dict[str, Any]) -> None:
    """Schemas only answers use carry the pattern of weeks as the server writes them (W53 included)."""
    schemas = document["components"]["schemas"]
    requests = [operation.get(part) for item in document["paths"].values() for method in HTTP_METHODS
                for operation in [item.get(method) or {}] for part in ("requestBody", "parameters")]
    read, todo = set(), _refs(requests)
    while todo:
        name = todo.pop()
        read.add(name)
        todo |= _refs(schemas[name]) - read

    def widen(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("pattern") == WEEK_REGEX:
                node["pattern"] = WRITTEN_WEEK_REGEX
            for value in node.values():
                widen(value)
        elif isinstance(node, list):
            for value in node:
                widen(value)

    for name in set(schemas) - read:
        widen(schemas[name])


def add_cross_field_rules(document: dict[str, Any]) -> dict[str, Any]:
    _one_path_per_kind(document)
    _import_fields(document)
    _written_weeks(document)
    body = document["paths"]["/api/timetables/{slug}/absences"]["post"]["requestBody"]["content"]["application/json"]
    body["schema"] = {"allOf": [body["schema"], NEW_ABSENCE_NAMES_ONE]}
    schemas = document["components"]["schemas"]
    for name, rule in CROSS_FIELD.items():
        schemas[name].update(rule)
    for name in ("NewSlotsRequestSchema", "NewSlotsApplyRequestSchema"):
        slots = schemas[name]["properties"]["slots"]
        slots["items"] = {**NEW_SLOT, "example": slots["items"].get("example")}
    for item in document["paths"].values():
        for method in HTTP_METHODS:
            for parameter in item.get(method, {}).get("parameters", []):
                if parameter.get("name") == "week":
                    parameter["schema"]["pattern"] = WEEK_REGEX
    return document
