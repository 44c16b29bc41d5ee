"""Alerts and signals -> the store, idempotently: the call handlers' queue (through the
care record's handlers) and the scheduler's list of people to call."""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import partial
from typing import Any

import faust
from pydantic import BaseModel
from sqlalchemy.orm import Session, sessionmaker

from care.commands import Command, alert_command
from care.errors import CareRecordError
from contracts.topics import Topic
from services.store.sinks import store_signal
from streams.app import Bus
from streams.consuming import handle_with_retry, parse_or_dead_letter, write_with_retry

log = logging.getLogger(__name__)

SINKS: dict[Topic, Callable[[Session, BaseModel], bool]] = {
    Topic.SIGNALS: store_signal,  # type: ignore[dict-item]
}
# Topics whose messages are care-record commands: message -> command.
COMMANDS: dict[Topic, Callable[[Any], Command]] = {
    Topic.ALERTS: alert_command,
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


async def command_topic(
    stream: faust.StreamT[bytes],
    *,
    topic: Topic,
    command_for: Callable[[Any], Command],
    dead_letters: faust.TopicT,
    factory: sessionmaker[Session],
) -> None:
    async for event in stream.events():
        parsed = await parse_or_dead_letter(event, topic, dead_letters)
        if parsed is None:
            continue
        try:
            await handle_with_retry(factory, command_for(parsed))
        except CareRecordError as refused:
            # A change the rules refuse (a step backwards, a closed flag): kept out of the
            # record and logged with ids only; the message stays on the topic.
            log.warning(
                "%s message %s refused: %s", topic, getattr(parsed, "event_id", "?"), refused
            )


def wire_sinks(
    bus: Bus,
    factory: sessionmaker[Session],
    sinks: dict[Topic, Callable[[Session, BaseModel], bool]],
) -> None:
    """One agent per topic writing each parsed message with its idempotent store writer."""
    for topic, write in sinks.items():
        bus.app.agent(bus[topic], name=f"store-{topic}")(
            partial(
                sink_topic,
                topic=topic,
                write=write,
                dead_letters=bus[Topic.DEADLETTER],
                factory=factory,
            )
        )


def wire_commands(
    bus: Bus, factory: sessionmaker[Session], commands: dict[Topic, Callable[[Any], Command]]
) -> None:
    """One agent per topic handing each parsed message to the care record as a command."""
    for topic, command_for in commands.items():
        bus.app.agent(bus[topic], name=f"store-{topic}")(
            partial(
                command_topic,
                topic=topic,
                command_for=command_for,
                dead_letters=bus[Topic.DEADLETTER],
                factory=factory,
            )
        )


def wire(bus: Bus, factory: sessionmaker[Session]) -> None:
    wire_sinks(bus, factory, SINKS)
    wire_commands(bus, factory, COMMANDS)
