"""A lease in the store so only one scheduler instance plans at a time.

Taken in the same transaction as the planning it guards: on PostgreSQL the UPDATE
locks the lease row until commit, so a second instance waits and then sees a live
holder; on SQLite the first write takes the database's single write lock. An instance
that dies stops renewing, and another takes over once `expires_at` has passed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Table, delete, or_, update
from sqlalchemy.orm import Session

from services.store.idempotency import insert_ignoring_duplicates
from services.store.models import SchedulerLease

LEASES: Table = SchedulerLease.__table__  # type: ignore[assignment]
PLANNER = "planner"


def acquire(session: Session, holder: str, now: datetime, ttl_s: int, name: str = PLANNER) -> bool:
    """Take or renew the lease; False while another live holder has it."""
    expires_at = now + timedelta(seconds=ttl_s)
    values = {"name": name, "holder": holder, "expires_at": expires_at}
    if insert_ignoring_duplicates(session, LEASES, values):
        return True
    renewed = session.execute(
        update(LEASES)
        .where(LEASES.c.name == name, or_(LEASES.c.holder == holder, LEASES.c.expires_at <= now))
        .values(holder=holder, expires_at=expires_at)
        .returning(LEASES.c.name)
    ).first()
    return renewed is not None


def release(session: Session, holder: str, name: str = PLANNER) -> None:
    """On a clean stop, so a standby need not wait for the lease to expire."""
    session.execute(delete(LEASES).where(LEASES.c.name == name, LEASES.c.holder == holder))
