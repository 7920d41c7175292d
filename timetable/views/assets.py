"""Third-party browser assets, served from the npm packages installed at setup time."""

from __future__ import annotations

from flask import Blueprint, abort, current_app, send_from_directory

bp = Blueprint("assets", __name__)

# Only the files pages use are reachable, never the whole node_modules tree.
VENDOR_FILES = frozenset({"htmx.org/dist/htmx.min.js", "htmx-ext-sse/dist/sse.min.js"})


@bp.get("/vendor/<path:path>")
def vendor(path: str):
    if path not in VENDOR_FILES:
        abort(404)
    return send_from_directory(current_app.config["NODE_MODULES"], path, max_age=3600)
