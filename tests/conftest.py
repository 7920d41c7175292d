"""Fixtures: the app on a real database — a SQLite file, or PostgreSQL when TEST_DATABASE_URL is set."""

from __future__ import annotations

import os
import re
import uuid

import pytest

os.environ.setdefault("SECRET_KEY", "test-secret-key")

REQUIRE_ALL_TIERS = os.environ.get("TIMETABLE_REQUIRE_ALL_TIERS") == "1"
TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL")


def missing_tier(reason: str):
    """Skip a tier that cannot run here — except where every tier must run (CI, scripts/test)."""
    if REQUIRE_ALL_TIERS:
        pytest.fail(f"{reason} (TIMETABLE_REQUIRE_ALL_TIERS=1: this tier must run)")
    pytest.skip(reason)


def pytest_configure(config):
    config.addinivalue_line("markers", "wall_clock: runs on the real clock (a server in another process, a browser)")


def pytest_report_header(config):
    return f"database: {'PostgreSQL ' + TEST_DATABASE_URL if TEST_DATABASE_URL else 'SQLite (temporary files)'}"


@pytest.fixture(autouse=True)
def pinned_clock(request):
    """Every test in this process runs on the suite's pinned clock, unless marked `wall_clock`."""
    if request.node.get_closest_marker("wall_clock"):
        yield None
        return
    from tests.clock import pinned

    with pinned() as traveller:
        yield traveller
        _stop_clock_reading_timers()


def _stop_clock_reading_timers():
    """Stop the rate-limit stores' sweep timers before the pin is lifted.

    The in-process store sweeps from a timer thread that reads the clock. Lifting the pin while
    that thread is inside time_machine's patched clock makes it raise "Not currently
    time-travelling", which pytest then reports against whichever test runs next. A cancelled
    sweep is harmless: the store's next hit schedules another.
    """
    import threading

    from limits.storage import MemoryStorage

    for thread in threading.enumerate():
        if isinstance(thread, threading.Timer) and isinstance(getattr(thread.function, "__self__", None), MemoryStorage):
            thread.cancel()
            thread.join()


