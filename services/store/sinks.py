"""Sinks from topics to the store, idempotent by event_id (device events, dead letters,
signals; the care tables are written by the care record, `care/`)."""

from __future__ import annotations

from sqlalchemy.orm import Session

import contracts
from contracts.deadletter import DeadLetter
from contracts.devices import AlarmEvent, LocationEvent, SensorEvent, VoiceEvent
from services.store.idempotency import claim
from services.store.models import DeadLetterRecord, DeviceEventRecord, SignalRecord

AnyDeviceEvent = AlarmEvent | SensorEvent | LocationEvent | VoiceEvent


def store_device_event(session: Session, event: AnyDeviceEvent, topic: str) -> bool:
    """Write one device event; False (and no write) if it was stored before."""
    if not claim(session, "device_events", event.event_id):
        return False
    session.add(
        DeviceEventRecord(
            event_id=event.event_id,
            person_id=event.person_id,
            kind=event.kind,
            topic=topic,
            source=event.source,
            occurred_at=event.occurred_at,
            received_at=event.received_at,
            payload=event.model_dump(mode="json"),
        )
    )
    return True


def store_device_events_batch(session: Session, events: list[AnyDeviceEvent], topic: str) -> int:
    """Write a batch in one transaction; returns how many were new."""
    return sum(store_device_event(session, event, topic) for event in events)


def store_dead_letter(session: Session, letter: DeadLetter) -> bool:
    if not claim(session, "dead_letters", letter.dead_letter_id):
        return False
    session.add(
        DeadLetterRecord(
            id=letter.dead_letter_id,
            origin=letter.origin,
            reason=letter.reason,
            raw_b64=letter.raw_b64,
            received_at=letter.received_at,
        )
    )
    return True


def store_signal(session: Session, signal: contracts.Signal) -> bool:
    if not claim(session, "signals", signal.event_id):
        return False
    session.add(
        SignalRecord(
            id=signal.event_id,
            person_id=signal.person_id,
            script=signal.script.value,
            reason=signal.reason,
            evidence=list(signal.evidence),
            call_by=signal.call_by,
            raised_at=signal.occurred_at,
        )
    )
    return True
