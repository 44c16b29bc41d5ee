"""How long the store keeps what it need not keep for ever: dead letters (raw payloads
from devices, which may name people) and device events (the readings that timed checks
and activity baselines use). Older rows are deleted by `tecflow purge`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlalchemy.orm import Session

from services.store.models import DeadLetterRecord, DeviceEventRecord


@dataclass(frozen=True)
class Purged:
    dead_letters: int
    device_events: int


def purge(session: Session, now: datetime, dead_letter_days: int, device_event_days: int) -> Purged:
    """Delete dead letters received, and device events that occurred, before their
    retention period."""
    letters = session.execute(
        delete(DeadLetterRecord).where(
            DeadLetterRecord.received_at < now - timedelta(days=dead_letter_days)
        )
    )
    events = session.execute(
        delete(DeviceEventRecord).where(
            DeviceEventRecord.occurred_at < now - timedelta(days=device_event_days)
        )
    )
    return Purged(letters.rowcount, events.rowcount)  # type: ignore[attr-defined]