@pytest.fixture(scope="session")
def make_database_url(tmp_path_factory):
    """Return a factory of empty databases of the engine under test, dropped at the end."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    created: list[str] = []
    admin = None
    if TEST_DATABASE_URL:
        admin = create_engine(TEST_DATABASE_URL, isolation_level="AUTOCOMMIT")

    def make(label: str) -> str:
        if admin is None:
            return "sqlite:///" + str(tmp_path_factory.mktemp("db") / f"{label}.sqlite")
        name = f"tt_{label}_{uuid.uuid4().hex[:8]}"
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(TEST_DATABASE_URL).set(database=name).render_as_string(hide_password=False)

    yield make
    if admin is not None:
        with admin.connect() as conn:
            for name in created:
                conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(scope="session", autouse=True)
def _stop_live_watchers(make_database_url):
    """End the live-event threads before the test databases are dropped (set up after, torn down before)."""
    yield
    from timetable.services.live import watchers

    watchers.stop_all()


def build_app(database_url: str, *, served: bool = False):
    """An app on `database_url`, its schema made by the migrations (never by create_all).

    `served`: a live server answers the browser with it, and the test ends while a request the
    page made may still be running. Without a pool, that request's connection is closed when it
    is given back, rather than left open in a pool the engine's disposal has already dropped
    (then garbage-collected open: a ResourceWarning that fails whichever test it lands in).
    """
    from flask_migrate import upgrade
    from sqlalchemy.pool import NullPool

    from timetable import create_app

    config = {"TESTING": True, "SQLALCHEMY_DATABASE_URI": database_url, "SECRET_KEY": "test-secret-key"}
    if served:
        config["SQLALCHEMY_ENGINE_OPTIONS"] = {"poolclass": NullPool}
    app = create_app(config)
    with app.app_context():
        upgrade()
    return app


def release_app(app) -> None:
    """Stop the app's live watchers, then close its connections, before its database is dropped.

    Disposing the engine while a watcher's poll had a connection out left that connection to be
    garbage-collected still open (a ResourceWarning, which fails the test it lands in).
    """
    from timetable.extensions import db
    from timetable.services.live import watchers

    with app.app_context():
        watchers.stop(app)
        db.session.remove()
        db.engine.dispose()


def empty_tables(app) -> None:
    from sqlalchemy import text

    from timetable.extensions import db

    with app.app_context():
        db.session.remove()
        tables = list(reversed(db.metadata.sorted_tables))
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                names = ", ".join(f'"{t.name}"' for t in tables)
                conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            else:
                for table in tables:
                    conn.execute(table.delete())


@pytest.fixture(scope="session")
def _app(make_database_url):
    app = build_app(make_database_url("main"))
    yield app
    with app.app_context():
        from timetable.extensions import db

        db.engine.dispose()


@pytest.fixture
def app(_app):
    """The app with an empty database; whatever a test writes is removed after it, failed logins counted included."""
    yield _app
    empty_tables(_app)
    from timetable.extensions import limiter

    limiter.reset()


@pytest.fixture
def app_ctx(app):
    with app.app_context():
        yield app


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture(scope="session")
def demo_app(make_database_url):
    """An app whose database holds the demo timetables; tests using it must only read."""
    from tests.clock import pinned
    from timetable.services.demo import load_demo

    app = build_app(make_database_url("demo"))
    with app.app_context(), pinned():
        load_demo()
        from timetable.services.demo_accounts import ensure_demo_accounts

        ensure_demo_accounts("timetable-demo")
    yield app
    with app.app_context():
        from timetable.extensions import db

        db.engine.dispose()


@pytest.fixture
def demo_client(demo_app):
    return demo_app.test_client()


CSRF_INPUT = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')


def csrf_token_from(html: str) -> str:
    match = CSRF_INPUT.search(html)
    assert match, "the page has no CSRF token"
    return match.group(1)


class AuthActions:
    """Log a test client in and out the way a person does: through the login form."""

    def __init__(self, client):
        self._client = client

    def login(self, username: str = "scheduler", password: str = "timetable-demo"):
        page = self._client.get("/login")
        return self._client.post(
            "/login",
            data={"username": username, "password": password, "csrf_token": csrf_token_from(page.get_data(as_text=True))},
        )

    def logout(self):
        page = self._client.get("/")
        return self._client.post("/logout", data={"csrf_token": csrf_token_from(page.get_data(as_text=True))})


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def demo_auth(demo_client):
    return AuthActions(demo_client)


HTMX = {"HX-Request": "true"}


class HtmxClient:
    """A logged-in editor's test client sending what htmx sends: HX-Request and the page's CSRF
    header (from its hx-headers), unless a request gives its own headers. `plain` is the client
    itself, for what a browser without JavaScript does."""

    def __init__(self, client, csrf_token: str):
        self.plain = client
        self.headers = {**HTMX, "X-CSRFToken": csrf_token}

    def get(self, url, headers=None):
        return self.plain.get(url, headers=self.headers if headers is None else headers)

    def post(self, url, data=None, headers=None):
        return self.plain.post(url, data=data, headers=self.headers if headers is None else headers)


@pytest.fixture
def htmx_editor(client, auth, editor):
    """Log the editor in and return an HtmxClient holding the CSRF token of the page at `url`."""

    def open_page(url: str) -> HtmxClient:
        auth.login()
        return HtmxClient(client, csrf_token_from(client.get(url).get_data(as_text=True)))

    return open_page


@pytest.fixture
def editor(app_ctx):
    """An editor account in the empty database."""
    from timetable.services.accounts import create_user

    return create_user("scheduler", "timetable-demo", "Test scheduler", is_admin=True)


@pytest.fixture
def make_slot(app_ctx):
    """make_slot(timetable, start_week, **values): a slot created through the write path."""
    from tests import factories

    return factories.make_slot


@pytest.fixture
def make_course(app_ctx):
    """make_course(timetable, name, **values): a course created through the write path."""
    from tests import factories

    return factories.make_course


@pytest.fixture
def school(app_ctx):
    """Teacher X gives five lessons a week; Y is free; one of X's lessons moves room in W49 only."""
    from tests.factories import build_school

    return build_school()


@pytest.fixture
def clinic(app_ctx):
    """A class with 5 places (Mon 10:00, 60 min) and a consultation block cut into 20-minute appointments."""
    from tests.factories import make_slot
    from tests.integration.helpers import week
    from timetable.database import write_transaction
    from timetable.services.creation import create_timetable

    with write_transaction():
        timetable = create_timetable("c", "Test clinic", "Europe/Paris", published=True)
    group_class = make_slot(timetable, week(40), weekday=1, start=600, duration=60, title="Back care", capacity=5)
    consultation = make_slot(timetable, week(40), weekday=2, start=540, duration=60, title="Consultation",
                             capacity=1, appointment_length=20)
    return {"timetable": timetable, "class": group_class.id, "consultation": consultation.id}
