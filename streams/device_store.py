"""Device events -> the store: every alarm and telemetry event kept, once."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import Any

import faust
from sqlalchemy.orm import Session, sessionmaker

from contracts.deadletter import DeadLetter
from contracts.topics import Topic
from services.store import sinks
from services.store.sinks import AnyDeviceEvent, store_dead_letter
from streams.app import Bus
from streams.consuming import write_with_retry

log = logging.getLogger(__name__)


def device_event_writer(
    factory: sessionmaker[Session],
) -> Callable[[list[Any], Topic], Awaitable[int]]:
    """What the processing agents call with each batch of parsed device events: one
    transaction for the batch (idempotent: a redelivered event is skipped)."""

    async def store(events: list[Any], topic: Topic) -> int:
        events = [e for e in events if isinstance(e, AnyDeviceEvent)]
        if not events:
            return 0
        stored = await write_with_retry(factory, sinks.store_device_events, events, str(topic))
        log.debug(
            "%d device event(s) from %s: %d stored, %d duplicate",
            len(events),
            topic,
            stored,
            len(events) - stored,
        )
        return stored

    return store


async def store_dead_letters(
    stream: faust.StreamT[bytes], *, factory: sessionmaker[Session]
) -> None:
    async for raw in stream:
        letter = DeadLetter.model_validate_json(raw)
        await write_with_retry(factory, store_dead_letter, letter)


def wire(bus: Bus, factory: sessionmaker[Session]) -> None:
    """The dead-letter sink (device events are stored by the processing agents, which
    parse them anyway: `device_event_writer`)."""
    dead_letters = bus[Topic.DEADLETTER]
    bus.app.agent(dead_letters, name="store-deadletters")(
        partial(store_dead_letters, factory=factory)
    )
