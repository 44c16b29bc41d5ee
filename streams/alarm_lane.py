"""The alarm fast lane: a worker of its own (its own consumer group and event loop) that
puts an urgent alarm in the call handlers' queue without sharing a loop with telemetry.

It runs the triage processor on the alarm alone and keeps only the raise. Triage derives
the raise's event id from the alarm's event id, whatever its state, so when the main
worker's triage raises the same alert the care record's idempotency claim drops the
second copy: one alert, raised as early as either lane gets to it. Repeats, resets and state
stay with the main worker's triage."""

from __future__ import annotations

import logging
from functools import partial

import faust
from sqlalchemy.orm import Session, sessionmaker

from care.commands import alert_command
from contracts.care import Alert
from contracts.codes import AlertAction, AlertPriority
from contracts.envelope import Envelope
from contracts.topics import CATALOGUE, Topic
from services.settings import Settings
from services.store.db import make_engine, make_session_factory
from streams.app import Bus, create_app, run_worker
from streams.consuming import handle_with_retry
from streams.processors import triage
from streams.processors.context import PersonContext

log = logging.getLogger(__name__)

ALARMS = CATALOGUE[Topic.DEVICE_ALARMS]


def urgent_raises(event: Envelope, context: PersonContext) -> list[Alert]:
    """The urgent alert triage raises for this alarm, judged on the alarm alone."""
    _, outputs = triage.process(triage.TriageState(person_id=event.person_id), event, context)
    return [
        output
        for output in outputs
        if isinstance(output, Alert)
        and output.action is AlertAction.RAISE
        and output.priority is AlertPriority.URGENT
    ]


async def raise_alarms(
    stream: faust.StreamT[bytes],
    *,
    alerts: faust.TopicT,
    factory: sessionmaker[Session],
    context: PersonContext,
) -> None:
    async for raw in stream:
        try:
            event = ALARMS.parse(raw)
        except ValueError:  # pydantic's ValidationError is one
            continue  # the main worker's sink dead-letters it, once
        assert isinstance(event, Envelope)
        for alert in urgent_raises(event, context):
            await handle_with_retry(factory, alert_command(alert))
            await alerts.send(key=alert.key, value=alert.to_bytes())
            log.info("alarm lane raised %s for %s", alert.event_id, alert.person_id)


def build(settings: Settings) -> Bus:
    lane = settings.model_copy(update={"app_id": f"{settings.app_id}-alarms"})
    bus = create_app(lane)
    factory = make_session_factory(make_engine(settings.sqlalchemy_url))
    bus.app.agent(bus[Topic.DEVICE_ALARMS], name="alarm-lane")(
        partial(
            raise_alarms,
            alerts=bus[Topic.ALERTS],
            factory=factory,
            context=PersonContext(tz=settings.timezone),
        )
    )
    return bus


def run(settings: Settings) -> None:
    run_worker(build(settings).app, settings.log_level)
