"""ASGI entry point: `gunicorn --worker-class timetable.serving.Worker asgi:app` (see README)."""

from timetable import create_app
from timetable.asgi import create_asgi_app

app = create_asgi_app(create_app())
