"""Uploaded import files: their own, larger body limit on the import routes, and the file read from the request."""

from __future__ import annotations

from flask import Blueprint, current_app, request

from ..services.errors import InvalidField
from ..services.import_uploads import Upload


def allow_import_uploads(bp: Blueprint) -> None:
    """Raise the body limit to MAX_IMPORT_BYTES for `bp`'s routes only (every other route keeps MAX_CONTENT_LENGTH).

    A URL value preprocessor runs before every before_request hook, and so before the NUL guard
    and the CSRF check read the form: the larger limit holds when the body is first parsed.
    """

    @bp.url_value_preprocessor
    def larger_body_limit(_endpoint, _values) -> None:
        request.max_content_length = current_app.config["MAX_IMPORT_BYTES"]


def requested_upload() -> Upload:
    """The multipart `file` field; InvalidField (400) when it is missing."""
    file = request.files.get("file")
    data = file.read() if file is not None else b""
    if file is None or not (file.filename or data):
        raise InvalidField("choose the file to import (the multipart field “file”)", "file")
    return Upload(file.filename or "", data)
