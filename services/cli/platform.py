"""Commands of the platform itself: store, topics, schema, broker, workers, gateways, `up`."""

from __future__ import annotations

import json
import signal
import sys
from datetime import datetime
from pathlib import Path

import click

from services.cli import main
from services.cli.common import cli_settings, raise_keyboard_interrupt
from services.metrics import serve_metrics


@main.group()
def db() -> None:
    """The store's schema."""


@db.command("upgrade")
def db_upgrade() -> None:
    """Apply every Alembic migration to TECFLOW_DATABASE_URL (a SQLite file by default)."""
    from services.store.migrate import upgrade

    upgrade(cli_settings().sqlalchemy_url)
    click.echo("database is up to date")


@main.group()
def topics() -> None:
    """The bus's topics."""


@topics.command("create")
def topics_create() -> None:
    """Create the catalogue's topics on KAFKA_BOOTSTRAP_SERVERS (existing ones are kept)."""
    from services.broker.admin import create_topics

    settings = cli_settings()
    if not settings.kafka_bootstrap_servers:
        raise click.UsageError("set KAFKA_BOOTSTRAP_SERVERS (or use `tecflow up`)")
    created = create_topics(
        settings.kafka_bootstrap_servers,
        partitions=settings.topic_partitions,
        replication_factor=settings.replication_factor,
    )
    click.echo(f"created: {', '.join(created) or 'none (all exist)'}")


@main.group()
def schema() -> None:
    """The contracts as JSON Schema and AsyncAPI."""


@schema.command("export")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), default="schema-out")
def schema_export(out: Path) -> None:
    """Write one JSON Schema per topic message and asyncapi.json into OUT."""
    from importlib.metadata import version

    from contracts.asyncapi import asyncapi_document, json_schemas

    out.mkdir(parents=True, exist_ok=True)
    for topic, document in json_schemas().items():
        (out / f"{topic}.schema.json").write_text(json.dumps(document, indent=2) + "\n")
    asyncapi = asyncapi_document(version("tecflow"))
    (out / "asyncapi.json").write_text(json.dumps(asyncapi, indent=2) + "\n")
    click.echo(f"wrote {len(asyncapi['channels'])} schemas and asyncapi.json to {out}")


@main.command()
@click.option("--port", type=int, default=None, help="Listen port (default: a free one)")
def broker(port: int | None) -> None:
    """Run the embedded Kafka-protocol broker (Tansu) until Ctrl-C."""
    from services.broker.admin import create_topics
    from services.broker.embedded import EmbeddedBroker

    settings = cli_settings()
    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    with EmbeddedBroker(port=port, log_path=settings.data_dir / "broker.log") as embedded:
        create_topics(embedded.bootstrap_servers, partitions=settings.topic_partitions)
        click.echo(f"KAFKA_BOOTSTRAP_SERVERS={embedded.bootstrap_servers}", nl=True)
        try:
            signal.pause()
        except KeyboardInterrupt:
            click.echo("stopping broker")


@main.command()
@click.option(
    "--lane",
    type=click.Choice(["all", "alarms"]),
    default="all",
    show_default=True,
    help="all: every processor and sink; alarms: the alarm fast lane, a worker of its own",
)
def worker(lane: str) -> None:
    """Run the stream processors (a Faust worker) until SIGINT/SIGTERM."""
    serve_metrics(cli_settings())
    if lane == "alarms":
        from streams.alarm_lane import run as run_lane

        run_lane(cli_settings())
        return
    from streams.worker import run

    run(cli_settings())


@main.command()
@click.option("--simulate", is_flag=True, help="Add a simulated community (what `make demo` runs)")
@click.option("--people", default=2000, show_default=True, help="Residents of the community")
@click.option(
    "--speed",
    default=144.0,
    show_default=True,
    help="Simulated seconds per second (144: a day in ten minutes)",
)
@click.option("--seed", default=2026, show_default=True, help="The community's seed")
@click.option(
    "--incident-scale",
    default=1.0,
    show_default=True,
    help="Multiply the community's incident rates (falls, presses, admissions)",
)
@click.option(
    "--days",
    type=float,
    default=None,
    help="Stop the community after this many simulated days (the platform runs on)",
)
def up(
    simulate: bool, people: int, speed: float, seed: int, incident_scale: float, days: float | None
) -> None:
    """Run the whole platform on one machine until Ctrl-C."""
    from services.up import Simulation, run_platform

    signal.signal(signal.SIGTERM, raise_keyboard_interrupt)
    simulation = Simulation(people, speed, seed, incident_scale, days) if simulate else None
    try:
        run_platform(cli_settings(), simulation)
    except KeyboardInterrupt:
        click.echo("stopped")
    except RuntimeError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


@main.command()
def gateway() -> None:
    """Run the device gateways (SCAIP over SIP, MQTT bridge, OwnTracks HTTP, Alexa)."""
    import asyncio

    from services.gateway.runner import run_gateways
    from services.gateway.settings import GatewaySettings

    serve_metrics(cli_settings())
    try:
        asyncio.run(run_gateways(cli_settings(), GatewaySettings()))
    except RuntimeError as error:
        click.echo(f"error: {error}", err=True)
        sys.exit(1)


@main.command("replay-week")
@click.option(
    "--last-day",
    type=click.DateTime(["%Y-%m-%d"]),
    default="2026-03-29",
    show_default=True,
    help="The last (local) day of the synthetic week",
)
@click.option("--seed", default=2026, show_default=True)
def replay_week(last_day: datetime, seed: int) -> None:
    """Replay the synthetic week of routines through the processors; print what they say."""
    from datetime import timedelta

    from contracts.care import Alert
    from services.sim.routines import TZ, synthetic_week
    from streams.processors.replay import Replay

    week = synthetic_week(last_day.date(), seed)
    for output in Replay(week.context_for, timedelta(minutes=15)).run(week.events, week.end):
        at = output.occurred_at.astimezone(TZ).strftime("%a %d %b %H:%M")
        if isinstance(output, Alert):
            what = f"{output.action.value} {output.alert_kind.value}: {output.summary}"
        else:
            what = f"signal {output.script.value}: {output.reason}"
        click.echo(f"{at}  {output.person_id:<12} {what}")
