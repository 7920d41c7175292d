"""Conditional answers and the rendered-output cache of the readers' pages and feeds.

Both key on the timetable's last-change marker (services/freshness.py), which every request
reads with the timetable row. A change commits a new revision, so an ETag or a cache entry
made before it no longer matches anywhere: there is no stale answer to purge, in this worker or
any other. Entries of old revisions simply fall out of the bounded LRU.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from datetime import datetime
from typing import Generic, TypeVar

from flask import Response, request

CACHE_ENTRIES = 256
T = TypeVar("T")


class RenderCache(Generic[T]):
    """A bounded LRU of rendered outputs; one builder per key at a time (a rush builds a page once)."""

    def __init__(self, size: int = CACHE_ENTRIES) -> None:
        self.size = size
        self._entries: OrderedDict[Hashable, T] = OrderedDict()
        self._lock = threading.Lock()
        self._building: dict[Hashable, threading.Lock] = {}

    def get(self, key: Hashable) -> T | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
            return found

    def put(self, key: Hashable, value: T) -> None:
        with self._lock:
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def get_or_build(self, key: Hashable, build: Callable[[], T], valid: Callable[[T], bool] = lambda _: True) -> T:
        found = self.get(key)
        if found is not None and valid(found):
            return found
        with self._lock:
            building = self._building.setdefault(key, threading.Lock())
        with building:  # the others asking for the same key meanwhile wait for this one build
            found = self.get(key)
            if found is None or not valid(found):
                found = build()
                self.put(key, found)
        with self._lock:
            self._building.pop(key, None)
        return found

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()

    def __len__(self) -> int:
        return len(self._entries)


def etag_of(key: Hashable) -> str:
    """A short strong ETag for a cache key (the key holds the revision, so the tag changes with it)."""
    return hashlib.blake2b(repr(key).encode(), digest_size=12).hexdigest()


def not_modified(etag: str, last_modified: datetime) -> bool:
    """True when the client's copy is current: its If-None-Match names `etag`, or (without one) its
    If-Modified-Since is not before `last_modified`."""
    if request.if_none_match:
        return request.if_none_match.contains(etag)
    since = request.if_modified_since
    return since is not None and last_modified.replace(microsecond=0) <= since


def validated(response: Response, etag: str, last_modified: datetime, *, private: bool = False) -> Response:
    """Give a response its validators; clients must revalidate before reusing it."""
    response.set_etag(etag)
    response.last_modified = last_modified.replace(microsecond=0)
    response.headers["Cache-Control"] = ("private" if private else "public") + ", no-cache"
    return response


def answer_not_modified(etag: str, last_modified: datetime, *, private: bool = False) -> Response:
    return validated(Response(status=304), etag, last_modified, private=private)
