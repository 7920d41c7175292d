"""Build the OpenAPI description from the API views' docstrings and the marshmallow schemas."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec_webframeworks.flask import FlaskPlugin
from flask import current_app

from .. import schemas


def build_spec() -> APISpec:
    spec = APISpec(
        title="Timetable API",
        version="1",
        openapi_version="3.0.3",
        info={"description": "Weekly timetables whose every parameter has a history over ISO weeks."},
        plugins=[FlaskPlugin(), MarshmallowPlugin()],
    )
    # Nested schemas first, so that the outer ones refer to them instead of adding them again.
    for name in ("ErrorSchema", "OccurrenceSchema", "TimetableSchema", "WeekSchema"):
        spec.components.schema(name, schema=getattr(schemas, name))
    for endpoint, view in sorted(current_app.view_functions.items()):
        if endpoint.startswith("api.") and endpoint != "api.openapi":
            spec.path(view=view, app=current_app)
    return spec
