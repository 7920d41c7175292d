"""API clients: `Authorization: Bearer <token>` on /api routes, in place of the session and its CSRF token.

A browser's request carries its session cookie on its own, so a form on another site could use
it: that is why cookie requests must send the CSRF token. A Bearer token is sent only by a
client that holds it, so a Bearer request needs none. This hook decides which of the two a
request is before any view runs (Flask-WTF's own check is turned off for that reason).
"""

from __future__ import annotations

from flask import Flask, current_app, g, request
from flask_login import current_user

from ..extensions import csrf
from ..services.api_tokens import token_user

SCHEME = "bearer "


def _bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    if not request.path.startswith("/api/") or not header.lower().startswith(SCHEME):
        return None
    return header[len(SCHEME):].strip()


def authenticate_or_protect():
    """A Bearer request on /api acts as the token's user (401 if the token is unknown or revoked); any other is CSRF-checked."""
    token = _bearer_token()
    if token is None:
        # An anonymous API call has no session a forged request could borrow: the route answers it
        # (401 where it needs a login) instead of a 400 for a missing CSRF token.
        anonymous_api_call = request.path.startswith("/api/") and not current_user.is_authenticated
        if current_app.config["WTF_CSRF_ENABLED"] and not anonymous_api_call:
            csrf.protect(apply_exemptions=True)
        return None
    user = token_user(token) if token else None
    if user is None:
        from .errors import error_response

        response, status = error_response(401, "The API token is unknown or revoked: create one on /account.")
        return response, status, {"WWW-Authenticate": 'Bearer error="invalid_token"'}
    # Flask-Login reads the request's user from here: the session cookie, if any, is not used.
    g._login_user = user
    g.bearer_authenticated = True
    return None


def register_bearer_authentication(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    app.before_request(authenticate_or_protect)
