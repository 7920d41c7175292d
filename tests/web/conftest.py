"""Helpers for route tests: which templates a response rendered."""

from __future__ import annotations

import pytest
from flask import template_rendered


@pytest.fixture
def rendered_templates(demo_app):
    """The names of the templates rendered while the test runs; the readers' page cache starts empty,
    so that a page an earlier test rendered is rendered again rather than served from it."""
    from timetable.views.page_cache import page_cache

    page_cache.clear()
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, demo_app)
    yield names
    template_rendered.disconnect(record, demo_app)

