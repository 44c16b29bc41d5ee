"""The RMU unmet-need list and falls flags."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from services.cli import main
from services.cli.common import cli_settings, store_factory

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker


def _store_and_today() -> tuple[sessionmaker[Session], date]:
    """The store's session factory and today's date in the service's local time."""
    from zoneinfo import ZoneInfo

    return store_factory(), datetime.now(ZoneInfo(cli_settings().timezone)).date()


@main.group()
def needs() -> None:
    """The RMU unmet-need list: import, triaged export, weekly figures."""


@needs.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", default="import", show_default=True, help="Who imports (kept in history)")
@click.option("--all-or-nothing", is_flag=True, help="Import nothing if any row is bad")
def needs_import(file: Path, by: str, all_or_nothing: bool) -> None:
    """Add or update entries from a CSV list; bad rows are reported with line and reason
    (exit status 1). Importing the same file again changes nothing."""
    from care import handle
    from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
    from care.commands import Actor, ImportNeeds
    from contracts.envelope import utcnow
    from services.needs.csvfile import read_rows

    try:
        text = file.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as undecodable:
        raise click.ClickException(
            f"{file.name} is not UTF-8 text (byte {undecodable.start}): save it as CSV UTF-8"
        ) from undecodable
    if "\x00" in text:
        raise click.ClickException(f"{file.name} holds NUL characters: not a CSV text file")
    factory, today = _store_and_today()
    rows, errors = read_rows(text, today)
    result = handle(
        ImportNeeds(
            rows=tuple(rows),
            parse_errors=tuple(errors),
            by=Actor(by, role="operator", origin="cli"),
            at=utcnow(),
            all_or_nothing=all_or_nothing,
        ),
        SqlAlchemyUnitOfWork(factory),
    )
    click.echo(
        f"added {result.added}, updated {result.updated}, unchanged "
        f"{result.unchanged}, rejected {len(result.errors)} row(s)"
        + (" - nothing imported" if all_or_nothing and result.errors else "")
    )
    for error in result.errors:
        click.echo(f"{file.name}: {error}", err=True)
    if result.errors:
        sys.exit(1)


@needs.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: standard output)",
)
def needs_export(out: Path | None) -> None:
    """The triaged list as CSV, highest priority first."""
    from services.needs.csvfile import write_rows
    from services.needs.ranking import rank_need_list
    from services.store.db import transaction
    from services.store.needs import list_entries

    factory, today = _store_and_today()
    with transaction(factory) as session:
        text = write_rows(rank_need_list(list_entries(session), today))
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text)


@needs.command("figures")
@click.option(
    "--on",
    "on",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="The reporting date (default: today)",
)
def needs_figures(on: datetime | None) -> None:
    """People waiting, hours awaited, home vs hospital, waits, change since last week."""
    from datetime import timedelta

    from services.needs.figures import render, weekly_figures
    from services.store.db import transaction
    from services.store.needs import list_entries

    factory, today = _store_and_today()
    day = on.date() if on else today
    with transaction(factory) as session:
        entries = list_entries(session, ended_since=day - timedelta(days=7))
    click.echo(render(weekly_figures(entries, day)))


@main.group()
def flags() -> None:
    """Falls-risk flags: lifecycle and FHIR export."""


@flags.command("status")
@click.argument("flag_id", type=click.UUID)
@click.argument("status", type=click.Choice(["reviewed", "resolved", "entered-in-error"]))
@click.option("--by", required=True, help="Staff id of the person making the change")
@click.option("--reason", required=True, help="Why (kept in the flag's history)")
def flags_status(flag_id: Any, status: str, by: str, reason: str) -> None:
    """Review, resolve or mark a flag entered in error."""
    from care import CareRecordError, handle
    from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
    from care.commands import Actor, MarkFlagEnteredInError, ResolveFlag, ReviewFlag
    from contracts.envelope import utcnow

    commands: dict[str, type[ReviewFlag | ResolveFlag | MarkFlagEnteredInError]] = {
        "reviewed": ReviewFlag,
        "resolved": ResolveFlag,
        "entered-in-error": MarkFlagEnteredInError,
    }
    command = commands[status]
    factory, _ = _store_and_today()
    try:
        handle(
            command(flag_id, reason, by=Actor(by, role="operator", origin="cli"), at=utcnow()),
            SqlAlchemyUnitOfWork(factory),
        )
    except CareRecordError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"flag {flag_id} is {status}")


@flags.command("fhir")
@click.option("--person", default=None, help="Only this person's flags")
def flags_fhir(person: str | None) -> None:
    """Every flag as FHIR R4 Flag and RiskAssessment resources in a collection Bundle."""
    from sqlalchemy import select

    from services.flags.fhir import bundle
    from services.store.db import transaction
    from services.store.models import FlagRecord

    factory, _ = _store_and_today()
    query = select(FlagRecord).order_by(FlagRecord.raised_at)
    if person:
        query = query.where(FlagRecord.person_id == person)
    with transaction(factory) as session:
        document = bundle(list(session.scalars(query)))
    click.echo(json.dumps(document, indent=2))
