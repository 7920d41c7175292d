"""Rights on every route: who may write (and open the editor), per timetable, and that a refusal writes nothing.

The routes are enumerated from the app's URL map: a new route that is neither listed as public
here nor checks rights makes these tests fail.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tests.conftest import AuthActions
from tests.integration.helpers import week
from timetable.extensions import db
from timetable.models import (
    Absence,
    AbsenceChange,
    ApiToken,
    Booking,
    ChangeSet,
    CourseRule,
    CoverLimits,
    FeedLink,
    Grant,
    Invitation,
    Room,
    SlotRule,
    Staff,
    User,
)

PASSWORD = "password-1234"
WRITE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}

# Routes anyone may call: logging in, one's own account and tokens, invitations, visitors' bookings.
PUBLIC_ENDPOINTS = {
    "auth.login", "auth.logout", "auth.account", "auth.logout_everywhere", "tokens.create", "tokens.revoke", "feed_links.revoke",
    "invitations.accept",
    "booking.hold", "booking.wait", "booking.confirm", "booking.cancel", "booking.accept",
    "api_booking.hold", "api_booking.confirm", "api_booking.waiting_list", "api_booking.cancel", "api_booking.accept",
}
# Pages that only read, but only for the timetable's schedulers (the editor) or administrators.
PROTECTED_READ_BLUEPRINTS = {"editor", "editing", "booking_admin", "admin_accounts", "settings", "calendar", "periods", "resources",
                             "api_absences", "api_cover", "substitutions", "cover_stats", "imports"}
PROTECTED_READ_ENDPOINTS = {"api_editing.history", "api_exports.export_json", "api_cover_stats.cover_statistics_of_term"}
# Timetable routes that only administrators may call, not the timetable's schedulers.
ADMIN_ONLY_ENDPOINTS = {"api_exports.export_json"}
# Writes that only need the VIEW right on the timetable: its viewers may make their own private calendar links.
VIEW_ENDPOINTS = {"feed_links.create"}


def _routes(app):
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint in PUBLIC_ENDPOINTS or rule.endpoint == "static":
            continue
        for method in sorted(rule.methods & WRITE_METHODS):
            found.append((rule.endpoint, method, rule.rule))
        if "GET" in rule.methods and (rule.endpoint.split(".")[0] in PROTECTED_READ_BLUEPRINTS
                                      or rule.endpoint in PROTECTED_READ_ENDPOINTS):
            found.append((rule.endpoint, "GET", rule.rule))
    return sorted(found)


def _all_routes():
    from timetable import create_app

    return _routes(create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"}))


ROUTES = _all_routes()


@pytest.fixture
def world(app_ctx, clinic, school):
    """The clinic ("c") is the timetable under test; the school ("t") is someone else's."""
    from timetable.database import write_transaction
    from timetable.services import booking as bk
    from timetable.services.absences import AbsenceInput, register_absence
    from timetable.services.access import SCHEDULER, VIEWER
    from timetable.services.accounts import create_user
    from timetable.services.calendar import CalendarSpec, TermSpec, replace_calendar
    from timetable.services.creation import create_course

    timetable = clinic["timetable"]
    with write_transaction():
        course = create_course(timetable, "Back school", {"duration": 60})
        room = Room(timetable_id=timetable.id, name="Gym")
        nurse = Staff(timetable_id=timetable.id, name="Nurse")
        db.session.add_all([room, nurse])
    away = AbsenceInput(resource_id=nurse.id, start_date=date(2026, 12, 7), end_date=date(2026, 12, 8))
    absence = register_absence(timetable, away, None)
    # A term, so that the cover statistics have something to count for those allowed to read them.
    replace_calendar(timetable, CalendarSpec(terms=[TermSpec("Autumn", week(40), week(51))]))
    booking_hold = bk.hold_place(timetable, clinic["class"], week(48), 0, 1, "visitor-lock", bk.DEFAULT_HOLD_LEASE)
    booking, _key = bk.confirm_booking(timetable, "visitor-lock", "Ann Visitor", "ann@example.org")
    accounts = {
        "admin": create_user("admin", PASSWORD, is_admin=True),
        "scheduler": create_user("clinic-scheduler", PASSWORD, grants={timetable.id: SCHEDULER}),
        "other_scheduler": create_user("school-scheduler", PASSWORD, grants={school["timetable"].id: SCHEDULER}),
        "viewer": create_user("clinic-viewer", PASSWORD, grants={timetable.id: VIEWER}),
    }
    target = create_user("target", PASSWORD, grants={timetable.id: VIEWER})
    change_id = db.session.scalar(select(db.func.max(ChangeSet.id)).where(ChangeSet.timetable_id == timetable.id))
    assert booking_hold.id == booking.id and change_id
    args = {"slug": timetable.slug, "slot_id": clinic["class"], "course_id": course.id, "booking_id": booking.id,
            "change_id": change_id, "user_id": target.id, "week": "2026-W48", "kind": "rooms", "resource_id": room.id,
            "section": "holidays", "absence_id": absence.id}
    return {"args": args, "accounts": {role: user.username for role, user in accounts.items()}}


