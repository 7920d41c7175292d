"""WSGI entry point: `gunicorn wsgi:app`, or any WSGI server.

Prefer `asgi.py` (README, "Running on PostgreSQL behind gunicorn"): under a WSGI server every
open live stream holds a request thread for as long as it stays open.
"""

from timetable import create_app

app = create_app()
