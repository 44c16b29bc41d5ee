"""`tecflow up`: broker, store, workers, gateways and telephony on one machine; with
`--simulate`, a simulated community living on an accelerated clock."""

from __future__ import annotations

import logging
import os
import signal
import sys
import time
from collections.abc import Callable
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from sqlalchemy.orm import Session, sessionmaker

from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.broker.mosquitto import Mosquitto
from services.gateway.settings import GatewaySettings
from services.processes import free_port
from services.settings import Settings
from services.sim.alexa import DemoSkill
from services.sim.campaign_demo import seed_demo_campaigns
from services.sim.community import community
from services.sim.console_demo import seed_demo_accounts
from services.sim.life import TZ
from services.sim.run import read_status
from services.sim.seeding import seed_cohort, seed_needs
from services.sim.telephony import local_telephony_env
from services.store.db import make_engine, make_session_factory, transaction
from services.store.migrate import upgrade
from services.summary import read_figures, summary_line
from services.supervisor import Supervisor

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Simulation:
    people: int
    speed: float
    seed: int = 2026
    incident_scale: float = 1.0
    days: float | None = None


def run_platform(settings: Settings, simulation: Simulation | None) -> None:
    """Start every part (and the simulated community), then print the summary line
    until interrupted. On the way out (Ctrl-C, SIGTERM, or a part that died) the parts
    stop before the brokers; raises RuntimeError naming a part that died or had to be
    killed."""
    with ExitStack() as stack:
        bootstrap = settings.kafka_bootstrap_servers
        embedded: EmbeddedBroker | None = None
        if not bootstrap:
            embedded = EmbeddedBroker(log_path=settings.data_dir / "broker.log")
            stack.callback(embedded.stop)
            bootstrap = embedded.start().bootstrap_servers
            click.echo(f"embedded broker (Tansu) on {bootstrap}")
        create_topics(bootstrap, partitions=settings.topic_partitions)
        upgrade(settings.sqlalchemy_url)
        click.echo(f"store: {settings.sqlalchemy_url.split('@')[-1]}")
        mqtt = _mqtt_broker(stack, settings.data_dir)

        sim_port, ivr_port, console_port = free_port(), free_port(), free_port()
        ports = {
            name: free_port() for name in ("worker", "alarm-lane", "gateway-sip", "gateway-http")
        }
        env = {
            "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
            "TECFLOW_DATABASE_URL": settings.sqlalchemy_url,
            "TECFLOW_WORKER_WEB_PORT": str(ports["worker"]),
            "TECFLOW_GATEWAY_SIP_PORT": str(ports["gateway-sip"]),
            "TECFLOW_GATEWAY_HTTP_PORT": str(ports["gateway-http"]),
            "TECFLOW_GATEWAY_MQTT_ENABLED": str(mqtt is not None),
        } | local_telephony_env(sim_port, ivr_port)
        if mqtt is not None:
            env |= {"TECFLOW_GATEWAY_MQTT_HOST": mqtt[0], "TECFLOW_GATEWAY_MQTT_PORT": str(mqtt[1])}
        skill = DemoSkill(settings.data_dir)
        if simulation is not None:
            env |= SIMULATION_ENV | skill.create()
        supervisor = Supervisor(env=env, log_dir=settings.data_dir)
        stack.callback(_stop, supervisor)
        # Each part serves its Prometheus metrics and health on a port of its own.
        metrics_ports = {
            name: free_port()
            for name in ("worker", "alarm-lane", "gateway", "ivr", "dialer", "scheduler", "console")
        }

        def metrics(name: str) -> dict[str, str]:
            return {"TECFLOW_METRICS_PORT": str(metrics_ports[name])}

        supervisor.start("worker", "worker", port=ports["worker"], env=metrics("worker"))
        supervisor.start(
            "alarm-lane",
            "worker",
            "--lane",
            "alarms",
            port=ports["alarm-lane"],
            env={"TECFLOW_WORKER_WEB_PORT": str(ports["alarm-lane"])} | metrics("alarm-lane"),
        )
        supervisor.start("gateway", "gateway", port=ports["gateway-http"], env=metrics("gateway"))
        # Telephony against the local Twilio simulator (production points at Twilio).
        supervisor.start("twilio-sim", "twilio-sim", port=sim_port)
        supervisor.start("ivr", "ivr", port=ivr_port, env=metrics("ivr"))
        supervisor.start("dialer", "dialer", env=metrics("dialer"))
        factory = make_session_factory(make_engine(settings.sqlalchemy_url))
        if simulation is not None:
            _seed(factory, simulation)
        supervisor.start("scheduler", "scheduler", env=metrics("scheduler"))
        supervisor.start(
            "console",
            "console",
            port=console_port,
            env={"TECFLOW_CONSOLE_PORT": str(console_port)} | metrics("console"),
        )
        if simulation is not None:
            with transaction(factory) as session:
                for username, role, password in seed_demo_accounts(session):
                    click.echo(f"demo sign-in: {username} / {password} ({role})")
        click.echo(f"starting {', '.join(supervisor.children)} (logs in {settings.data_dir}/)")
        supervisor.wait_ready(
            progress=lambda name, seconds: click.echo(f"  {name} ready ({seconds:.1f} s)")
        )
        click.echo(
            "\n".join(
                [
                    "addresses:",
                    f"  console            http://127.0.0.1:{console_port}/",
                    f"  SCAIP over SIP     udp+tcp 127.0.0.1:{ports['gateway-sip']}",
                    f"  OwnTracks, Alexa   http://127.0.0.1:{ports['gateway-http']}"
                    "/owntracks, /alexa",
                    "  MQTT bridge        " + (f"mqtt://{mqtt[0]}:{mqtt[1]}" if mqtt else "off"),
                    f"  IVR webhooks       http://127.0.0.1:{ivr_port}/",
                    f"  Twilio simulator   http://127.0.0.1:{sim_port}/",
                    f"  Kafka              {bootstrap}",
                ]
            )
        )
        status_file = settings.data_dir / "sim-status.json"
        if simulation is not None and mqtt is not None:
            status_file.unlink(missing_ok=True)
            supervisor.start(
                "simulator",
                "simulate",
                f"--people={simulation.people}",
                f"--speed={simulation.speed:g}",
                f"--seed={simulation.seed}",
                f"--incident-scale={simulation.incident_scale:g}",
                *([f"--days={simulation.days:g}"] if simulation.days is not None else []),
                f"--start={datetime.now(UTC).strftime('%Y-%m-%dT%H:%M:%S%z')}",
                f"--mqtt={mqtt[0]}:{mqtt[1]}",
                f"--sip=127.0.0.1:{ports['gateway-sip']}",
                f"--twilio-sim=http://127.0.0.1:{sim_port}",
                f"--alexa=http://127.0.0.1:{ports['gateway-http']}/alexa",
                f"--alexa-keys={skill.directory}",
            )
            click.echo(
                f"simulating {simulation.people:,} residents, one day every "
                f"{86400 / simulation.speed / 60:.0f} min (log in "
                f"{settings.data_dir}/simulator.log)"
            )
        elif simulation is not None:
            click.echo("no simulation: the MQTT broker is off")
        click.echo("running; press Ctrl-C to stop")
        _show_summary(
            supervisor,
            factory,
            status_file,
            keep=lambda: _keep_broker(embedded, supervisor, settings),
        )


