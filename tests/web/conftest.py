"""Helpers for route tests: which templates a response rendered."""

from __future__ import annotations

import pytest
from flask import template_rendered


@pytest.fixture
def rendered_templates(demo_app):
    names: list[str] = []

    def record(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(record, demo_app)
    yield names
    template_rendered.disconnect(record, demo_app)

