"""The ASGI application: Flask in a thread pool for every request, live event streams on the event loop.

Why this design. A Server-Sent Events stream is idle nearly all the time, but under a WSGI
server it holds a request thread for as long as it is open: with gthread workers, 30 open
streams starved `/healthz` (issue 14). Here the server is uvicorn (run by gunicorn, see
`timetable/serving.py`), and:

* every request still goes through the unchanged Flask app, run by a2wsgi in a small pool of
  threads (`WSGI_THREADS`): sessions, rights, CSRF, headers and errors stay where they are;
* the stream view admits the stream (per-address and total caps, `services/stream_gate.py`),
  subscribes an `AsyncInbox` to the broker, and answers at once with an empty response that
  carries the `X-Timetable-Stream` marker. Its thread is free again;
* this module sees the marker, drops it, and serves the stream itself as a coroutine: a few
  KiB per stream, no thread. It waits for an event, a heartbeat time or the client going
  away (ASGI's `http.disconnect`, so a closed client is noticed at once, not at the next
  heartbeat), whichever comes first.

The broker (`services/live.py`) is unchanged: on PostgreSQL its LISTEN thread, on SQLite the
after-commit hook, and the lease-expiry watcher all deliver from their own threads; an
`AsyncInbox` wakes the loop thread-safely. The rejected alternatives: gevent workers would
monkey-patch threads, psycopg and SQLite access for the whole app to save threads that only
the streams need; a separate SSE service would need its own rights check and deployment.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import queue
import threading
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass
from typing import Any

from a2wsgi import WSGIMiddleware

from . import sse
from .services.live import DISCONNECT, QUEUE_LIMIT, LiveEvent, broker
from .services.stream_gate import Admission

ASYNC_STREAMS = "timetable.async_streams"  # in the WSGI environ: the view may hand its stream over
HANDOFF_HEADER = "X-Timetable-Stream"
_HANDOFF_KEY = HANDOFF_HEADER.lower().encode()

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]


class _LoopWaker:
    """Wakes inboxes on one event loop from other threads: one loop wake-up per burst, not one per stream.

    An event for 1,000 streams then costs one write to the loop's self-pipe, and the loop sets
    the 1,000 asyncio.Events in one callback.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._loop = loop
        self._lock = threading.Lock()
        self._pending: set[asyncio.Event] = set()
        self._scheduled = False

    def wake(self, event: asyncio.Event) -> None:
        with self._lock:
            self._pending.add(event)
            if self._scheduled:
                return
            self._scheduled = True
        with contextlib.suppress(RuntimeError):  # a closed loop: nobody is reading any more
            self._loop.call_soon_threadsafe(self._run)

    def _run(self) -> None:
        with self._lock:
            pending, self._pending, self._scheduled = self._pending, set(), False
        for event in pending:
            event.set()


_wakers: dict[asyncio.AbstractEventLoop, _LoopWaker] = {}
_wakers_lock = threading.Lock()


def _waker(loop: asyncio.AbstractEventLoop) -> _LoopWaker:
    with _wakers_lock:
        for closed in [other for other in _wakers if other.is_closed()]:
            del _wakers[closed]
        if loop not in _wakers:
            _wakers[loop] = _LoopWaker(loop)
        return _wakers[loop]


class AsyncInbox:
    """A stream's events, put by any thread (the broker), taken by a coroutine on one event loop.

    Until `attach` names the loop, events wait here, so none is lost between the view's
    subscription and the start of the stream.
    """

    def __init__(self, limit: int = QUEUE_LIMIT) -> None:
        self._lock = threading.Lock()
        self._pending: deque[object] = deque()
        self._limit = limit
        self._waker: _LoopWaker | None = None
        self._wakeup: asyncio.Event | None = None

    def put_nowait(self, item: object) -> None:
        with self._lock:
            if len(self._pending) >= self._limit:
                raise queue.Full
            self._pending.append(item)
            waker, wakeup = self._waker, self._wakeup
        if waker is not None and wakeup is not None:
            waker.wake(wakeup)

    def attach(self) -> None:
        """Called on the loop that will read: from now on, a put wakes it."""
        with self._lock:
            self._waker = _waker(asyncio.get_running_loop())
            self._wakeup = asyncio.Event()
            if self._pending:
                self._wakeup.set()

    def interrupt(self) -> None:
        """Wake the reader with nothing (on the loop): its client went away."""
        if self._wakeup is not None:
            self._wakeup.set()

    async def take(self, timeout: float) -> list[object]:
        """The events waiting, once there are some; [] after `timeout` or an interrupt."""
        assert self._wakeup is not None
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(timeout):
                await self._wakeup.wait()
        with self._lock:
            self._wakeup.clear()
            items = list(self._pending)
            self._pending.clear()
        return items


