"""Real parts for the gateway tests: the store with people holding devices, the broker,
and a reader that finds messages on a topic."""

from __future__ import annotations

import itertools
import json
import random
import time
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import pytest
from kafka import KafkaConsumer, TopicPartition

from services.gateway.intake import Intake
from services.gateway.register import EquipmentRegister
from services.gateway.sender import Sender
from services.sim.cohort import SimPerson, synthetic_person
from services.sim.seeding import seed_cohort
from services.store.db import make_engine, make_session_factory, transaction
from services.store.models import Device, DeviceLoan

_indexes = itertools.count(random.randint(100_000, 900_000))


@pytest.fixture
def person(sqlite_url: str) -> SimPerson:
    """A new person in the store holding one of each device kind."""
    sim = synthetic_person(next(_indexes), random.Random(1))
    factory = make_session_factory(make_engine(sqlite_url))
    with transaction(factory) as session:
        seed_cohort(session, [sim])
    return sim


@pytest.fixture
def register(sqlite_url: str) -> EquipmentRegister:
    return EquipmentRegister(make_session_factory(make_engine(sqlite_url)), ttl_s=5)


@pytest.fixture
async def sender(kafka_bootstrap: str, tmp_path: Path) -> AsyncIterator[Sender]:
    sender = Sender(kafka_bootstrap, tmp_path / "spool.db", timeout_s=5)
    yield sender
    await sender.close()


@pytest.fixture
def intake(register: EquipmentRegister, sender: Sender) -> Intake:
    return Intake(register, sender)


def find_on_topic(
    bootstrap: str,
    topic: str,
    match: Callable[[dict[str, Any]], bool],
    count: int = 1,
    timeout_s: float = 30.0,
) -> list[dict[str, Any]]:
    """The first `count` messages on `topic` (from the start) that `match`; fails if fewer
    arrive in time. Partitions are assigned by hand: no consumer-group join to wait for."""
    consumer = KafkaConsumer(bootstrap_servers=bootstrap, enable_auto_commit=False)
    try:
        partitions = [TopicPartition(topic, p) for p in consumer.partitions_for_topic(topic)]
        consumer.assign(partitions)
        consumer.seek_to_beginning()
        found: list[dict[str, Any]] = []
        deadline = time.monotonic() + timeout_s
        while len(found) < count and time.monotonic() < deadline:
            for records in consumer.poll(timeout_ms=500).values():
                for record in records:
                    value = _message(record.value)
                    if value is not None and _matches(match, value):
                        found.append(value)
        assert len(found) >= count, f"{len(found)} of {count} messages on {topic}"
        return found
    finally:
        consumer.close()


def _message(raw: bytes | None) -> dict[str, Any] | None:
    """Other tests share the broker: their messages may be malformed on purpose."""
    try:
        value = json.loads(raw or b"")
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _matches(match: Callable[[dict[str, Any]], bool], value: dict[str, Any]) -> bool:
    try:
        return match(value)
    except (KeyError, TypeError):
        return False  # a message of another shape


def add_device(
    database_url: str, person_id: str, kind: str, identifier: str, placement: str | None = None
) -> None:
    """Loan one more device to a person."""
    factory = make_session_factory(make_engine(database_url))
    with transaction(factory) as session:
        device = Device(kind=kind, identifier=identifier, placement=placement, status="loaned")
        session.add(device)
        session.flush()
        session.add(DeviceLoan(device_id=device.id, person_id=person_id))
