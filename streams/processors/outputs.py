"""Building the alerts and signals processors emit, with deterministic ids: the same
input always yields the same ids, so a reprocessed event is written once."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from contracts.care import Alert, Signal
from contracts.codes import AlertAction, AlertKind, AlertPriority, AlertQueue, ScriptName
from contracts.envelope import deterministic_id

Output = Alert | Signal


def alert(
    processor: str,
    *id_parts: object,
    person_id: str,
    at: datetime,
    key: str,
    kind: AlertKind,
    summary: str,
    priority: AlertPriority = AlertPriority.HIGH,
    queue: AlertQueue = AlertQueue.CALL_HANDLER,
    evidence: tuple[str, ...] = (),
    caused_by: tuple[uuid.UUID, ...] = (),
) -> Alert:
    return Alert(
        event_id=deterministic_id(processor, *id_parts),
        person_id=person_id,
        occurred_at=at,
        source=f"streams.{processor}",
        alert_key=key,
        alert_kind=kind,
        priority=priority,
        queue=queue,
        summary=summary,
        evidence=evidence,
        caused_by=caused_by,
    )


def close(
    processor: str,
    *id_parts: object,
    person_id: str,
    at: datetime,
    key: str,
    kind: AlertKind,
    reason: str,
    queue: AlertQueue = AlertQueue.CALL_HANDLER,
    caused_by: tuple[uuid.UUID, ...] = (),
) -> Alert:
    return Alert(
        event_id=deterministic_id(processor, *id_parts),
        person_id=person_id,
        occurred_at=at,
        source=f"streams.{processor}",
        alert_key=key,
        alert_kind=kind,
        action=AlertAction.CLOSE,
        priority=AlertPriority.LOW,
        queue=queue,
        summary=reason,
        close_reason=reason,
        caused_by=caused_by,
    )


def signal(
    processor: str,
    *id_parts: object,
    person_id: str,
    at: datetime,
    script: ScriptName,
    reason: str,
    evidence: tuple[str, ...],
    call_by: date | None,
) -> Signal:
    return Signal(
        event_id=deterministic_id(processor, *id_parts),
        person_id=person_id,
        occurred_at=at,
        source=f"streams.{processor}",
        script=script,
        reason=reason,
        evidence=evidence,
        call_by=call_by,
    )


def sentence(text: str) -> str:
    """Capitalise the first letter only ("SOS" stays "SOS")."""
    return text[:1].upper() + text[1:]
