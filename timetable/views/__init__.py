"""Blueprints, one per audience: editors, the public, the JSON API, accounts, assets."""

from flask import Flask, Response


def register_blueprints(app: Flask) -> None:
    from . import (
        admin_accounts,
        api,
        api_absences,
        api_booking,
        api_calendar,
        api_changes,
        api_cover,
        api_cover_stats,
        api_editing,
        api_exports,
        api_imports,
        api_periods,
        api_setup,
        api_slots,
        assets,
        auth,
        booking,
        booking_admin,
        calendar,
        changes,
        cover_stats,
        editing,
        editor,
        exports,
        feed_links,
        feeds,
        home,
        imports,
        invitations,
        live,
        periods,
        prints,
        public,
        readers,
        resources,
        settings,
        substitutions,
        tokens,
    )
    from .filters import register_template_filters
    from .ids import IdConverter

    # Before any blueprint: its rules look their converters up when they are added.
    app.url_map.converters["id"] = IdConverter
    register_template_filters(app)
    app.register_blueprint(assets.bp)
    app.register_blueprint(auth.bp)
    app.register_blueprint(tokens.bp)
    app.register_blueprint(feed_links.bp)
    app.register_blueprint(admin_accounts.bp)
    app.register_blueprint(invitations.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(api_editing.bp)
    app.register_blueprint(api_booking.bp)
    app.register_blueprint(api_setup.bp)
    app.register_blueprint(api_slots.bp)
    app.register_blueprint(api_periods.bp)
    app.register_blueprint(api_calendar.bp)
    app.register_blueprint(api_changes.bp)
    app.register_blueprint(api_exports.bp)
    app.register_blueprint(api_imports.bp)
    app.register_blueprint(api_absences.bp)
    app.register_blueprint(api_cover.bp)
    app.register_blueprint(api_cover_stats.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(settings.bp)
    # Timetable pages live at /<slug>; registered last so fixed paths win.
    app.register_blueprint(live.bp)
    app.register_blueprint(booking.bp)
    app.register_blueprint(booking_admin.bp)
    app.register_blueprint(calendar.bp)
    app.register_blueprint(editing.bp)
    app.register_blueprint(substitutions.bp)
    app.register_blueprint(imports.bp)
    app.register_blueprint(periods.bp)
    app.register_blueprint(editor.bp)
    app.register_blueprint(cover_stats.bp)
    app.register_blueprint(resources.bp)
    app.register_blueprint(changes.bp)
    app.register_blueprint(feeds.bp)
    app.register_blueprint(exports.bp)
    app.register_blueprint(prints.bp)
    app.register_blueprint(readers.bp)
    app.register_blueprint(public.bp)
    app.after_request(_vary_on_htmx)


def _vary_on_htmx(response: Response) -> Response:
    # Any page may answer htmx with a fragment (or a 401 with HX-Redirect): caches must key on it.
    response.vary.add("HX-Request")
    return response
