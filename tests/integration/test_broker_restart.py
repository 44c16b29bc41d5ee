"""Issue 18: when the embedded broker (memory storage) dies, `tecflow up`'s watch starts it
again with its topics and restarts the workers (so none waits on changelogs that are
gone); new events are then stored (counted in and out, none twice)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select

from contracts.topics import Topic
from services.broker.admin import create_topics
from services.broker.embedded import EmbeddedBroker
from services.broker.publisher import EventPublisher
from services.settings import Settings
from services.store.db import make_engine, make_session_factory, transaction
from services.store.models import DeviceEventRecord
from services.supervisor import Supervisor
from services.up import _keep_broker
from tests.support.refs import person_id
from tests.support.waiting import eventually
from tests.support.workers import worker_env
from tests.unit.streams.factories import alarm

pytestmark = [pytest.mark.slow, pytest.mark.broker]


def test_workers_carry_on_after_the_embedded_broker_restarts(
    sqlite_url: str, tmp_path: Path
) -> None:
    factory = make_session_factory(make_engine(sqlite_url))
    who = person_id()

    def stored() -> list[str]:
        with transaction(factory) as session:
            return [
                r.payload["reference"]
                for r in session.scalars(
                    select(DeviceEventRecord).where(DeviceEventRecord.person_id == who)
                )
            ]

    broker = EmbeddedBroker(log_path=tmp_path / "broker.log").start()
    supervisor = Supervisor(
        env=worker_env(broker.bootstrap_servers, sqlite_url, f"restart-{uuid.uuid4().hex[:8]}"),
        log_dir=tmp_path,
    )
    try:
        create_topics(broker.bootstrap_servers, partitions=3)
        supervisor.start("worker", "worker")
        with EventPublisher(broker.bootstrap_servers) as publisher:
            for n in range(5):
                publisher.publish(
                    Topic.DEVICE_ALARMS, alarm(datetime.now(UTC), person_id=who, reference=f"1{n}")
                )
        eventually(lambda: len(stored()) == 5, 120)

        assert broker._process is not None
        broker._process.kill()  # the broker dies and loses everything it held
        broker._process.wait()
        _keep_broker(broker, supervisor, Settings(topic_partitions=3))
        assert broker.alive

        with EventPublisher(broker.bootstrap_servers) as publisher:
            for n in range(5):
                publisher.publish(
                    Topic.DEVICE_ALARMS, alarm(datetime.now(UTC), person_id=who, reference=f"2{n}")
                )
        eventually(lambda: len(stored()) == 10, 180)
        assert sorted(stored()) == sorted([f"1{n}" for n in range(5)] + [f"2{n}" for n in range(5)])
        assert supervisor.children["worker"].poll() is None
    finally:
        supervisor.stop_all()
        broker.stop()
