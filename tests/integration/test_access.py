"""Who holds which right: administrators everywhere, grants per timetable, nothing for the deactivated."""

from __future__ import annotations

import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from timetable.services.access import ADMINISTER, SCHEDULE, SCHEDULER, VIEW, VIEWER, allowed, granted_timetables


@pytest.fixture
def people(app_ctx):
    from timetable.database import write_transaction
    from timetable.services.accounts import create_user
    from timetable.services.creation import create_timetable

    with write_transaction():
        school = create_timetable("school", "School", "Europe/Paris")
        clinic = create_timetable("clinic", "Clinic", "Europe/Paris")
    return {
        "school": school.id, "clinic": clinic.id,
        "admin": create_user("admin", "password-1", is_admin=True),
        "scheduler": create_user("sched", "password-1", grants={clinic.id: SCHEDULER}),
        "viewer": create_user("view", "password-1", grants={clinic.id: VIEWER, school.id: VIEWER}),
        "nobody": create_user("nobody", "password-1"),
    }


@pytest.mark.parametrize(("who", "right", "where", "expected"), [
    ("admin", ADMINISTER, None, True), ("admin", SCHEDULE, "school", True), ("admin", VIEW, "clinic", True),
    ("scheduler", ADMINISTER, None, False), ("scheduler", SCHEDULE, "clinic", True), ("scheduler", VIEW, "clinic", True),
    ("scheduler", SCHEDULE, "school", False), ("scheduler", VIEW, "school", False), ("scheduler", SCHEDULE, None, True),
    ("viewer", VIEW, "school", True), ("viewer", SCHEDULE, "clinic", False), ("viewer", SCHEDULE, None, False),
    ("nobody", VIEW, "school", False), ("nobody", VIEW, None, False), ("nobody", ADMINISTER, None, False),
])
def test_rights_by_role_and_timetable(people, who, right, where, expected):
    assert allowed(people[who], right, people[where] if where else None) is expected


def test_nobody_and_deactivated_accounts_hold_nothing(people):
    from flask_login import AnonymousUserMixin

    from timetable.services.accounts import set_active

    assert not allowed(None, VIEW) and not allowed(AnonymousUserMixin(), VIEW, people["school"])
    admin = set_active(people["admin"].id, False)
    assert not allowed(admin, ADMINISTER) and granted_timetables(admin, VIEW) == set()


def test_granted_timetables(people):
    assert granted_timetables(people["admin"], VIEW) is None
    assert granted_timetables(people["scheduler"], SCHEDULE) == {people["clinic"]}
    assert granted_timetables(people["viewer"], VIEW) == {people["clinic"], people["school"]}
    assert granted_timetables(people["viewer"], SCHEDULE) == set()


def test_an_unknown_right_is_a_programming_error(people):
    with pytest.raises(ValueError):
        allowed(people["admin"], "delete")


def test_grants_go_with_their_timetable_and_refuse_unknown_roles(people):
    from timetable.extensions import db
    from timetable.models import Grant, Timetable
    from timetable.services.accounts import set_rights
    from timetable.services.errors import ServiceError

    with pytest.raises(ServiceError, match="not a role"):
        set_rights(people["viewer"].id, is_admin=False, grants={people["school"]: "owner"})
    assert db.session.query(Grant).filter_by(user_id=people["viewer"].id).count() == 2  # unchanged
    db.session.delete(db.session.get(Timetable, people["clinic"]))
    db.session.commit()
    assert [g.timetable_id for g in db.session.query(Grant).filter_by(user_id=people["viewer"].id)] == [people["school"]]


def test_users_create_grants_roles_by_slug(runner, people):
    result = runner.invoke(args=["users", "create", "ada", "--password", "password-1", "--schedule", "clinic", "--view", "school"])
    assert result.exit_code == 0, result.output
    from timetable.services.accounts import find_user

    ada = find_user("ada")
    assert not ada.is_admin and sorted((g.timetable_id, g.role) for g in ada.grants) == sorted(
        [(people["clinic"], SCHEDULER), (people["school"], VIEWER)])
    unknown = runner.invoke(args=["users", "create", "bea", "--password", "password-1", "--view", "nowhere"])
    assert unknown.exit_code != 0 and find_user("bea") is None


def test_accounts_that_existed_before_roles_become_administrators(make_database_url):
    """Before migration 0005 every account could do everything: upgrading keeps that."""
    from timetable import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": make_database_url("roles_upgrade")})
    with app.app_context():
        from timetable.extensions import db

        upgrade(revision="0004")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO users (username, display_name, password_hash, created_at) "
                              "VALUES ('old', 'Old', 'x', CURRENT_TIMESTAMP)"))
        upgrade()
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT is_admin, active FROM users WHERE username = 'old'")).one() == (True, True)
            conn.execute(text("INSERT INTO users (username, display_name, password_hash, created_at) "
                              "VALUES ('new', 'New', 'x', CURRENT_TIMESTAMP)"))
            assert conn.execute(text("SELECT is_admin, active FROM users WHERE username = 'new'")).one() == (False, True)
            conn.rollback()
        downgrade(revision="0004")
        upgrade()
        db.engine.dispose()


def test_the_demo_accounts_keep_their_grants_when_the_demo_is_rebuilt(app_ctx):
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.models import Timetable
    from timetable.services.accounts import find_user
    from timetable.services.creation import create_timetable
    from timetable.services.demo_accounts import ensure_demo_accounts

    def build(slug):
        with write_transaction():
            return create_timetable(slug, slug.title(), "Europe/Paris").id

    school, clinic = build("school"), build("clinic")
    said = ensure_demo_accounts("timetable-demo")
    assert any("“scheduler”" in line and "timetable-demo" in line for line in said)
    scheduler, desk, staff = (find_user(name) for name in ("scheduler", "clinic", "staff"))
    assert allowed(scheduler, ADMINISTER) and scheduler.check_password("timetable-demo")
    assert allowed(desk, SCHEDULE, clinic) and not allowed(desk, SCHEDULE, school) and not allowed(desk, ADMINISTER)
    assert allowed(staff, VIEW, school) and not allowed(staff, SCHEDULE, school) and not allowed(staff, VIEW, clinic)
    # `demo load --replace` deletes the clinic and builds it again: its grants went with it, and come back.
    db.session.delete(db.session.get(Timetable, clinic))
    db.session.commit()
    clinic = build("clinic")
    assert not allowed(desk, SCHEDULE, clinic)
    assert all("already exists" in line for line in ensure_demo_accounts("timetable-demo"))
    assert allowed(find_user("clinic"), SCHEDULE, clinic)


def test_an_unknown_account_is_a_404_for_an_administrator(app, client):
    from tests.conftest import AuthActions
    from timetable.services.accounts import create_user

    with app.app_context():
        create_user("root", "password-1", is_admin=True)
    AuthActions(client).login("root", "password-1")
    response = client.get("/admin/accounts/999")
    assert response.status_code == 404 and "There is no such account." in response.get_data(as_text=True)
