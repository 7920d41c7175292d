"""The in-process store of the rate limits' counters: limits' MemoryStorage, with its sweep made safe.

MemoryStorage sweeps expired keys from a timer thread. The sweep lists the keys, then reads each
one, while request threads may drop the same keys (a read of an expired key drops it, and so
does a reset). A key dropped in between raised KeyError in the timer thread, which then died
with a traceback until the next hit started another (flask-limiter issue #130, closed as
"wontfix"; it failed our suite once under load). A key found gone is what the sweep wanted
anyway: the sweep stops there, and the next hit schedules the next sweep.
"""

from __future__ import annotations

from contextlib import suppress

from limits.storage import MemoryStorage

SCHEME = "timetable-memory"


class SweepSafeMemoryStorage(MemoryStorage):
    """`timetable-memory://`: MemoryStorage whose expiry sweep tolerates keys dropped while it runs."""

    STORAGE_SCHEME = [SCHEME]

    def _MemoryStorage__expire_events(self) -> None:  # overrides the parent's private sweep (name-mangled)
        with suppress(KeyError):
            super()._MemoryStorage__expire_events()  # type: ignore[misc]
