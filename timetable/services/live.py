"""Live events: every committed change, hold or booking, pushed to the week views open on it.

Services `announce` events inside their write transaction. On PostgreSQL the event is a
NOTIFY, which the database sends only if the transaction commits, to every process
listening (this one included): browsers attached to any gunicorn worker or machine hear
it. On SQLite the event waits in the session and is delivered after the commit to this
process's subscribers only (one process; see README). Each process also asks, every second,
which leases ran out (booking's policy, handed in by the app factory), so viewers see a
place free again without anybody asking.
"""

from __future__ import annotations

import contextlib
import json
import logging
import queue
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol, TypeVar, overload

from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.orm import Session

from .. import clock
from ..extensions import db
from .freshness import touch

log = logging.getLogger(__name__)

CHANNEL = "timetable_events"
KINDS = ("change", "hold", "booking")
QUEUE_LIMIT = 1000  # a viewer this far behind is told to refresh everything instead

Span = tuple[int | None, int | None]


@dataclass(frozen=True)
class LiveEvent:
    timetable_id: int
    kind: str
    spans: tuple[Span, ...] = ((None, None),)  # the weeks concerned; (None, None) = all of them

    def concerns(self, week: int) -> bool:
        return any((lo is None or lo <= week) and (hi is None or week <= hi) for lo, hi in self.spans)

    def to_json(self) -> str:
        return json.dumps({"timetable": self.timetable_id, "kind": self.kind, "spans": [list(s) for s in self.spans]})

    @classmethod
    def from_json(cls, payload: str) -> LiveEvent:
        data = json.loads(payload)
        return cls(int(data["timetable"]), str(data["kind"]), tuple(tuple(span) for span in data["spans"]))


class Inbox(Protocol):
    """Where the broker puts a subscriber's events: `put_nowait` from any thread, raising queue.Full."""

    def put_nowait(self, item: object) -> None: ...


InboxT = TypeVar("InboxT", bound=Inbox)


class Broker:
    """Fans events out to this process's subscribers, one bounded queue per open connection."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[int, set[Inbox]] = defaultdict(set)

    @overload
    def subscribe(self, timetable_id: int) -> queue.Queue: ...

    @overload
    def subscribe(self, timetable_id: int, subscription: InboxT) -> InboxT: ...

    def subscribe(self, timetable_id: int, subscription: Inbox | None = None) -> Inbox:
        """Add an inbox (a bounded queue.Queue unless one is given) that hears this timetable's events."""
        if subscription is None:
            subscription = queue.Queue(maxsize=QUEUE_LIMIT)
        with self._lock:
            self._subscribers[timetable_id].add(subscription)
        return subscription

    def unsubscribe(self, timetable_id: int, subscription: Inbox) -> None:
        with self._lock:
            self._subscribers[timetable_id].discard(subscription)

    def deliver(self, event: LiveEvent) -> None:
        with self._lock:
            subscribers = list(self._subscribers.get(event.timetable_id, ()))
        for subscription in subscribers:
            with contextlib.suppress(queue.Full):  # that viewer will refresh when it catches up
                subscription.put_nowait(event)

    def disconnect_all(self) -> None:
        """End every open stream of this process (graceful shutdown); browsers reconnect and catch up."""
        with self._lock:
            subscribers = [q for group in self._subscribers.values() for q in group]
        for subscription in subscribers:
            with contextlib.suppress(queue.Full):
                subscription.put_nowait(DISCONNECT)

    def count(self) -> int:
        with self._lock:
            return sum(len(s) for s in self._subscribers.values())


DISCONNECT = object()  # put in a subscription: its stream ends
broker = Broker()


def announce(timetable_id: int, kind: str, spans=((None, None),), *, rules_only: bool = False) -> None:
    """Publish an event with the current write transaction: sent if, and when, it commits.

    `rules_only`: the change is a change set's, of rules and nothing else (services/freshness.py).
    """
    live_event = LiveEvent(timetable_id, kind, tuple((lo, hi) for lo, hi in spans))
    session = db.session()
    touch(session, timetable_id, rules_only=rules_only)  # readers' caches and ETags follow the same commit
    if db.engine.dialect.name == "postgresql":
        session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": CHANNEL, "payload": live_event.to_json()})
    else:
        session.info.setdefault("live_events", []).append(live_event)


