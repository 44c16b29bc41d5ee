"""The processors on the bus: one agent per device topic runs every processor that
reads the event, keeping each processor's per-person state in a Faust table (memory
store, recovered from its changelog), and sends the alerts and signals they emit.

Tables are written from both device topics, so Faust requires them to be
co-partitioned: the same partition count as the topics (read from the broker), and
device.alarms with as many partitions as device.events.

The timed checks (not up, device offline...) take "now" from a clock, never from inside a
rule. On the wall clock (production) a timer runs them every `check_interval_s` over
the people whose partitions this worker holds. On the event clock
(`TECFLOW_STREAMS_CLOCK=event`) time is the events' own: before a person's event is
applied, each of their processors catches up on the checks due since its last one, at
whole multiples of the interval, exactly as `streams.processors.replay` does, so a
recorded log gives the same alerts on the bus as in `tecflow evaluate`."""

from __future__ import annotations

import logging
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from typing import Any
from uuid import UUID

import faust
from faust.types.tables import TableT
from kafka import KafkaConsumer
from sqlalchemy.orm import Session, sessionmaker

from contracts.care import Alert
from contracts.deadletter import DeadLetter
from contracts.topics import CATALOGUE, Topic
from services.metrics import DEAD_LETTERS, EVENTS_OUT, EVENTS_PROCESSED
from services.settings import Settings
from streams.app import Bus
from streams.consuming import parse_or_dead_letter
from streams.person_context import ContextBook
from streams.processors.catalogue import PROCESSORS, Processor
from streams.processors.clock import Clock, WallClock, check_times
from streams.processors.context import PersonContext
from streams.processors.outputs import Output
from streams.settings import StreamsSettings

log = logging.getLogger(__name__)

SOURCES = (Topic.DEVICE_ALARMS, Topic.DEVICE_EVENTS)
SENT_REMEMBERED = 100_000


@dataclass
class Runtime:
    bus: Bus
    tables: dict[str, TableT[str, Any]]
    contexts: ContextBook
    clock: Clock = field(default_factory=WallClock)
    # Set on the event clock: the checks run in event time, this far apart.
    event_checks: timedelta | None = None
    # Timed checks repeat their findings every tick; ids already sent are not resent.
    sent: OrderedDict[UUID, None] = field(default_factory=OrderedDict)


async def send(bus: Bus, outputs: list[Output]) -> None:
    for output in outputs:
        topic = Topic.ALERTS if isinstance(output, Alert) else Topic.SIGNALS
        await bus[topic].send(key=output.key, value=output.to_bytes())
        EVENTS_OUT.labels(str(topic)).inc()


def step(
    runtime: Runtime,
    processor: Processor[Any],
    event: Any,
    context: PersonContext,
    message: faust.types.Message,
) -> list[Output]:
    """Run one processor on one event, saving its new state (only when it changed, so
    the changelog carries changes, not every event).

    The stored value also keeps the offset of the last event applied from each topic:
    after a crash the source offsets may lag the changelog (pitfall F9), and an event
    at or below that offset has already been counted, so it is skipped. On the event
    clock it also keeps when the person's checks last ran ("c")."""
    table = runtime.tables[processor.name]
    stored = table.get(event.person_id)
    applied: dict[str, int] = stored.get("o", {}) if stored else {}
    if message.offset <= applied.get(message.topic, -1):
        return []
    state = processor.load(event.person_id, stored["s"] if stored else None)
    outputs: list[Output] = []
    checked = last = stored.get("c") if stored else None
    if runtime.event_checks is not None:
        since = datetime.fromisoformat(last) if last else None
        for at in check_times(since, event.occurred_at, runtime.event_checks):
            outputs += processor.due(state, context, at)
        checked = max(since or event.occurred_at, event.occurred_at).isoformat()
    new_state, found = processor.process(state, event, context)
    outputs += found
    if (new_state is not state and new_state != state) or checked != last:
        save(
            table,
            event.person_id,
            message.partition,
            {
                "p": message.partition,
                "o": {**applied, message.topic: message.offset},
                "s": new_state.model_dump(mode="json"),
                **({"c": checked} if checked else {}),
            },
        )
    return outputs


def save(table: TableT[str, Any], key: str, partition: int, value: dict[str, Any]) -> None:
    """Set a table value and send it to the changelog partition of the event's own
    partition. `table[key] = value` finds that partition from the event Faust is
    iterating, which a batch taken with `take_events` is not."""
    table.data[key] = value
    table.send_changelog(partition, key, value)


# Events are taken in batches: each is parsed once, run through the processors, and
# the batch is stored in one write. Per-event awaits (a Faust channel and a parse per
# agent, a store round trip per event) were what held a worker to a few hundred events
# a second. `within` bounds how long the first event of a quiet spell waits: short on
# the alarm lane, where it is part of an alarm's time to the queue.
BATCH = {Topic.DEVICE_ALARMS: (100, 0.01), Topic.DEVICE_EVENTS: (1000, 0.1)}


async def process_device_events(
    stream: faust.Stream[bytes],  # the concrete Stream: StreamT does not declare take_events
    *,
    topic: Topic,
    runtime: Runtime,
    store: Callable[[list[Any], Topic], Awaitable[int]],
) -> None:
    """The processors on every event of each batch, in order, then the batch stored.

    The batch is acked once this returns to take the next one (pitfall F6): a crash
    before that redelivers it, and both effects are idempotent (the processors skip an
    event at or below the offset they applied last, the store skips a stored event)."""
    dead_letters = runtime.bus[Topic.DEADLETTER]
    size, within = BATCH[topic]
    async for batch in stream.take_events(size, within=within):
        parsed = [
            (event, await parse_or_dead_letter(event, topic, dead_letters)) for event in batch
        ]
        outputs: list[Output] = []
        for event, model in parsed:
            if model is not None:
                outputs += await apply(runtime, topic, model, event)
        await send_once(runtime, outputs)
        valid = [model for _, model in parsed if model is not None]
        await store(valid, topic)
        EVENTS_PROCESSED.labels(str(topic)).inc(len(valid))


