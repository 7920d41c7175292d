"""Server-Sent Events: the stream a week view listens to for changes, holds and bookings.

The view checks the timetable and the caps, then either hands the stream to the event loop
(under the ASGI server, `timetable/asgi.py`: no thread is held while the stream is idle) or,
under a plain WSGI server (`flask run`, the test client), streams from this thread.
"""

from __future__ import annotations

import queue
from collections.abc import Callable

from flask import Blueprint, Response, current_app, request
from flask_login import current_user

from .. import sse
from ..asgi import ASYNC_STREAMS, HANDOFF_HEADER, AsyncInbox, Handoff, hand_over
from ..extensions import db
from ..services.live import DISCONNECT, LiveEvent, broker, watchers
from ..services.public_view import public_event, sees_everything
from ..services.stream_gate import Admission, StreamsFull, gate
from .access import readable_timetable

bp = Blueprint("live", __name__)

HEARTBEAT_SECONDS = sse.HEARTBEAT_SECONDS


def _refused(error: StreamsFull) -> Response:
    retry_after = current_app.config["LIVE_STREAMS_RETRY_AFTER"]
    return Response(f"Live updates unavailable: {error.reason}. Retry in {retry_after} s.\n", status=503,
                    mimetype="text/plain", headers={"Retry-After": str(retry_after)})


@bp.get("/<slug>/events")
def events(slug: str):
    """Stream this timetable's events; the page decides which concern the week it shows."""
    timetable = readable_timetable(slug)
    timetable_id = timetable.id
    if request.method == "HEAD":  # headers only: no stream to open, no place to take
        return Response(b"", mimetype="text/event-stream", headers=sse.HEADERS)
    # Anonymous streams (no VIEW right) receive the public view of each event.
    shown = _identity if sees_everything(current_user, timetable_id) else public_event
    watchers.ensure_started(current_app._get_current_object())
    config = current_app.config
    try:
        admission = gate.admit(request.remote_addr or "", config["LIVE_STREAMS_PER_ADDRESS"], config["LIVE_STREAMS_TOTAL"])
    except StreamsFull as error:
        return _refused(error)
    db.session.remove()  # the stream may last hours: give the connection back now
    if request.environ.get(ASYNC_STREAMS):
        inbox = broker.subscribe(timetable_id, AsyncInbox())
        token = hand_over(Handoff(timetable_id, inbox, admission, shown))
        return Response(b"", mimetype="text/event-stream", headers={**sse.HEADERS, HANDOFF_HEADER: token})
    return _threaded_stream(timetable_id, admission, shown)


def _identity(live_event: LiveEvent) -> LiveEvent:
    return live_event


def _threaded_stream(timetable_id: int, admission: Admission, shown: Callable[[LiveEvent], LiveEvent]) -> Response:
    """The stream served from this request's thread (plain WSGI servers: development and tests)."""
    subscription = broker.subscribe(timetable_id)

    def stream():
        yield sse.PREAMBLE
        while True:
            try:
                live_event = subscription.get(timeout=HEARTBEAT_SECONDS)
            except queue.Empty:
                yield sse.HEARTBEAT
                continue
            if live_event is DISCONNECT:
                return
            yield sse.message(shown(live_event))

    def close() -> None:
        broker.unsubscribe(timetable_id, subscription)
        admission.release()

    response = Response(stream(), mimetype="text/event-stream", headers=sse.HEADERS)
    response.call_on_close(close)
    return response
