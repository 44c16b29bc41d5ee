"""`tecflow simulate`: the simulated community (what `tecflow up --simulate` runs)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import click

from services.cli import main
from services.cli.common import cli_settings


def _address(value: str) -> tuple[str, int]:
    host, _, port = value.rpartition(":")
    try:
        return host or "127.0.0.1", int(port)
    except ValueError as error:
        raise click.BadParameter(f"expected HOST:PORT, got {value!r}") from error


@main.command()
@click.option("--people", default=2000, show_default=True, help="Residents")
@click.option(
    "--speed",
    default=144.0,
    show_default=True,
    help="Simulated seconds per second (144: a day in ten minutes)",
)
@click.option("--seed", default=2026, show_default=True)
@click.option(
    "--start",
    type=click.DateTime(["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%dT%H:%M:%S"]),
    default=None,
    help="Simulated start time (default: now)",
)
@click.option(
    "--incident-scale",
    default=1.0,
    show_default=True,
    help="Multiply the incident rates (falls, presses, admissions...)",
)
@click.option(
    "--days",
    type=float,
    default=None,
    help="Stop the community after this many simulated days (default: never)",
)
@click.option("--mqtt", "mqtt", default=None, help="MQTT broker HOST:PORT the gateway reads")
@click.option("--sip", "sip", default=None, help="The gateway's SCAIP receiver HOST:PORT")
@click.option("--twilio-sim", "twilio_sim", default=None, help="The Twilio simulator's URL")
@click.option(
    "--alexa",
    default=None,
    help="The gateway's Alexa skill URL (signed with the key in --alexa-keys)",
)
@click.option(
    "--alexa-keys",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder of the demo's Alexa key and chain (`tecflow up` makes them)",
)
@click.option(
    "--record",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the days' device messages to this JSON-lines file (.gz: "
    "compressed) instead of sending them",
)
def simulate(
    people: int,
    speed: float,
    seed: int,
    start: datetime | None,
    incident_scale: float,
    days: float | None,
    mqtt: str | None,
    sip: str | None,
    twilio_sim: str | None,
    alexa: str | None,
    alexa_keys: Path | None,
    record: Path | None,
) -> None:
    """Run the simulated community against a running gateway until SIGINT/SIGTERM (or
    record its days to a file)."""
    import asyncio
    import contextlib
    import signal

    from services.sim.run import Options, run
    from services.sim.run import record as record_days

    if record is None and not (mqtt and sip and twilio_sim):
        raise click.UsageError("--mqtt, --sip and --twilio-sim are needed (or --record)")
    options = Options(
        people=people,
        speed=speed,
        seed=seed,
        scale=incident_scale,
        start=(start or datetime.now(UTC)).astimezone(UTC),
        mqtt=_address(mqtt or ":0"),
        sip=_address(sip or ":0"),
        twilio_sim_url=(twilio_sim or "").rstrip("/"),
        status_file=Path(cli_settings().data_dir) / "sim-status.json",
        days=days,
        alexa=(alexa, alexa_keys) if alexa and alexa_keys else None,
    )
    if record is not None:
        counts = record_days(options, record)
        click.echo(
            f"wrote {sum(counts.values()):,} lines to {record}: "
            + ", ".join(f"{k} {v:,}" for k, v in sorted(counts.items()))
        )
        return

    async def until_stopped() -> None:
        task = asyncio.create_task(run(options))
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, task.cancel)
        with contextlib.suppress(asyncio.CancelledError):
            await task

    asyncio.run(until_stopped())
