"""A recorded home through the real path: the zigbee2mqtt parser, the equipment
register (a throwaway SQLite store holding the home's loans) and every processor, the
timed checks running every 60 s of event time as the worker's event clock runs them."""

from __future__ import annotations

import asyncio
import tempfile
from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from contracts.devices import SensorEvent
from services.evaluate.logs import BASE_TOPIC, Home, Message
from services.gateway import zigbee
from services.gateway.register import ZIGBEE, EquipmentRegister
from services.store.db import make_engine, make_session_factory, transaction
from services.store.models import Base, Device, DeviceLoan, Person
from streams.processors.context import PersonContext
from streams.processors.outputs import Output
from streams.processors.replay import CHECK_EVERY, Replay

PERSON = "EVAL-1"


def sensor_events(
    messages: Iterable[Message], home: Home, person_id: str = PERSON
) -> list[SensorEvent]:
    """The messages as the gateway turns them into sensor events."""
    with tempfile.TemporaryDirectory(prefix="tecflow-evaluate-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'register.db'}")
        try:
            Base.metadata.create_all(engine)
            factory = make_session_factory(engine)
            with transaction(factory) as session:
                session.add(
                    Person(
                        id=person_id,
                        display_name="Evaluated home",
                        timezone=home.tz,
                        lives_alone=True,
                    )
                )
                session.flush()
                for sensor in home.sensors.values():
                    device = Device(
                        kind=ZIGBEE,
                        identifier=sensor.name,
                        placement=sensor.placement.value,
                        status="loaned",
                    )
                    session.add(device)
                    session.flush()
                    session.add(DeviceLoan(device_id=device.id, person_id=person_id))
            return asyncio.run(_through_gateway(messages, EquipmentRegister(factory)))
        finally:
            engine.dispose()


async def _through_gateway(
    messages: Iterable[Message], register: EquipmentRegister
) -> list[SensorEvent]:
    events: list[SensorEvent] = []
    for message in messages:
        parsed = zigbee.parse(BASE_TOPIC, message.topic, message.to_bytes())
        if isinstance(parsed, zigbee.Ignored) or not parsed.readings:
            continue
        holder = await register.holder_of(ZIGBEE, parsed.friendly_name)
        if holder is None:
            continue  # the gateway dead-letters it; nothing for the processors
        events += parsed.to_events(holder.person_id, holder.placement, message.at)
    return events


def replay(events: list[SensorEvent], home: Home, until: datetime | None = None) -> list[Output]:
    context = PersonContext(tz=home.tz)
    end = until or events[-1].occurred_at
    return Replay(lambda _who, _at: context, CHECK_EVERY).run(events, end)
