"""Choose between a full page and the htmx fragment it is made of."""

from __future__ import annotations

from flask import make_response, render_template
from htmx_flask import request


def wants_fragment() -> bool:
    """True for htmx swaps; boosted navigation and history restores need the whole page."""
    htmx = request.htmx
    return bool(htmx) and not htmx.boosted and not htmx.history_restore_request


# The htmx event a write answers with: open week views reload their grid (see editor.js).
CHANGED_EVENT = "timetable-changed"


def render_page_or_fragment(
    page_template: str, fragment_template: str, *, status: int = 200, push_url: str | None = None, **context):
    as_fragment = wants_fragment()
    template = fragment_template if as_fragment else page_template
    # Fragments carry their own <title>, which htmx puts on the page when it swaps them in.
    # Page templates that only wrap a fragment include it by this name.
    context.setdefault("fragment_template", fragment_template)
    response = make_response(render_template(template, as_fragment=as_fragment, **context), status)
    if push_url and wants_fragment():
        response.headers["HX-Push-Url"] = push_url
    return response
