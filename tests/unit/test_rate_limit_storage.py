"""The rate limits' in-process store survives a key dropped while its expiry sweep runs (flask-limiter #130)."""

from __future__ import annotations

import pytest
from limits.storage import MemoryStorage, storage_from_string

from timetable.rate_limit_storage import SweepSafeMemoryStorage


class _DroppedMidSweep(dict):
    """Expirations whose keys a request thread drops between the sweep's listing and its read of them."""

    def __getitem__(self, key):
        raise KeyError(key)


def _sweep(storage: MemoryStorage) -> None:
    """Run the sweep by hand on such expirations (the store's own timer stopped first, and the keys put back after)."""
    storage.timer.cancel()
    storage.timer.join()
    kept = storage.expirations
    storage.expirations = _DroppedMidSweep(kept)
    try:
        storage._MemoryStorage__expire_events()
    finally:
        storage.expirations = kept


def test_a_key_dropped_during_the_sweep_ends_the_sweep_quietly_where_the_librarys_store_raises():
    plain = MemoryStorage()
    plain.incr("LIMITER/127.0.0.1/booking/300/1/hour", 3600)
    with pytest.raises(KeyError):
        _sweep(plain)
    safe = storage_from_string("timetable-memory://")
    assert isinstance(safe, SweepSafeMemoryStorage)
    safe.incr("LIMITER/127.0.0.1/booking/300/1/hour", 3600)
    _sweep(safe)
    assert safe.get("LIMITER/127.0.0.1/booking/300/1/hour") == 1  # the count itself is untouched


def test_the_app_counts_its_limits_in_the_sweep_safe_store():
    from timetable import create_app
    from timetable.extensions import limiter

    app = create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"})
    with app.app_context():
        assert isinstance(limiter.storage, SweepSafeMemoryStorage)
