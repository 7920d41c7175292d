"""The overview's cards as HTML, kept by what they show: after a change only the changed cards render again.

A card's key holds everything it is made from: the rows kind, the names it can show (the
directory, as a token), its URLs' patterns (prefix, timetable, week), the slot id, why it is
off, the values of CARD_PARAMS, its column's time and its clash text. The card is rendered from
exactly those values (the occurrence `render_card` gets holds no other), so two equal keys give the
same HTML, whatever revision asked. The cache is this process's, a bounded LRU, like the others.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from html import escape
from itertools import count
from typing import Any

from markupsafe import Markup

from ..formatting import hhmm
from ..overview import Column, group_ids, staff_ids
from ..rules import get_parameter
from ..services.resolution import Directory, Occurrence
from .conditional import RenderCache

# The parameters a card shows, links to or is placed by: a card is rendered from these alone.
CARD_PARAMS = ("title", "course", "weekday", "start", "duration", "status", "note", "color", "staff", "substitute", "room", "group")
# About a dozen overviews (a week of 350 lessons, by one kind of row) of cards, at about 1 kB each.
CARD_ENTRIES = 4096

card_cache: RenderCache[Markup] = RenderCache(CARD_ENTRIES)

# Each directory's names (by content) get a token of their own; a token is never given twice.
_directory_tokens: RenderCache[int] = RenderCache(64)
_tokens = count(1)


def directory_token(directory: Directory) -> int:
    """The same number for directories with the same names: a card key holds it instead of every name."""
    names = tuple(tuple(getattr(directory, kind).items()) for kind in ("staff", "room", "group", "course"))
    return _directory_tokens.get_or_build(names, lambda: next(_tokens))


def staff_text(directory: Directory, values: Mapping[str, Any]) -> str:
    """"A. Moreau", or "A. Moreau → C. Ito" when someone stands in."""
    teachers = ", ".join(directory.name("staff", i) for i in staff_ids(values))
    substitute = values.get("substitute")
    return f"{teachers} → {directory.name('staff', substitute)}" if substitute else teachers


def cached_card(occ: Occurrence, column: Column, clash: str, context: tuple[Hashable, ...],
                render: Callable[[Occurrence, Column, str], Markup]) -> Markup:
    """The card of `occ` from the cache, else rendered from `occ` reduced to what its key holds.

    `context` is (rows, directory token, panel URL pattern, move URL pattern): the same for every
    card of one overview (the patterns hold the URL prefix, the timetable and the week)."""
    shown = tuple(map(occ.values.get, CARD_PARAMS))
    key = (*context, occ.slot_id, occ.off, shown, column.start, column.end, column.period, clash)
    found = card_cache.get(key)
    if found is None:
        found = render(Occurrence(occ.slot_id, occ.week, dict(zip(CARD_PARAMS, shown, strict=True)), {}, occ.off), column, clash)
        card_cache.put(key, found)
    return found


def render_card(occ: Occurrence, column: Column, *, rows: str, directory: Directory, clash: str,
                panel_url: str, move_url: str) -> Markup:
    """One card: its title, its time when not the column's, the names the row does not say, its status and clash."""
    values = occ.values
    shown = {
        "staff": staff_text(directory, values),
        "room": directory.name("room", values.get("room")),
        "group": directory.name("group", values.get("group")),
    }
    # The two the row is not; a teacher's row still says who stands in for whom.
    details = [(kind, shown[kind]) for kind in ("staff", "room", "group")
               if shown[kind] and (kind != rows or (kind == "staff" and values.get("substitute")))]
    status = ""
    if occ.off:
        status = occ.off
    elif occ.status != "open":
        status = get_parameter("status").display(occ.status) + (f": {values['note']}" if values.get("note") else "")
    title = occ.title(directory)
    time = f"{hhmm(occ.start)}–{hhmm(occ.end)}"
    tooltip = " · ".join(part for part in (title, time, *(text for _, text in details), status, clash) if part)
    classes = " ".join(part for part in ("card", f"status-{occ.status}", "clash" if clash else "", "off" if occ.off else "") if part)
    panel_url = escape(panel_url)
    # Ids and minutes need no escaping; written out rather than joined from a dict (hundreds of cards).
    attributes = (f'data-slot-id="{occ.slot_id}" data-panel-url="{panel_url}" '
                  f'data-move-url="{escape(move_url)}" '
                  f'data-weekday="{occ.weekday}" data-start="{occ.start}" data-duration="{occ.duration}" '
                  f'data-staff="{" ".join(map(str, staff_ids(values)))}" data-substitute="{values.get("substitute") or ""}" '
                  f'data-room="{values.get("room") or ""}" data-group="{" ".join(map(str, group_ids(values)))}"')
    lines = [f'<strong class="card-title">{escape(title)}</strong>']
    if occ.start != column.start or (column.period and occ.end > column.end):  # not the column's own time
        lines.append(f'<span class="card-time">{time}</span>')
    lines += [f'<span class="card-{kind}">{escape(text)}</span>' for kind, text in details]
    if status:
        lines.append(f'<span class="card-status" data-testid="card-status">{escape(status)}</span>')
    if clash:
        lines.append(f'<span class="card-clash" data-testid="card-clash">⚠ {escape(clash)}</span>')
    style = f' style="--block-color: {escape(values["color"])}"' if values.get("color") else ""
    # Plain strings escaped with html.escape: a week has hundreds of cards, and Markup's % is several times slower.
    return Markup(f'<article class="{classes}" tabindex="0" data-testid="card" {attributes} title="{escape(tooltip)}"{style}>'
                  f'<a class="card-link" href="{panel_url}" tabindex="-1">{"".join(lines)}</a></article>')
