"""Device events -> the store: every alarm and telemetry event kept, once."""

from __future__ import annotations

import logging
from functools import partial

import faust
from sqlalchemy.orm import Session, sessionmaker

from contracts.deadletter import DeadLetter
from contracts.devices import AlarmEvent, LocationEvent, SensorEvent, VoiceEvent
from contracts.topics import Topic
from services.store.sinks import store_dead_letter, store_device_event
from streams.app import Bus
from streams.consuming import parse_or_dead_letter, write_with_retry

log = logging.getLogger(__name__)


async def store_device_events(
    stream: faust.StreamT[bytes],
    *,
    topic: Topic,
    dead_letters: faust.TopicT,
    factory: sessionmaker[Session],
) -> None:
    async for event in stream.events():
        parsed = await parse_or_dead_letter(event, topic, dead_letters)
        if parsed is None:
            continue
        assert isinstance(parsed, AlarmEvent | SensorEvent | LocationEvent | VoiceEvent)
        stored = await write_with_retry(factory, store_device_event, parsed, str(topic))
        log.info("device event %s %s", parsed.event_id, "stored" if stored else "duplicate")


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
