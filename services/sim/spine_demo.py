"""The spine demo: a few synthetic events through the real broker and worker into the
store, one sent twice and one malformed, then a printout of what was stored."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from contracts.codes import ScaipDeviceType, ScaipMessageType, ScaipStatus
from contracts.devices import (
    AlarmEvent,
    GeoPoint,
    LocationEvent,
    SensorCapability,
    SensorEvent,
    SensorPlacement,
    VoiceEvent,
    VoiceIntent,
)
from contracts.envelope import Envelope
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.sim.cohort import SimPerson
from services.store.db import transaction
from services.store.models import DeadLetterRecord, DeviceEventRecord

MALFORMED = b'{"kind": "alarm", "person_id": "P000001", "note": "no timestamps"}'


def spine_events(people: list[SimPerson], now: datetime) -> list[tuple[Topic, Envelope]]:
    """One home's worth of traffic per person: a night, a morning and a pendant press."""
    events: list[tuple[Topic, Envelope]] = []
    for n, person in enumerate(people):
        at = now - timedelta(minutes=30 - n)
        hub = person.device("scaip_hub").identifier
        events += [
            (Topic.DEVICE_EVENTS, AlarmEvent(
                person_id=person.person_id, occurred_at=at, source="sim.scaip",
                reference=f"{n}01", message_type=ScaipMessageType.HEARTBEAT,
                controller_id=hub, device_type=ScaipDeviceType.LOCAL_UNIT)),
            (Topic.DEVICE_EVENTS, SensorEvent(
                person_id=person.person_id, occurred_at=at + timedelta(minutes=1),
                source="sim.zigbee2mqtt", device_id=person.device("zigbee", "bed").identifier,
                capability=SensorCapability.OCCUPANCY, value=False,
                placement=SensorPlacement.BED)),
            (Topic.DEVICE_EVENTS, SensorEvent(
                person_id=person.person_id, occurred_at=at + timedelta(minutes=2),
                source="sim.zigbee2mqtt",
                device_id=person.device("zigbee", "front_door").identifier,
                capability=SensorCapability.CONTACT, value=False,
                placement=SensorPlacement.FRONT_DOOR)),
            (Topic.DEVICE_EVENTS, LocationEvent(
                person_id=person.person_id, occurred_at=at + timedelta(minutes=3),
                source="sim.owntracks", tracker_id=person.device("owntracks").identifier,
                position=GeoPoint(lat=56.462 + n / 1000, lon=-2.9707, accuracy_m=12),
                battery_pct=81)),
            (Topic.DEVICE_EVENTS, VoiceEvent(
                person_id=person.person_id, occurred_at=at + timedelta(minutes=4),
                source="sim.alexa", device_id=person.device("alexa").identifier,
                request_id=f"amzn1.echo-api.request.{person.person_id}",
                intent=VoiceIntent.CHECKIN_OK)),
        ]
    first = people[0]
    events.append((Topic.DEVICE_ALARMS, AlarmEvent(
        person_id=first.person_id, occurred_at=now, source="sim.scaip", reference="9001",
        controller_id=first.device("scaip_hub").identifier,
        device_type=ScaipDeviceType.PERSONAL_TRIGGER, status_code=ScaipStatus.MANUAL_ALARM,
        voice_route="gsm:+447700900001")))
    return events


def push(publisher: EventPublisher, events: list[tuple[Topic, Envelope]]) -> None:
    for topic, event in events:
        publisher.publish(topic, event)
    # At-least-once delivery means duplicates happen; show that one changes nothing.
    publisher.publish(*events[-1])
    publisher.publish_raw(Topic.DEVICE_EVENTS, MALFORMED, key=b"P000001")


def wait_for(
    condition: Callable[[], bool],
    timeout_s: float,
    still_running: Callable[[], None] = lambda: None,
    poll_s: float = 0.5,
) -> bool:
    """Poll `condition`; `still_running` raises if a part the wait depends on has died."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        still_running()
        time.sleep(poll_s)
    return False


def stored_counts(factory: sessionmaker[Session]) -> tuple[int, int]:
    with transaction(factory) as session:
        events = session.scalar(select(func.count()).select_from(DeviceEventRecord)) or 0
        letters = session.scalar(select(func.count()).select_from(DeadLetterRecord)) or 0
    return events, letters


def report(factory: sessionmaker[Session]) -> str:
    lines = ["", "Stored device events (person, topic, kind, source):"]
    with transaction(factory) as session:
        rows = session.execute(
            select(DeviceEventRecord.person_id, DeviceEventRecord.topic,
                   DeviceEventRecord.kind, DeviceEventRecord.source)
            .order_by(DeviceEventRecord.person_id, DeviceEventRecord.occurred_at)
        ).all()
        lines += [f"  {p:<9} {t:<14} {k:<9} {s}" for p, t, k, s in rows]
        letters = session.scalars(select(DeadLetterRecord)).all()
        lines.append(f"Dead letters: {len(letters)}")
        lines += [f"  from {d.origin}: {d.reason}" for d in letters]
    return "\n".join(lines)


def run_spine_demo(
    publisher: EventPublisher,
    factory: sessionmaker[Session],
    people: list[SimPerson],
    still_running: Callable[[], None] = lambda: None,
    timeout_s: float = 90.0,
) -> str:
    before_events, before_letters = stored_counts(factory)
    events = spine_events(people, datetime.now(UTC))
    push(publisher, events)
    expected = (before_events + len(events), before_letters + 1)
    arrived = wait_for(lambda: stored_counts(factory) >= expected, timeout_s, still_running)
    summary = report(factory)
    if not arrived:
        raise TimeoutError(f"the store did not reach {expected} in {timeout_s}s\n{summary}")
    return (f"Sent {len(events)} events (+1 duplicate, +1 malformed); the store holds "
            f"{expected[0]} events and {expected[1]} dead letter(s).{summary}")
