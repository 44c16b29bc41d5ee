from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from contracts.devices import SensorCapability, SensorEvent
from services.store.db import transaction
from services.store.models import Alert, DeviceEventRecord, Person, ProcessedEvent
from services.store.sinks import store_device_event
from tests.support.refs import person_id

pytestmark = pytest.mark.postgres


def door_opened(who: str) -> SensorEvent:
    return SensorEvent(
        person_id=who, occurred_at=datetime(2026, 10, 25, 1, 30, tzinfo=UTC),
        source="gateway.mqtt", device_id=f"{who} front door",
        capability=SensorCapability.CONTACT, value=False,
    )


def test_a_device_event_is_stored_once_however_often_it_arrives(
    session_factory: sessionmaker[Session],
) -> None:
    event = door_opened(person_id())
    results = []
    for _ in range(3):
        with transaction(session_factory) as session:
            results.append(store_device_event(session, event, "device.events"))
    assert results == [True, False, False]
    with transaction(session_factory) as session:
        rows = session.scalars(
            select(DeviceEventRecord).where(DeviceEventRecord.person_id == event.person_id)
        ).all()
        claims = session.scalar(
            select(func.count()).select_from(ProcessedEvent)
            .where(ProcessedEvent.event_id == event.event_id)
        )
    assert len(rows) == 1
    assert rows[0].payload["capability"] == "contact"
    assert claims == 1


def test_a_failed_transaction_leaves_no_claim_behind(
    session_factory: sessionmaker[Session],
) -> None:
    event = door_opened(person_id())
    with pytest.raises(RuntimeError), transaction(session_factory) as session:
        store_device_event(session, event, "device.events")
        raise RuntimeError("the effect failed after the claim")
    with transaction(session_factory) as session:
        assert store_device_event(session, event, "device.events") is True


def test_times_read_back_aware_and_in_utc(session_factory: sessionmaker[Session]) -> None:
    who = person_id()
    bst = timezone(timedelta(hours=1))
    with transaction(session_factory) as session:
        session.add(Person(id=who, display_name="Test Person",
                           away_until=datetime(2026, 7, 1, 12, 0, tzinfo=bst)))
    with transaction(session_factory) as session:
        away = session.get(Person, who).away_until  # type: ignore[union-attr]
    assert away == datetime(2026, 7, 1, 11, 0, tzinfo=UTC)
    assert away is not None and away.tzinfo is not None


def test_only_one_open_alert_per_key(session_factory: sessionmaker[Session]) -> None:
    who = person_id()
    key = f"{who}:alarm:10149471"

    def open_alert(session: Session, status: str = "open") -> None:
        session.add(Alert(person_id=who, alert_key=key, kind="alarm", priority="urgent",
                          queue="call_handler", summary="Pendant pressed", status=status))

    with transaction(session_factory) as session:
        open_alert(session, status="closed")
        open_alert(session)
    with pytest.raises(IntegrityError), transaction(session_factory) as session:
        open_alert(session)


def test_alert_repeats_merge_into_one_open_alert_until_closed(
    session_factory: sessionmaker[Session],
) -> None:
    from contracts.care import Alert as AlertEvent
    from contracts.codes import AlertAction, AlertKind, AlertPriority
    from services.store.sinks import apply_alert

    who = person_id()
    at = datetime(2026, 11, 24, 3, 0, tzinfo=UTC)

    def event(action: AlertAction, priority: AlertPriority, evidence: str) -> AlertEvent:
        return AlertEvent(
            person_id=who, occurred_at=at, source="streams.triage", alert_key=f"{who}:alarm",
            alert_kind=AlertKind.ALARM, action=action, priority=priority,
            summary="Pendant pressed", evidence=(evidence,), close_reason="reset by hub",
        )

    first = event(AlertAction.RAISE, AlertPriority.HIGH, "press at 03:00")
    with transaction(session_factory) as session:
        assert apply_alert(session, first)
        assert not apply_alert(session, first)  # redelivered: no second occurrence
        assert apply_alert(session, event(AlertAction.RAISE, AlertPriority.URGENT, "press 03:01"))
    with transaction(session_factory) as session:
        [open_alert] = session.scalars(select(Alert).where(Alert.person_id == who)).all()
        assert (open_alert.occurrences, open_alert.priority) == (2, "urgent")
        assert open_alert.evidence == ["press at 03:00", "press 03:01"]
        assert apply_alert(session, event(AlertAction.CLOSE, AlertPriority.URGENT, "reset"))
    with transaction(session_factory) as session:
        closed = session.get(Alert, open_alert.id)
        assert closed is not None
        assert (closed.status, closed.close_reason) == ("closed", "reset by hub")
