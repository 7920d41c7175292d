"""Build the OpenAPI description from the API views' docstrings and the marshmallow schemas."""

from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec_webframeworks.flask import FlaskPlugin
from flask import current_app

from .. import schemas, schemas_editing


# The editing API's schemas, each after the ones it nests (see build_spec).
EDITING_SCHEMAS = (
    "EditSchema", "SlotEditRequestSchema", "SlotApplyRequestSchema", "BulkEditRequestSchema", "BulkApplyRequestSchema",
    "UndoPlanRequestSchema", "UndoApplyRequestSchema",
    "ActionSchema", "StripeChangeSchema", "DiffLineSchema", "KeptLineSchema", "ClashLineSchema", "BookingLineSchema", "OverwriteLineSchema",
    "EditPlanSchema", "UndoPlanSchema", "ChangedStripeSchema", "ChangeSchema", "AppliedChangeSchema", "SessionSchema",
)


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
    for name in EDITING_SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas_editing, name))
    # The editing API runs on the login session; its POSTs also need the CSRF token (GET /api/session).
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": current_app.config["SESSION_COOKIE_NAME"]})
    spec.components.security_scheme("csrf", {"type": "apiKey", "in": "header", "name": "X-CSRFToken"})
    for endpoint, view in sorted(current_app.view_functions.items()):
        if endpoint.split(".")[0] in ("api", "api_editing") and endpoint != "api.openapi":
            spec.path(view=view, app=current_app)
    return spec
