"""Event streams under load: capped per address and in total, and never starving other clients.

The first tests use the Flask test client (the threaded stream of plain WSGI servers). The last
starts the production server (gunicorn with timetable.serving.Worker, streams on the event loop)
and opens 50 streams from one loopback address while a second address uses the site.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.clock import wall_weeks_ahead
from tests.conftest import build_app
from tests.integration.test_live_processes import free_port, post_json, stop, wait_ready
from timetable.rules import format_week
from timetable.services.stream_gate import StreamGate, StreamsFull

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")


def test_the_gate_caps_streams_per_address_and_in_total_and_gives_places_back():
    streams = StreamGate()
    first = streams.admit("10.0.0.1", per_address=2, total=3)
    streams.admit("10.0.0.1", per_address=2, total=3)
    with pytest.raises(StreamsFull, match="from your address"):
        streams.admit("10.0.0.1", per_address=2, total=3)
    streams.admit("10.0.0.2", per_address=2, total=3)
    with pytest.raises(StreamsFull, match="at most 3"):
        streams.admit("10.0.0.3", per_address=2, total=3)
    first.release()
    first.release()  # twice: still one place given back, not two
    assert streams.open_streams() == 2 and streams.open_streams("10.0.0.1") == 1
    streams.admit("10.0.0.1", per_address=2, total=3)
    with pytest.raises(StreamsFull):
        streams.admit("10.0.0.1", per_address=2, total=3)


@pytest.fixture
def gate(monkeypatch):
    """A gate of this test's own: streams other tests' servers (the browser tier) keep open don't count."""
    from timetable.views import live

    own = StreamGate()
    monkeypatch.setattr(live, "gate", own)
    return own


def test_past_the_cap_a_stream_is_refused_with_503_and_retry_after(app, client, school, monkeypatch, gate):
    monkeypatch.setitem(app.config, "LIVE_STREAMS_PER_ADDRESS", 2)
    monkeypatch.setitem(app.config, "LIVE_STREAMS_RETRY_AFTER", 7)
    open_ones = [client.get("/t/events", buffered=False) for _ in range(2)]
    try:
        assert [r.status_code for r in open_ones] == [200, 200]
        refused = client.get("/t/events")
        assert refused.status_code == 503
        assert refused.headers["Retry-After"] == "7"
        assert "too many live streams from your address (at most 2)" in refused.get_data(as_text=True)
        # Another address is not counted with this one.
        other = client.get("/t/events", buffered=False, environ_overrides={"REMOTE_ADDR": "192.0.2.9"})
        assert other.status_code == 200
        other.close()
    finally:
        for response in open_ones:
            response.close()
    # Closed streams give their places back.
    assert gate.open_streams("127.0.0.1") == 0
    again = client.get("/t/events", buffered=False)
    assert again.status_code == 200
    again.close()


def test_a_head_request_opens_no_stream(app, client, school, monkeypatch, gate):
    monkeypatch.setitem(app.config, "LIVE_STREAMS_PER_ADDRESS", 1)
    for _ in range(3):
        head = client.head("/t/events")
        assert head.status_code == 200 and head.mimetype == "text/event-stream"
    assert gate.open_streams() == 0


def test_a_refused_stream_holds_no_place(app, client, school, monkeypatch, gate):
    monkeypatch.setitem(app.config, "LIVE_STREAMS_TOTAL", 0)
    assert client.get("/t/events").status_code == 503
    assert gate.open_streams() == 0


# The production server -------------------------------------------------------------------------

PER_ADDRESS = 50
RETRY_AFTER = 11
PROMPT_SECONDS = 1.5  # a generous "promptly" on a busy 2-core machine; a starved server never answers


def start_async_server(port: int, database_url: str, log: Path) -> subprocess.Popen:
    env = dict(os.environ, DATABASE_URL=database_url, SECRET_KEY="live-streams-test",
               TIMETABLE_LIVE_STREAMS_PER_ADDRESS=str(PER_ADDRESS), TIMETABLE_LIVE_STREAMS_RETRY_AFTER=str(RETRY_AFTER),
               TIMETABLE_WSGI_THREADS="4")
    with open(log, "wb") as log_file:
        server = subprocess.Popen(
            [str(GUNICORN), "-k", "timetable.serving.Worker", "-w", "1", "-b", f"127.0.0.1:{port}", "asgi:app"],
            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file,
        )
    server.log = log
    return server


