from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from contracts.devices import SensorCapability, SensorEvent
from services.store.db import transaction
from services.store.models import AlertRecord, DeviceEventRecord, Person
from services.store.sinks import store_device_events
from tests.support.refs import person_id

pytestmark = pytest.mark.postgres


def door_opened(who: str) -> SensorEvent:
    return SensorEvent(
        person_id=who,
        occurred_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        source="gateway.mqtt",
        device_id=f"{who} front door",
        capability=SensorCapability.CONTACT,
        value=False,
    )


def test_a_device_event_is_stored_once_however_often_it_arrives(
    session_factory: sessionmaker[Session],
) -> None:
    event = door_opened(person_id())
    results = []
    for _ in range(3):
        with transaction(session_factory) as session:
            results.append(store_device_events(session, [event], "device.events"))
    assert results == [1, 0, 0]
    with transaction(session_factory) as session:
        rows = session.scalars(
            select(DeviceEventRecord).where(DeviceEventRecord.person_id == event.person_id)
        ).all()
    assert len(rows) == 1
    assert rows[0].payload["capability"] == "contact"
    assert rows[0].occurred_at == event.occurred_at


def test_a_batch_stores_each_new_event_once_even_when_redelivered_within_it(
    session_factory: sessionmaker[Session],
) -> None:
    who = person_id()
    old, new = door_opened(who), door_opened(who)
    with transaction(session_factory) as session:
        assert store_device_events(session, [old], "device.events") == 1
    with transaction(session_factory) as session:
        # Two batches in one transaction: the second must not see the first's staging.
        assert store_device_events(session, [old, new, new], "device.events") == 1
        assert store_device_events(session, [new], "device.events") == 0
    with transaction(session_factory) as session:
        stored = session.scalar(
            select(func.count())
            .select_from(DeviceEventRecord)
            .where(DeviceEventRecord.person_id == who)
        )
    assert stored == 2


def test_a_failed_transaction_leaves_no_claim_behind(
    session_factory: sessionmaker[Session],
) -> None:
    event = door_opened(person_id())
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        store_device_events(session, [event], "device.events")
        raise RuntimeError("the effect failed after the write")
    with transaction(session_factory) as session:
        assert store_device_events(session, [event], "device.events") == 1


def test_times_read_back_aware_and_in_utc(session_factory: sessionmaker[Session]) -> None:
    who = person_id()
    bst = timezone(timedelta(hours=1))
    with transaction(session_factory) as session:
        session.add(
            Person(
                id=who,
                display_name="Test Person",
                away_until=datetime(2026, 7, 1, 12, 0, tzinfo=bst),
            )
        )
    with transaction(session_factory) as session:
        away = session.get(Person, who).away_until  # type: ignore[union-attr]
    assert away == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    assert away is not None and away.tzinfo is not None


def test_only_one_open_alert_per_key(session_factory: sessionmaker[Session]) -> None:
    who = person_id()
    key = f"{who}:alarm:10149471"

    def open_alert(session: Session, status: str = "open") -> None:
        session.add(
            AlertRecord(
                person_id=who,
                alert_key=key,
                kind="alarm",
                priority="urgent",
                queue="call_handler",
                summary="Pendant pressed",
                status=status,
            )
        )

    with transaction(session_factory) as session:
        open_alert(session, status="closed")
        open_alert(session)
    with pytest.raises(IntegrityError), transaction(session_factory) as session:
        open_alert(session)
