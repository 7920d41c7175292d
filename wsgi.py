"""WSGI entry point: `gunicorn wsgi:app`."""

from timetable import create_app

app = create_app()
