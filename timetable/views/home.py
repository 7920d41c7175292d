"""The front page: which timetables there are."""

from flask import Blueprint, render_template
from flask_login import current_user

from ..services.catalog import list_timetables

bp = Blueprint("home", __name__)


@bp.get("/")
def index():
    timetables = list_timetables(published_only=not current_user.is_authenticated)
    return render_template("home/index.html", timetables=timetables)


@bp.get("/healthz")
def healthz():
    return {"status": "ok"}