# The simulated community's time runs faster than the wall clock: the processors take
# time from the events; the scheduler plans often, and calls raised by the community's
# signals may be placed at any hour; the dialer may dial faster than a real account.
SIMULATION_ENV = {
    "TECFLOW_STREAMS_CLOCK": "event",
    "TECFLOW_SCHEDULER_PLAN_EVERY_S": "30",
    "TECFLOW_SCHEDULER_SIGNAL_WINDOW_START": "00:00",
    "TECFLOW_SCHEDULER_SIGNAL_WINDOW_END": "23:59",
    "TECFLOW_TELEPHONY_CALLS_PER_SECOND": "5",
}


def _mqtt_broker(stack: ExitStack, data_dir: Path) -> tuple[str, int] | None:
    """The configured MQTT broker; Mosquitto on a free port when none is configured."""
    gateway = GatewaySettings()
    if not gateway.mqtt_enabled:
        return None
    if {"TECFLOW_GATEWAY_MQTT_HOST", "TECFLOW_GATEWAY_MQTT_PORT"} & set(os.environ):
        return gateway.mqtt_host, gateway.mqtt_port
    mosquitto = Mosquitto(data_dir)
    stack.callback(mosquitto.stop)
    mosquitto.start()
    click.echo(f"MQTT broker (Mosquitto) on 127.0.0.1:{mosquitto.port}")
    return "127.0.0.1", mosquitto.port


def _seed(factory: sessionmaker[Session], simulation: Simulation) -> None:
    """The community's people, devices, unmet-need list and campaigns (kept in the
    store from one run to the next: a repeat adds only what is missing)."""
    started = time.monotonic()
    residents = community(simulation.people, simulation.seed)
    with transaction(factory) as session:
        added = seed_cohort(session, [r.person for r in residents])
        campaigns = seed_demo_campaigns(session)
    waiting = seed_needs(factory, residents, datetime.now(UTC).date(), simulation.seed)
    click.echo(
        f"community: {len(residents):,} residents ({added:,} new), {waiting} on the "
        f"unmet-need list, campaigns {', '.join(campaigns) or 'kept'} "
        f"({time.monotonic() - started:.1f} s)"
    )


def _show_summary(
    supervisor: Supervisor,
    factory: sessionmaker[Session],
    status_file: Path,
    keep: Callable[[], None],
    every_s: float = 5.0,
) -> None:
    """Until interrupted, keeping every part running (`keep` too, and a part that stops
    starts again): the summary line, rewritten in place on a terminal, one line per
    `every_s` otherwise (a log, a test)."""
    tty = sys.stdout.isatty()
    before = None
    while True:
        figures = read_figures(factory)
        line = summary_line(figures, before)
        if (status := read_status(status_file)) is not None:
            at = datetime.fromisoformat(str(status["sim_time"])).astimezone(TZ)
            line = f"simulated {at:%a %H:%M} | {line}"
        click.echo(f"\r{line}\x1b[K" if tty else line, nl=not tty)
        before = figures
        deadline = time.monotonic() + every_s
        while time.monotonic() < deadline:
            keep()
            supervisor.restart_dead()
            time.sleep(0.25)


def _stop(supervisor: Supervisor) -> None:
    # A second Ctrl-C while stopping would leave parts running: finish the stop first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.stdout.isatty():
        click.echo()
    if killed := supervisor.stop_all():
        raise RuntimeError(f"did not stop in time and were killed: {', '.join(killed)}")


def _keep_broker(
    embedded: EmbeddedBroker | None, supervisor: Supervisor, settings: Settings
) -> None:
    """The embedded broker keeps everything in memory: if it stops, start it again on the
    same port with the topics, then the workers (whose tables' changelogs are gone) in
    order. The gateway's spool replays what it could not send; what the broker had taken
    but no worker had stored yet is lost (README: what survives)."""
    if embedded is None or embedded.alive:
        return
    log.error("embedded broker stopped; starting it again (its contents are lost)")
    embedded.start()
    create_topics(embedded.bootstrap_servers, partitions=settings.topic_partitions)
    supervisor.restart([name for name in ("worker", "alarm-lane") if name in supervisor.children])
