"""Print-outs: a week as a PDF (`/<slug>/week.pdf`) and the term booklet (`/<slug>/booklet.pdf`)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("prints", __name__)


@bp.get("/<slug>/week.pdf")
def week_pdf(slug: str):
    raise NotImplementedError
