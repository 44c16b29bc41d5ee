"""Device events -> the store: every alarm and telemetry event kept, once."""

from __future__ import annotations

import logging
from functools import partial

import faust
from sqlalchemy.orm import Session, sessionmaker

from contracts.deadletter import DeadLetter
from contracts.topics import Topic
from services.store import sinks
from services.store.sinks import AnyDeviceEvent, store_dead_letter
from streams.app import Bus
from streams.consuming import parse_or_dead_letter, write_with_retry

log = logging.getLogger(__name__)


# Telemetry arrives in floods (a hub reconnecting, a night of motion); one transaction
# per event made this sink the slowest agent, and a Faust worker feeds every agent from
# one loop, so a slow sink held alarms back. Batches are written in one transaction;
# the batch write is idempotent, as `take_events` needs (pitfall F6), and `within` is
# short so a quiet topic is not held back.
BATCH_SIZE = 500
BATCH_WITHIN_S = 0.2


async def store_device_events(
    stream: faust.Stream[bytes],  # the concrete Stream: StreamT does not declare take_events
    *,
    topic: Topic,
    dead_letters: faust.TopicT,
    factory: sessionmaker[Session],
) -> None:
    async for batch in stream.take_events(BATCH_SIZE, within=BATCH_WITHIN_S):
        parsed = [await parse_or_dead_letter(event, topic, dead_letters) for event in batch]
        events = [e for e in parsed if isinstance(e, AnyDeviceEvent)]
        if not events:
            continue
        stored = await write_with_retry(factory, sinks.store_device_events, events,
                                        str(topic))
        log.info("%d device event(s) from %s: %d stored, %d duplicate",
                 len(events), topic, stored, len(events) - stored)


async def store_dead_letters(
    stream: faust.StreamT[bytes], *, factory: sessionmaker[Session]
) -> None:
    async for raw in stream:
        letter = DeadLetter.model_validate_json(raw)
        await write_with_retry(factory, store_dead_letter, letter)


def wire(bus: Bus, factory: sessionmaker[Session]) -> None:
    """Bind the sinks to their topics: alarms get an agent of their own, so a backlog of
    telemetry never delays them."""
    dead_letters = bus[Topic.DEADLETTER]
    for topic in (Topic.DEVICE_ALARMS, Topic.DEVICE_EVENTS):
        bus.app.agent(bus[topic], name=f"store-{topic}")(
            partial(store_device_events, topic=topic, dead_letters=dead_letters, factory=factory)
        )
    bus.app.agent(dead_letters, name="store-deadletters")(
        partial(store_dead_letters, factory=factory)
    )
