"""Build the OpenAPI description from the API views' docstrings and the marshmallow schemas."""

from __future__ import annotations

from apispec import APISpec, BasePlugin
from apispec.ext.marshmallow import MarshmallowPlugin
from apispec_webframeworks.flask import FlaskPlugin
from flask import current_app

from .. import (
    schemas,
    schemas_absences,
    schemas_booking,
    schemas_calendar,
    schemas_cover,
    schemas_editing,
    schemas_imports,
    schemas_periods,
    schemas_setup,
)
from ..schemas_setup import SLUG_SCHEMA
from .openapi_contract import add_cross_field_rules

# The editing API's schemas, each after the ones it nests (see build_spec).
EDITING_SCHEMAS = (
    "EditSchema", "SlotEditRequestSchema", "SlotApplyRequestSchema", "BulkEditRequestSchema", "BulkApplyRequestSchema",
    "UndoPlanRequestSchema", "UndoApplyRequestSchema",
    "ActionSchema", "StripeChangeSchema", "DiffLineSchema", "KeptLineSchema", "ClashLineSchema", "BookingLineSchema", "OverwriteLineSchema",
    "EditPlanSchema", "UndoPlanSchema", "ChangedStripeSchema", "ChangeSchema", "AppliedChangeSchema", "SessionSchema",
    "NewSlotsRequestSchema", "NewSlotsApplyRequestSchema", "NewSlotsAppliedSchema",
)
# The set-up API's schemas.
SETUP_SCHEMAS = (
    "TimetableSettingsSchema", "NewTimetableSchema", "TimetableDetailSchema",
    "StaffInputSchema", "RoomInputSchema", "GroupInputSchema", "CourseInputSchema",
    "StaffSchema", "RoomSchema", "GroupSchema", "CourseSchema", "UsesArgsSchema", "UseSchema", "UsesSchema",
)
# The booking API's schemas, each after the ones it nests.
BOOKING_SCHEMAS = (
    "HoldRequestSchema", "ConfirmRequestSchema", "WaitingListRequestSchema", "KeyRequestSchema",
    "UnitAvailabilitySchema", "AvailabilitySchema", "HoldSchema", "HoldResponseSchema",
    "BookingSchema", "BookingResponseSchema", "FullErrorBodySchema", "FullErrorSchema",
)
# The bell-times API's schemas, each after the ones it nests.
PERIOD_SCHEMAS = ("PeriodSchema", "BellGridSchema", "BellGridsSchema", "BellPlanSchema")
# The absences API's schemas, each after the ones it nests.
ABSENCE_SCHEMAS = ("AbsenceInputSchema", "AbsenceChangeSchema", "AbsenceSchema", "AbsenceListSchema",
                   "CandidateSchema", "AffectedSchema", "CoverSchema")
# The import API's answers, each after the ones it nests.
IMPORT_SCHEMAS = ("ResourcesToCreateSchema", "BellTimeSchema", "ImportItemSchema", "UnusedSchema", "ImportSummarySchema",
                  "ImportPlanSchema", "ImportAppliedSchema")
# The cover API's schemas, each after the ones it nests.
COVER_SCHEMAS = ("CoverItemSchema", "CoverPlanRequestSchema", "CoverApplyRequestSchema", "CoverSuggestionSchema", "UncoveredSchema",
                 "CoverPlanSchema", "CoverLimitsSchema")


ERROR_RESPONSES = (
    ("Invalid", "400: the request is not valid (per-field messages), or lacks its CSRF token"),
    ("LoginRequired", "401: not logged in (log in and send the session cookie), or an invalid or revoked API token"),
    ("Forbidden", "403: the account holds no right to do this on this timetable"),
    ("NotFound", "404: no such timetable, slot, course, change or booking (or it is not published)"),
    ("Conflict", "409: the state changed since it was read (a stale preview), no place is left, "
                 "or a name or slug is taken already"),
    ("TooMany", "429: beyond one client's share (holds at once, waiting-list entries) or too many booking requests; "
                "the message says which, Retry-After when to try again"),
)


