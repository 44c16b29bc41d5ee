"""Event produced to the real broker -> Faust worker -> row in SQLite and PostgreSQL."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.deadletter import DeadLetter
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.store.db import transaction
from services.store.models import DeadLetterRecord, DeviceEventRecord
from tests.support.refs import person_id
from tests.support.topics import read_topic
from tests.support.waiting import eventually
from tests.support.workers import listening_on, tecflow_process, worker_env
from tests.unit.test_contracts import alarm

pytestmark = [pytest.mark.slow, pytest.mark.broker, pytest.mark.postgres]


def stored(factory: sessionmaker[Session], who: str) -> list[DeviceEventRecord]:
    with transaction(factory) as session:
        return list(
            session.scalars(select(DeviceEventRecord).where(DeviceEventRecord.person_id == who))
        )


def dead_letters_with(bootstrap: str, marker: bytes) -> list[DeadLetter]:
    letters = read_topic(bootstrap, str(Topic.DEADLETTER), DeadLetter, idle_ms=2000)
    return [letter for letter in letters if marker in letter.raw]


def test_device_event_reaches_the_store_once_and_bad_input_is_dead_lettered(
    kafka_bootstrap: str,
    database_url: str,
    session_factory: sessionmaker[Session],
    tmp_path: Path,
) -> None:
    who = person_id()
    first = alarm(person_id=who, reference="1001")
    second = alarm(person_id=who, reference="1002")
    marker = uuid.uuid4().hex.encode()
    malformed = (
        json.dumps({"kind": "alarm", "person_id": who}).encode()[:-1] + b', "m": "' + marker + b'"}'
    )
    env = worker_env(kafka_bootstrap, database_url, app_id=f"spine-{uuid.uuid4().hex[:8]}")

    with (
        tecflow_process("worker", env=env, log_path=tmp_path / "worker.log") as worker,
        EventPublisher(kafka_bootstrap) as publisher,
    ):
        publisher.publish(Topic.DEVICE_ALARMS, first)
        publisher.publish(Topic.DEVICE_ALARMS, first)  # redelivered
        publisher.publish_raw(Topic.DEVICE_ALARMS, malformed, key=who.encode())
        publisher.publish(Topic.DEVICE_ALARMS, second)  # after the bad one: still processed

        rows = eventually(
            lambda: len(stored(session_factory, who)) == 2 and stored(session_factory, who),
            timeout_s=90,
        )
        letters = eventually(lambda: dead_letters_with(kafka_bootstrap, marker), timeout_s=30)

        def letter_in_store() -> bool:
            with transaction(session_factory) as session:
                return session.get(DeadLetterRecord, letters[0].dead_letter_id) is not None

        eventually(letter_in_store, timeout_s=30)
        assert worker.poll() is None, (tmp_path / "worker.log").read_text()[-3000:]
        # The worker's web port (its tables: a person's last GPS fix) is loopback only.
        assert listening_on(int(env["TECFLOW_WORKER_WEB_PORT"])) == {"127.0.0.1"}

    assert sorted(row.event_id for row in rows) == sorted([first.event_id, second.event_id])
    assert {row.topic for row in rows} == {"device.alarms"}
    assert rows[0].payload["controller_id"] == "10149471"
    [letter] = letters
    assert letter.raw == malformed
    assert letter.origin == "device.alarms"
    assert "occurred_at: Field required" in letter.reason
    assert letter.key_b64 is not None
