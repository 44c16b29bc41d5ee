"""Issue 20: a worker's Prometheus metrics during a short run (every message read is
either processed or dead-lettered), and `tecflow deadletters replay` after a fix: the
letter goes back to its topic once and is processed once."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from contracts.deadletter import DeadLetter
from contracts.devices import SensorPlacement
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.cli import main
from services.processes import free_port
from services.settings import get_settings
from services.store.db import make_engine, make_session_factory, transaction
from services.store.migrate import upgrade
from services.store.models import DeadLetterRecord, DeviceEventRecord
from services.store.sinks import store_dead_letter
from tests.integration.streams.conftest import eventually_or_log, new_app_id
from tests.support.refs import person_id
from tests.support.workers import listening_on, tecflow_process, worker_env
from tests.unit.streams.factories import sensor

pytestmark = [pytest.mark.slow, pytest.mark.broker]


@pytest.fixture
def own_store(tmp_path: Path) -> str:
    """A store of this test's own: the dead letters replayed are only its own."""
    url = f"sqlite:///{tmp_path / 'tecflow.db'}"
    upgrade(url)
    return url


@pytest.fixture
def factory(own_store: str) -> sessionmaker[Session]:
    return make_session_factory(make_engine(own_store))


def scrape(port: int) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
    text = httpx.get(f"http://127.0.0.1:{port}/metrics", timeout=5).text
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def stored(factory: sessionmaker[Session], event_id: uuid.UUID) -> int:
    with transaction(factory) as session:
        return (
            session.scalar(
                select(func.count())
                .select_from(DeviceEventRecord)
                .where(DeviceEventRecord.event_id == event_id)
            )
            or 0
        )


def test_worker_metrics_count_every_message_and_replay_processes_a_letter_once(
    kafka_bootstrap: str,
    own_store: str,
    factory: sessionmaker[Session],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    who = person_id()
    now = datetime.now(UTC)
    events = [
        sensor(now + timedelta(seconds=i), SensorPlacement.KITCHEN, person_id=who) for i in range(3)
    ]
    # A letter dead-lettered by an older release (its processor failed on the event);
    # the fix is deployed, so the event is valid now. And one that is still invalid.
    fixed = sensor(now, SensorPlacement.FRONT_DOOR, person_id=who)
    with transaction(factory) as session:
        store_dead_letter(
            session,
            DeadLetter.of(
                str(Topic.DEVICE_EVENTS), "processor presence failed: KeyError", fixed.to_bytes()
            ),
        )
        store_dead_letter(
            session, DeadLetter.of(str(Topic.DEVICE_EVENTS), "invalid message: x", b"{}")
        )
    port = free_port()
    env = worker_env(kafka_bootstrap, own_store, new_app_id()) | {"TECFLOW_METRICS_PORT": str(port)}
    log = tmp_path / "worker.log"
    with tecflow_process("worker", env=env, log_path=log), EventPublisher(kafka_bootstrap) as pub:
        pub.publish_many(Topic.DEVICE_EVENTS, events)
        pub.publish_raw(Topic.DEVICE_EVENTS, b"not json", key=who.encode())
        eventually_or_log(lambda: all(stored(factory, e.event_id) for e in events), log)

        def counted() -> dict[tuple[str, tuple[tuple[str, str], ...]], float] | None:
            metrics = scrape(port)
            topic = (("topic", str(Topic.DEVICE_EVENTS)),)
            read = metrics.get(("tecflow_events_in_total", topic), 0.0)
            done = metrics.get(("tecflow_events_processed_total", topic), 0.0)
            dead = sum(
                v
                for (name, labels), v in metrics.items()
                if name == "tecflow_dead_letters_total" and topic[0] in labels
            )
            # Other tests' events on the shared broker are read too: at least ours.
            return metrics if read >= 4 and dead >= 1 and read == done + dead else None

        metrics = eventually_or_log(counted, log)
        assert listening_on(port) == {"127.0.0.1"}  # loopback unless configured
        assert httpx.get(f"http://127.0.0.1:{port}/livez", timeout=5).status_code == 200
        ready = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=5)
        assert (ready.status_code, ready.text) == (200, "ready\n")
        assert (
            "tecflow_dead_letters_total",
            (("reason", "invalid message"), ("topic", str(Topic.DEVICE_EVENTS))),
        ) in metrics

        assert stored(factory, fixed.event_id) == 0
        monkeypatch.setenv("KAFKA_BOOTSTRAP_SERVERS", kafka_bootstrap)
        monkeypatch.setenv("TECFLOW_DATABASE_URL", own_store)
        get_settings.cache_clear()
        runner = CliRunner()
        first = runner.invoke(main, ["deadletters", "replay", str(Topic.DEVICE_EVENTS)])
        second = runner.invoke(main, ["deadletters", "replay", str(Topic.DEVICE_EVENTS)])
        assert first.exit_code == 0, first.output
        # The invalid ones ("{}", and what this run dead-lettered) stay where they are.
        assert re.search(
            r"^replayed 1 dead letter\(s\); [1-9]\d* still invalid$", first.output, re.M
        )
        assert re.search(
            r"^replayed 0 dead letter\(s\); [1-9]\d* still invalid$", second.output, re.M
        )
        eventually_or_log(lambda: stored(factory, fixed.event_id) == 1, log)
    with transaction(factory) as session:
        resolved = session.scalars(
            select(DeadLetterRecord.reason).where(DeadLetterRecord.resolved.is_(True))
        ).all()
    assert stored(factory, fixed.event_id) == 1
    assert resolved == ["processor presence failed: KeyError"]