@sa_event.listens_for(Session, "after_commit")
def _deliver_after_commit(session: Session) -> None:
    for live_event in session.info.pop("live_events", ()):
        broker.deliver(live_event)


@sa_event.listens_for(Session, "after_rollback")
def _forget_after_rollback(session: Session) -> None:
    session.info.pop("live_events", None)


class Watchers:
    """The threads started with a database's first subscriber in a process: LISTEN, hold expiry.

    One pair per database (an app serves one, but tests run several in one process);
    `stop` ends one database's pair, `stop_all` every pair, for tests and clean shutdowns.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._running: dict[str, tuple[threading.Event, list[threading.Thread]]] = {}
        self.expire_leases: LeaseExpiry | None = None  # set by the app factory (booking's policy)

    @staticmethod
    def _key(app) -> str:
        return app.extensions["sqlalchemy"].engine.url.render_as_string(hide_password=False)

    def ensure_started(self, app) -> None:
        key = self._key(app)
        stopping = threading.Event()
        with self._lock:
            if key in self._running:
                return
            threads = []
            if self.expire_leases is not None:
                threads.append(threading.Thread(target=_watch_expiry, args=(app, self.expire_leases, stopping),
                                                name="live-expiry", daemon=True))
            if app.extensions["sqlalchemy"].engine.dialect.name == "postgresql":
                threads.append(threading.Thread(target=_listen, args=(key, stopping), name="live-listen", daemon=True))
            self._running[key] = (stopping, threads)
        for thread in threads:
            thread.start()

    def stop(self, app, timeout: float = 5.0) -> None:
        """Stop the watchers of `app`'s database and wait (bounded) for them to close their connections."""
        with self._lock:
            running = self._running.pop(self._key(app), None)
        if running is not None:
            self._join(*running, timeout=timeout)

    def stop_all(self, timeout: float = 5.0) -> None:
        """Stop every watcher and wait (bounded) for them to close their connections."""
        with self._lock:
            running, self._running = list(self._running.values()), {}
        for stopping, _threads in running:
            stopping.set()
        for stopping, threads in running:
            self._join(stopping, threads, timeout=timeout)

    @staticmethod
    def _join(stopping: threading.Event, threads: list[threading.Thread], timeout: float) -> None:
        stopping.set()
        for thread in threads:
            thread.join(timeout)


watchers = Watchers()


def _listen(url: str, stopping: threading.Event) -> None:
    """Relay PostgreSQL notifications to this process's subscribers, reconnecting on failure."""
    import psycopg

    url = url.replace("postgresql+psycopg://", "postgresql://", 1)
    while not stopping.is_set():
        try:
            with psycopg.connect(url, autocommit=True) as connection:
                connection.execute(f"LISTEN {CHANNEL}")
                while not stopping.is_set():
                    # A bounded wait, so that a stop is noticed within a second.
                    for notification in connection.notifies(timeout=1.0):
                        try:
                            broker.deliver(LiveEvent.from_json(notification.payload))
                        except (ValueError, KeyError, TypeError):
                            log.warning("ignoring a malformed live event: %r", notification.payload)
        except Exception as error:  # the database went away: wait, then listen again
            if not stopping.is_set():
                log.warning("live events: listening failed (%s); retrying in 2 s", error)
                stopping.wait(2)


EXPIRY_POLL_SECONDS = 1.0

# (since, now) -> the (timetable id, week) pairs whose leases ran out in between, already
# dealt with. Booking decides what running out means; this module only tells the viewers.
LeaseExpiry = Callable[[datetime, datetime], Iterable[tuple[int, int]]]


def _watch_expiry(app, expire_leases: LeaseExpiry, stopping: threading.Event) -> None:
    """Tell the viewers of a week when a lease on it ran out, with no request at all."""
    last = clock.now()
    while not stopping.wait(EXPIRY_POLL_SECONDS):
        now = clock.now()
        try:
            with app.app_context():
                ran_out = list(expire_leases(last, now))
                db.session.remove()
        except Exception as error:
            log.warning("live events: expiry watch failed (%s)", error)
            continue
        last = now
        for timetable_id, week in ran_out:
            broker.deliver(LiveEvent(timetable_id, "hold", ((week, week),)))
    with app.app_context():
        db.engine.dispose()  # stopping: close what this thread opened in the pool
