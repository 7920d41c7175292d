"""What the server enforces across fields, added to the OpenAPI document marshmallow's schemas produce.

Marshmallow checks these in `validates_schema` hooks, which apispec cannot see: a bulk edit names
`slots` or `course` (not both), and an edit gives `value` unless it has `erase: true`. Week
parameters in paths and queries get the week pattern the schemas' week fields carry.
"""

from __future__ import annotations

from copy import deepcopy
from typing import Any

from ..schemas_cover import NEEDS
from ..schemas_editing import WEEK_REGEX
from ..schemas_setup import INPUT_SCHEMAS

# Exactly one target: a list of slots, or a course.
ONE_TARGET = {"oneOf": [{"required": ["slots"], "not": {"required": ["course"]}},
                        {"required": ["course"], "not": {"required": ["slots"]}}]}
# A value to paint, or erase: true (with no value, or a null one).
VALUE_OR_ERASE = {"oneOf": [{"required": ["value"], "properties": {"erase": {"enum": [False]}}},
                            {"required": ["erase"], "properties": {"erase": {"enum": [True]}, "value": {"enum": [None]}}}]}
# A cover item gives the fields its kind needs (see schemas_cover.NEEDS).
ITEM_NEEDS = {"oneOf": [{"required": list(needs), "properties": {"kind": {"enum": [kind]}}} for kind, needs in NEEDS.items()]}
CROSS_FIELD = {
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


def add_cross_field_rules(document: dict[str, Any]) -> dict[str, Any]:
    _one_path_per_kind(document)
    schemas = document["components"]["schemas"]
    for name, rule in CROSS_FIELD.items():
        schemas[name].update(rule)
    for item in document["paths"].values():
        for method in HTTP_METHODS:
            for parameter in item.get(method, {}).get("parameters", []):
                if parameter.get("name") == "week":
                    parameter["schema"]["pattern"] = WEEK_REGEX
    return document
