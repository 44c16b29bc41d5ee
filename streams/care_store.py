"""Alerts and signals -> the store, idempotently: the call handlers' queue and the
scheduler's list of people to call."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import faust
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from contracts.topics import Topic
from services.store.sinks import apply_alert, store_signal
from streams.app import Bus
from streams.consuming import parse_or_dead_letter, write_with_retry

SINKS: dict[Topic, Callable[[Session, BaseModel], bool]] = {
    Topic.ALERTS: apply_alert,  # type: ignore[dict-item]
    Topic.SIGNALS: store_signal,  # type: ignore[dict-item]
}


async def sink_topic(
    stream: faust.StreamT[bytes],
    *,
    topic: Topic,
    write: Callable[[Session, BaseModel], bool],
    dead_letters: faust.TopicT,
    factory: sessionmaker[Session],
) -> None:
    async for event in stream.events():
        parsed = await parse_or_dead_letter(event, topic, dead_letters)
        if parsed is not None:
            await write_with_retry(factory, write, parsed)


def wire_sinks(
    bus: Bus,
    factory: sessionmaker[Session],
    sinks: dict[Topic, Callable[[Session, BaseModel], bool]],
) -> None:
    """One agent per topic writing each parsed message with its idempotent store writer."""
    for topic, write in sinks.items():
        bus.app.agent(bus[topic], name=f"store-{topic}")(
            partial(sink_topic, topic=topic, write=write,
                    dead_letters=bus[Topic.DEADLETTER], factory=factory)
        )


def wire(bus: Bus, factory: sessionmaker[Session]) -> None:
    wire_sinks(bus, factory, SINKS)
