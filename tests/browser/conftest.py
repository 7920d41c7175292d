"""The browser tier: the demo app on a live server, driven by headless Chromium through Selenium.

One Chromium is started for the whole session (starting it is the slow part); every test gets
it back with no cookies, no storage and a blank page, so tests do not see each other's logins
or htmx history snapshots.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

import pytest

from tests.conftest import missing_tier

CHROMIUM = os.environ.get("TIMETABLE_CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("TIMETABLE_CHROMEDRIVER", "/usr/bin/chromedriver")
CHROMIUM_FLAGS = (
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
    "--window-size=1400,1000",
)

HERE = Path(__file__).resolve().parent

# Run by Chromium in every page before the page's own scripts (the page's CSP does not apply to it):
# anything the Content-Security-Policy blocks is kept in the tab's sessionStorage, which the
# `browser` fixture reads after each test, so every journey also proves the pages work under it.
CSP_RECORDER = """
document.addEventListener("securitypolicyviolation", (event) => {
  try {
    const seen = JSON.parse(sessionStorage.getItem("csp-violations") || "[]");
    seen.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline code"} on ${location.pathname}`);
    sessionStorage.setItem("csp-violations", JSON.stringify(seen));
  } catch (error) { /* about:blank has no storage */ }
});
"""
READ_CSP_VIOLATIONS = """
try {
  const seen = JSON.parse(sessionStorage.getItem("csp-violations") || "[]");
  sessionStorage.removeItem("csp-violations");
  return seen;
} catch (error) { return []; }
"""


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test (`-m "not browser"` leaves the tier out)."""
    for item in items:
        if HERE in Path(str(item.path)).resolve().parents:
            item.add_marker(pytest.mark.browser)
            # Chromium keeps the real time (the hold countdown runs on it), so the server does too.
            item.add_marker(pytest.mark.wall_clock)


@pytest.fixture(scope="session")
def demo_app(make_database_url):
    """The demo as `scripts/demo` builds it today, on the wall clock; journeys using it only read."""
    from tests.conftest import build_app, release_app
    from timetable.services.demo import load_demo
    from timetable.services.demo_accounts import ensure_demo_accounts

    app = build_app(make_database_url("browser_demo"), served=True)
    with app.app_context():
        load_demo()
        ensure_demo_accounts("timetable-demo")
    yield app
    release_app(app)


@pytest.fixture(scope="session")
def live_server(demo_app):
    """The demo app served on a free port of 127.0.0.1; yields its base URL."""
    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, demo_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def start_chromium(profile_dir):
    """A headless Debian Chromium on a fresh profile (never a downloaded browser or driver)."""
    for program in (CHROMIUM, CHROMEDRIVER):
        if not os.access(program, os.X_OK):
            missing_tier(f"{program} is missing: run scripts/install-system-deps (apt-get install chromium chromium-driver)")
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in CHROMIUM_FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={profile_dir}")
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(30)
    return driver


@pytest.fixture(scope="session")
def _chromium(tmp_path_factory):
    """One headless Chromium for the session, on a fresh profile."""
    driver = start_chromium(tmp_path_factory.mktemp("chromium-profile"))
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": CSP_RECORDER})
    try:
        yield driver
    finally:
        driver.quit()


@pytest.fixture
def browser(_chromium, live_server):
    """The session's Chromium, reset: logged out, no stored data, on a blank page; nothing blocked by the CSP."""
    _chromium.get("about:blank")
    _chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    _chromium.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": live_server, "storageTypes": "all"})
    yield _chromium
    violations = _chromium.execute_script(READ_CSP_VIOLATIONS)
    assert not violations, f"the Content-Security-Policy blocked: {violations}"


@pytest.fixture
def week_page(browser, live_server):
    from .pages import WeekPage

    return WeekPage(browser, live_server)


# -- the editing journeys: they write, so each gets a demo database of its own -------------------


class _SwappableApp:
    """A WSGI app that forwards to whichever app the running journey put in `app` (503 between journeys)."""

    def __init__(self):
        self.app = None

    def __call__(self, environ, start_response):
        app = self.app
        if app is None:
            start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
            return [b"no editing journey is running"]
        return app(environ, start_response)


@pytest.fixture(scope="session")
def _editing_server():
    """One live server for the editing journeys, on one origin, serving each journey's own app."""
    from werkzeug.serving import make_server

    dispatcher = _SwappableApp()
    server = make_server("127.0.0.1", 0, dispatcher, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="editing-live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", dispatcher
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture
def editing_app(make_database_url, _editing_server):
    """A fresh demo database (school and clinic, plus the editor scheduler / timetable-demo) served live.

    Function-scoped: a journey may change whatever it likes, the next one starts from the demo again
    (about a second on PostgreSQL, less on SQLite). The shared read-only `demo_app` is not touched.
    """
    from tests.conftest import build_app, release_app
    from timetable.services.demo import load_demo
    from timetable.services.demo_accounts import ensure_demo_accounts

    app = build_app(make_database_url("editing"), served=True)
    with app.app_context():
        load_demo()
        ensure_demo_accounts("timetable-demo")
    _base_url, dispatcher = _editing_server
    dispatcher.app = app
    try:
        yield app
    finally:
        dispatcher.app = None
        release_app(app)


@pytest.fixture
def editing_live_server(_editing_server, editing_app):
    """The base URL serving this journey's `editing_app`."""
    return _editing_server[0]


@pytest.fixture
def editing_browser(_chromium, editing_live_server):
    """The session's Chromium, reset for the editing server's origin: logged out, no stored data, blank page."""
    _chromium.get("about:blank")
    _chromium.execute_cdp_cmd("Network.clearBrowserCookies", {})
    _chromium.execute_cdp_cmd("Storage.clearDataForOrigin", {"origin": editing_live_server, "storageTypes": "all"})
    yield _chromium
    _chromium.get("about:blank")  # end the journey's page (its stream, its requests) before its app goes


@pytest.fixture
def editor_page(editing_browser, editing_live_server):
    """The week editor of the journey's own demo database, in the browser (not yet logged in)."""
    from .pages import EditorPage

    return EditorPage(editing_browser, editing_live_server)


@pytest.fixture
def booking_pages(editing_browser, editing_live_server):
    """A visitor's browser on the journey's own demo database (booking writes, so not the shared demo)."""
    from .pages import BookingPages

    return BookingPages(editing_browser, editing_live_server)
