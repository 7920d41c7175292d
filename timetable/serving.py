"""The gunicorn worker that serves the app: uvicorn on an event loop (see timetable/asgi.py for why).

    gunicorn --worker-class timetable.serving.Worker --workers 4 --bind 0.0.0.0:8000 asgi:app

Two changes to uvicorn-worker's own class:
* the client address is left as the connection gives it. Proxy headers are the app's business
  (`TIMETABLE_TRUSTED_PROXIES`), not the server's, so they are trusted in one place only;
* on shutdown, every live stream is ended first. Streams never finish by themselves, so
  without this a graceful stop would wait for them until gunicorn's timeout. Browsers
  reconnect after 2 s, to another worker or the restarted one, and catch up.
"""

from __future__ import annotations

import socket
import sys

from gunicorn.arbiter import Arbiter
from uvicorn.server import Server
from uvicorn_worker import UvicornWorker

from .services.live import broker


class StreamEndingServer(Server):
    async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
        broker.disconnect_all()
        await super().shutdown(sockets)


class Worker(UvicornWorker):
    CONFIG_KWARGS = {"loop": "auto", "http": "auto", "proxy_headers": False}

    async def _serve(self) -> None:
        self.config.app = self.wsgi
        server = StreamEndingServer(config=self.config)
        self._install_sigquit_handler()
        await server.serve(sockets=self.sockets)
        if not server.started:
            sys.exit(Arbiter.WORKER_BOOT_ERROR)
