"""Security headers on every answer, from Flask-Talisman: the Content-Security-Policy and its companions."""

from __future__ import annotations

from flask import Flask
from flask_talisman import Talisman

# Scripts only from this site, never inline (no 'unsafe-inline', no 'unsafe-eval'): templates hold
# no <script> body and no on…= attribute, and htmx runs with allowEval off (see base.html).
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    # The week grid places each block with a computed style attribute (top, height, left, width,
    # its colour), in full pages and in htmx fragments alike, so style attributes must be allowed.
    # <style> elements are not: browsers that know style-src-elem (all current ones) keep
    # 'unsafe-inline' to attributes only; older ones fall back to style-src.
    "style-src": "'self' 'unsafe-inline'",
    "style-src-elem": "'self'",
    "img-src": "'self'",
    "connect-src": "'self'",
    "font-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}

PERMISSIONS_POLICY = {"browsing-topics": "()", "camera": "()", "microphone": "()", "geolocation": "()"}


def register_security_headers(app: Flask) -> None:
    """Bind a Talisman of this app's own: it keeps the app it serves, so one instance cannot serve several."""
    config = app.config
    app.extensions["talisman"] = Talisman(
        app,
        # HTTPS is the proxy's or the server's business; the demo and the tests run over plain http.
        force_https=config["FORCE_HTTPS"],
        # Sent only on answers that went over HTTPS (Talisman checks the request), so plain http is unaffected.
        strict_transport_security=True,
        strict_transport_security_include_subdomains=False,
        content_security_policy=CONTENT_SECURITY_POLICY,
        frame_options="DENY",
        referrer_policy="same-origin",
        permissions_policy=PERMISSIONS_POLICY,
        # Talisman would otherwise force these cookie settings; the configuration decides them.
        session_cookie_secure=config["SESSION_COOKIE_SECURE"],
        session_cookie_samesite=config["SESSION_COOKIE_SAMESITE"],
    )
