"""`tecflow purge`: delete what is past its retention period."""

from __future__ import annotations

import click

from services.cli import main
from services.cli.common import cli_settings, store_factory


@main.command()
@click.option(
    "--dead-letter-days",
    type=click.IntRange(1),
    default=None,
    help="Keep dead letters this many days (default TECFLOW_DEAD_LETTER_RETENTION_DAYS)",
)
@click.option(
    "--device-event-days",
    type=click.IntRange(1),
    default=None,
    help="Keep device events this many days (default TECFLOW_DEVICE_EVENT_RETENTION_DAYS)",
)
def purge(dead_letter_days: int | None, device_event_days: int | None) -> None:
    """Delete dead letters and device events older than their retention period (run it
    daily, for example from cron)."""
    from contracts.envelope import utcnow
    from services.store.db import transaction
    from services.store.retention import purge as purge_store

    settings = cli_settings()
    with transaction(store_factory()) as session:
        purged = purge_store(
            session,
            utcnow(),
            dead_letter_days or settings.dead_letter_retention_days,
            device_event_days or settings.device_event_retention_days,
        )
    click.echo(
        f"purged {purged.dead_letters} dead letter(s), {purged.device_events} device event(s)"
    )