def snapshot():
    """Everything a write route could change."""
    db.session.expire_all()
    rows = lambda model, *cols: sorted(tuple(getattr(r, c) for c in cols) for r in db.session.scalars(select(model)))  # noqa: E731
    return {
        "slot_rules": rows(SlotRule, "slot_id", "param", "start_week", "end_week", "value"),
        "course_rules": rows(CourseRule, "course_id", "param", "start_week", "end_week", "value"),
        "changes": rows(ChangeSet, "id"),
        "bookings": rows(Booking, "id", "status", "places"),
        "users": rows(User, "id", "username", "is_admin", "active", "password_hash"),
        "grants": rows(Grant, "user_id", "timetable_id", "role"),
        "invitations": rows(Invitation, "user_id", "token_hash"),
        "tokens": rows(ApiToken, "user_id", "token_hash"),
        "feed_links": rows(FeedLink, "user_id", "timetable_id", "token_hash"),
        "rooms": rows(Room, "id", "name", "capacity", "retired_from_week"),
        "absences": rows(Absence, "id", "resource_id", "start_date", "end_date", "reason", "withdrawn"),
        "absence_changes": rows(AbsenceChange, "id"),
        "cover_limits": rows(CoverLimits, "timetable_id", "per_day", "per_week"),
    }


def _call(app, role_username, endpoint, method, rule, args):
    # Each caller's requests in an app context of their own: `g` (the CSRF token, the logged-in user) is not shared.
    with app.app_context():
        return _call_as(app, role_username, endpoint, method, rule, args)


def _call_as(app, role_username, endpoint, method, rule, args):
    from flask import url_for

    client = app.test_client()
    if role_username:
        response = AuthActions(client).login(role_username, PASSWORD)
        assert response.status_code == 303, f"{role_username} could not log in: {response.get_data(as_text=True)[-3000:]}"
    with app.test_request_context():
        values = {name: args[name] for name in app.url_map._rules_by_endpoint[endpoint][0].arguments}
        url = url_for(endpoint, **values, week=args["week"])
    csrf = client.get("/api/session").get_json()["csrf_token"]
    headers = {"X-CSRFToken": csrf}
    if method == "GET":
        return client.get(url)
    if rule.startswith("/api/"):
        return client.open(url, method=method, json={}, headers=headers)
    return client.open(url, method=method, data={"csrf_token": csrf}, headers=headers)


def test_the_walk_covers_the_editor_the_editing_api_and_the_accounts():
    walked = {endpoint for endpoint, _m, _r in ROUTES}
    assert {"editing.apply", "editing.undo", "editing.create_apply", "booking_admin.cancel", "api_editing.apply_slot_edit",
            "api_editing.apply_change_undo", "admin_accounts.create", "admin_accounts.change_rights", "editor.week",
            "api_exports.export_json", "feed_links.create",
            "cover_stats.page", "cover_stats.as_csv", "api_cover_stats.cover_statistics_of_term",
            "imports.page", "imports.plan", "imports.apply", "api_imports.import_file"} <= walked


@pytest.mark.parametrize(("endpoint", "method", "rule"), ROUTES, ids=[f"{m} {e}" for e, m, _r in ROUTES])
def test_each_role_is_refused_or_allowed_and_a_refusal_writes_nothing(app, world, endpoint, method, rule):
    args, accounts = world["args"], world["accounts"]
    timetable_route = "<slug>" in rule
    expected_allowed = {"anonymous": False, "viewer": endpoint in VIEW_ENDPOINTS, "other_scheduler": False,
                        "scheduler": timetable_route and endpoint not in ADMIN_ONLY_ENDPOINTS, "admin": True}
    for role, allowed in expected_allowed.items():
        before = snapshot()
        response = _call(app, accounts.get(role), endpoint, method, rule, args)
        status = response.status_code
        assert status < 500, f"{role}: {method} {rule} answered {status}"
        if allowed:
            assert status not in (401, 403), f"{role} was refused {method} {rule} ({status})"
            continue
        if role == "anonymous":
            if rule.startswith("/api/"):
                assert status == 401 and response.is_json, f"{method} {rule}: {status}"
            else:
                to = response.headers.get("Location", "") + response.headers.get("HX-Redirect", "")
                assert status in (302, 401) and "/login" in to, f"anonymous {method} {rule}: {status}"
        else:
            assert status == 403, f"{role} was not refused {method} {rule} ({status})"
        assert snapshot() == before, f"{role}'s refused {method} {rule} changed something"
