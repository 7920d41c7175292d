"""Logging in and out, and the CSRF token every state-changing request needs."""

from __future__ import annotations

import pytest

from tests.conftest import AuthActions, csrf_token_from


def test_logging_in_follows_next_and_logging_out_ends_the_session(client, auth, editor):
    page = client.get("/login?next=/school/edit")
    token = csrf_token_from(page.get_data(as_text=True))
    response = client.post("/login?next=/school/edit", data={"username": "scheduler", "password": "timetable-demo", "csrf_token": token})
    assert response.status_code == 303
    assert response.headers["Location"] == "/school/edit"
    assert "Test scheduler" in client.get("/").get_data(as_text=True)

    assert auth.logout().status_code == 303
    assert "Editor login" in client.get("/").get_data(as_text=True)


def test_a_wrong_password_is_refused_with_a_message(client, auth, editor):
    response = auth.login(password="wrong password")
    assert response.status_code == 400
    assert "Unknown username or wrong password." in response.get_data(as_text=True)
    assert client.get("/school/edit").status_code == 302


def test_next_never_leads_off_site(client, editor):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    form = {"username": "scheduler", "password": "timetable-demo", "csrf_token": token}
    response = client.post("/login?next=https://evil.example/", data=form)
    assert response.headers["Location"] == "/"


def test_a_login_without_csrf_token_is_refused(client, editor):
    response = client.post("/login", data={"username": "scheduler", "password": "timetable-demo"})
    assert response.status_code == 400
    assert client.get("/school/edit").status_code == 302


def test_logout_without_csrf_token_is_refused_and_keeps_the_session(client, auth, editor):
    auth.login()
    response = client.post("/logout")
    assert response.status_code == 400
    assert "security (CSRF) token" in response.get_data(as_text=True)
    assert "Log out" in client.get("/").get_data(as_text=True)


def test_htmx_requests_carry_the_token_in_a_header(client, auth, editor):
    auth.login()
    html = client.get("/").get_data(as_text=True)
    token = csrf_token_from(html)
    assert f'hx-headers=\'{{"X-CSRFToken": "{token}"}}\'' in html
    assert client.post("/logout", headers={"X-CSRFToken": token, "HX-Request": "true"}).status_code == 303


# Sessions end for good: logout, a password change, "log out everywhere".


@pytest.fixture
def account(app):
    """The editor `scheduler`, made in an app context that ends before the test, so each request has its own
    (a shared context would keep the logged-in user in `g` from one request to the next)."""
    from timetable.services.accounts import create_user

    with app.app_context():
        create_user("scheduler", "timetable-demo", "Test scheduler", is_admin=True)


def logged_in_as(client) -> str | None:
    return client.get("/api/session").get_json()["user"]


def session_cookie(client) -> str:
    return client.get_cookie("session").value


def post_form(client, url: str, data: dict | None = None, page: str = "/account"):
    token = csrf_token_from(client.get(page).get_data(as_text=True))
    return client.post(url, data={**(data or {}), "csrf_token": token})


def test_a_session_cookie_saved_before_logout_no_longer_logs_in_after_it(app, client, account):
    AuthActions(client).login()
    assert logged_in_as(client) == "scheduler"
    saved = session_cookie(client)
    assert AuthActions(client).logout().status_code == 303
    client.set_cookie("session", saved)
    assert logged_in_as(client) is None
    assert client.get("/account").status_code == 302


def test_changing_the_password_logs_out_the_other_sessions_and_keeps_this_one(app, client, account):
    other = app.test_client()
    AuthActions(client).login()
    AuthActions(other).login()
    saved = session_cookie(other)
    response = post_form(client, "/account", {"current_password": "timetable-demo", "new_password": "a-new-secret",
                                              "confirm_password": "a-new-secret"})
    assert response.status_code == 303 and response.headers["Location"] == "/account"
    assert "Your password is changed. Your other sessions are logged out." in client.get("/account").get_data(as_text=True)
    assert logged_in_as(client) == "scheduler"
    assert logged_in_as(other) is None
    other.set_cookie("session", saved)
    assert logged_in_as(other) is None
    assert AuthActions(other).login(password="timetable-demo").status_code == 400
    assert AuthActions(other).login(password="a-new-secret").status_code == 303


@pytest.mark.parametrize(
    ("current", "new", "again", "message"),
    [
        ("wrong password", "a-new-secret", "a-new-secret", "The current password is wrong."),
        ("timetable-demo", "short", "short", "The new password must have at least 8 characters."),
        ("timetable-demo", "a-new-secret", "another-one", "The two new passwords differ."),
    ],
)
def test_a_refused_password_change_says_why_and_changes_nothing(app, client, account, current, new, again, message):
    other = app.test_client()
    AuthActions(client).login()
    AuthActions(other).login()
    response = post_form(client, "/account", {"current_password": current, "new_password": new, "confirm_password": again})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert (logged_in_as(client), logged_in_as(other)) == ("scheduler", "scheduler")
    assert AuthActions(app.test_client()).login(password="timetable-demo").status_code == 303


