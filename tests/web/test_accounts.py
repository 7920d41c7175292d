"""Accounts: administrators create them with a role and grants, invitation links set the password, deactivation."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

import pytest

from tests.clock import PINNED_NOW, pinned
from tests.conftest import AuthActions, csrf_token_from

PASSWORD = "password-1234"
LINK = re.compile(r'data-testid="invitation-link">(http://localhost/invitations/([^<]+))</code>')


@pytest.fixture
def setup(app):
    """An administrator, the school ("t", published) and the clinic ("c", unpublished), built in a context that ends."""
    from tests.factories import build_school
    from timetable.database import write_transaction
    from timetable.services.accounts import create_user
    from timetable.services.creation import create_timetable

    with app.app_context():
        admin = create_user("admin", PASSWORD, "The Admin", is_admin=True)
        school = build_school()
        with write_transaction():
            clinic = create_timetable("c", "Clinic", "Europe/Paris", published=False)
        return {"admin": admin.id, "school": school["timetable"].id, "clinic": clinic.id, "lesson": school["lessons"][0]}


def logged_in(app, username="admin", password=PASSWORD):
    client = app.test_client()
    assert AuthActions(client).login(username, password).status_code == 303
    return client


def csrf(client, path="/admin/accounts"):
    return csrf_token_from(client.get(path).get_data(as_text=True))


def create_account(client, **form):
    return client.post("/admin/accounts", data={"csrf_token": csrf(client), **form})


def invite_scheduler_of_the_clinic(app, setup):
    admin = logged_in(app)
    response = create_account(admin, username="nina", display_name="Nina N.", **{f"role-{setup['clinic']}": "scheduler"})
    assert response.status_code == 201, response.get_data(as_text=True)
    link, token = LINK.search(response.get_data(as_text=True)).groups()
    return admin, link, token


def accept(client, link, password=PASSWORD, again=None):
    page = client.get(link)
    return client.post(link, data={"csrf_token": csrf_token_from(page.get_data(as_text=True)), "password": password,
                                   "password_again": again if again is not None else password})


def test_an_administrator_creates_a_scheduler_of_the_clinic_who_sets_a_password_and_edits_only_the_clinic(app, setup):
    from timetable.extensions import db
    from timetable.models import Grant, Invitation, User

    admin, link, token = invite_scheduler_of_the_clinic(app, setup)
    with app.app_context():
        nina = db.session.query(User).filter_by(username="nina").one()
        assert (nina.display_name, nina.is_admin, nina.active) == ("Nina N.", False, True)
        assert [(g.timetable_id, g.role) for g in db.session.query(Grant).filter_by(user_id=nina.id)] == [(setup["clinic"], "scheduler")]
        [invitation] = db.session.query(Invitation).all()
        # Only the digest is stored, and the link expires in 7 days.
        assert invitation.token_hash == hashlib.sha256(token.encode()).hexdigest() and token not in invitation.token_hash
        assert (invitation.expires_at.replace(tzinfo=None) - invitation.created_at.replace(tzinfo=None)) == timedelta(days=7)
    # The list shows the account invited, with its grant.
    listing = admin.get("/admin/accounts").get_data(as_text=True)
    assert "nina" in listing and "Scheduler of Clinic" in listing and "Invited" in listing

    # Before the invitation is used, no password logs in.
    visitor = app.test_client()
    assert AuthActions(visitor).login("nina", PASSWORD).status_code == 400
    assert accept(visitor, link).status_code == 303
    nina_client = logged_in(app, "nina")
    assert nina_client.get("/c/edit").status_code == 200
    assert nina_client.get("/t/edit").status_code == 403
    home = nina_client.get("/").get_data(as_text=True)
    assert 'href="/c/edit"' in home and 'href="/t/edit"' not in home and "Accounts" not in home


def test_an_invitation_link_works_once(app, setup):
    _admin, link, _token = invite_scheduler_of_the_clinic(app, setup)
    client = app.test_client()
    assert accept(client, link).status_code == 303
    again = app.test_client().get(link)
    assert again.status_code == 404 and "used or expired" in again.get_data(as_text=True)
    # The second use cannot change the password either.
    replay = app.test_client().post(link, data={"password": "another-password", "password_again": "another-password"})
    assert replay.status_code in (400, 404)
    logged_in(app, "nina")


def test_an_invitation_link_expires_after_seven_days(app, setup):
    _admin, link, _token = invite_scheduler_of_the_clinic(app, setup)
    with pinned(PINNED_NOW + timedelta(days=7, minutes=1)):
        response = app.test_client().get(link)
    assert response.status_code == 404


def test_a_bad_password_on_the_invitation_page_is_refused_with_the_field_named(app, setup):
    _admin, link, _token = invite_scheduler_of_the_clinic(app, setup)
    short = accept(app.test_client(), link, password="short")
    assert short.status_code == 400 and "password: The password must have at least 8 characters." in short.get_data(as_text=True)
    differ = accept(app.test_client(), link, password=PASSWORD, again=PASSWORD + "x")
    assert differ.status_code == 400 and "password_again: the two passwords differ." in differ.get_data(as_text=True)
    # Still unused: the right password works afterwards.
    assert accept(app.test_client(), link).status_code == 303


def test_a_duplicate_name_or_a_bad_role_is_refused_and_writes_nothing(app, setup):
    from timetable.extensions import db
    from timetable.models import Grant, Invitation, User

    admin = logged_in(app)
    duplicate = create_account(admin, username="admin")
    assert duplicate.status_code == 409 and "already exists" in duplicate.get_data(as_text=True)
    bad_role = create_account(admin, username="olga", **{f"role-{setup['clinic']}": "owner"})
    assert bad_role.status_code == 400 and f"role-{setup['clinic']}: “owner” is not a role" in bad_role.get_data(as_text=True)
    nameless = create_account(admin, username="  ")
    assert nameless.status_code == 400 and "username: a username is required." in nameless.get_data(as_text=True)
    with app.app_context():
        assert db.session.query(User).count() == 1
        assert db.session.query(Grant).count() == 0 and db.session.query(Invitation).count() == 0


def test_an_administrator_changes_grants_and_makes_another_administrator(app, setup):
    from timetable.extensions import db
    from timetable.models import Grant, User

    admin, link, _token = invite_scheduler_of_the_clinic(app, setup)
    accept(app.test_client(), link)
    with app.app_context():
        nina_id = db.session.query(User).filter_by(username="nina").one().id
    page = f"/admin/accounts/{nina_id}"
    token = csrf(admin, page)
    response = admin.post(page, data={"csrf_token": token, f"role-{setup['school']}": "viewer"})
    assert response.status_code == 303
    with app.app_context():
        assert [(g.timetable_id, g.role) for g in db.session.query(Grant).filter_by(user_id=nina_id)] == [(setup["school"], "viewer")]
    nina = logged_in(app, "nina")
    assert nina.get("/c/edit").status_code == 403
    assert nina.get("/t/edit").status_code == 403  # a viewer reads, it does not edit
    assert admin.post(page, data={"csrf_token": token, "is_admin": "1"}).status_code == 303
    assert nina.get("/c/edit").status_code == 200 and nina.get("/admin/accounts").status_code == 200


def test_deactivating_an_account_ends_its_sessions_and_its_logins(app, setup):
    from timetable.extensions import db
    from timetable.models import User

    admin, link, _token = invite_scheduler_of_the_clinic(app, setup)
    accept(app.test_client(), link)
    nina = logged_in(app, "nina")
    with app.app_context():
        nina_id = db.session.query(User).filter_by(username="nina").one().id
    page = f"/admin/accounts/{nina_id}"
    assert admin.post(f"{page}/active", data={"csrf_token": csrf(admin, page), "active": "0"}).status_code == 303
    assert nina.get("/c/edit").status_code == 302  # the session is over
    assert AuthActions(app.test_client()).login("nina", PASSWORD).status_code == 400
    assert "Deactivated" in admin.get("/admin/accounts").get_data(as_text=True)
    # Active again: the same password works.
    assert admin.post(f"{page}/active", data={"csrf_token": csrf(admin, page), "active": "1"}).status_code == 303
    logged_in(app, "nina")


def test_an_administrator_cannot_lock_themself_out(app, setup):
    from timetable.extensions import db
    from timetable.models import User

    admin = logged_in(app)
    page = f"/admin/accounts/{setup['admin']}"
    refused = admin.post(f"{page}/active", data={"csrf_token": csrf(admin, page), "active": "0"})
    assert refused.status_code == 400 and "You cannot deactivate your own account." in refused.get_data(as_text=True)
    demoted = admin.post(page, data={"csrf_token": csrf(admin, page)})
    assert demoted.status_code == 400 and "your own administrator role" in demoted.get_data(as_text=True)
    with app.app_context():
        user = db.session.get(User, setup["admin"])
        assert user.is_admin and user.active


def test_a_new_invitation_replaces_the_earlier_link(app, setup):
    from timetable.extensions import db
    from timetable.models import User

    admin, first_link, _token = invite_scheduler_of_the_clinic(app, setup)
    with app.app_context():
        nina_id = db.session.query(User).filter_by(username="nina").one().id
    page = f"/admin/accounts/{nina_id}"
    response = admin.post(f"{page}/invitation", data={"csrf_token": csrf(admin, page)})
    assert response.status_code == 201
    second_link = LINK.search(response.get_data(as_text=True)).group(1)
    assert second_link != first_link
    assert app.test_client().get(first_link).status_code == 404
    assert accept(app.test_client(), second_link).status_code == 303