def open_raw_stream(port: int, source: str = "127.0.0.1") -> tuple[socket.socket, bytes]:
    """Open /live/events from `source`; (socket, what arrived with the status line: headers and maybe the preamble)."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=5, source_address=(source, 0))
    sock.sendall(b"GET /live/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n\r\n")
    received = b""
    while b"\r\n\r\n" not in received:
        chunk = sock.recv(4096)
        if not chunk:
            break
        received += chunk
    return sock, received


def read_until(sock: socket.socket, needle: bytes, timeout: float) -> bytes:
    sock.settimeout(timeout)
    received = b""
    deadline = time.monotonic() + timeout
    while needle not in received and time.monotonic() < deadline:
        try:
            chunk = sock.recv(4096)
        except TimeoutError:
            break
        if not chunk:
            break
        received += chunk
    return received


def timed_get(port: int, path: str, source: str) -> tuple[int, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10, source_address=(source, 0))
    started = time.monotonic()
    try:
        connection.request("GET", path)
        response = connection.getresponse()
        response.read()
        return response.status, time.monotonic() - started
    finally:
        connection.close()


@pytest.mark.wall_clock
def test_fifty_streams_from_one_address_do_not_starve_a_second_client(make_database_url, tmp_path):
    from timetable.database import write_transaction
    from timetable.extensions import db
    from timetable.services.creation import create_slot, create_timetable

    week_key = wall_weeks_ahead(2)
    database_url = make_database_url("live_streams")
    app = build_app(database_url)
    with app.app_context():
        with write_transaction():
            timetable = create_timetable("live", "Live test", "Europe/Paris", published=True)
            slot = create_slot(timetable, {"weekday": 1, "start": 600, "duration": 60, "title": "Open class", "capacity": 50},
                               wall_weeks_ahead(0))
        slot_id = slot.id
        db.session.remove()
        db.engine.dispose()

    port = free_port()
    server = start_async_server(port, database_url, tmp_path / "server.log")
    hoard: list[socket.socket] = []
    try:
        wait_ready(server, port)
        # Client A, 127.0.0.1: as many streams as its address may open, all of them idle.
        for _ in range(PER_ADDRESS):
            sock, head = open_raw_stream(port)
            assert head.startswith(b"HTTP/1.1 200"), head
            hoard.append(sock)
        # One more is refused, with a time to come back.
        refused, head = open_raw_stream(port)
        refused.close()
        assert head.startswith(b"HTTP/1.1 503"), head
        assert f"retry-after: {RETRY_AFTER}\r\n".encode() in head.lower(), head

        # Client B, another address: the site answers it promptly.
        for path in ("/healthz", f"/live?week={format_week(week_key)}"):
            for _ in range(5):
                status, seconds = timed_get(port, path, "127.0.0.2")
                assert status == 200, (path, status)
                assert seconds < PROMPT_SECONDS, f"{path} took {seconds:.2f} s with {PER_ADDRESS} streams open"
        # B's own stream opens, and a hold B makes reaches it, and every one of A's streams too.
        b_stream, head = open_raw_stream(port, "127.0.0.2")
        assert head.startswith(b"HTTP/1.1 200"), head
        status, body = post_json(port, "/api/timetables/live/holds", {"slot_id": slot_id, "week": format_week(week_key),
                                                                      "lock_code": "second-client"})
        assert status in (200, 201), body
        assert b"event: hold" in head + read_until(b_stream, b"event: hold", 5), "B's stream did not get its event"
        missed = [i for i, sock in enumerate(hoard) if b"event: hold" not in read_until(sock, b"event: hold", 5)]
        assert not missed, f"{len(missed)} of A's {PER_ADDRESS} streams missed the event"
        b_stream.close()

        # A closed client is noticed at once (not at the next 15 s heartbeat): its place is free again.
        for sock in hoard[:5]:
            sock.close()
        del hoard[:5]
        deadline = time.monotonic() + 3
        while True:
            sock, head = open_raw_stream(port)
            if head.startswith(b"HTTP/1.1 200"):
                hoard.append(sock)
                break
            sock.close()
            assert time.monotonic() < deadline, "closed streams still counted against their address after 3 s"
            time.sleep(0.1)

        # Stopping the server ends the open streams instead of waiting for them until a timeout.
        started = time.monotonic()
        server.terminate()
        server.wait(timeout=10)
        assert time.monotonic() - started < 8, "the server waited for its open streams before stopping"
        assert all(ended(sock) for sock in hoard)
    finally:
        for sock in hoard:
            sock.close()
        stop(server)


def ended(sock: socket.socket) -> bool:
    """Whether the server closed this stream (end of the chunked body, then of the connection)."""
    sock.settimeout(5)
    try:
        while sock.recv(4096):
            pass
    except OSError:
        return False
    return True