async def apply(
    runtime: Runtime, topic: Topic, parsed: Any, event: faust.EventT[Any]
) -> list[Output]:
    """Every processor that reads the event, on it; a processor that fails is reported
    with the event as a dead letter and the others still run."""
    context = await runtime.contexts.get(parsed.person_id)
    outputs: list[Output] = []
    for processor in PROCESSORS:
        if not isinstance(parsed, processor.reads):
            continue
        try:
            outputs += step(runtime, processor, parsed, context, event.message)
        except Exception as error:  # one bad event must not stop a person's partition
            log.exception("processor %s failed on %s", processor.name, topic)
            await runtime.bus[Topic.DEADLETTER].send(
                value=DeadLetter.of(
                    origin=str(topic),
                    reason=f"processor {processor.name} failed: {type(error).__name__}",
                    raw=bytes(event.value or b""),
                    key=event.message.key,
                    partition=event.message.partition,
                    offset=event.message.offset,
                ).to_bytes()
            )
            DEAD_LETTERS.labels(str(topic), f"processor {processor.name} failed").inc()
    return outputs


async def send_once(runtime: Runtime, outputs: list[Output]) -> int:
    """Timed checks repeat their findings at every run (and an event on the event clock
    may catch up many runs): the first of each id is sent, ids already sent are dropped
    (and remembered only once sent, so a failed send is tried again)."""
    firsts: dict[UUID, Output] = {}
    for output in outputs:
        if output.event_id not in runtime.sent:
            firsts.setdefault(output.event_id, output)
    fresh = list(firsts.values())
    await send(runtime.bus, fresh)
    for output in fresh:
        runtime.sent[output.event_id] = None
    while len(runtime.sent) > SENT_REMEMBERED:
        runtime.sent.popitem(last=False)
    return len(fresh)


def held_partitions(app: faust.App) -> set[int]:
    return {tp.partition for tp in app.assignor.assigned_actives() if tp.topic in SOURCES}


async def run_checks(runtime: Runtime) -> int:
    """The timed checks for everyone on the partitions this worker holds (standby
    copies are left to their active worker). Returns how many outputs were sent."""
    now = runtime.clock.now()
    held = held_partitions(runtime.bus.app)
    outputs: list[Output] = []
    for processor in PROCESSORS:
        if processor.check is None:
            continue
        # A snapshot: agents may change the table while contexts are awaited.
        entries = list(runtime.tables[processor.name].items())
        for person_id, stored in entries:
            if stored is None or stored["p"] not in held:
                continue
            context = await runtime.contexts.get(person_id)
            state = processor.load(person_id, stored["s"])
            outputs += processor.due(state, context, now)
    return await send_once(runtime, outputs)


def source_partitions(settings: Settings) -> int:
    """The partition count of the device topics on the broker, which the tables must
    share; the configured or catalogue count if the topics do not exist yet."""
    counts: set[int] = set()
    assert settings.kafka_bootstrap_servers
    consumer = KafkaConsumer(bootstrap_servers=settings.kafka_bootstrap_servers.split(","))
    try:
        for topic in SOURCES:
            partitions = consumer.partitions_for_topic(str(topic))
            if partitions:
                counts.add(len(partitions))
    finally:
        consumer.close()
    if len(counts) > 1:
        raise RuntimeError(
            f"device.alarms and device.events must have the same partition count "
            f"(found {sorted(counts)}): the processors' tables are co-partitioned with both"
        )
    return (
        counts.pop()
        if counts
        else (settings.topic_partitions or CATALOGUE[Topic.DEVICE_EVENTS].partitions)
    )


def wire(
    bus: Bus,
    factory: sessionmaker[Session],
    settings: Settings,
    store: Callable[[list[Any], Topic], Awaitable[int]],
) -> Runtime:
    streams_settings = StreamsSettings()
    partitions = source_partitions(settings)
    runtime = Runtime(
        bus=bus,
        tables={
            p.name: bus.app.Table(
                f"state-{p.name}",
                default=None,
                partitions=partitions,
                # No key or value type: Faust then uses JSON both ways, plain values.
                help=f"Per-person state of the {p.name} processor",
            )
            for p in PROCESSORS
        },
        contexts=ContextBook(factory, streams_settings.context_ttl_s, settings.timezone),
        event_checks=timedelta(seconds=streams_settings.check_interval_s)
        if streams_settings.clock == "event"
        else None,
    )
    for topic in SOURCES:
        # One agent per topic: a backlog of telemetry never delays an alarm.
        bus.app.agent(bus[topic], name=f"process-{topic}")(
            partial(process_device_events, topic=topic, runtime=runtime, store=store)
        )

    async def timed_checks() -> None:
        # Faust stops the worker when a timer raises (pitfall F10): log and carry on.
        try:
            sent = await run_checks(runtime)
        except Exception:
            log.exception("timed checks failed; next run in %ss", streams_settings.check_interval_s)
        else:
            if sent:
                log.info("timed checks sent %d alert(s)", sent)

    if runtime.event_checks is None:  # on the event clock, events drive the checks
        bus.app.timer(streams_settings.check_interval_s, name="timed-checks")(timed_checks)
    return runtime
