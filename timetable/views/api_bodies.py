"""Reading JSON request bodies for the API blueprints, and answering invalid ones alike."""

from __future__ import annotations

from flask import current_app, request
from marshmallow import Schema, ValidationError
from werkzeug.exceptions import BadRequest

from .errors import error_response

INVALID = "The request is not valid: see fields."


def load_body(schema: Schema) -> dict:
    """The JSON body read by `schema`; an empty body reads as {}."""
    data = request.get_data()
    if not data:
        return schema.load({})
    if not request.is_json:
        raise BadRequest("The body must be a JSON object, sent with Content-Type: application/json.")
    try:
        body = current_app.json.loads(data)
    except ValueError as error:
        raise BadRequest(f"The body is not valid JSON: {error}.") from None
    return schema.load(body)


def text_keys(messages):
    # Marshmallow keys list items by int; JSON keys are text, and mixed keys cannot be sorted.
    if isinstance(messages, dict):
        return {str(key): text_keys(value) for key, value in messages.items()}
    return messages


def invalid_request(error: ValidationError):
    """400 with per-field messages, for a blueprint's ValidationError handler."""
    return error_response(400, INVALID, text_keys(error.messages))
