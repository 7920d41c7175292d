"""`flask timetables export …` and `flask timetables import FILE --format json`: a whole timetable in and out.

JSON is the `timetable/1` document (docs/transfer.md): everything, with the history. CSV is one
row per occurrence of a range of weeks, for spreadsheets.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from .cli_imports import timetables_cli
from .services.errors import NotFound, ServiceError


def _write(text: str, output: str | None) -> None:
    if output:
        Path(output).write_text(text, encoding="utf-8", newline="")
        click.echo(f"Wrote {output}.", err=True)
    else:
        sys.stdout.write(text)


@timetables_cli.command("export")
@click.argument("slug")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--output", "-o", type=click.Path(dir_okay=False, writable=True), help="Write to this file instead of the standard output.")
@click.option("--from-week", help="CSV: the first week, such as 2027-W02 (default: this week).")
@click.option("--to-week", help="CSV: the last week (default: the first week).")
@click.option("--group", type=int, help="CSV: only this group's occurrences (its id).")
@click.option("--staff", type=int, help="CSV: only this staff member's occurrences (teacher or substitute).")
@click.option("--room", type=int, help="CSV: only this room's occurrences.")
def export_command(slug: str, fmt: str, output: str | None, from_week: str | None, to_week: str | None,
                   group: int | None, staff: int | None, room: int | None) -> None:
    """Export the timetable SLUG: the whole timetable and its history (json), or occurrences (csv)."""
    from .rules import RulesError, parse_week
    from .services.catalog import current_week, get_timetable
    from .services.occurrence_csv import build_csv
    from .services.resolution import WeekFilter
    from .services.transfer.document import export_document

    try:
        timetable = get_timetable(slug)
        if fmt == "json":
            _write(json.dumps(export_document(timetable), ensure_ascii=False, indent=1) + "\n", output)
            return
        try:
            first = parse_week(from_week) if from_week else current_week(timetable)
            last = parse_week(to_week) if to_week else first
        except RulesError as error:
            raise click.BadParameter(f"{error}; use an ISO week such as 2027-W02.", param_hint="--from-week/--to-week") from None
        _write(build_csv(timetable, first, last, WeekFilter(staff=staff, room=room, group=group), public=False), output)
    except (ServiceError, NotFound) as error:
        raise click.ClickException(str(error)) from error

