"""Command-line tools: `flask users …`, `flask demo …`, `flask bookings …`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from .services.errors import ServiceError

users_cli = AppGroup("users", help="Manage editor accounts.")
demo_cli = AppGroup("demo", help="Demo timetables.")
bookings_cli = AppGroup("bookings", help="Booking housekeeping.")

DEMO_USERNAME = "scheduler"
DEMO_PASSWORD = "timetable-demo"


@users_cli.command("create")
@click.argument("username")
@click.option("--display-name", help="Name shown in the interface (defaults to the username).")
@click.password_option(help="The password (asked for twice when not given).")
def create_user_command(username: str, display_name: str | None, password: str) -> None:
    """Create an editor account."""
    from .services.accounts import create_user

    try:
        create_user(username, password, display_name)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"Created editor “{username}”. Log in at /login.")


@demo_cli.command("load")
@click.option("--replace", is_flag=True, help="Rebuild demo timetables that already exist.")
@click.option("--with-user/--without-user", default=True, show_default=True,
              help=f"Also create the editor “{DEMO_USERNAME}” (password “{DEMO_PASSWORD}”) if missing.")
def load_demo_command(replace: bool, with_user: bool) -> None:
    """Build the demo school and clinic (kept as they are if already there, unless --replace)."""
    from .services.accounts import create_user, find_user
    from .services.demo import load_demo

    steps = 0

    def progress(step: str) -> None:
        nonlocal steps
        steps += 1
        click.echo(f"  [{steps:2d}] {step}")

    click.echo("Building the demo timetables…")
    report = load_demo(progress, replace=replace)
    if report.created:
        click.echo(f"Created {', '.join(report.created)}: {report.slots} slots.")
    if report.skipped:
        click.echo(f"Kept the existing {', '.join(report.skipped)} (use --replace to rebuild).")
    if with_user:
        if find_user(DEMO_USERNAME) is None:
            create_user(DEMO_USERNAME, DEMO_PASSWORD, "Demo scheduler")
            click.echo(f"Created the editor “{DEMO_USERNAME}” with the password “{DEMO_PASSWORD}”.")
        else:
            click.echo(f"The editor “{DEMO_USERNAME}” already exists (password unchanged).")


@bookings_cli.command("purge-holds")
def purge_holds_command() -> None:
    """Delete holds whose lease ran out and offer the freed places to the waiting lists (run it from cron)."""
    from .services.booking import purge_expired_holds

    click.echo(f"Purged {purge_expired_holds()} expired holds.")


def register_cli(app: Flask) -> None:
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(bookings_cli)
