"""The Server-Sent Events wire format of the live streams, shared by both ways of serving them."""

from __future__ import annotations

from functools import lru_cache

from .services.live import LiveEvent

PREAMBLE = "retry: 2000\n\n"  # a browser that loses its stream reconnects after 2 s
HEARTBEAT = ": still here\n\n"  # a comment: keeps proxies from closing an idle stream
HEARTBEAT_SECONDS = 15
HEADERS = {"Cache-Control": "no-cache", "X-Accel-Buffering": "no"}


def message(live_event: LiveEvent) -> str:
    return f"event: {live_event.kind}\ndata: {live_event.to_json()}\n\n"


@lru_cache(maxsize=256)
def message_bytes(live_event: LiveEvent) -> bytes:
    """The encoded message, made once however many streams send it."""
    return message(live_event).encode()
