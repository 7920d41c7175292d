"""Live events across processes: a hold made through one gunicorn reaches a stream held open on another.

PostgreSQL only: there the event is a NOTIFY sent on commit to every listening process. On SQLite
events stay in the process that made them (one process, see README), so there is nothing to test.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

import pytest

from tests.clock import wall_weeks_ahead
from tests.conftest import TEST_DATABASE_URL, build_app
from timetable.rules import format_week

pytestmark = pytest.mark.wall_clock

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
# The servers run in other processes on the wall clock: book a week ahead of it.
WEEK_KEY = wall_weeks_ahead(2)
WEEK = format_week(WEEK_KEY)
DELIVERY_SECONDS = 5


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(port: int, database_url: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="live-processes-test")
    with open(log, "wb") as log_file:  # the child keeps its own copy of the descriptor
        server = subprocess.Popen(
            [str(GUNICORN), "-k", "timetable.serving.Worker", "-w", "1", "-b", f"127.0.0.1:{port}", "asgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file,
        )
    server.log = log
    return server


def wait_ready(server: subprocess.Popen, port: int, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise AssertionError(f"gunicorn on {port} exited: {server.log.read_text(errors='replace')[-2000:]}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"gunicorn on {port} not ready within {timeout}s")


def stop(server: subprocess.Popen) -> None:
    if server.poll() is None:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


class Stream:
    """An SSE stream read line by line in a thread; `lines` is [(monotonic time, line)]."""

    def __init__(self, port: int, path: str):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        self.connection.request("GET", path, headers={"Accept": "text/event-stream"})
        self.response = self.connection.getresponse()
        assert self.response.status == 200, self.response.status
        assert self.response.getheader("Content-Type", "").startswith("text/event-stream")
        self.lines: list[tuple[float, str]] = []
        self.thread = threading.Thread(target=self._read, daemon=True)
        self.thread.start()

    def _read(self) -> None:
        try:
            while True:
                line = self.response.fp.readline()
                if not line:
                    return
                self.lines.append((time.monotonic(), line.decode().rstrip("\n")))
        except (OSError, ValueError, AttributeError):
            return

    def events(self) -> list[tuple[str, dict]]:
        """(kind, data) of every complete event so far."""
        found, kind = [], None
        for _, line in list(self.lines):
            if line.startswith("event: "):
                kind = line[len("event: "):]
            elif line.startswith("data: ") and kind:
                found.append((kind, json.loads(line[len("data: "):])))
                kind = None
        return found

    def wait_for(self, predicate, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if predicate(self):
                return True
            time.sleep(0.02)
        return predicate(self)

    def close(self) -> None:
        if self.connection.sock is not None:
            self.connection.sock.shutdown(socket.SHUT_RDWR)
        self.response.close()
        self.connection.close()
        self.thread.join(timeout=5)


def post_json(port: int, path: str, body: dict) -> tuple[int, dict]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=json.dumps(body).encode(),
                                     headers={"Content-Type": "application/json"}, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"{}")


def listeners(database_url: str) -> int:
    """How many connections of this database are LISTENing (each process's relay thread, once started)."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(database_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM pg_stat_activity WHERE datname = :name AND query LIKE 'LISTEN %'"),
                                {"name": make_url(database_url).database}).scalar_one()
    finally:
        engine.dispose()


def test_a_hold_made_on_one_process_reaches_a_stream_on_another(make_database_url, tmp_path):
    if not TEST_DATABASE_URL:
        pytest.skip("cross-process live events need PostgreSQL (NOTIFY): set TEST_DATABASE_URL, e.g. scripts/with-postgres")
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.services.creation import create_slot, create_timetable

    database_url = make_database_url("live_processes")
    app = build_app(database_url)
    with app.app_context():
        with write_transaction():
            timetable = create_timetable("live", "Live test", "Europe/Paris", published=True)
            slot = create_slot(timetable, {"weekday": 1, "start": 600, "duration": 60, "title": "Open class", "capacity": 50},
                               wall_weeks_ahead(0))
        timetable_id, slot_id = timetable.id, slot.id
        db.session.remove()
        db.engine.dispose()

    port_a, port_b = free_port(), free_port()
    servers = [start_server(port_a, database_url, tmp_path / "a.log"), start_server(port_b, database_url, tmp_path / "b.log")]
    stream = None
    try:
        wait_ready(servers[0], port_a)
        wait_ready(servers[1], port_b)
        stream = Stream(port_b, "/live/events")
        assert stream.wait_for(lambda s: any(line == "retry: 2000" for _, line in s.lines), 5), stream.lines
        # B's relay thread starts with its first subscriber: wait until it LISTENs, or the NOTIFY would be missed.
        deadline = time.monotonic() + 5
        while listeners(database_url) < 1:
            assert time.monotonic() < deadline, "server B never started LISTENing"
            time.sleep(0.05)

        status, body = post_json(port_a, "/api/timetables/live/holds", {"slot_id": slot_id, "week": WEEK, "lock_code": "live-a-1"})
        assert status in (200, 201), body
        expected = ("hold", {"timetable": timetable_id, "kind": "hold", "spans": [[WEEK_KEY, WEEK_KEY]]})
        assert stream.wait_for(lambda s: expected in s.events(), DELIVERY_SECONDS), \
            f"server B's stream did not deliver {expected} within {DELIVERY_SECONDS}s: {stream.lines}"
        # Only that event: the stream is not flooded, and a hold is not also reported as a change.
        assert stream.events() == [expected], stream.events()
    finally:
        if stream is not None:
            stream.close()
        for server in servers:
            stop(server)
