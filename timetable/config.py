"""Configuration defaults, overridden by the environment and then by a test mapping."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path


def _database_url(instance_path: str) -> str:
    url = os.environ.get("DATABASE_URL")
    if url:
        # Heroku-style URLs name the old driver; psycopg 3 is the one installed.
        if url.startswith("postgres://"):
            url = "postgresql+psycopg://" + url[len("postgres://"):]
        elif url.startswith("postgresql://"):
            url = "postgresql+psycopg://" + url[len("postgresql://"):]
        return url
    return "sqlite:///" + str(Path(instance_path) / "timetable.sqlite")


def _secret_key(instance_path: str) -> str:
    """Read SECRET_KEY from the environment, else a key kept in the instance folder.

    A key generated once and stored beside the SQLite file keeps sessions valid across
    restarts of a local install without putting any secret in the source.
    """
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    key_file = Path(instance_path) / "secret_key"
    if not key_file.exists():
        key_file.parent.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


def _seconds(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


def _integer(name: str, default: int) -> int:
    """A whole number (bytes, days) from the environment, else the default."""
    value = os.environ.get(name, "").strip()
    return int(value) if value else default


MIB = 1024 * 1024


def load_config(instance_path: str) -> dict:
    """Return the configuration mapping built from defaults and the environment."""
    return {
        "SQLALCHEMY_DATABASE_URI": _database_url(instance_path),
        "SECRET_KEY": _secret_key(instance_path),
        # The zone used when a timetable has none and for new timetables.
        "DEFAULT_TIME_ZONE": os.environ.get("TIMETABLE_TIME_ZONE", "Europe/Paris"),
        # How long a hold keeps a place (seconds), and the bounds a visitor's lock_duration is clamped to.
        "BOOKING_LEASE_SECONDS": _seconds("TIMETABLE_BOOKING_LEASE_SECONDS", 600),
        "BOOKING_LEASE_MIN": _seconds("TIMETABLE_BOOKING_LEASE_MIN", 300),
        "BOOKING_LEASE_MAX": _seconds("TIMETABLE_BOOKING_LEASE_MAX", 1200),
        # The largest request body read (413 beyond); the import routes have their own, larger limit
        # (views/uploads.py): the FET parser reads files up to 16 MiB.
        "MAX_CONTENT_LENGTH": _integer("TIMETABLE_MAX_BODY_BYTES", MIB),
        "MAX_IMPORT_BYTES": _integer("TIMETABLE_MAX_IMPORT_BYTES", 16 * MIB),
        # Flask's own, smaller form limit would otherwise answer 413 below the limit the 413 names.
        "MAX_FORM_MEMORY_SIZE": _integer("TIMETABLE_MAX_BODY_BYTES", MIB),
        # A login lasts at most this long, however the browser keeps its cookie.
        "LOGIN_SESSION_LIFETIME": timedelta(days=_integer("TIMETABLE_LOGIN_SESSION_DAYS", 14)),
        # Failed logins allowed per account and per client address (Flask-Limiter syntax, ";" between limits).
        "LOGIN_LIMIT_PER_ACCOUNT": os.environ.get("TIMETABLE_LOGIN_LIMIT_PER_ACCOUNT", "5 per minute;30 per hour"),
        "LOGIN_LIMIT_PER_ADDRESS": os.environ.get("TIMETABLE_LOGIN_LIMIT_PER_ADDRESS", "20 per minute;200 per hour"),
        # On /account: wrong current passwords, and new API tokens or calendar links, per account.
        "ACCOUNT_PASSWORD_LIMIT": os.environ.get("TIMETABLE_ACCOUNT_PASSWORD_LIMIT", "5 per minute;30 per hour"),
        "ACCOUNT_WRITE_LIMIT": os.environ.get("TIMETABLE_ACCOUNT_WRITE_LIMIT", "10 per minute;100 per hour"),
        # Anti-hoarding limits on anonymous booking (see the README's Security section). Per client network address:
        # requests that hold, confirm, queue, cancel or accept (Flask-Limiter syntax, ";" between limits),
        "BOOKING_RATE_LIMIT": os.environ.get("TIMETABLE_BOOKING_RATE_LIMIT", "30 per minute;300 per hour"),
        # Readers' week pages served from a per-process cache keyed by the timetable's last change (0 turns it off, for benches).
        "PAGE_CACHE": os.environ.get("TIMETABLE_PAGE_CACHE", "1") != "0",
        # Calendar apps poll a feed every hour or so; building one reads up to a year of weeks.
        "FEED_RATE_LIMIT": os.environ.get("TIMETABLE_FEED_RATE_LIMIT", "6 per minute;60 per hour"),
        # live holds at once on one timetable, and waiting-list entries on one timetable.
        "BOOKING_HOLDS_PER_CLIENT": _integer("TIMETABLE_BOOKING_HOLDS_PER_CLIENT", 3),
        "BOOKING_WAITING_PER_ADDRESS": _integer("TIMETABLE_BOOKING_WAITING_PER_ADDRESS", 10),
        # Waiting-list entries on one timetable per e-mail address, whatever the network address.
        "BOOKING_WAITING_PER_EMAIL": _integer("TIMETABLE_BOOKING_WAITING_PER_EMAIL", 3),
        # Counters live in each process unless a shared store is named (e.g. redis://host:6379, with the redis package).
        # timetable-memory:// is limits' memory:// with its expiry sweep made thread-safe (timetable/rate_limit_storage.py).
        "RATELIMIT_STORAGE_URI": os.environ.get("TIMETABLE_RATELIMIT_STORAGE_URI", "timetable-memory://"),
        "RATELIMIT_HEADERS_ENABLED": True,
        # How many reverse proxies in front set X-Forwarded-For/-Proto; 0 trusts none of those headers.
        "TRUSTED_PROXIES": _integer("TIMETABLE_TRUSTED_PROXIES", 0),
        # Live event streams each process keeps open, per client address and in all (503 + Retry-After beyond).
        "LIVE_STREAMS_PER_ADDRESS": _integer("TIMETABLE_LIVE_STREAMS_PER_ADDRESS", 32),
        "LIVE_STREAMS_TOTAL": _integer("TIMETABLE_LIVE_STREAMS_TOTAL", 4000),
        "LIVE_STREAMS_RETRY_AFTER": _seconds("TIMETABLE_LIVE_STREAMS_RETRY_AFTER", 30),
        # Threads per process that run Flask under the ASGI server (streams need none: see timetable/asgi.py).
        "WSGI_THREADS": _integer("TIMETABLE_WSGI_THREADS", 16),
        "WTF_CSRF_TIME_LIMIT": None,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SECURE": os.environ.get("SESSION_COOKIE_SECURE", "") == "1",
        # Redirect plain http to https (only when nothing in front does it already).
        "FORCE_HTTPS": os.environ.get("TIMETABLE_FORCE_HTTPS", "") == "1",
        "NODE_MODULES": os.environ.get(
            "TIMETABLE_NODE_MODULES",
            str(Path(__file__).resolve().parent.parent / "node_modules"),
        ),
    }
