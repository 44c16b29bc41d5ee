"""The console's commands: the web console itself and staff accounts."""

from __future__ import annotations

import sys

import click

from services.cli import main
from services.cli.common import cli_settings, store_factory
from services.metrics import serve_metrics


@main.command()
def console() -> None:
    """Serve the web console (call handlers' queue, person records, admin) until Ctrl-C."""
    import uvicorn

    from services.console.app import create_app
    from services.console.settings import ConsoleSettings

    settings = ConsoleSettings()
    app = create_app(settings, store_factory())
    serve_metrics(cli_settings())
    click.echo(f"console on http://{settings.host}:{settings.port}/")
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        proxy_headers=True,
        forwarded_allow_ips=settings.forwarded_allow_ips,
        timeout_graceful_shutdown=5,  # open queue streams must not hold up a stop
    )


@main.group()
def users() -> None:
    """Console accounts."""


@users.command("add")
@click.argument("username")
@click.option("--name", "display_name", required=True, help="The person's name, as shown")
@click.option(
    "--role",
    required=True,
    type=click.Choice(["call_handler", "rmu_officer", "technology_assistant", "manager", "admin"]),
)
@click.option(
    "--password-stdin",
    is_flag=True,
    help="Read the password from standard input (else prompt for it)",
)
@click.option(
    "--oidc-only",
    is_flag=True,
    help="No password: the account signs in through OpenID Connect only",
)
def users_add(
    username: str, display_name: str, role: str, password_stdin: bool, oidc_only: bool
) -> None:
    """Add an account. The password never goes on the command line."""
    from services.console.accounts import AccountError, add_user
    from services.console.roles import Role
    from services.store.db import transaction
    from services.store.migrate import upgrade

    password: str | None = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    elif not oidc_only:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    upgrade(cli_settings().sqlalchemy_url)
    try:
        with transaction(store_factory()) as session:
            # Without a password the account signs in only through OpenID Connect and
            # is bound to the provider's subject the first time it does.
            add_user(session, username, display_name, Role(role), password)
    except AccountError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"added {username} ({role})")
