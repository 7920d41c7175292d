"""How many live event streams one process keeps open: per client address and in total.

An open stream costs little once it is served asynchronously (see timetable/asgi.py), but it
is still memory, a socket and a subscriber to every event of its timetable. So each process
admits at most `per_address` streams from one client address and `total` streams in all; past
either it refuses, and the view answers 503 with Retry-After. The counts are per process, like
the login throttle's counters: N worker processes admit up to N times the total.
"""

from __future__ import annotations

import threading
from collections import Counter
from dataclasses import dataclass, field


class StreamsFull(Exception):
    """A stream refused: `reason` says which cap, for the 503's message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(eq=False)
class Admission:
    """One admitted stream; `release` gives its place back (once, however often it is called)."""

    gate: StreamGate
    address: str
    released: bool = field(default=False)

    def release(self) -> None:
        self.gate._release(self)


class StreamGate:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_address: Counter[str] = Counter()
        self._total = 0

    def admit(self, address: str, per_address: int, total: int) -> Admission:
        """Count a new stream from `address`, or raise StreamsFull if a cap is reached."""
        with self._lock:
            if self._by_address[address] >= per_address:
                raise StreamsFull(f"too many live streams from your address (at most {per_address})")
            if self._total >= total:
                raise StreamsFull(f"this server has as many live streams open as it serves (at most {total})")
            self._by_address[address] += 1
            self._total += 1
        return Admission(self, address)

    def _release(self, admission: Admission) -> None:
        with self._lock:
            if admission.released:
                return
            admission.released = True
            self._total -= 1
            self._by_address[admission.address] -= 1
            if self._by_address[admission.address] <= 0:
                del self._by_address[admission.address]

    def open_streams(self, address: str | None = None) -> int:
        with self._lock:
            return self._total if address is None else self._by_address.get(address, 0)


gate = StreamGate()
