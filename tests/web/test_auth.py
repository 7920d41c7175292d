"""Logging in and out, and the CSRF token every state-changing request needs."""

from __future__ import annotations

from tests.conftest import csrf_token_from


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
    response = client.post("/login?next=https://evil.example/", data={"username": "scheduler", "password": "timetable-demo", "csrf_token": token})
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
