"""`tecflow up`: broker, store, workers and the synthetic community on one machine."""

from __future__ import annotations

import logging
from contextlib import ExitStack

import click

from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.broker.publisher import EventPublisher
from services.gateway.settings import GatewaySettings
from services.processes import free_port, port_open
from services.settings import Settings
from services.sim.alerts_demo import run_alerts_demo
from services.sim.campaign_demo import seed_demo_campaign
from services.sim.cohort import synthetic_cohort
from services.sim.console_demo import seed_demo_accounts
from services.sim.gateway_demo import run_gateway_demo
from services.sim.needs_demo import run_needs_demo
from services.sim.seeding import seed_cohort
from services.sim.spine_demo import run_spine_demo
from services.sim.telephony import local_telephony_env, run_telephony_demo
from services.store.db import make_engine, make_session_factory, transaction
from services.store.migrate import upgrade
from services.supervisor import Supervisor

log = logging.getLogger(__name__)


def run_platform(settings: Settings, simulate: bool, people: int, exit_after_demo: bool) -> None:
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

        sim_port, ivr_port, console_port = free_port(), free_port(), free_port()
        gateway = GatewaySettings()
        mqtt = (gateway.mqtt_host, gateway.mqtt_port)
        mqtt_answers = port_open(*mqtt)
        supervisor = Supervisor(
            env={
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "TECFLOW_DATABASE_URL": settings.sqlalchemy_url,
                "TECFLOW_WORKER_WEB_PORT": str(free_port()),
                "TECFLOW_GATEWAY_SIP_PORT": str(free_port()),
                "TECFLOW_GATEWAY_HTTP_PORT": str(free_port()),
                "TECFLOW_GATEWAY_MQTT_ENABLED": str(gateway.mqtt_enabled and mqtt_answers),
            } | local_telephony_env(sim_port, ivr_port),
            log_dir=settings.data_dir,
        )
        stack.callback(supervisor.stop_all)
        supervisor.start("worker", "worker")
        supervisor.start("alarm-lane", "worker", "--lane", "alarms",
                         env={"TECFLOW_WORKER_WEB_PORT": str(free_port())})
        supervisor.start("gateway", "gateway")
        click.echo(f"workers (all, alarm lane) and gateway started; logs in {settings.data_dir}/")
        # Telephony against the local Twilio simulator (production points at Twilio).
        for part in ("twilio-sim", "ivr", "dialer"):
            supervisor.start(part, part)
        click.echo("Twilio simulator, IVR and dialer started")
        factory = make_session_factory(make_engine(settings.sqlalchemy_url))
        if simulate:
            with transaction(factory) as session:
                seed_demo_campaign(session)
        supervisor.start("scheduler", "scheduler")
        click.echo("scheduler started (campaigns: `tecflow campaigns list`)")
        supervisor.start("console", "console", env={"TECFLOW_CONSOLE_PORT": str(console_port)})
        if simulate:
            with transaction(factory) as session:
                for username, role, password in seed_demo_accounts(session):
                    click.echo(f"demo sign-in: {username} / {password} ({role})")
        env = supervisor.env
        click.echo("\n".join([
            "addresses:",
            f"  console            http://127.0.0.1:{console_port}/",
            f"  SCAIP over SIP     udp+tcp 127.0.0.1:{env['TECFLOW_GATEWAY_SIP_PORT']}",
            f"  OwnTracks, Alexa   http://127.0.0.1:{env['TECFLOW_GATEWAY_HTTP_PORT']}"
            "/owntracks, /alexa",
            "  MQTT bridge        " + (f"mqtt://{mqtt[0]}:{mqtt[1]}" if mqtt_answers
                                       else "off (no MQTT broker answers)"),
            f"  IVR webhooks       http://127.0.0.1:{ivr_port}/",
            f"  Twilio simulator   http://127.0.0.1:{sim_port}/",
            f"  Kafka              {bootstrap}",
        ]))

        if simulate:
            cohort = synthetic_cohort(people)
            with transaction(factory) as session:
                seed_cohort(session, cohort)
            with EventPublisher(bootstrap) as publisher:
                click.echo(run_spine_demo(publisher, factory, cohort, supervisor.check))
                click.echo(run_needs_demo(publisher, factory, cohort, supervisor.check))
                click.echo(run_alerts_demo(publisher, factory, cohort, supervisor.check))
                click.echo(run_telephony_demo(
                    publisher, factory, cohort, f"http://127.0.0.1:{sim_port}", supervisor.check
                ))
            click.echo(run_gateway_demo(
                cohort[0], factory, int(supervisor.env["TECFLOW_GATEWAY_SIP_PORT"]),
                mqtt if mqtt_answers else None, supervisor.check))
        if exit_after_demo:
            return
        click.echo("running; press Ctrl-C to stop")
        supervisor.wait_forever(watch=lambda: _keep_broker(embedded, supervisor, settings))


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
    supervisor.restart([name for name in ("worker", "alarm-lane")
                        if name in supervisor.children])
