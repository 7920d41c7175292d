"""Checks every request passes before any view: text no column can store is refused at the door."""

from __future__ import annotations

from flask import Flask, request
from werkzeug.exceptions import BadRequest

NUL = "\x00"
REFUSED = "The request contains a NUL character (%00), which no address, query or form field accepts."
NAMELESS = "A part of the form has no name it can be read by: send each as Content-Disposition: form-data; name=\"…\"."


def _has_nul(values) -> bool:
    return any(NUL in key or any(NUL in value for value in values.getlist(key)) for key in values)


def refuse_nul_characters() -> None:
    """A NUL in a slug, a name or an email would reach PostgreSQL, whose TEXT refuses it with a 500.

    Form and query text cannot carry lone surrogates (werkzeug decodes bytes as UTF-8, replacing
    what is invalid); JSON can, and the API's schemas and the parameter types check that.
    """
    if NUL in request.path or _has_nul(request.args):
        raise BadRequest(REFUSED)
    if request.mimetype in ("application/x-www-form-urlencoded", "multipart/form-data"):
        # werkzeug keys a multipart part whose Content-Disposition it cannot read under None.
        if None in request.form or None in request.files:
            raise BadRequest(NAMELESS)
        if _has_nul(request.form):
            raise BadRequest(REFUSED)


def register_guards(app: Flask) -> None:
    app.before_request(refuse_nul_characters)
