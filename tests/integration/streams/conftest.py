"""Helpers for the processors on the real broker: a worker with a short check
interval, and readers of the store and the alerts topic."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from subprocess import Popen
from typing import Literal, TypeVar

from kafka import KafkaConsumer
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contracts.care import Alert
from contracts.topics import Topic
from services.store.db import transaction
from services.store.models import AlertRecord, SignalRecord
from tests.support.waiting import eventually
from tests.support.workers import tecflow_process, worker_env

T = TypeVar("T")


def new_app_id() -> str:
    return f"streams-{uuid.uuid4().hex[:8]}"


@contextmanager
def worker(
    bootstrap: str, database_url: str, app_id: str, log_path: Path
) -> Iterator[Popen[bytes]]:
    env = {**worker_env(bootstrap, database_url, app_id), "TECFLOW_STREAMS_CHECK_INTERVAL_S": "1"}
    with tecflow_process("worker", env=env, log_path=log_path) as process:
        yield process


def eventually_or_log(
    probe: Callable[[], T | Literal[False] | None], log: Path, timeout_s: float = 90.0
) -> T:
    """`eventually`, failing with the end of the worker's log to say why."""
    try:
        return eventually(probe, timeout_s=timeout_s)
    except AssertionError as error:
        tail = log.read_text()[-4000:] if log.exists() else "(no log)"
        raise AssertionError(f"{error}\n--- {log.name} ---\n{tail}") from None


def alerts_of(factory: sessionmaker[Session], who: str) -> list[AlertRecord]:
    with transaction(factory) as session:
        return list(
            session.scalars(
                select(AlertRecord)
                .where(AlertRecord.person_id == who)
                .order_by(AlertRecord.raised_at)
            )
        )


def signals_of(factory: sessionmaker[Session], who: str) -> list[SignalRecord]:
    with transaction(factory) as session:
        return list(session.scalars(select(SignalRecord).where(SignalRecord.person_id == who)))


def alerts_on_topic(bootstrap: str, who: str) -> list[Alert]:
    consumer = KafkaConsumer(
        str(Topic.ALERTS),
        bootstrap_servers=bootstrap,
        auto_offset_reset="earliest",
        consumer_timeout_ms=2000,
    )
    alerts = [Alert.model_validate_json(m.value) for m in consumer if m.key == who.encode()]
    consumer.close()
    return alerts
