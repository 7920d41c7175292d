"""Private calendar links: make one for a timetable you may read (shown once), revoke one on /account."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, url_for
from flask_login import current_user, login_required

from ..services.access import VIEW
from ..services.feed_links import create_feed_link, revoke_feed_link
from .access import require_on
from .account_limits import account_write_limit
from .week_args import requested_filter

bp = Blueprint("feed_links", __name__)


@bp.post("/<slug>/feed-links")
@login_required
@account_write_limit
def create(slug: str):
    """A new private feed of the timetable, filtered by `?group=`, `?staff=` or `?room=` like its week page."""
    timetable = require_on(VIEW, slug)
    filters = requested_filter()
    row, key = create_feed_link(current_user, timetable, filters)
    feed = url_for("feeds.feed", slug=timetable.slug, key=key, group=filters.group, staff=filters.staff, room=filters.room,
                   _external=True)
    return render_template("auth/feed_link_created.html", row=row, timetable=timetable, feed=feed), 201


@bp.post("/account/feed-links/<id:link_id>/revoke")
@login_required
def revoke(link_id: int):
    """Delete one of your own links: calendars that read it get a 404 from now on."""
    revoke_feed_link(current_user.id, link_id)
    flash("The calendar link is revoked: calendars that use it get nothing more from now on.", "info")
    return redirect(url_for("auth.account", _anchor="calendar-links"), code=303)
