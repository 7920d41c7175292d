"""Ids in paths, query strings and forms: whole numbers from 1 to what an INTEGER column holds."""

from __future__ import annotations

import re

from werkzeug.exceptions import BadRequest, NotFound
from werkzeug.routing import BaseConverter

from ..rules.params import MAX_INTEGER

# ASCII digits only: str.isdigit() and \d also accept "²" or "٣", which int() refuses or reads.
_DIGITS = re.compile(r"[0-9]+")


def parse_id(text: str | None) -> int | None:
    """The id written in `text`, or None when it is not a whole number from 1 to MAX_INTEGER."""
    text = (text or "").strip()
    if not _DIGITS.fullmatch(text) or len(text) > 12:
        return None
    value = int(text)
    return value if 1 <= value <= MAX_INTEGER else None


def out_of_range(text: str) -> str:
    shown = text if len(text) <= 24 else text[:20] + "…"
    return f"“{shown}” is not an id: ids are whole numbers from 1 to {MAX_INTEGER}."


class IdConverter(BaseConverter):
    """`<id:slot_id>`: an id no row could have is a 404 that says so, not a database error."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            # Raised while matching: Flask keeps it as the routing error, so the error handler answers it.
            raise NotFound(f"Nothing here has that id. {out_of_range(value)}")
        return number

    def to_url(self, value: int) -> str:
        return str(int(value))


def id_arg(values, name: str, what: str) -> int | None:
    """An optional id from a query string or form (`?slot=12`): None if absent, 400 if not an id."""
    raw = values.get(name, "").strip()
    if not raw:
        return None
    number = parse_id(raw)
    if number is None:
        raise BadRequest(f"The {name} must be the id of a {what}. {out_of_range(raw)}")
    return number
