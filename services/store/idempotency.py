"""Exactly-once effects on an at-least-once bus: claim an event_id inside the same
transaction that writes its effects; a redelivery finds the claim and writes nothing."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import Table
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from services.store.models import ProcessedEvent


def insert_skipping_duplicates(session: Session, table: Table) -> postgresql.Insert | sqlite.Insert:
    """INSERT ... ON CONFLICT DO NOTHING in the session's dialect (SQLite or PostgreSQL),
    for one row (`.values(...)`) or many (execute it with a list of rows)."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return insert(table).on_conflict_do_nothing()


def insert_ignoring_duplicates(session: Session, table: Table, values: dict[str, Any]) -> bool:
    """INSERT ... ON CONFLICT DO NOTHING on SQLite and PostgreSQL; True if a row went in."""
    # RETURNING, not rowcount: psycopg reports a rowcount of 1 even when the conflict
    # clause inserted nothing.
    statement = insert_skipping_duplicates(session, table).values(**values)
    inserted = session.execute(statement.returning(*table.primary_key.columns)).first()
    return inserted is not None


def claim(session: Session, consumer: str, event_id: uuid.UUID) -> bool:
    """True the first time `consumer` sees `event_id`; False on every redelivery."""
    return insert_ignoring_duplicates(
        session,
        ProcessedEvent.__table__,  # type: ignore[arg-type]
        {"consumer": consumer, "event_id": event_id},
    )
