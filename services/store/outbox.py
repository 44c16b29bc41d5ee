"""The one outbox: events that must leave with a database change are written in the
transaction that makes the change, and a relay publishes them after the commit, oldest
first, marking each once the broker has acknowledged it. Nothing is lost if the broker
is away when the change commits; a crash between publishing and marking publishes an
event twice, which every consumer absorbs (idempotent by event_id).

Each writer names the relay that publishes its rows (`Relay`): the scheduler publishes
the calls it planned, the dialer the outcomes, retries and alerts of the calls it ended;
the same table and the same three functions serve both."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session

from contracts.envelope import Envelope, utcnow
from contracts.topics import Topic
from services.store.idempotency import insert_skipping_duplicates
from services.store.models import OutboxRecord

OUTBOX: Table = OutboxRecord.__table__  # type: ignore[assignment]
BATCH = 1000


class Relay(StrEnum):
    SCHEDULER = "scheduler"
    DIALER = "dialer"


@dataclass(frozen=True)
class Pending:
    event_id: uuid.UUID
    topic: Topic
    key: bytes
    value: bytes


def add(session: Session, relay: Relay, topic: Topic, events: Iterable[Envelope]) -> None:
    """Write events to go out once this transaction commits; an event already in the
    outbox (a redelivered cause) is not written twice."""
    rows = [
        {
            "event_id": event.event_id,
            "relay": relay.value,
            "topic": topic.value,
            "payload": event.model_dump(mode="json"),
            "created_at": utcnow(),
        }
        for event in events
    ]
    if not rows:
        return
    statement = insert_skipping_duplicates(session, OUTBOX)
    for start in range(0, len(rows), BATCH):
        session.execute(statement, rows[start : start + BATCH])


def unpublished(session: Session, relay: Relay, limit: int = BATCH) -> list[Pending]:
    rows = session.execute(
        select(OUTBOX.c.event_id, OUTBOX.c.topic, OUTBOX.c.payload)
        .where(OUTBOX.c.relay == relay.value, OUTBOX.c.published_at.is_(None))
        .order_by(OUTBOX.c.created_at, OUTBOX.c.event_id)
        .limit(limit)
    )
    return [
        Pending(
            row.event_id,
            Topic(row.topic),
            str(row.payload["person_id"]).encode(),
            json.dumps(row.payload).encode(),
        )
        for row in rows
    ]


def mark_published(session: Session, event_ids: Sequence[uuid.UUID], at: datetime) -> None:
    session.execute(update(OUTBOX).where(OUTBOX.c.event_id.in_(event_ids)).values(published_at=at))
