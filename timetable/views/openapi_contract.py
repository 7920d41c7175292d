"""What the server enforces across fields, added to the OpenAPI document marshmallow's schemas produce.

Marshmallow checks these in `validates_schema` hooks, which apispec cannot see: a bulk edit names
`slots` or `course` (not both), and an edit gives `value` unless it has `erase: true`. Week
parameters in paths and queries get the week pattern the schemas' week fields carry.
"""

from __future__ import annotations

from typing import Any

from ..schemas_editing import WEEK_REGEX

# Exactly one target: a list of slots, or a course.
ONE_TARGET = {"oneOf": [{"required": ["slots"], "not": {"required": ["course"]}},
                        {"required": ["course"], "not": {"required": ["slots"]}}]}
# A value to paint, or erase: true (with no value, or a null one).
VALUE_OR_ERASE = {"oneOf": [{"required": ["value"], "properties": {"erase": {"enum": [False]}}},
                            {"required": ["erase"], "properties": {"erase": {"enum": [True]}, "value": {"enum": [None]}}}]}
CROSS_FIELD = {
    "BulkEditRequestSchema": ONE_TARGET,
    "BulkApplyRequestSchema": ONE_TARGET,
    "EditSchema": VALUE_OR_ERASE,
}
HTTP_METHODS = ("get", "put", "post", "delete", "patch")


def add_cross_field_rules(document: dict[str, Any]) -> dict[str, Any]:
    schemas = document["components"]["schemas"]
    for name, rule in CROSS_FIELD.items():
        schemas[name].update(rule)
    for item in document["paths"].values():
        for method in HTTP_METHODS:
            for parameter in item.get(method, {}).get("parameters", []):
                if parameter.get("name") == "week":
                    parameter["schema"]["pattern"] = WEEK_REGEX
    return document
