"""Device events in, alerts and signals out: on the topics and in the store (SQLite and
PostgreSQL), with the timed checks running in the worker and safe zones read from the
store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from contracts.codes import AlertKind, ScaipDeviceType, ScaipMessageType, ScaipStatus
from contracts.envelope import deterministic_id
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.store.db import make_engine, make_session_factory, transaction
from services.store.models import Person, SafeZoneRecord
from tests.integration.streams.conftest import (
    alerts_of,
    alerts_on_topic,
    eventually_or_log,
    new_app_id,
    signals_of,
    worker,
)
from tests.support.refs import person_id
from tests.support.waiting import eventually
from tests.support.workers import tecflow_process, worker_env
from tests.unit.streams.factories import alarm, fix, heartbeat

pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.postgres]


def test_device_events_become_alerts_and_signals(
    kafka_bootstrap: str,
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    who = person_id()
    now = datetime.now(UTC).replace(microsecond=0)
    press = alarm(now, person_id=who, reference="2001")
    again = alarm(now + timedelta(seconds=40), person_id=who, reference="2002")
    reset = alarm(
        now + timedelta(minutes=3),
        person_id=who,
        reference="2002",
        message_type=ScaipMessageType.RESET,
        device_type=ScaipDeviceType.LOCAL_UNIT,
        status_code=None,
    )
    fall = alarm(
        now,
        person_id=who,
        reference="3001",
        controller_id="555",
        device_type=ScaipDeviceType.FALL_DETECTOR,
        status_code=ScaipStatus.AUTOMATIC_ALARM,
    )
    test_call = alarm(
        now, person_id=who, reference="4001", status_code=ScaipStatus.TEST_TRANSMISSION
    )
    # Heartbeats every 10 minutes that stopped 70 minutes ago: the timed check's business.
    beats = [heartbeat(now - timedelta(minutes=m), hub="777", person_id=who) for m in (90, 80, 70)]
    # A safe zone in the store; the tracker has been 20 km away for four hours.
    with transaction(session_factory) as session:
        session.add(Person(id=who, display_name="Test Person"))
        session.flush()
        session.add(
            SafeZoneRecord(person_id=who, name="home", lat=56.462, lon=-2.9707, radius_m=300)
        )
    away = [
        fix(now - timedelta(hours=h), 56.30, -2.80).model_copy(update={"person_id": who})
        for h in (4, 3)
    ]
    log = tmp_path / "worker.log"

    with (
        worker(kafka_bootstrap, database_url, new_app_id(), log) as process,
        EventPublisher(kafka_bootstrap) as publisher,
    ):
        for event in (press, again, again, fall, test_call):  # `again` delivered twice
            publisher.publish(Topic.DEVICE_ALARMS, event)
        for reading in [*beats, *away]:
            publisher.publish(Topic.DEVICE_EVENTS, reading)

        def pendant_pressed_twice() -> bool:
            return any(
                a.kind == "alarm" and a.occurrences == 2 for a in alerts_of(session_factory, who)
            )

        eventually_or_log(pendant_pressed_twice, log)
        publisher.publish(Topic.DEVICE_EVENTS, reset)
        eventually(lambda: any(a.status == "closed" for a in alerts_of(session_factory, who)))
        eventually(lambda: len(alerts_of(session_factory, who)) == 4)
        signals = eventually(lambda: signals_of(session_factory, who))
        on_topic = eventually(lambda: alerts_on_topic(kafka_bootstrap, who))
        assert process.poll() is None, log.read_text()[-3000:]

    rows = {
        a.kind + ("/" + a.queue if a.kind != "alarm" else ""): a
        for a in alerts_of(session_factory, who)
        if a.kind != "alarm"
    }
    pendant, fall_alert = (
        next(a for a in alerts_of(session_factory, who) if a.alert_key.endswith(suffix))
        for suffix in ("10149471/0003", "555/0005")
    )
    assert (pendant.status, pendant.occurrences, pendant.priority) == ("closed", 2, "urgent")
    assert pendant.close_reason is not None
    assert pendant.close_reason.startswith("Alarm reset at the hub (alarm withdrawn)")
    assert (fall_alert.status, fall_alert.priority) == ("open", "urgent")
    offline = rows[f"{AlertKind.DEVICE_OFFLINE.value}/technology_assistant"]
    assert offline.summary.startswith(
        "Alarm hub 777: heartbeats usually every 10 min (median of the last 2 gaps); none since"
    )
    left = rows[AlertKind.LEFT_SAFE_ZONE.value + "/call_handler"]
    assert left.summary.startswith("Left safe zone 'home' at ")
    assert left.evidence[0].startswith("last known position 56.30000,-2.80000 (±10 m)")
    [falls] = signals
    assert falls.script == "falls_follow_up"
    assert falls.evidence[0].endswith("fall detector alarm from hub 555")
    assert {a.alert_kind for a in on_topic} >= {AlertKind.ALARM, AlertKind.DEVICE_OFFLINE}
    assert not [a for a in on_topic if test_call.event_id in a.caused_by]  # never an alert


def test_the_alarm_lane_alone_puts_an_urgent_alarm_in_the_queue(
    kafka_bootstrap: str,
    sqlite_url: str,
    tmp_path: Path,
) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    who = person_id()
    press = alarm(datetime.now(UTC).replace(microsecond=0), person_id=who, reference="4001")
    beat = alarm(
        press.occurred_at,
        person_id=who,
        reference="4002",
        message_type=ScaipMessageType.HEARTBEAT,
        device_type=ScaipDeviceType.LOCAL_UNIT,
    )
    log = tmp_path / "alarm-lane.log"
    env = worker_env(kafka_bootstrap, sqlite_url, app_id=new_app_id())
    with (
        tecflow_process("worker", "--lane", "alarms", env=env, log_path=log),
        EventPublisher(kafka_bootstrap) as publisher,
    ):
        publisher.publish(Topic.DEVICE_ALARMS, beat)
        publisher.publish(Topic.DEVICE_ALARMS, press)
        [row] = eventually_or_log(lambda: alerts_of(factory, who), log)
    assert (row.kind, row.priority, row.status, row.occurrences) == ("alarm", "urgent", "open", 1)
    assert row.id == deterministic_id("triage", press.event_id)
