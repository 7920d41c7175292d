"""Server-Sent Events: the stream a week view listens to for changes, holds and bookings."""

from __future__ import annotations

import queue

from flask import Blueprint, Response, current_app
from flask_login import current_user

from ..extensions import db
from ..services.live import DISCONNECT, broker, watchers
from ..services.public_view import public_event, sees_everything
from .access import readable_timetable

bp = Blueprint("live", __name__)

HEARTBEAT_SECONDS = 15  # keeps proxies from closing an idle stream, and notices gone clients


@bp.get("/<slug>/events")
def events(slug: str):
    """Stream this timetable's events; the page decides which concern the week it shows."""
    timetable = readable_timetable(slug)
    timetable_id = timetable.id
    # Anonymous streams (no VIEW right) receive the public view of each event.
    shown = (lambda live_event: live_event) if sees_everything(current_user, timetable_id) else public_event
    watchers.ensure_started(current_app._get_current_object())
    subscription = broker.subscribe(timetable_id)
    db.session.remove()  # the stream may last hours: give the connection back now

    def stream():
        try:
            yield "retry: 2000\n\n"
            while True:
                try:
                    live_event = subscription.get(timeout=HEARTBEAT_SECONDS)
                except queue.Empty:
                    yield ": still here\n\n"
                    continue
                if live_event is DISCONNECT:
                    return
                live_event = shown(live_event)
                yield f"event: {live_event.kind}\ndata: {live_event.to_json()}\n\n"
        finally:
            broker.unsubscribe(timetable_id, subscription)

    return Response(stream(), mimetype="text/event-stream",
                    headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})
