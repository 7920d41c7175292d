"""JSON for the app: Flask's own, except that a body nested too deeply is invalid JSON, not a crash."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class JSONProvider(DefaultJSONProvider):
    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError:
            # "[" × 100,000 exhausts the parser's stack; werkzeug and our readers expect ValueError.
            raise ValueError("it is nested too deeply") from None
