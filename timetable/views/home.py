"""The front page: which timetables there are, or on a new installation what to do first."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..services.access import ADMINISTER, SCHEDULE, VIEW, allowed, granted_timetables
from ..services.accounts import count_users
from ..services.catalog import list_timetables

bp = Blueprint("home", __name__)

# Another page creates timetables; the front page only links to it.
NEW_TIMETABLE_PATH = "/admin/timetables/new"


@bp.get("/")
def index():
    readable = granted_timetables(current_user, VIEW)
    timetables = list_timetables(published_only=readable is not None, also=readable)
    schedulable = granted_timetables(current_user, SCHEDULE)
    editable = {t.id for t in timetables if schedulable is None or t.id in schedulable}
    first_run = not timetables and count_users() == 0
    return render_template("home/index.html", timetables=timetables, editable=editable, first_run=first_run,
                           administrator=allowed(current_user, ADMINISTER), new_timetable_path=NEW_TIMETABLE_PATH)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
