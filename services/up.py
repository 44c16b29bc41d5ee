"""`tecflow up`: broker, store, workers and the synthetic community on one machine."""

from __future__ import annotations

import logging
import signal
import sys
import time
from contextlib import ExitStack

import click
from sqlalchemy.orm import Session, sessionmaker

from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.broker.publisher import EventPublisher
from services.gateway.settings import GatewaySettings
from services.processes import free_port, port_open
from services.settings import Settings
from services.sim.alerts_demo import run_alerts_demo
from services.sim.campaign_demo import seed_demo_campaign
from services.sim.cohort import synthetic_cohort
from services.sim.gateway_demo import run_gateway_demo
from services.sim.needs_demo import run_needs_demo
from services.sim.seeding import seed_cohort
from services.sim.spine_demo import run_spine_demo
from services.sim.telephony import local_telephony_env, run_telephony_demo
from services.store.db import make_engine, make_session_factory, transaction
from services.store.migrate import upgrade
from services.summary import read_figures, summary_line
from services.supervisor import Supervisor

log = logging.getLogger(__name__)


def run_platform(settings: Settings, simulate: bool, people: int, exit_after_demo: bool) -> None:
    """Start every part, run the demo, then print the summary line until interrupted.
    On the way out (Ctrl-C, SIGTERM, or a part that died) the parts stop before the
    broker; raises RuntimeError naming a part that died or had to be killed."""
    with ExitStack() as stack:
        bootstrap = settings.kafka_bootstrap_servers
        if not bootstrap:
            embedded = EmbeddedBroker(log_path=settings.data_dir / "broker.log")
            stack.callback(embedded.stop)
            bootstrap = embedded.start().bootstrap_servers
            click.echo(f"embedded broker (Tansu) on {bootstrap}")
        create_topics(bootstrap, partitions=settings.topic_partitions)
        upgrade(settings.sqlalchemy_url)
        click.echo(f"store: {settings.sqlalchemy_url.split('@')[-1]}")

        sim_port, ivr_port = free_port(), free_port()
        gateway = GatewaySettings()
        mqtt = (gateway.mqtt_host, gateway.mqtt_port)
        mqtt_answers = port_open(*mqtt)
        ports = {name: free_port() for name in ("worker", "alarm-lane", "gateway-sip",
                                                 "gateway-http")}
        supervisor = Supervisor(
            env={
                "KAFKA_BOOTSTRAP_SERVERS": bootstrap,
                "TECFLOW_DATABASE_URL": settings.sqlalchemy_url,
                "TECFLOW_WORKER_WEB_PORT": str(ports["worker"]),
                "TECFLOW_GATEWAY_SIP_PORT": str(ports["gateway-sip"]),
                "TECFLOW_GATEWAY_HTTP_PORT": str(ports["gateway-http"]),
                "TECFLOW_GATEWAY_MQTT_ENABLED": str(gateway.mqtt_enabled and mqtt_answers),
            } | local_telephony_env(sim_port, ivr_port),
            log_dir=settings.data_dir,
        )
        stack.callback(_stop, supervisor)
        supervisor.start("worker", "worker", port=ports["worker"])
        supervisor.start("alarm-lane", "worker", "--lane", "alarms", port=ports["alarm-lane"],
                         env={"TECFLOW_WORKER_WEB_PORT": str(ports["alarm-lane"])})
        supervisor.start("gateway", "gateway", port=ports["gateway-http"])
        # Telephony against the local Twilio simulator (production points at Twilio).
        supervisor.start("twilio-sim", "twilio-sim", port=sim_port)
        supervisor.start("ivr", "ivr", port=ivr_port)
        supervisor.start("dialer", "dialer")
        factory = make_session_factory(make_engine(settings.sqlalchemy_url))
        if simulate:
            with transaction(factory) as session:
                seed_demo_campaign(session)
        supervisor.start("scheduler", "scheduler")
        click.echo(f"starting {', '.join(supervisor.children)} (logs in {settings.data_dir}/)")
        supervisor.wait_ready(
            progress=lambda name, seconds: click.echo(f"  {name} ready ({seconds:.1f} s)"))
        click.echo(f"SCAIP (SIP) on 127.0.0.1:{ports['gateway-sip']} UDP and TCP; OwnTracks "
                   f"and Alexa on http://127.0.0.1:{ports['gateway-http']}; Twilio simulator "
                   f"on http://127.0.0.1:{sim_port}")

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
                cohort[0], factory, ports["gateway-sip"],
                mqtt if mqtt_answers else None, supervisor.check))
        if exit_after_demo:
            return
        click.echo("running; press Ctrl-C to stop")
        _show_summary(supervisor, factory)


def _show_summary(supervisor: Supervisor, factory: sessionmaker[Session],
                  every_s: float = 5.0) -> None:
    """Until interrupted or a part dies: the summary line, rewritten in place on a
    terminal, one line per `every_s` otherwise (a log, a test)."""
    tty = sys.stdout.isatty()
    before = None
    while True:
        figures = read_figures(factory)
        line = summary_line(figures, before)
        click.echo(f"\r{line}\x1b[K" if tty else line, nl=not tty)
        before = figures
        deadline = time.monotonic() + every_s
        while time.monotonic() < deadline:
            supervisor.check()
            time.sleep(0.25)


def _stop(supervisor: Supervisor) -> None:
    # A second Ctrl-C while stopping would leave parts running: finish the stop first.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if sys.stdout.isatty():
        click.echo()
    if killed := supervisor.stop_all():
        raise RuntimeError(f"did not stop in time and were killed: {', '.join(killed)}")
