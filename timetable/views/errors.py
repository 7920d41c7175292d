"""Error pages for people and JSON errors for the API, from one set of handlers."""

from __future__ import annotations

from flask import Flask, current_app, make_response, render_template, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from ..rules import RulesError
from ..services.errors import Conflict, DomainError, LimitReached, NotFound

# What each domain error means over HTTP, most specific first; any other refusal is a 400.
STATUS_OF = ((NotFound, 404), (Conflict, 409), (LimitReached, 429))

HINTS = {
    400: "Check the address or the form and try again.",
    403: "Your account may not do this.",
    404: "Check the address, or go back to the list of timetables.",
    405: "This address does not accept that kind of request.",
    409: "Someone changed this in the meantime: reload and review.",
    413: "Send less at once.",
    429: "Wait a little, then try again.",
}


def _wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def error_response(status: int, message: str, fields: dict | None = None):
    if _wants_json():
        body: dict = {"error": {"status": status, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        return body, status
    return render_template("errors/error.html", status=status, message=message, hint=HINTS.get(status, "")), status


def status_of(error: DomainError) -> int:
    return next((status for kind, status in STATUS_OF if isinstance(error, kind)), 400)


def _size(limit: int) -> str:
    return f"{limit // 1024 // 1024} MiB" if limit % (1024 * 1024) == 0 else f"{limit:,} bytes"


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def csrf_error(error: CSRFError):
        return error_response(
            400, "The request lacks a valid security (CSRF) token: reload the page and try again."
        )

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        # The route's own limit: the import routes accept larger bodies (MAX_IMPORT_BYTES) than the rest.
        limit = request.max_content_length or current_app.config["MAX_CONTENT_LENGTH"]
        return error_response(413, f"The request body is too large: this server accepts at most {_size(limit)}.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        response = make_response(error_response(error.code or 500, error.description or error.name))
        # Werkzeug's own answer carries headers the client needs (Allow on a 405, Retry-After…).
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        return error_response(status_of(error), str(error), getattr(error, "fields", None))

    @app.errorhandler(RulesError)
    def rules_error(error: RulesError):
        return error_response(400, str(error))
