from __future__ import annotations

import subprocess

import pytest
from kafka import KafkaAdminClient, KafkaConsumer

from contracts.topics import CATALOGUE
from services.broker.admin import create_topics, wait_until_ready
from services.broker.embedded import EmbeddedBroker
from services.broker.publisher import EventPublisher
from tests.unit.test_contracts import alarm

pytestmark = pytest.mark.broker


def test_embedded_broker_starts_answers_and_stops_without_leaving_a_process() -> None:
    broker = EmbeddedBroker().start()
    pid = broker.pid
    wait_until_ready(broker.bootstrap_servers, timeout_s=5)
    broker.stop()
    alive = subprocess.run(["kill", "-0", str(pid)], capture_output=True).returncode == 0
    assert not alive
    with pytest.raises(TimeoutError):
        wait_until_ready(broker.bootstrap_servers, timeout_s=1)


def test_topics_create_makes_the_catalogue_once(kafka_bootstrap: str) -> None:
    assert create_topics(kafka_bootstrap) == []  # the fixture created them already
    admin = KafkaAdminClient(bootstrap_servers=kafka_bootstrap)
    try:
        assert {str(name) for name in CATALOGUE} <= set(admin.list_topics())
    finally:
        admin.close()


def test_publisher_keys_events_by_person(kafka_bootstrap: str) -> None:
    event = alarm(person_id="P777777", reference="7777")
    with EventPublisher(kafka_bootstrap) as publisher:
        publisher.publish("device.alarms", event)
    consumer = KafkaConsumer(
        "device.alarms",
        bootstrap_servers=kafka_bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=5000,
    )
    keys = {message.key for message in consumer}
    consumer.close()
    assert b"P777777" in keys
