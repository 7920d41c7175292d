"""Blueprints, one per audience: editors, the public, the JSON API, accounts, assets."""

from flask import Flask


def register_blueprints(app: Flask) -> None:
    from . import (
        api,
        api_booking,
        api_calendar,
        api_editing,
        assets,
        auth,
        booking,
        booking_admin,
        calendar,
        editing,
        editor,
        home,
        live,
        public,
    )
    from .filters import register_template_filters
    from .ids import IdConverter

    # Before any blueprint: its rules look their converters up when they are added.
    app.url_map.converters["id"] = IdConverter
    register_template_filters(app)
    app.register_blueprint(assets.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_editing.bp)
    app.register_blueprint(api_booking.bp)
    app.register_blueprint(api_calendar.bp)
    app.register_blueprint(home.bp)
    # Timetable pages live at /<slug>; registered last so fixed paths win.
    app.register_blueprint(live.bp)
    app.register_blueprint(booking.bp)
    app.register_blueprint(booking_admin.bp)
    app.register_blueprint(calendar.bp)
    app.register_blueprint(editing.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(public.bp)