def test_changing_the_password_needs_a_login_and_a_csrf_token(app, client, account):
    assert client.get("/account").headers["Location"].startswith("/login")
    AuthActions(client).login()
    response = client.post("/account", data={"current_password": "timetable-demo", "new_password": "a-new-secret",
                                             "confirm_password": "a-new-secret"})
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert client.post("/account/logout-everywhere").status_code == 400
    assert logged_in_as(client) == "scheduler"


def test_logging_out_everywhere_ends_every_session_of_the_account(app, client, account):
    other, third = app.test_client(), app.test_client()
    for each in (client, other, third):
        AuthActions(each).login()
    saved = session_cookie(client)
    response = post_form(client, "/account/logout-everywhere")
    assert response.status_code == 303 and response.headers["Location"] == "/login"
    assert "You are logged out everywhere (3 sessions ended)." in client.get("/login").get_data(as_text=True)
    client.set_cookie("session", saved)
    assert [logged_in_as(each) for each in (client, other, third)] == [None, None, None]


def test_a_session_ends_once_its_lifetime_has_passed(app, client, account, monkeypatch):
    from datetime import timedelta

    AuthActions(client).login()
    assert logged_in_as(client) == "scheduler"
    monkeypatch.setitem(app.config, "LOGIN_SESSION_LIFETIME", timedelta(0))
    assert logged_in_as(client) is None


def test_only_a_digest_of_the_session_token_is_stored(app, client, account):
    from timetable.extensions import db
    from timetable.models import UserSession

    AuthActions(client).login()
    with client.session_transaction() as cookie:
        token = cookie["session_token"]
    with app.app_context():
        [row] = db.session.query(UserSession).all()
        assert row.token_hash != token and len(row.token_hash) == 64 and token not in row.token_hash


# Throttling failed logins.


def failed_login(client, username: str = "scheduler", headers=None, **environ):
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    return client.post("/login", data={"username": username, "password": "wrong password", "csrf_token": token},
                       environ_base=environ, headers=headers)


def test_failed_logins_are_throttled_by_account_with_a_429_that_says_so(app, client, account):
    for _ in range(5):
        assert failed_login(client).status_code == 400
    response = failed_login(client, " Scheduler ", REMOTE_ADDR="10.0.0.2")  # same account, spelled otherwise, elsewhere
    assert response.status_code == 429
    assert "Too many failed logins for this account. Wait a few minutes, then try again." in response.get_data(as_text=True)
    assert int(response.headers["Retry-After"]) > 0
    # Even the right password waits: the attacker may have it by now, and the editor is told to wait.
    assert AuthActions(app.test_client()).login().status_code == 429
    # Another account is not held up.
    assert failed_login(app.test_client(), "someone-else").status_code == 400


def test_failed_logins_are_throttled_by_address_whatever_the_account(app, client, account):
    for n in range(20):
        assert failed_login(client, f"user{n}").status_code == 400
    response = failed_login(client, "user-next")
    assert response.status_code == 429
    assert "Too many failed logins from your network address." in response.get_data(as_text=True)
    assert failed_login(client, "user-next", REMOTE_ADDR="10.0.0.9").status_code == 400
    json = failed_login(client, "x", headers={"Accept": "application/json"})
    assert json.status_code == 429 and "network address" in json.get_json()["error"]["message"]


def test_successful_logins_are_not_counted(app, client, account):
    for _ in range(8):
        assert AuthActions(app.test_client()).login().status_code == 303


def test_an_unknown_username_costs_a_password_check_like_a_known_one(app, client, account, monkeypatch):
    import hashlib
    import time

    checks = []
    real_scrypt = hashlib.scrypt

    def counting_scrypt(*args, **kwargs):
        checks.append(1)
        return real_scrypt(*args, **kwargs)

    def timed(username: str) -> tuple[int, float]:
        checks.clear()
        token = csrf_token_from(client.get("/login").get_data(as_text=True))
        start = time.perf_counter()
        response = client.post("/login", data={"username": username, "password": "wrong password", "csrf_token": token})
        elapsed = time.perf_counter() - start
        assert response.status_code == 400
        assert "Unknown username or wrong password." in response.get_data(as_text=True)
        return len(checks), elapsed

    monkeypatch.setattr(hashlib, "scrypt", counting_scrypt)
    timed("nobody-0")  # the first unknown name also makes the stand-in hash
    known = [timed("scheduler") for _ in range(3)]
    unknown = [timed(f"nobody-{n}") for n in range(1, 4)]
    assert [n for n, _ in unknown] == [n for n, _ in known] == [1, 1, 1]
    median = lambda runs: sorted(t for _, t in runs)[1]  # noqa: E731
    # Generous: before, an unknown name answered about 35 times faster than a known one.
    assert median(unknown) > median(known) / 4


@pytest.mark.parametrize(("proxies", "seen"), [(0, "10.0.0.1"), (1, "203.0.113.9")])
def test_the_client_address_comes_from_x_forwarded_for_only_behind_trusted_proxies(proxies, seen):
    from flask import request

    from timetable import create_app

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "TRUSTED_PROXIES": proxies})
    addresses = []

    @app.after_request
    def record(response):
        addresses.append(request.remote_addr)
        return response

    app.test_client().get("/api/session", headers={"X-Forwarded-For": "203.0.113.9"},
                          environ_base={"REMOTE_ADDR": "10.0.0.1"})
    assert addresses == [seen]
