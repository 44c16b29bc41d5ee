"""The planning lease on SQLite and PostgreSQL: one holder at a time, renewed by its
holder, taken over only once expired, handed back on a clean stop."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy.orm import Session, sessionmaker

from schedules import lease
from services.store.db import transaction

T0 = datetime(2026, 11, 25, 7, tzinfo=UTC)


def take(factory: sessionmaker[Session], holder: str, now: datetime) -> bool:
    with transaction(factory) as session:
        return lease.acquire(session, holder, now, ttl_s=60)


def test_one_holder_at_a_time_until_the_lease_expires_or_is_released(
    session_factory: sessionmaker[Session],
) -> None:
    assert take(session_factory, "a", T0)
    assert not take(session_factory, "b", T0 + timedelta(seconds=30))
    assert take(session_factory, "a", T0 + timedelta(seconds=50))  # renewed to 07:01:50
    assert not take(session_factory, "b", T0 + timedelta(seconds=100))
    assert take(session_factory, "b", T0 + timedelta(seconds=111))  # a stopped renewing
    assert not take(session_factory, "a", T0 + timedelta(seconds=112))
    with transaction(session_factory) as session:
        lease.release(session, "a")  # not a's to release: nothing changes
    assert not take(session_factory, "a", T0 + timedelta(seconds=113))
    with transaction(session_factory) as session:
        lease.release(session, "b")
    assert take(session_factory, "a", T0 + timedelta(seconds=114))
