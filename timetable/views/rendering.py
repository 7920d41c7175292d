"""Choose between a full page and the htmx fragment it is made of."""

from __future__ import annotations

from flask import make_response, render_template
from htmx_flask import request


def wants_fragment() -> bool:
    """True for htmx swaps; boosted navigation and history restores need the whole page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


def render_page_or_fragment(
    page_template: str, fragment_template: str, *, status: int = 200, push_url: str | None = None, **context):
    template = fragment_template if wants_fragment() else page_template
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    if push_url and wants_fragment():
        response.headers["HX-Push-Url"] = push_url
    return response
