"""The telephony parts as real processes: the Twilio simulator, the IVR webhooks and the
dialer, on the real broker and a real database (SQLite and PostgreSQL)."""

from __future__ import annotations

import contextlib
import itertools
import signal
import subprocess
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from kafka import KafkaConsumer, TopicPartition
from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from contracts.calls import CallOutcome, CallRequested
from contracts.codes import ScriptName
from contracts.topics import Topic
from services.broker.publisher import EventPublisher
from services.processes import free_port
from services.sim.telephony import local_telephony_env
from services.store.db import make_engine, make_session_factory, transaction
from services.store.models import Person
from tests.support.refs import person_id
from tests.support.waiting import eventually
from tests.support.workers import tecflow_process, worker_env

ACCOUNT_SID = "AC" + "7" * 32
AUTH_TOKEN = "sim-auth-token-for-tests"
SCRS_NUMBER = "+441382000999"
SCRS_SECOND_NUMBER = "+441382000998"
NUMBERS = itertools.count(900000)  # unique per simulator: each test's caller is its own


def telephony_env(sim_port: int, ivr_port: int) -> dict[str, str]:
    return local_telephony_env(
        sim_port,
        ivr_port,
        ACCOUNT_SID,
        AUTH_TOKEN,
        TECFLOW_TELEPHONY_SCRS_NUMBER=SCRS_NUMBER,
        TECFLOW_TELEPHONY_SCRS_FALLBACK_NUMBER=SCRS_SECOND_NUMBER,
        TECFLOW_TELEPHONY_SIM_RING_S="0.05",
        TECFLOW_TELEPHONY_CALLS_PER_SECOND="20",
        TECFLOW_TELEPHONY_MAX_CONCURRENT="20",
    )


class Outcomes:
    """Reads calls.outcomes from the start, keeping what it has seen."""

    def __init__(self, bootstrap: str) -> None:
        self.consumer = KafkaConsumer(bootstrap_servers=bootstrap, consumer_timeout_ms=500)
        partitions = self.consumer.partitions_for_topic(str(Topic.CALLS_OUTCOMES)) or {0}
        assigned = [TopicPartition(str(Topic.CALLS_OUTCOMES), p) for p in partitions]
        self.consumer.assign(assigned)
        self.consumer.seek_to_beginning(*assigned)
        self.seen: list[CallOutcome] = []

    def of(self, who: str) -> list[CallOutcome]:
        for message in self.consumer:
            # Other tests share the topic, some with deliberately malformed outcomes.
            with contextlib.suppress(ValidationError):
                self.seen.append(CallOutcome.model_validate_json(message.value))
        return sorted((o for o in self.seen if o.person_id == who), key=lambda o: o.attempt)

    def wait(self, who: str, count: int = 1, timeout_s: float = 90) -> list[CallOutcome]:
        return eventually(lambda: len(self.of(who)) >= count and self.of(who), timeout_s)


@dataclass
class Telephony:
    bootstrap: str
    factory: sessionmaker[Session]
    sim_url: str
    publisher: EventPublisher
    outcomes: Outcomes
    log_dir: Path
    env: dict[str, str]
    stack: ExitStack
    processes: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str) -> None:
        log_path = self.log_dir / f"{name}.log"
        self.processes[name] = self.stack.enter_context(
            tecflow_process(name, env=self.env, log_path=log_path)
        )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name)
        process.send_signal(signal.SIGTERM)
        process.wait(30)

    def check(self) -> None:
        for name, process in self.processes.items():
            log = (self.log_dir / f"{name}.log").read_text()
            assert process.poll() is None, f"{name} died:\n{log[-3000:]}"

    def person(self, caller: list[dict[str, object]] | None) -> str:
        """A person with a unique number whose calls the simulator answers as told
        (no number at all when `caller` is None)."""
        who = person_id("TEL")
        phone = f"+447700{next(NUMBERS)}" if caller is not None else None
        with transaction(self.factory) as session:
            session.add(Person(id=who, display_name="Test Person", phone=phone))
        if caller is not None:
            httpx.put(f"{self.sim_url}/sim/callers/{phone}", json=caller).raise_for_status()
        return who

    def request(self, who: str, script: ScriptName, **fields: object) -> CallRequested:
        now = datetime.now(UTC)
        values: dict[str, object] = {
            "person_id": who,
            "occurred_at": now,
            "source": "tests",
            "script": script,
            "reason": "end-to-end test",
            "due_at": now,
            "window_end": now + timedelta(hours=2),
        }
        request = CallRequested.model_validate(values | fields)
        self.publisher.publish(Topic.CALLS_REQUESTED, request)
        return request

    def sim_calls(self, phone: str) -> list[dict[str, object]]:
        calls = httpx.get(f"{self.sim_url}/sim/calls").json()
        return [call for call in calls if call["to"] == phone]


def phone_of(factory: sessionmaker[Session], who: str) -> str:
    with transaction(factory) as session:
        person = session.get_one(Person, who)
        assert person.phone is not None
        return person.phone


@contextmanager
def running_telephony(bootstrap: str, database_url: str, log_dir: Path) -> Iterator[Telephony]:
    sim_port, ivr_port = free_port(), free_port()
    env = worker_env(bootstrap, database_url, app_id=f"tel-{uuid.uuid4().hex[:8]}")
    env |= telephony_env(sim_port, ivr_port)
    sim_url = f"http://127.0.0.1:{sim_port}"
    engine = make_engine(database_url)
    with ExitStack() as stack:
        telephony = Telephony(
            bootstrap=bootstrap,
            factory=make_session_factory(engine),
            sim_url=sim_url,
            publisher=stack.enter_context(EventPublisher(bootstrap)),
            outcomes=Outcomes(bootstrap),
            log_dir=log_dir,
            env=env,
            stack=stack,
        )
        for name in ("twilio-sim", "ivr", "dialer"):
            telephony.start(name)

        def ready() -> bool:
            telephony.check()
            try:
                httpx.get(f"{sim_url}/sim/calls").raise_for_status()
                httpx.post(f"http://127.0.0.1:{ivr_port}/ivr/status")
            except httpx.HTTPError:
                return False
            return True

        eventually(ready, timeout_s=60)
        yield telephony
        telephony.check()
    engine.dispose()


@pytest.fixture(scope="module", params=["sqlite", "postgres"])
def telephony(
    request: pytest.FixtureRequest, kafka_bootstrap: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Telephony]:
    database_url: str = request.getfixturevalue(f"{request.param}_url")
    log_dir = tmp_path_factory.mktemp(f"telephony-{request.param}")
    with running_telephony(kafka_bootstrap, database_url, log_dir) as running:
        yield running
