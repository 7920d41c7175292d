"""Long work answered as a stream: one JSON line per step as it happens, then the result to show.

The work runs in a thread of its own with an app context of its own (its own session and
transaction, nothing shared with the request's); the request's thread relays each progress
line as soon as it is reported and, once the work has ended, renders the result in the
request's context. The page's script (static/js/import.js) shows each step, then swaps the
last line's HTML in. Clients that do not ask for the stream get the plain answer instead.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable, Iterator
from typing import Any

from flask import Response, current_app, request, stream_with_context

from ..extensions import db

log = logging.getLogger(__name__)

MIMETYPE = "application/x-ndjson"
_END = object()

Progress = Callable[[str], None]


def wants_progress() -> bool:
    """The client reads progress lines (it said so in Accept)."""
    return MIMETYPE in request.headers.get("Accept", "")


def progress_stream(work: Callable[[Progress], Any], finish: Callable[[Any, Exception | None], tuple[int, str]]) -> Response:
    """Run `work(progress)` in a thread, stream its progress, then `finish(result, error)`'s (status, HTML) as the last line.

    The request's own read transaction is ended first: on SQLite it would otherwise keep an old
    snapshot open for as long as the work writes.
    """
    app = current_app._get_current_object()
    lines: queue.Queue[object] = queue.Queue()
    outcome: dict[str, Any] = {}
    db.session.remove()

    def run() -> None:
        with app.app_context():
            try:
                outcome["result"] = work(lines.put)
            except Exception as error:  # finish() turns it into the answer the page shows
                outcome["error"] = error
            finally:
                lines.put(_END)

    def stream() -> Iterator[str]:
        threading.Thread(target=run, name="progress-work", daemon=True).start()
        while (line := lines.get()) is not _END:
            yield json.dumps({"progress": line}) + "\n"
        error = outcome.get("error")
        status, html = finish(outcome.get("result"), error)
        yield json.dumps({"status": status, "html": html}) + "\n"

    return Response(stream_with_context(stream()), mimetype=MIMETYPE,
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"})