@dataclass
class Handoff:
    """What the view passes to the event loop: the subscription and the admitted place it holds."""

    timetable_id: int
    inbox: AsyncInbox
    admission: Admission
    # What this viewer may see of each event: anonymous streams get the public view.
    shown: Callable[[LiveEvent], LiveEvent] = lambda live_event: live_event

    def close(self) -> None:
        broker.unsubscribe(self.timetable_id, self.inbox)
        self.admission.release()


_handoffs: dict[str, Handoff] = {}
_handoffs_lock = threading.Lock()
_tokens = itertools.count(1)


def hand_over(handoff: Handoff) -> str:
    """Keep a handoff for the event loop; the token goes in the response's marker header."""
    with _handoffs_lock:
        token = str(next(_tokens))
        _handoffs[token] = handoff
    return token


def _take(token: str) -> Handoff | None:
    with _handoffs_lock:
        return _handoffs.pop(token, None)


async def _until_disconnected(receive: Receive) -> None:
    while (await receive())["type"] != "http.disconnect":
        pass


def _chunk(text: str) -> Message:
    return {"type": "http.response.body", "body": text.encode(), "more_body": True}


async def serve_stream(handoff: Handoff, status: int, headers: list, receive: Receive, send: Send) -> None:
    """Send the stream's events until the client goes away or the server ends every stream."""
    inbox = handoff.inbox
    inbox.attach()
    gone = asyncio.ensure_future(_until_disconnected(receive))
    gone.add_done_callback(lambda _: inbox.interrupt())
    try:
        await send({"type": "http.response.start", "status": status, "headers": headers})
        await send(_chunk(sse.PREAMBLE))
        while not gone.done():
            items = await inbox.take(sse.HEARTBEAT_SECONDS)
            if gone.done():
                return
            if not items:
                await send(_chunk(sse.HEARTBEAT))
                continue
            if DISCONNECT in items:
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send({"type": "http.response.body", "more_body": True,
                        "body": b"".join(sse.message_bytes(handoff.shown(item)) for item in items)})
    finally:
        gone.cancel()
        handoff.close()


class TimetableASGI:
    """Flask behind a2wsgi, except that a response carrying the stream marker becomes an async stream."""

    def __init__(self, flask_app, threads: int) -> None:
        self.flask_app = flask_app

        def wsgi(environ, start_response):
            environ[ASYNC_STREAMS] = True
            return flask_app(environ, start_response)

        self._wsgi = WSGIMiddleware(wsgi, workers=threads)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self._wsgi(scope, receive, send)  # type: ignore[arg-type]
            return
        stream: dict[str, Any] = {}

        async def relay(message: Message) -> None:
            if message["type"] == "http.response.start":
                token = next((value for name, value in message["headers"] if name == _HANDOFF_KEY), None)
                if token is not None:
                    stream.update(token=token.decode(), status=message["status"],
                                  headers=[(n, v) for n, v in message["headers"] if n not in (_HANDOFF_KEY, b"content-length")])
                    return
            if "token" in stream:
                return  # the empty body of a response that becomes a stream
            await send(message)

        try:
            await self._wsgi(scope, receive, relay)  # type: ignore[arg-type]
        except BaseException:
            if "token" in stream and (handoff := _take(stream["token"])) is not None:
                handoff.close()
            raise
        if "token" in stream and (handoff := _take(stream["token"])) is not None:
            await serve_stream(handoff, stream["status"], stream["headers"], receive, send)


def create_asgi_app(flask_app) -> TimetableASGI:
    return TimetableASGI(flask_app, threads=flask_app.config["WSGI_THREADS"])
