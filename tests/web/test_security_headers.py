"""Security headers on every answer, and templates the Content-Security-Policy lets work: no inline code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import timetable

TEMPLATES = Path(timetable.__file__).parent / "templates"


def policy(response) -> dict[str, str]:
    header = response.headers["Content-Security-Policy"]
    return {part.split(" ", 1)[0]: part.split(" ", 1)[1] for part in header.split("; ")}


PAGES = ["/", "/login", "/school?week=2026-W47", "/school/edit?week=2026-W47", "/school/edit/history",
         "/account", "/api/timetables", "/api/timetables/school/weeks/2026-W47", "/nowhere", "/static/js/editor.js"]


@pytest.mark.parametrize("url", PAGES)
def test_every_answer_carries_the_security_headers(demo_client, demo_auth, url):
    demo_auth.login()
    response = demo_client.get(url)
    response.close()  # a static file's answer holds the file open
    assert response.status_code in (200, 404), url
    csp = policy(response)
    assert csp["script-src"] == "'self'"
    assert csp["default-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"
    assert csp["object-src"] == "'none'"
    assert csp["style-src-elem"] == "'self'"
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_hsts_is_sent_over_https_only_and_http_is_never_redirected(demo_client):
    plain = demo_client.get("/school?week=2026-W47")
    assert plain.status_code == 200
    assert "Strict-Transport-Security" not in plain.headers
    secure = demo_client.get("/school?week=2026-W47", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_the_session_cookie_is_not_forced_secure_over_plain_http(app, client):
    from timetable.services.accounts import create_user

    with app.app_context():
        create_user("scheduler", "timetable-demo", is_admin=True)
    from tests.conftest import AuthActions

    response = AuthActions(client).login()
    assert response.status_code == 303
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def template_sources():
    return sorted(TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", template_sources(), ids=lambda p: str(p.relative_to(TEMPLATES)))
def test_no_template_holds_code_the_policy_would_block(path):
    html = path.read_text()
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), "an inline <script>: move it to static/js"
    assert not re.search(r"\son[a-z]+\s*=", html), "an inline event handler (on…=): listen from static/js"
    assert "javascript:" not in html
    assert "hx-on" not in html, "hx-on needs eval, which the policy (and htmx's allowEval: false) forbid"
    assert "<style" not in html, "a <style> element: put it in static/css"
    assert "js:" not in html and "hx-vars" not in html, "htmx would evaluate it"


def test_htmx_is_told_not_to_inject_styles_or_evaluate_code(demo_client):
    html = demo_client.get("/").get_data(as_text=True)
    config = re.search(r'<meta name="htmx-config" content=\'([^\']+)\'', html).group(1)
    assert '"includeIndicatorStyles":false' in config and '"allowEval":false' in config


def test_rendered_pages_hold_no_inline_script(demo_client, demo_auth):
    demo_auth.login()
    for url in ("/school?week=2026-W47", "/school/edit?week=2026-W47", "/clinic?week=2026-W47"):
        html = demo_client.get(url).get_data(as_text=True)
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), url
        assert not re.search(r"\son[a-z]+\s*=", html), url
