"""The editor's week grid marks lessons that differ from the usual week, as the readers' pages do (services/deviations.py)."""

from __future__ import annotations

import re
from html import unescape

from tests.conftest import HTMX
from tests.web.test_changes import changed_school  # noqa: F401  (fixture)
from tests.web.test_readers import blocks, changed


def card(html: str, slot_id: int) -> str:
    return re.search(rf'<article class="block [^"]*"[^>]*?data-slot-id="{slot_id}".*?</article>', html, re.S).group(0)


def test_the_editor_grid_marks_changed_lessons_with_the_readers_legend_and_tooltip(client, auth, editor, changed_school):  # noqa: F811
    s = changed_school
    auth.login()
    html = client.get("/t/edit?week=2026-W49&view=grid").get_data(as_text=True)
    maths = s["lessons"]
    assert set(blocks(html)) >= set(maths)
    # Monday's cover, Tuesday's trip, Wednesday's room and Thursday's move: as on the class page.
    assert changed(html) == {maths[0], maths[1], maths[2], maths[3]}
    assert changed(html) == changed(client.get("/t?week=2026-W49").get_data(as_text=True))
    assert 'data-testid="changed-legend"' in html and "(4 this week)" in html
    monday = card(html, maths[0])
    assert 'data-testid="changed-flag"' in monday
    assert "Changed from the usual week: Teacher: X → Y." in monday  # read out by screen readers
    tooltip = unescape(re.search(r'class="block-link"[^>]*title="([^"]*)"', monday).group(1))
    assert tooltip.endswith("Changed: Teacher: X → Y")
    assert "Changed from the usual week: Room: 101 → 102." in card(html, maths[2])
    assert "Changed from the usual week: Time: Thursday 08:00 → Friday 10:00." in card(html, maths[3])
    # The htmx fragment (week navigation, live refresh) marks them too; quiet weeks have no marks and no legend.
    fragment = client.get("/t/edit?week=2026-W49&view=grid", headers=HTMX).get_data(as_text=True)
    assert "<html" not in fragment and changed(fragment) == changed(html)
    quiet = client.get("/t/edit?week=2026-W51&view=grid").get_data(as_text=True)
    assert blocks(quiet) and not changed(quiet) and 'data-testid="changed-legend"' not in quiet


def test_a_filtered_editor_grid_marks_the_changes_it_shows(client, auth, editor, changed_school):  # noqa: F811
    s = changed_school
    auth.login()
    html = client.get(f"/t/edit?week=2026-W49&staff={s['y']}").get_data(as_text=True)
    assert set(blocks(html)) == {s["lessons"][0]} and changed(html) == {s["lessons"][0]}


def test_the_marks_are_worked_out_once_per_revision_and_again_after_a_change(client, auth, editor, changed_school, monkeypatch):  # noqa: F811
    from tests.factories import paint
    from timetable.database import write_transaction
    from timetable.rules import parse_week
    from timetable.services import deviations

    s = changed_school
    sampled = []
    samples = deviations._samples
    monkeypatch.setattr(deviations, "_samples", lambda *args: sampled.append(args[3]) or samples(*args))
    auth.login()
    marked = changed(client.get("/t/edit?week=2026-W49&view=grid").get_data(as_text=True))
    # Reloaded, or filtered to lessons already worked out: the usual weeks are not read again.
    assert changed(client.get("/t/edit?week=2026-W49&view=grid", headers=HTMX).get_data(as_text=True)) == marked
    assert changed(client.get(f"/t/edit?week=2026-W49&staff={s['y']}").get_data(as_text=True)) == {s["lessons"][0]}
    assert len(sampled) == 1
    # Y no longer covers Monday's lesson: the change moves the revision, and the mark goes.
    with write_transaction():
        paint(s["timetable"], "slot", s["lessons"][0], "substitute", parse_week("2026-W49"), parse_week("2026-W49"), None)
    assert changed(client.get("/t/edit?week=2026-W49&view=grid").get_data(as_text=True)) == marked - {s["lessons"][0]}
    assert len(sampled) == 2
