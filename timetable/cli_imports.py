"""`flask timetables import FILE --format fet --slug SLUG --from-week 2027-W02 [--apply]`: plan, then apply.

Without `--apply` the plan is printed and nothing is written. Progress goes to stderr.
"""

from __future__ import annotations

import click
from flask.cli import AppGroup

from .imports.fet import MAX_FET_BYTES, FetError, parse_fet, read_periods
from .rules import RulesError, parse_week
from .services.errors import ServiceError

# The group other commands (export) join: `register_cli` adds the one instance.
timetables_cli = AppGroup("timetables", help="Bring timetables in and take them out.")


def _progress(message: str) -> None:
    click.echo(f"… {message}", err=True)


@timetables_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "file_format", type=click.Choice(["fet"]), required=True, help="fet: a FET *_data_and_timetable.fet file.")
@click.option("--slug", required=True, help="The timetable to import into; created when it does not exist.")
@click.option("--from-week", required=True, help="First week the import holds from, like 2027-W02.")
@click.option("--periods", help="Times of the FET hours when their names carry none: 08:00-08:45,08:50-09:35,…")
@click.option("--days-per-week", type=int, help="Days of one week when the file has more (Day 1…Day 10 is 5: a two-week cycle).")
@click.option("--name", help="Name of the timetable if the import creates it (default: the slug).")
@click.option("--apply", "apply_it", is_flag=True, help="Apply the plan as one change (otherwise only print it).")
def import_command(file: str, file_format: str, slug: str, from_week: str, periods: str | None, days_per_week: int | None,
                   name: str | None, apply_it: bool) -> None:
    """Import a timetable. Files over 16 MiB are refused."""
    from .services.importing import ImportOptions, apply_import, plan_import

    try:
        week = parse_week(from_week)
    except RulesError as error:
        raise click.BadParameter(f"{error}; use an ISO week such as 2027-W02", param_hint="--from-week") from None
    try:
        hours = read_periods(periods) if periods else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--periods") from None
    with open(file, "rb") as handle:
        data = handle.read(MAX_FET_BYTES + 1)
    _progress(f"Reading {file}")
    try:
        fet = parse_fet(data)
    except FetError as error:
        raise click.ClickException(f"{file}: {error}. Nothing was imported.") from None
    options = ImportOptions(week, hours, days_per_week, name)
    try:
        if apply_it:
            plan, change_set = apply_import(slug, fet, options, source=click.format_filename(file, shorten=True), progress=_progress)
        else:
            plan, change_set = plan_import(slug, fet, options, progress=_progress), None
    except ServiceError as error:
        raise click.ClickException(f"{error}. Nothing was imported.") from None
    for line in plan.lines():
        click.echo(line)
    if not apply_it:
        click.echo("Nothing was written: run again with --apply to import.")
    elif change_set is None:
        click.echo("Nothing to change.")
    else:
        click.echo(f"Applied as change {change_set.id}: {change_set.summary} (undo it on the History page).")
