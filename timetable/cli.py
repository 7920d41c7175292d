"""Command-line tools: `flask users …`, `flask demo …`, `flask bookings …`."""

from __future__ import annotations

import click
from flask import Flask
from flask.cli import AppGroup

from .services.errors import ServiceError

users_cli = AppGroup("users", help="Manage accounts and their API tokens.")
demo_cli = AppGroup("demo", help="Demo timetables.")
bookings_cli = AppGroup("bookings", help="Booking housekeeping.")

DEMO_USERNAME = "scheduler"
DEMO_PASSWORD = "timetable-demo"


@users_cli.command("create")
@click.argument("username")
@click.option("--display-name", help="Name shown in the interface (defaults to the username).")
@click.option("--admin", is_flag=True, help="Make the account an administrator (timetables, accounts, settings).")
@click.option("--schedule", "schedules", multiple=True, metavar="SLUG", help="Grant the scheduler role on this timetable (repeatable).")
@click.option("--view", "views", multiple=True, metavar="SLUG", help="Grant the viewer role on this timetable (repeatable).")
@click.password_option(help="The password (asked for twice when not given).")
def create_user_command(username: str, display_name: str | None, admin: bool, schedules: tuple[str, ...], views: tuple[str, ...],
                        password: str) -> None:
    """Create an account: `flask users create NAME --admin` makes the first administrator."""
    from .services.access import SCHEDULER, VIEWER
    from .services.accounts import create_user
    from .services.catalog import get_timetable
    from .services.errors import NotFound

    try:
        grants = {get_timetable(slug).id: VIEWER for slug in views}
        grants.update({get_timetable(slug).id: SCHEDULER for slug in schedules})
        create_user(username, password, display_name, is_admin=admin, grants=grants)
    except (ServiceError, NotFound) as error:
        raise click.ClickException(str(error)) from error
    role = "administrator" if admin else "account"
    click.echo(f"Created the {role} “{username}”. Log in at /login.")
    if not admin and not grants:
        click.echo("It holds no right yet: an administrator grants it timetables on /admin/accounts.")


@users_cli.command("token")
@click.argument("username")
@click.option("--label", default="command line", show_default=True, help="What the token is for, shown on /account.")
def create_token_command(username: str, label: str) -> None:
    """Print a new personal API token of the account (send it as `Authorization: Bearer <token>`)."""
    from .services.accounts import find_user
    from .services.api_tokens import create_token

    user = find_user(username)
    if user is None:
        raise click.ClickException(f"There is no account called “{username}”.")
    try:
        _, token = create_token(user.id, label)
    except ServiceError as error:
        raise click.ClickException(str(error)) from error
    click.echo(token)


@demo_cli.command("load")
@click.option("--replace", is_flag=True, help="Rebuild demo timetables that already exist.")
@click.option("--with-user/--without-user", default=True, show_default=True,
              help=f"Also create the demo accounts (“{DEMO_USERNAME}” and others, password “{DEMO_PASSWORD}”) if missing.")
def load_demo_command(replace: bool, with_user: bool) -> None:
    """Build the demo school and clinic (kept as they are if already there, unless --replace)."""
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
        from .services.demo_accounts import ensure_demo_accounts

        for line in ensure_demo_accounts(DEMO_PASSWORD):
            click.echo(line)


@bookings_cli.command("purge-holds")
def purge_holds_command() -> None:
    """Delete holds whose lease ran out and offer the freed places to the waiting lists (run it from cron)."""
    from .services.booking import purge_expired_holds

    click.echo(f"Purged {purge_expired_holds()} expired holds.")


def register_cli(app: Flask) -> None:
    from . import cli_exports  # noqa: F401  (adds `flask timetables export` to the group)
    from .cli_imports import timetables_cli

    app.cli.add_command(timetables_cli)
    app.cli.add_command(users_cli)
    app.cli.add_command(demo_cli)
    app.cli.add_command(bookings_cli)
