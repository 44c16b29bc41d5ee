"""People's details in bulk: import and export as CSV (each change audited)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from services.cli import main
from services.cli.common import store_factory


@main.group()
def people() -> None:
    """People's details and contacts, in bulk."""


@people.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", required=True, help="Who imports (kept in the audit log)")
def people_import(file: Path, by: str) -> None:
    """Add people and update known people's details from a CSV (columns: person_id, name,
    phone, address, postcode, date_of_birth, lives_alone, has_care_package, do_not_call,
    language). Bad rows are reported by line and field (exit status 1); the
    good rows are imported. Importing the same file again changes nothing."""
    from care import handle
    from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
    from care.commands import Actor, RecordChange
    from contracts.envelope import utcnow
    from services.store.db import transaction
    from services.store.people_csv import import_rows, read_rows

    factory = store_factory()
    people_file = read_rows(file.read_text(encoding="utf-8-sig"))
    errors = people_file.errors
    with transaction(factory) as session:
        result = import_rows(session, people_file)
    who, now = Actor(id=by, role="cli", origin="cli"), utcnow()
    uow = SqlAlchemyUnitOfWork(factory)
    for person_id in result.added:
        handle(
            RecordChange(
                action="add_person",
                entity="person",
                entity_id=person_id,
                person_id=person_id,
                by=who,
                at=now,
            ),
            uow,
        )
    for person_id, fields in result.updated.items():
        handle(
            RecordChange(
                action="change_details",
                entity="person",
                entity_id=person_id,
                person_id=person_id,
                by=who,
                at=now,
                detail={"fields": fields},
            ),
            uow,
        )
    click.echo(
        f"added {len(result.added)}, updated {len(result.updated)}, unchanged "
        f"{result.unchanged}, rejected {len(errors)} row(s)"
    )
    for error in errors:
        click.echo(f"{file.name}: {error}", err=True)
    if errors:
        sys.exit(1)


@people.command("export")
@click.option(
    "--out",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write to this file (default: standard output)",
)
@click.option("--by", required=True, help="Who exports (kept in the audit log)")
def people_export(out: Path | None, by: str) -> None:
    """Everyone's details as CSV (the import's columns), by id; the export is audited."""
    from care import handle
    from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
    from care.commands import Actor, RecordView
    from contracts.envelope import utcnow
    from services.store.people_csv import export_rows

    factory = store_factory()
    handle(
        RecordView(
            entity="people",
            entity_id=None,
            person_id=None,
            by=Actor(id=by, role="cli", origin="cli"),
            at=utcnow(),
            detail={"export": "csv"},
        ),
        SqlAlchemyUnitOfWork(factory),
    )
    with factory() as session:
        text = export_rows(session)
    if out is None:
        click.echo(text, nl=False)
    else:
        out.write_text(text, encoding="utf-8")
        click.echo(f"wrote {text.count(chr(10)) - 1} people to {out}")


@people.command("changes")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--by", required=True, help="Who makes the changes (kept in the audit log)")
def people_changes(file: Path, by: str) -> None:
    """Care-record changes in bulk, one a row, through the same care-record handlers as
    the console (each audited). CSV columns: person_id, change, value, reason, where
    change is `away` (value: the last day away, YYYY-MM-DD; empty: home now),
    `close_need` (value empty) or `refer` (value: a referral target, e.g. falls_team).
    A refused row is reported by line (exit status 1); the other rows are made."""
    from care.adapters.sqlalchemy import SqlAlchemyUnitOfWork
    from care.commands import Actor
    from services.cli.people_changes import apply_rows

    who = Actor(id=by, role="cli", origin="cli")
    report = apply_rows(
        file.read_text(encoding="utf-8-sig"), who, SqlAlchemyUnitOfWork(store_factory())
    )
    click.echo(f"made {report.made}, unchanged {report.unchanged}, refused {len(report.errors)}")
    for line, message in report.errors:
        click.echo(f"{file.name}:{line}: {message}", err=True)
    if report.errors:
        sys.exit(1)
