"""Personal API tokens: made on /account or by `flask users token`, shown once, stored as digests, Bearer without CSRF."""

from __future__ import annotations

import hashlib
import re

import pytest

from tests.conftest import AuthActions, csrf_token_from

PASSWORD = "password-1234"
NEW_TOKEN = re.compile(r'data-testid="new-token">([^<]+)</code>')


@pytest.fixture
def setup(app):
    """The school ("t") and an unpublished clinic ("c"); Sam schedules the clinic only."""
    from tests.factories import build_school
    from timetable.database import write_transaction
    from timetable.rules import parse_week
    from timetable.services.access import SCHEDULER
    from timetable.services.accounts import create_user
    from timetable.services.creation import create_slot, create_timetable

    with app.app_context():
        school = build_school()
        with write_transaction():
            clinic = create_timetable("c", "Clinic", "Europe/Paris", published=False)
            slot = create_slot(clinic, {"weekday": 1, "start": 600, "duration": 60, "title": "Back care"}, parse_week("2026-W40"))
        sam = create_user("sam", PASSWORD, grants={clinic.id: SCHEDULER})
        return {"sam": sam.id, "clinic_slot": slot.id, "school_slot": school["lessons"][0]}


def make_token(app, label="nightly import"):
    client = app.test_client()
    assert AuthActions(client).login("sam", PASSWORD).status_code == 303
    page = client.get("/account").get_data(as_text=True)
    response = client.post("/account/tokens", data={"csrf_token": csrf_token_from(page), "label": label})
    assert response.status_code == 201, response.get_data(as_text=True)
    return client, NEW_TOKEN.search(response.get_data(as_text=True)).group(1)


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


EDIT = {"edits": [{"param": "note", "value": "Bring a towel", "start": "2026-W48", "end": "2026-W48"}]}


def test_a_token_made_on_the_account_page_is_shown_once_and_stored_as_a_digest(app, setup):
    from timetable.extensions import db
    from timetable.models import ApiToken

    client, token = make_token(app)
    with app.app_context():
        [row] = db.session.query(ApiToken).all()
        assert (row.user_id, row.label, row.last_used_at) == (setup["sam"], "nightly import", None)
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    account = client.get("/account").get_data(as_text=True)
    assert "nightly import" in account and token not in account and "never" in account


def test_a_bearer_token_plans_and_applies_without_csrf_with_its_users_rights(app, setup):
    from timetable.extensions import db
    from timetable.models import ApiToken

    _client, token = make_token(app)
    api = app.test_client()  # no cookie, no CSRF token
    path = f"/api/timetables/c/slots/{setup['clinic_slot']}"
    plan = api.post(f"{path}/plan", json=EDIT, headers=bearer(token))
    assert plan.status_code == 200, plan.get_json()
    applied = api.post(f"{path}/apply", json={**EDIT, "token": plan.get_json()["token"]}, headers=bearer(token))
    assert applied.status_code == 201, applied.get_json()
    week = api.get("/api/timetables/c/weeks/2026-W48", headers=bearer(token)).get_json()
    assert week["occurrences"][0]["parameters"]["note"] == "Bring a towel"
    # The school is not Sam's: refused, in JSON.
    refused = api.post(f"/api/timetables/t/slots/{setup['school_slot']}/plan", json=EDIT, headers=bearer(token))
    assert refused.status_code == 403 and refused.is_json
    # The unpublished clinic is listed for the token's user, not for anyone.
    assert [t["slug"] for t in api.get("/api/timetables", headers=bearer(token)).get_json()] == ["c", "t"]
    assert [t["slug"] for t in app.test_client().get("/api/timetables").get_json()] == ["t"]
    assert app.test_client().get("/api/timetables/c/weeks/2026-W48").status_code == 404
    with app.app_context():
        assert db.session.query(ApiToken).one().last_used_at is not None


def test_a_cookie_request_still_needs_the_csrf_token(app, setup):
    client, _token = make_token(app)
    response = client.post(f"/api/timetables/c/slots/{setup['clinic_slot']}/plan", json=EDIT)
    assert response.status_code == 400 and "CSRF" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("header", ["Bearer tt_not-a-token", "Bearer ", "bearer tt_nope"])
def test_an_unknown_token_is_a_json_401_even_on_a_public_route(app, setup, header):
    response = app.test_client().get("/api/timetables", headers={"Authorization": header})
    assert response.status_code == 401 and response.is_json
    assert "unknown or revoked" in response.get_json()["error"]["message"]


def test_a_revoked_token_or_a_deactivated_account_is_refused(app, setup):
    from timetable.extensions import db
    from timetable.models import ApiToken
    from timetable.services.accounts import set_active

    client, token = make_token(app)
    _other_client, other = make_token(app, "laptop")
    with app.app_context():
        token_id = db.session.query(ApiToken).filter_by(label="nightly import").one().id
    page = client.get("/account").get_data(as_text=True)
    assert client.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(page)}).status_code == 303
    assert app.test_client().get("/api/timetables", headers=bearer(token)).status_code == 401
    assert app.test_client().get("/api/timetables", headers=bearer(other)).status_code == 200
    with app.app_context():
        set_active(setup["sam"], False)
    assert app.test_client().get("/api/timetables", headers=bearer(other)).status_code == 401


def test_nobody_revokes_someone_elses_token(app, setup):
    from timetable.extensions import db
    from timetable.models import ApiToken
    from timetable.services.accounts import create_user

    _client, token = make_token(app)
    with app.app_context():
        create_user("eve", PASSWORD)
        token_id = db.session.query(ApiToken).one().id
    eve = app.test_client()
    AuthActions(eve).login("eve", PASSWORD)
    page = eve.get("/account").get_data(as_text=True)
    assert eve.post(f"/account/tokens/{token_id}/revoke", data={"csrf_token": csrf_token_from(page)}).status_code == 404
    assert app.test_client().get("/api/timetables", headers=bearer(token)).status_code == 200


def test_a_token_needs_a_name(app, setup):
    client = app.test_client()
    AuthActions(client).login("sam", PASSWORD)
    page = client.get("/account").get_data(as_text=True)
    response = client.post("/account/tokens", data={"csrf_token": csrf_token_from(page), "label": "  "})
    assert response.status_code == 400 and "label: Give the token a name" in response.get_data(as_text=True)


def test_flask_users_token_prints_a_token_that_works(app, setup):
    result = app.test_cli_runner().invoke(args=["users", "token", "sam", "--label", "cron"])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("tt_")
    assert app.test_client().get("/api/timetables/c/weeks/2026-W48", headers=bearer(token)).status_code == 200
    unknown = app.test_cli_runner().invoke(args=["users", "token", "nobody"])
    assert unknown.exit_code != 0 and "no account called" in unknown.output
