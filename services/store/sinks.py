"""Sinks from topics to the store, idempotent by event_id."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

import contracts
from contracts.codes import AlertAction, AlertPriority
from contracts.deadletter import DeadLetter
from contracts.devices import AlarmEvent, LocationEvent, SensorEvent, VoiceEvent
from services.store.idempotency import claim
from services.store.models import Alert as AlertRecord
from services.store.models import DeadLetterRecord, DeviceEventRecord
from services.store.models import Signal as SignalRecord

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


PRIORITY_ORDER = [p.value for p in AlertPriority]  # urgent first


def apply_alert(session: Session, alert: contracts.Alert) -> bool:
    """Raise, update or close the open alert with the same key; False on a redelivery.

    A repeat of an open alert (a second pendant press) adds to it rather than queueing a
    new one, and its priority only ever rises while it is open."""
    if not claim(session, "alerts", alert.event_id):
        return False
    current = session.scalar(
        select(AlertRecord).where(
            AlertRecord.alert_key == alert.alert_key, AlertRecord.status != "closed"
        )
    )
    if alert.action is AlertAction.CLOSE:
        if current is not None:
            current.status = "closed"
            current.closed_at = alert.occurred_at
            current.close_reason = alert.close_reason or alert.summary
        return True
    if current is None:
        session.add(
            AlertRecord(
                id=alert.event_id,
                person_id=alert.person_id,
                alert_key=alert.alert_key,
                kind=alert.alert_kind.value,
                priority=alert.priority.value,
                queue=alert.queue.value,
                summary=alert.summary,
                evidence=list(alert.evidence),
                raised_at=alert.occurred_at,
            )
        )
        return True
    if alert.action is AlertAction.RAISE:
        current.occurrences += 1
    current.summary = alert.summary
    new_facts = [fact for fact in alert.evidence if fact not in current.evidence]
    current.evidence = [*current.evidence, *new_facts]
    if PRIORITY_ORDER.index(alert.priority.value) < PRIORITY_ORDER.index(current.priority):
        current.priority = alert.priority.value
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
