"""The /account forms are throttled like the login (Flask-Limiter): wrong current passwords, and new tokens or links."""

from __future__ import annotations

import pytest

from tests.conftest import AuthActions, csrf_token_from

PASSWORD = "timetable-demo"


@pytest.fixture
def accounts(app):
    from tests.factories import build_school
    from timetable.services.accounts import create_user

    with app.app_context():
        build_school()
        create_user("scheduler", PASSWORD, "Test scheduler", is_admin=True)
        create_user("other", PASSWORD, "Other editor", is_admin=True)


def logged_in(app, username="scheduler"):
    client = app.test_client()
    assert AuthActions(client).login(username, PASSWORD).status_code == 303
    return client


def change_password(client, current: str, new: str = "a-new-secret"):
    csrf = csrf_token_from(client.get("/account").get_data(as_text=True))
    return client.post("/account", data={"csrf_token": csrf, "current_password": current, "new_password": new,
                                         "confirm_password": new})


def test_wrong_current_passwords_on_the_account_page_are_throttled_per_account(app, accounts):
    """A stolen session must not be free to guess the password: 5 wrong ones a minute, then 429."""
    client = logged_in(app)
    for _ in range(5):
        assert change_password(client, "wrong password").status_code == 400
    refused = change_password(client, "wrong password")
    assert refused.status_code == 429
    assert "Too many failed password changes for this account" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) > 0
    # Even the right one waits now, from another session of the same account, and the password is unchanged.
    assert change_password(logged_in(app), PASSWORD).status_code == 429
    assert AuthActions(app.test_client()).login("scheduler", PASSWORD).status_code == 303
    # Reading the page is not limited, and another account is not held up.
    assert client.get("/account").status_code == 200
    assert change_password(logged_in(app, "other"), PASSWORD).status_code == 303


def test_successful_password_changes_are_not_counted(app, accounts, monkeypatch):
    monkeypatch.setitem(app.config, "ACCOUNT_PASSWORD_LIMIT", "2 per minute")
    client = logged_in(app)
    passwords = [PASSWORD, "second-secret", "third-secret", "fourth-secret"]
    for current, new in zip(passwords, passwords[1:], strict=False):
        assert change_password(client, current, new).status_code == 303


def test_new_tokens_and_calendar_links_share_a_budget_per_account(app, accounts, monkeypatch):
    from timetable.extensions import db
    from timetable.models import ApiToken, FeedLink

    monkeypatch.setitem(app.config, "ACCOUNT_WRITE_LIMIT", "3 per minute")
    client = logged_in(app)
    csrf = csrf_token_from(client.get("/account").get_data(as_text=True))
    assert client.post("/account/tokens", data={"csrf_token": csrf, "label": "one"}).status_code == 201
    assert client.post("/account/tokens", data={"csrf_token": csrf, "label": "two"}).status_code == 201
    assert client.post("/t/feed-links", data={"csrf_token": csrf}).status_code == 201
    token = client.post("/account/tokens", data={"csrf_token": csrf, "label": "three"})
    link = client.post("/t/feed-links", data={"csrf_token": csrf})
    assert (token.status_code, link.status_code) == (429, 429)
    assert "Too many new tokens or calendar links for this account" in token.get_data(as_text=True)
    with app.app_context():
        assert (db.session.query(ApiToken).count(), db.session.query(FeedLink).count()) == (2, 1)
    # Another account has its own budget.
    other = logged_in(app, "other")
    csrf = csrf_token_from(other.get("/account").get_data(as_text=True))
    assert other.post("/account/tokens", data={"csrf_token": csrf, "label": "mine"}).status_code == 201
