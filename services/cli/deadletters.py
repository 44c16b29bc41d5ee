"""`tecflow deadletters replay`: send dead letters back to their topic after a fix."""

from __future__ import annotations

import sys

import click

from contracts.topics import CATALOGUE, Topic
from services.cli import main
from services.cli.common import cli_settings, store_factory


@main.group()
def deadletters() -> None:
    """Messages that could not be used, kept with their reason."""


@deadletters.command("replay")
@click.argument("topic", type=click.Choice(sorted(str(t) for t in CATALOGUE)))
def replay(topic: str) -> None:
    """Send TOPIC's unresolved dead letters that are valid now back to TOPIC, once each
    (run it after deploying the fix that removes their reason)."""
    from services.broker.publisher import EventPublisher
    from services.store.replay import replay_dead_letters

    settings = cli_settings()
    if not settings.kafka_bootstrap_servers:
        click.echo("error: KAFKA_BOOTSTRAP_SERVERS is not set", err=True)
        sys.exit(1)
    with EventPublisher(settings.kafka_bootstrap_servers) as publisher:
        result = replay_dead_letters(
            store_factory(),
            Topic(topic),
            lambda to, value, key: publisher.publish_raw(to, value, key),
        )
    click.echo(f"replayed {result.sent} dead letter(s); {result.still_invalid} still invalid")
