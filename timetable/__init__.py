"""Timetable: a weekly-timetable editor built on per-parameter rule stripes over ISO weeks."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # the pure core (timetable.rules) must import without Flask installed
    from flask import Flask

MIGRATIONS_DIR = str(Path(__file__).resolve().parent.parent / "migrations")


def create_app(test_config: Mapping[str, Any] | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints, CLI, error pages."""
    from flask import Flask

    from . import database  # noqa: F401  (registers engine event listeners)
    from .cli import register_cli
    from .config import load_config
    from .extensions import csrf, db, htmx, limiter, login_manager, migrate
    from .json_provider import JSONProvider
    from .security_headers import register_security_headers
    from .views import register_blueprints
    from .views.bearer import register_bearer_authentication
    from .views.errors import register_error_handlers
    from .views.guards import register_guards

    app = Flask(__name__, instance_relative_config=True)
    app.json = JSONProvider(app)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(load_config(app.instance_path))
    if test_config:
        app.config.from_mapping(test_config)

    db.init_app(app)
    migrate.init_app(app, db, directory=MIGRATIONS_DIR, compare_type=True)
    login_manager.init_app(app)
    csrf.init_app(app)
    htmx.init_app(app)
    limiter.init_app(app)
    register_security_headers(app)
    if proxies := app.config["TRUSTED_PROXIES"]:
        from werkzeug.middleware.proxy_fix import ProxyFix

        # Behind N proxies the client's address (login throttling) and scheme (HSTS) come from their headers.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)

    register_guards(app)
    register_bearer_authentication(app)

    from .services.booking import release_expired_leases
    from .services.live import watchers

    watchers.expire_leases = release_expired_leases
    register_blueprints(app)
    register_error_handlers(app)
    register_cli(app)
    return app
