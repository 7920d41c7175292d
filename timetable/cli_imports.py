"""`flask timetables import FILE --format fet|csv|json …` (plan, then `--apply`); `export` lives in cli_exports.

Without `--apply` the plan is printed and nothing is written. Progress goes to stderr.
"""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from .imports.fet import MAX_FET_BYTES, FetError, parse_fet, read_periods
from .imports.lessons_csv import MAX_CSV_BYTES, LessonsCsvError, parse_lessons_csv
from .rules import RulesError, parse_week
from .services.errors import ServiceError

# The group other commands (export) join: `register_cli` adds the one instance.
timetables_cli = AppGroup("timetables", help="Bring timetables in and take them out.")


def _progress(message: str) -> None:
    click.echo(f"… {message}", err=True)


@timetables_cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option("--format", "file_format", type=click.Choice(["fet", "csv", "json"]),
              help="fet: a FET *_data_and_timetable.fet file; csv: one lesson per row (docs/csv-import.md); "
                   "json: a `flask timetables export --format json` document (default: from the file's extension).")
@click.option("--slug", help="fet, csv: the timetable to import into, created when it does not exist. "
                             "json: the new timetable's slug (default: the one in the file); it must not exist yet.")
@click.option("--from-week", help="fet, csv: first week the import holds from, like 2027-W02.")
@click.option("--periods", help="Times of the FET hours when their names carry none: 08:00-08:45,08:50-09:35,…")
@click.option("--days-per-week", type=int, help="Days of one week when the file has more (Day 1…Day 10 is 5: a two-week cycle).")
@click.option("--name", help="Name of the timetable if the import creates it (default: the slug).")
@click.option("--create-missing", is_flag=True,
              help="csv: create the staff, groups, rooms and courses the timetable lacks (otherwise they are refused).")
@click.option("--apply", "apply_it", is_flag=True, help="Apply the plan as one change (otherwise only print it).")
def import_command(file: str, file_format: str | None, slug: str | None, from_week: str | None, periods: str | None,
                   days_per_week: int | None, name: str | None, create_missing: bool, apply_it: bool) -> None:
    """Import a timetable (prints the plan unless --apply). FET files over 16 MiB, CSV over 10 MiB and JSON over 50 MiB are refused."""
    file_format = file_format or _format_of(file)
    if file_format == "json":
        _import_json(file, slug, name, apply_it)
        return
    what = file_format.upper()
    if not slug:
        raise click.UsageError(f"A {what} import needs --slug: the timetable to import into.")
    if not from_week:
        raise click.UsageError(f"A {what} import needs --from-week: the first week it holds from, like 2027-W02.")
    if file_format == "csv" and (periods or days_per_week):
        raise click.UsageError("--periods and --days-per-week are for FET files: a CSV row has its own times and weekday.")
    _import_rows(file, file_format, slug, from_week, periods, days_per_week, name, create_missing, apply_it)


def _format_of(file: str) -> str:
    suffix = Path(file).suffix.lower()
    if suffix in (".fet", ".csv", ".json"):
        return suffix[1:]
    raise click.UsageError(f"Say which format {file} is in: --format fet, --format csv or --format json.")


def _import_rows(file: str, file_format: str, slug: str, from_week: str, periods: str | None, days_per_week: int | None,
                 name: str | None, create_missing: bool, apply_it: bool) -> None:
    """A FET or CSV import: parse, then plan or apply through services.importing."""
    from .services.importing import ImportFile, ImportOptions, apply_import, plan_import

    try:
        week = parse_week(from_week)
    except RulesError as error:
        raise click.BadParameter(f"{error}; use an ISO week such as 2027-W02", param_hint="--from-week") from None
    try:
        hours = read_periods(periods) if periods else None
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--periods") from None
    with open(file, "rb") as handle:
        data = handle.read((MAX_CSV_BYTES if file_format == "csv" else MAX_FET_BYTES) + 1)
    _progress(f"Reading {file}")
    parsed: ImportFile
    try:
        parsed = parse_lessons_csv(data) if file_format == "csv" else parse_fet(data)
    except (FetError, LessonsCsvError) as error:
        raise click.ClickException(f"{file}: {error}. Nothing was imported.") from None
    options = ImportOptions(week, hours, days_per_week, name, create_missing)
    try:
        if apply_it:
            plan, change_set = apply_import(slug, parsed, options, source=click.format_filename(file, shorten=True),
                                            progress=_progress)
        else:
            plan, change_set = plan_import(slug, parsed, options, progress=_progress), None
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


def _import_json(file: str, slug: str | None, name: str | None, do_apply: bool) -> None:
    """Rebuild a timetable from a JSON export, replaying its history."""
    from .services.transfer import MAX_DOCUMENT_BYTES
    from .services.transfer.replay import apply_import, plan_import

    path = Path(file)
    try:
        if path.stat().st_size > MAX_DOCUMENT_BYTES:
            raise ServiceError(f"{file}: {path.stat().st_size} bytes; a document may have at most {MAX_DOCUMENT_BYTES} bytes (50 MiB).")
        plan = plan_import(path.read_bytes(), slug, name)
        for line in plan.lines:
            click.echo(line)
        if not do_apply:
            click.echo("Nothing was written: run again with --apply to import.")
            return
        timetable = apply_import(plan, progress=lambda line: click.echo(f"  … {line}"))
    except ServiceError as error:
        raise click.ClickException(f"{file}: {error}" if not str(error).startswith(file) else str(error)) from error
    click.echo(f"Imported “{timetable.name}” at /{timetable.slug}.")