class StandardAnswers(BasePlugin):
    """What every operation shares, added where its docstring leaves it out, so no docstring repeats it.

    - the `slug` path parameter of a timetable's routes;
    - 400 Invalid where the operation reads a body or a query;
    - 401 LoginRequired and 403 Forbidden where it needs a login (its security names no anonymous `{}`);
    - 404 NotFound where its path names something (a timetable, a slot, a booking…).
    A docstring still says whatever differs (another 4xx, or its own wording of one of these).
    """

    def operation_helper(self, path=None, operations=None, **kwargs) -> None:
        for operation in (operations or {}).values():
            parameters = operation.setdefault("parameters", [])
            if "{slug}" in (path or "") and not any(p.get("in") == "path" and p.get("name") == "slug" for p in parameters):
                parameters.insert(0, dict(SLUG_PARAMETER))
            if not parameters:
                del operation["parameters"]
            responses = operation.setdefault("responses", {})
            if operation.get("requestBody") or any(p.get("in") == "query" for p in parameters):
                responses.setdefault(400, "Invalid")
            security = operation.get("security")
            if security and {} not in security:
                responses.setdefault(401, "LoginRequired")
                responses.setdefault(403, "Forbidden")
            if "{" in (path or ""):
                responses.setdefault(404, "NotFound")
            operation["responses"] = dict(sorted(responses.items(), key=lambda item: str(item[0])))


# Every timetable's slug has the form a new one must have (any other is a 404).
SLUG_PARAMETER = {"in": "path", "name": "slug", "schema": {"type": "string", "minLength": 1, "maxLength": 64, **SLUG_SCHEMA},
                  "required": True}


def build_document() -> dict:
    """The OpenAPI document served at /api/openapi.json, cross-field rules included."""
    return add_cross_field_rules(build_spec().to_dict())


def build_spec() -> APISpec:
    spec = APISpec(
        title="Timetable API",
        version="1",
        openapi_version="3.0.3",
        info={"description": "Weekly timetables whose every parameter has a history over ISO weeks."},
        plugins=[FlaskPlugin(), StandardAnswers(), MarshmallowPlugin()],
    )
    # Nested schemas first, so that the outer ones refer to them instead of adding them again.
    for name in ("ErrorSchema", "OccurrenceSchema", "TimetableSchema", "DayHolidaySchema", "WeekSchema"):
        spec.components.schema(name, schema=getattr(schemas, name))
    for name in EDITING_SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas_editing, name))
    for name in SETUP_SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas_setup, name))
    for name in BOOKING_SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas_booking, name))
    for name in PERIOD_SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas_periods, name))
    for name in ABSENCE_SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas_absences, name))
    for name in IMPORT_SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas_imports, name))
    for name in COVER_SCHEMAS:
        spec.components.schema(name, schema=getattr(schemas_cover, name))
    for name in ("TermSchema", "HolidaySchema", "WeekOverrideSchema", "CycleSchema", "CalendarSchema"):
        spec.components.schema(name, schema=getattr(schemas_calendar, name))
    # Error answers shared by the endpoints, referred to by name in their docstrings ("400: Invalid").
    for name, description in ERROR_RESPONSES:
        spec.components.response(name, {
            "description": description,
            "content": {"application/json": {"schema": "ErrorSchema"}},
        })
    # The editing API runs on the login session; its POSTs also need the CSRF token (GET /api/session).
    spec.components.security_scheme("session", {"type": "apiKey", "in": "cookie", "name": current_app.config["SESSION_COOKIE_NAME"]})
    spec.components.security_scheme("csrf", {"type": "apiKey", "in": "header", "name": "X-CSRFToken"})
    # Or a personal API token (on /account, or `flask users token NAME`), with no CSRF token.
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    for endpoint, view in sorted(current_app.view_functions.items()):
        api_blueprints = ("api", "api_editing", "api_booking", "api_setup", "api_slots", "api_periods", "api_calendar", "api_changes",
                          "api_exports", "api_imports", "api_absences", "api_cover", "api_cover_stats")
        if endpoint.split(".")[0] in api_blueprints and endpoint != "api.openapi":
            spec.path(view=view, app=current_app)
    return spec
