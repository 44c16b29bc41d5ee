"""Sinks from topics to the store, idempotent by event_id (device events, dead letters,
signals; the care tables are written by the care record, `care/`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, cast

from psycopg.types.json import Json
from sqlalchemy import CursorResult, Table
from sqlalchemy.dialects import sqlite
from sqlalchemy.orm import Session

import contracts
from contracts.deadletter import DeadLetter
from contracts.devices import AlarmEvent, LocationEvent, SensorEvent, VoiceEvent
from services.store.idempotency import claim
from services.store.models import DeadLetterRecord, DeviceEventRecord, SignalRecord

AnyDeviceEvent = AlarmEvent | SensorEvent | LocationEvent | VoiceEvent


def store_device_events(session: Session, events: Sequence[AnyDeviceEvent], topic: str) -> int:
    """Write a batch in one statement; returns how many were new.

    The event id is the table's key, so a redelivered event is skipped by the insert
    itself (ON CONFLICT DO NOTHING): no claim row and no round trip per event."""
    if not events:
        return 0
    now = datetime.now(UTC)
    rows = [
        {
            "event_id": event.event_id,
            "person_id": event.person_id,
            "kind": event.kind,
            "topic": topic,
            "source": event.source,
            "occurred_at": event.occurred_at,
            "received_at": event.received_at,
            "stored_at": now,
            "payload": event.model_dump(mode="json"),
        }
        for event in events
    ]
    if session.get_bind().dialect.name == "postgresql":
        return _copy_device_events(session, rows)
    # The Core table, not the ORM class: an executemany whose rowcount counts the rows
    # that went in (skipped conflicts count nothing).
    table = cast(Table, DeviceEventRecord.__table__)
    result = session.execute(
        sqlite.insert(table).on_conflict_do_nothing(index_elements=["event_id"]), rows
    )
    return cast(CursorResult[Any], result).rowcount


_COLUMNS = (
    "event_id",
    "person_id",
    "kind",
    "topic",
    "source",
    "occurred_at",
    "received_at",
    "stored_at",
    "payload",
)
_CREATE_STAGING = (
    "CREATE TEMPORARY TABLE IF NOT EXISTS device_events_in "
    "(LIKE device_events INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
)
_COPY = (
    "COPY device_events_in (event_id, person_id, kind, topic, source, occurred_at, "
    "received_at, stored_at, payload) FROM STDIN"
)
_MOVE = (
    "INSERT INTO device_events (event_id, person_id, kind, topic, source, occurred_at, "
    "received_at, stored_at, payload) SELECT event_id, person_id, kind, topic, source, "
    "occurred_at, received_at, stored_at, payload FROM device_events_in "
    "ON CONFLICT (event_id) DO NOTHING"
)


def _copy_device_events(session: Session, rows: list[dict[str, Any]]) -> int:
    """COPY into a per-connection temporary table, then one INSERT ... SELECT that skips
    the events stored before (COPY itself cannot skip a conflicting row)."""
    connection = session.connection().connection.driver_connection
    assert connection is not None  # a checked-out connection always has its driver's
    with connection.cursor() as cursor:
        cursor.execute(_CREATE_STAGING)
        with cursor.copy(_COPY) as copy:
            for row in rows:
                copy.write_row([*(row[c] for c in _COLUMNS[:-1]), Json(row["payload"])])
        cursor.execute(_MOVE)
        inserted: int = cursor.rowcount
        cursor.execute("DELETE FROM device_events_in")  # a second batch in one transaction
    return inserted


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
